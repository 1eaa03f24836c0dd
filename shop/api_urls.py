"""One style for the URLs in API responses: absolute, on the scheme and host the client called.

A client can follow every `*_url` (and rendition `url`) as it is, whether it is the shop's
own JavaScript, a script on another machine or a link in a mail. Without a request (a
serializer used by a task) the shop's SITE_URL is the base.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urljoin

from django.conf import settings


def absolute_url(context: Mapping[str, Any], path: str) -> str:
    """`path` (or an already absolute URL, e.g. media on a CDN) as an absolute URL."""
    request = context.get("request")
    if request is not None:
        return request.build_absolute_uri(path)
    return urljoin(f"{settings.SITE_URL}/", path)
