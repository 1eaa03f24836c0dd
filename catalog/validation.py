"""Checking an uploaded image in the request, before anything is stored.

The type comes from the content (magic bytes, then Pillow's own reading of the header,
which must agree), never from the file name or the client's Content-Type. Markup anywhere
in the file (SVG, HTML, script) or an archive appended to it (a polyglot) is refused, so a
stored original can never be served as something a browser would run. Sizes are checked
before decoding: bytes first, then the declared pixel count; the file is then decoded (at
1/8 scale for JPEGs) so that truncated and damaged files are refused here, not later.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile

from shop.platform.errors import InvalidInput, TooLarge, UnsupportedType

from . import rendering

# Pillow format name → (magic bytes test, file extension).
ACCEPTED_FORMATS = {
    "JPEG": (lambda head: head.startswith(b"\xff\xd8\xff"), "jpg"),
    "PNG": (lambda head: head.startswith(b"\x89PNG\r\n\x1a\n"), "png"),
    "GIF": (lambda head: head[:6] in (b"GIF87a", b"GIF89a"), "gif"),
    "WEBP": (lambda head: head[:4] == b"RIFF" and head[8:12] == b"WEBP", "webp"),
}
_MARKUP = re.compile(
    rb"<(?:svg|html|head|body|script|iframe|object|embed|foreignobject)[\s>/]|<\?php|<!doctype|<!entity",
    re.IGNORECASE,
)
_ZIP_END_OF_DIRECTORY = b"PK\x05\x06"
_ZIP_TAIL = 22 + 65535  # the end-of-directory record and its longest comment


class ImageRejected(InvalidInput):
    """The upload cannot be accepted as a product image (the API answers 400)."""


class ImageTooLarge(ImageRejected, TooLarge):
    """Too many bytes or pixels (413)."""


class ImageUnsupported(ImageRejected, UnsupportedType):
    """Not one of the accepted image types, or one hiding something else (415)."""


@dataclass(frozen=True)
class CheckedImage:
    content: bytes
    format: str
    extension: str
    width: int  # upright, with the EXIF orientation applied
    height: int


def _sniff(content: bytes) -> str:
    head = content[:16]
    for name, (matches, _) in ACCEPTED_FORMATS.items():
        if matches(head):
            return name
    if content.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
        raise ImageUnsupported(
            "SVG, HTML and other markup are not accepted; upload a JPEG, PNG, GIF or WebP image.",
            code="markup_not_accepted",
        )
    raise ImageUnsupported(
        "The file is not a JPEG, PNG, GIF or WebP image.",
        code="unsupported_image_type",
    )


def _refuse_polyglots(content: bytes) -> None:
    if _MARKUP.search(content) or _ZIP_END_OF_DIRECTORY in content[-_ZIP_TAIL:]:
        raise ImageUnsupported(
            "The file hides markup or an archive inside the image; it is not accepted.",
            code="polyglot_file",
        )


def image_upload_check(upload: UploadedFile) -> CheckedImage:
    """Return the checked image, or raise ImageRejected saying why it cannot be accepted."""
    max_bytes = settings.CATALOG_IMAGE_MAX_BYTES
    max_pixels = settings.CATALOG_IMAGE_MAX_PIXELS
    if not upload.size:
        raise ImageRejected("The file is empty.", code="empty_file")
    if upload.size > max_bytes:
        raise ImageTooLarge(
            f"The file has {upload.size:,} bytes; the limit is {max_bytes:,}.",
            code="file_too_large",
        )
    upload.seek(0)
    content = upload.read()
    sniffed = _sniff(content)
    _refuse_polyglots(content)
    try:
        image = rendering.image_open(content, max_pixels=max_pixels, formats=(sniffed,))
        width, height = rendering.upright_size(image)
        rendering.decode_reduced(image, (1, 1))
    except rendering.DecompressionBomb as exc:
        # Pillow's own wording ("could be decompression bomb DOS attack") is not the shop's.
        raise ImageTooLarge(
            f"The image has more pixels than the shop accepts (at most {max_pixels:,}); "
            "make it smaller and upload it again.",
            code="too_many_pixels",
        ) from exc
    except rendering.CorruptImage as exc:
        raise ImageRejected(
            f"The {sniffed} file is damaged or truncated and cannot be read.",
            code="corrupt_image",
        ) from exc
    return CheckedImage(
        content=content, format=sniffed, extension=ACCEPTED_FORMATS[sniffed][1], width=width, height=height
    )
