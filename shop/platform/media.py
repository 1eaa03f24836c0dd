"""Serving uploaded files. Only the catalog's product pictures are public.

Invoices and report PDFs live in the same media storage, but they are private: they are
served only through their API endpoints, which check who is asking
(`/api/orders/{id}/invoice/`, `/api/reports/{id}/pdf/`). Files are read through the storage
API (STORAGES["default"]), never from a path, so the view works whatever holds the media:
a local folder, a shared volume or a bucket. A real deployment puts the public part behind
a CDN or nginx (or a bucket's own URLs); the app serves it here so `make run` needs nothing else.
"""

from __future__ import annotations

import posixpath
from datetime import datetime

from django.core.files.storage import default_storage
from django.http import FileResponse, Http404
from django.views.decorators.http import condition

PUBLIC_MEDIA_FOLDER = "catalog"


def _public_name(path: str) -> str:
    name = posixpath.normpath(f"{PUBLIC_MEDIA_FOLDER}/{path}")
    if not name.startswith(f"{PUBLIC_MEDIA_FOLDER}/"):
        raise Http404("not a public file")
    return name


def _last_modified(request, path: str) -> datetime | None:
    """Lets browsers revalidate with If-Modified-Since (a 304) where the storage knows the time."""
    try:
        return default_storage.get_modified_time(_public_name(path))
    except (NotImplementedError, OSError):
        return None


@condition(last_modified_func=_last_modified)
def public_media(request, path: str):
    try:
        return FileResponse(default_storage.open(_public_name(path), "rb"))
    except (FileNotFoundError, IsADirectoryError):
        raise Http404("no such file") from None
