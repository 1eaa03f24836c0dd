"""POST /api/products/{id}/images/: hostile files are refused in the request, leaving nothing behind."""

from __future__ import annotations

import pytest

from catalog.models import ProductImage
from shop.platform.jobs.models import Job
from tests.catalog import pictures
from tests.catalog.conftest import client_for, media_files, upload
from tests.factories import ProductFactory, UserFactory

pytestmark = pytest.mark.django_db


def truncated_jpeg() -> bytes:
    content = pictures.jpeg(400, 300)
    return content[: len(content) // 2]


def zip_appended_to_gif() -> bytes:
    return pictures.animated_gif() + b"PK\x03\x04payload" + b"PK\x05\x06" + bytes(18)


HOSTILE = {
    "svg": (pictures.SVG, "logo.jpg", 415, "markup_not_accepted"),
    "html": (pictures.HTML, "page.png", 415, "markup_not_accepted"),
    "jpeg_with_script_comment": (pictures.jpeg_with_comment(b"<script>alert(1)</script>"), "a.jpg", 415,
                                 "polyglot_file"),
    "gif_with_zip_appended": (zip_appended_to_gif(), "a.gif", 415, "polyglot_file"),
    "random_bytes": (bytes(range(256)) * 8, "photo.jpg", 415, "unsupported_image_type"),
    "tiff": (pictures.encoded(pictures.picture(), "TIFF"), "photo.jpg", 415, "unsupported_image_type"),
    "bmp": (pictures.encoded(pictures.picture(), "BMP"), "photo.bmp", 415, "unsupported_image_type"),
    "truncated_jpeg": (truncated_jpeg(), "cut.jpg", 400, "corrupt_image"),
    "png_magic_then_garbage": (b"\x89PNG\r\n\x1a\n" + bytes(200), "a.png", 400, "corrupt_image"),
    "declared_too_many_pixels": (pictures.png_declaring(8000, 8000), "big.png", 413, "too_many_pixels"),
    "decompression_bomb": (pictures.png_declaring(30000, 30000), "bomb.png", 413, "too_many_pixels"),
}  # fmt: skip


@pytest.mark.parametrize("case", HOSTILE)
def test_a_hostile_file_is_refused_with_a_clear_error_and_nothing_stored(case, staff_client):
    content, name, status, code = HOSTILE[case]
    product = ProductFactory()
    files_before = media_files()

    response = upload(staff_client, product.id, content, name)

    assert response.status_code == status, response.content
    error = response.json()["error"]
    assert (error["status"], error["code"]) == (status, code)
    assert error["message"]
    assert not ProductImage.objects.exists()
    assert not Job.objects.exists()
    assert media_files() == files_before


def test_pillows_own_bomb_limit_is_a_rejection_too(staff_client, settings):
    # Our pixel limit raised above Pillow's: its DecompressionBombWarning must still refuse the file.
    settings.CATALOG_IMAGE_MAX_PIXELS = 10**10
    response = upload(staff_client, ProductFactory().id, pictures.png_declaring(10000, 10000))

    assert response.status_code == 413
    assert response.json()["error"]["code"] == "too_many_pixels"
    assert not ProductImage.objects.exists()


def test_a_file_over_the_byte_limit_is_refused_before_it_is_read(staff_client, settings):
    content = pictures.jpeg(300, 200)
    settings.CATALOG_IMAGE_MAX_BYTES = len(content) - 1

    response = upload(staff_client, ProductFactory().id, content)

    assert response.status_code == 413
    assert response.json()["error"]["code"] == "file_too_large"
    assert not ProductImage.objects.exists()


def test_empty_or_missing_files_are_400(staff_client):
    product = ProductFactory()
    assert upload(staff_client, product.id, b"").status_code == 400
    response = staff_client.post(f"/api/products/{product.id}/images/", {}, format="multipart")
    assert response.status_code == 400
    assert response.json()["error"]["message"].startswith("image:")
    assert not ProductImage.objects.exists()


def test_json_instead_of_multipart_is_415(staff_client):
    response = staff_client.post(
        f"/api/products/{ProductFactory().id}/images/", {"image": "x"}, format="json"
    )
    assert response.status_code == 415


def test_only_staff_may_upload():
    product = ProductFactory()
    assert upload(client_for(), product.id, pictures.jpeg()).status_code in (401, 403)
    assert upload(client_for(UserFactory()), product.id, pictures.jpeg()).status_code == 403
    assert not ProductImage.objects.exists()


VALID = {
    "jpeg": (pictures.jpeg(), "JPEG", (64, 48)),
    "png_named_jpg": (pictures.png(), "PNG", (64, 48)),
    "cmyk_jpeg": (pictures.cmyk_jpeg(), "JPEG", (64, 48)),
    "exif_rotated_jpeg": (pictures.exif_rotated_jpeg(), "JPEG", (48, 64)),
    "palette_png": (pictures.palette_png_with_transparency(), "PNG", (64, 48)),
    "animated_gif": (pictures.animated_gif(), "GIF", (64, 48)),
    "webp": (pictures.webp(), "WEBP", (64, 48)),
}


@pytest.mark.parametrize("case", VALID)
def test_valid_images_of_every_kind_are_accepted_with_their_sniffed_type(case, staff_client):
    content, image_format, upright = VALID[case]
    product = ProductFactory()

    response = upload(staff_client, product.id, content, name="upload.jpg")

    assert response.status_code == 202, response.content
    body = response.json()
    image = ProductImage.objects.get(id=body["id"])
    assert (image.original_format, (image.width, image.height)) == (image_format, upright)
    assert image.original.read() == content
    assert body["status"] == "pending"
    assert body["job"]["id"] == image.job_id
    assert image.job.priority == "high"
