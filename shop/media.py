"""Serving uploaded files. Only the catalog's product pictures are public.

Invoices and report PDFs also live under MEDIA_ROOT, but they are private: they are served
only through their API endpoints, which check who is asking
(`/api/orders/{id}/invoice/`, `/api/reports/{id}/pdf/`). A real deployment puts the public
part behind a CDN or nginx; the app serves it here so `make run` needs nothing else.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.views.static import serve

PUBLIC_MEDIA_FOLDER = "catalog"


def public_media(request, path: str):
    # MEDIA_ROOT is read per request (the tests point it at a temporary folder).
    return serve(request, path, document_root=Path(settings.MEDIA_ROOT) / PUBLIC_MEDIA_FOLDER)
