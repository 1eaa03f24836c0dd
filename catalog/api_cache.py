"""Product-list pages, serialized once per catalog version, with ETags.

A shopper's page depends on the query, the host it is linked from (rendition URLs are
absolute) and the catalog's rows; the rows are summed up by `catalog_version()`, whose token
changes in the same transaction as every catalog write (catalog/versions.py says why a page
stored under a token is never stale). Staff pages also show Jobs, which the token does not
cover, and the browsable API is HTML: both are built every time.

The cache is each process's own memory: the key carries the token, so every copy is right
by itself, and a hit costs no network round trip. The ETag names the token and the key, so
`If-None-Match` → 304 exactly while no catalog write has committed since.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from django.core.cache.backends.locmem import LocMemCache
from django.http import HttpResponse
from rest_framework.request import Request
from rest_framework.response import Response

from .versions import catalog_version

# A page is valid as long as its token is current; the timeout only frees idle entries.
_pages = LocMemCache("catalog-pages", {"TIMEOUT": 300, "OPTIONS": {"MAX_ENTRIES": 2000}})


def _cacheable(request: Request) -> bool:
    return not (request.user and request.user.is_staff) and request.accepted_renderer.format == "json"


def _etag_matches(request: Request, etag: str) -> bool:
    # Weak comparison (RFC 9110 §13.1.2), as for any GET.
    offered = request.headers.get("If-None-Match", "")
    return any(tag.strip().removeprefix("W/") == etag.removeprefix("W/") for tag in offered.split(","))


def product_page(request: Request, build: Callable[[], Response]) -> HttpResponse:
    """The page `build` makes for `request`, from the cache when the catalog has not changed."""
    if not _cacheable(request):
        return build()
    # The token first, then the rows (in `build`): that order is what makes the cache safe.
    token = catalog_version()
    if token is None:
        return build()
    key = f"{token}:{request.scheme}://{request.get_host()}{request.get_full_path()}"
    # Weak: a page built just as a write committed may hold rows newer than its token.
    etag = f'W/"{token & 0xFFFFFFFFFFFFFFFF:x}-{hashlib.blake2b(key.encode(), digest_size=8).hexdigest()}"'
    headers = {"ETag": etag, "Cache-Control": "no-cache"}
    if _etag_matches(request, etag):
        return HttpResponse(status=304, headers=headers)
    body = _pages.get(key)
    if body is None:
        response = build()
        if response.status_code != 200:
            return response
        body = request.accepted_renderer.render(response.data, request.accepted_media_type, {})
        _pages.set(key, body)
    return HttpResponse(body, content_type=request.accepted_media_type, headers=headers)
