"""Only product pictures are public under /media/; invoices and reports are not."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings

pytestmark = pytest.mark.django_db


def write_media(relative: str) -> None:
    path = Path(settings.MEDIA_ROOT) / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"%PDF-1.4 private")


def test_catalog_pictures_are_served(client):
    write_media("catalog/media-test/thumb.jpg")
    response = client.get("/media/catalog/media-test/thumb.jpg")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.4 private"
    again = client.get(
        "/media/catalog/media-test/thumb.jpg", HTTP_IF_MODIFIED_SINCE=response["Last-Modified"]
    )
    assert again.status_code == 304


@pytest.mark.parametrize("private", ["invoices/2026/11/x/GG-1.pdf", "reports/2026/11/monthly.pdf"])
def test_invoices_and_reports_are_not_served_from_media(client, private):
    write_media(private)
    assert client.get(f"/media/{private}").status_code == 404


def test_no_path_escapes_the_public_folder(client):
    write_media("reports/secret.pdf")
    # Django refuses the traversal outright (400 SuspiciousFileOperation): nothing is served.
    assert client.get("/media/catalog/../reports/secret.pdf").status_code in (400, 404)
