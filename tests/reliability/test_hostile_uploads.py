"""Every kind of hostile or awkward file uploaded over real HTTP to POST /api/products/{id}/images/.

A rejection is the right 4xx with a stable error code, and leaves nothing behind: no
ProductImage row, no Job, no file under MEDIA_ROOT. A valid but awkward file (CMYK, EXIF
rotation, animation, a misleading name) is accepted, processed by the real image pipeline,
and its renditions come out upright and in RGB.
"""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

import pytest
import requests
from django.conf import settings
from PIL import Image

from catalog.models import ProductImage
from shop.platform.jobs.models import Job
from tests.catalog import pictures
from tests.factories import ProductFactory, StaffFactory
from tests.harness.jobs import wait_for_job

from .conftest import token_session

pytestmark = pytest.mark.reliability


def truncated_jpeg() -> bytes:
    content = pictures.jpeg(400, 300)
    return content[: len(content) // 2]


def compressed_png_bomb(edge: int = 12_000) -> bytes:
    """A real decompression bomb: an `edge`² grey PNG of zeros, deflated to a few hundred KB."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    deflate = zlib.compressobj(9)
    row = bytes(edge + 1)  # filter byte 0, then the row's pixels
    idat = b"".join(deflate.compress(row) for _ in range(edge)) + deflate.flush()
    header = struct.pack(">IIBBBBB", edge, edge, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def oversize_file() -> bytes:
    content = pictures.jpeg(64, 48)
    return content + bytes(settings.CATALOG_IMAGE_MAX_BYTES + 1 - len(content))


def zip_appended_to_gif() -> bytes:
    return pictures.animated_gif() + b"PK\x03\x04payload" + b"PK\x05\x06" + bytes(18)


PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"

# kind: (content, file name, Content-Type sent, status, error code)
REJECTED = {
    "not_an_image_pdf": (lambda: PDF, "photo.jpg", "image/jpeg", 415, "unsupported_image_type"),
    "not_an_image_tiff": (lambda: pictures.encoded(pictures.picture(), "TIFF"), "photo.tif", "image/tiff",
                          415, "unsupported_image_type"),
    "truncated_jpeg": (truncated_jpeg, "cut.jpg", "image/jpeg", 400, "corrupt_image"),
    "png_magic_then_garbage": (lambda: b"\x89PNG\r\n\x1a\n" + bytes(200), "a.png", "image/png", 400,
                               "corrupt_image"),
    "decompression_bomb": (compressed_png_bomb, "bomb.png", "image/png", 413, "too_many_pixels"),
    "png_declaring_huge_dimensions": (lambda: pictures.png_declaring(60_000, 60_000), "huge.png",
                                      "image/png", 413, "too_many_pixels"),
    "svg_with_script": (lambda: pictures.SVG, "logo.svg", "image/svg+xml", 415, "markup_not_accepted"),
    "html_named_png": (lambda: pictures.HTML, "page.png", "image/png", 415, "markup_not_accepted"),
    "polyglot_jpeg_with_script": (lambda: pictures.jpeg_with_comment(b"<script>alert(1)</script>"),
                                  "a.jpg", "image/jpeg", 415, "polyglot_file"),
    "polyglot_gif_with_zip": (zip_appended_to_gif, "a.gif", "image/gif", 415, "polyglot_file"),
    "oversize_file": (oversize_file, "big.jpg", "image/jpeg", 413, "file_too_large"),
    "zero_bytes": (lambda: b"", "empty.jpg", "image/jpeg", 400, "invalid"),
}  # fmt: skip

# kind: (content, file name, Content-Type sent, sniffed format, upright width × height)
ACCEPTED = {
    "cmyk_jpeg": (pictures.cmyk_jpeg, "cmyk.jpg", "image/jpeg", "JPEG", (64, 48)),
    "exif_rotated_jpeg": (pictures.exif_rotated_jpeg, "phone.jpg", "image/jpeg", "JPEG", (48, 64)),
    "animated_gif": (pictures.animated_gif, "dancing.gif", "image/gif", "GIF", (64, 48)),
    "png_with_wrong_extension": (pictures.png, "picture.jpg", "image/gif", "PNG", (64, 48)),
    "jpeg_named_for_path_traversal": (pictures.jpeg, "../../../etc/evil.sh", "text/x-sh", "JPEG", (64, 48)),
}  # fmt: skip


def media_files() -> set[Path]:
    return {path for path in Path(settings.MEDIA_ROOT).rglob("*") if path.is_file()}


@pytest.fixture
def staff(live_server) -> requests.Session:
    return token_session(StaffFactory(password=None))


def _upload(session: requests.Session, base_url: str, product_id: int, content: bytes, name: str,
            content_type: str) -> requests.Response:  # fmt: skip
    return session.post(
        f"{base_url}/api/products/{product_id}/images/",
        files={"image": (name, content, content_type)},
        timeout=60,
    )


@pytest.mark.parametrize("kind", REJECTED)
def test_a_hostile_upload_gets_its_4xx_and_nothing_is_stored(kind, worker, live_server, staff):
    make, name, content_type, status, code = REJECTED[kind]
    product = ProductFactory()
    files_before = media_files()

    response = _upload(staff, live_server.url, product.id, make(), name, content_type)

    print(f"\n{kind}: {response.status_code} {response.json()['error']['code']}")
    assert (response.status_code, response.json()["error"]["code"]) == (status, code), response.text
    message = response.json()["error"]["message"]
    # The shop's words, never the image library's (Pillow's bomb warning, exception names).
    assert not any(
        word in message.lower() for word in ("pillow", "pil.", "dos attack", "error:", "exceeds limit")
    )
    if code == "too_many_pixels":
        assert message == (
            f"The image has more pixels than the shop accepts (at most {settings.CATALOG_IMAGE_MAX_PIXELS:,}); "
            "make it smaller and upload it again."
        )
    assert not ProductImage.objects.exists()
    assert not Job.objects.exists()
    assert media_files() == files_before


@pytest.mark.parametrize("kind", ACCEPTED)
def test_an_awkward_but_valid_upload_is_processed_into_upright_rgb_renditions(
    kind, worker, live_server, staff
):
    make, name, content_type, image_format, upright = ACCEPTED[kind]
    product = ProductFactory()

    response = _upload(staff, live_server.url, product.id, make(), name, content_type)

    assert response.status_code == 202, response.text
    assert response.json()["original_format"] == image_format
    wait_for_job(response.json()["job"]["id"], timeout=120)
    image = staff.get(f"{live_server.url}/api/products/{product.id}/", timeout=30).json()["images"][0]
    assert (image["status"], image["width"], image["height"]) == ("ready", *upright)
    renditions = [staff.get(r["url"] if r["url"].startswith("http") else live_server.url + r["url"], timeout=30)
                  for r in image["renditions"]]  # fmt: skip
    decoded = [Image.open(io.BytesIO(r.content)) for r in renditions]
    print(f"\n{kind}: 202, {len(decoded)} renditions, modes {sorted({d.mode for d in decoded})}")
    assert decoded and all(r.status_code == 200 for r in renditions)
    assert {d.mode for d in decoded} == {"RGB"}
    assert all((d.width > d.height) == (upright[0] > upright[1]) for d in decoded)
    original = ProductImage.objects.get(product=product).original.name
    assert original.startswith("catalog/images/") and ".." not in original and "evil" not in original
