from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from django.conf import settings
from rest_framework.test import APIClient

from tests.factories import StaffFactory


def client_for(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def media_files() -> set[Path]:
    return {path for path in Path(settings.MEDIA_ROOT).rglob("*") if path.is_file()}


@pytest.fixture
def staff_client(db) -> APIClient:
    return client_for(StaffFactory())


def upload(client: APIClient, product_id: int, content: bytes, name: str = "picture.jpg"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post(
        f"/api/products/{product_id}/images/",
        {"image": SimpleUploadedFile(name, content, content_type="image/jpeg")},
        format="multipart",
    )


@pytest.fixture(autouse=True)
def _no_image_files_left_behind():
    """Rows of a rolled-back test vanish but files stay; the next image with that id must not see them."""
    yield
    shutil.rmtree(Path(settings.MEDIA_ROOT) / "catalog", ignore_errors=True)
