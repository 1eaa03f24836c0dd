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

from django.core.files.storage import default_storage
from django.http import FileResponse, Http404

PUBLIC_MEDIA_FOLDER = "catalog"


def public_media(request, path: str):
    name = posixpath.normpath(f"{PUBLIC_MEDIA_FOLDER}/{path}")
    if not name.startswith(f"{PUBLIC_MEDIA_FOLDER}/"):
        raise Http404("not a public file")
    try:
        return FileResponse(default_storage.open(name, "rb"))
    except (FileNotFoundError, IsADirectoryError):
        raise Http404("no such file") from None
