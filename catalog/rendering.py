"""Pillow work of the image pipeline: decode safely, then render every rendition in one pass.

Pure functions from bytes to bytes, so the same input always gives the same output (the
pipeline's idempotency rests on that). Decoding is guarded in one place: a decompression
bomb or a file Pillow cannot read becomes `DecompressionBomb` or `CorruptImage`, never an
arbitrary exception. JPEGs are decoded at reduced size (draft mode: the decoder scales
by 1/2, 1/4 or 1/8 while decoding) whenever the result is smaller than the file.
"""

from __future__ import annotations

import contextlib
import io
import struct
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from PIL import Image, ImageCms, ImageOps

from .models import RENDITION_EDGES, ImageFormat, ImageSize

BACKGROUND = (255, 255, 255)  # transparent pixels land on white: every rendition is opaque
ENCODE_OPTIONS = {
    ImageFormat.JPEG: {"format": "JPEG", "quality": 84, "optimize": True, "progressive": True},
    ImageFormat.WEBP: {"format": "WEBP", "quality": 80, "method": 4},
}
FILE_EXTENSIONS = {ImageFormat.JPEG: "jpg", ImageFormat.WEBP: "webp"}

# What Pillow raises on malformed data besides OSError (its "cannot identify" and
# "truncated" errors are OSErrors too). Decoding is from memory, so none of it is I/O.
_DECODE_ERRORS = (OSError, SyntaxError, ValueError, EOFError, IndexError, TypeError, KeyError,
                  ZeroDivisionError, struct.error)  # fmt: skip
_SRGB = ImageCms.createProfile("sRGB")
_EXIF_ORIENTATION = 0x0112
_ORIENTATIONS_SWAPPING_AXES = {5, 6, 7, 8}


class CorruptImage(Exception):
    """The bytes are not an image Pillow can decode (damaged, truncated, not an image)."""


class DecompressionBomb(CorruptImage):
    """The image declares more pixels than we agree to decode."""


@dataclass(frozen=True)
class EncodedImage:
    content: bytes
    width: int
    height: int


@contextmanager
def decoding_guard() -> Iterator[None]:
    """Turn Pillow's bomb error and every decoding failure into our two exceptions."""
    try:
        yield
    except (Image.DecompressionBombWarning, Image.DecompressionBombError) as exc:
        raise DecompressionBomb(str(exc)) from exc
    except _DECODE_ERRORS as exc:
        raise CorruptImage(f"{type(exc).__name__}: {exc}") from exc


def image_open(content: bytes, *, max_pixels: int, formats: tuple[str, ...] | None = None) -> Image.Image:
    """Read the header only, and refuse what declares too many pixels before any decoding."""
    with decoding_guard():
        image = Image.open(io.BytesIO(content), formats=formats)
    width, height = image.size
    if width < 1 or height < 1:
        raise CorruptImage(f"the image declares an empty size {width}×{height}")
    # Pillow only *warns* between its limit and twice it; a warnings filter that made that an
    # error would be process-wide state (unsafe under threaded web workers), so compare here.
    limit = min(max_pixels, Image.MAX_IMAGE_PIXELS or max_pixels)
    if width * height > limit:
        raise DecompressionBomb(f"{width}×{height} is {width * height:,} pixels; the limit is {limit:,}")
    return image


def fit_within(width: int, height: int, edge: int) -> tuple[int, int]:
    """The size that fits a `edge`×`edge` box keeping the aspect ratio, never upscaled."""
    longest = max(width, height)
    if longest <= edge:
        return width, height
    scale = edge / longest
    return max(1, round(width * scale)), max(1, round(height * scale))


def upright_size(image: Image.Image) -> tuple[int, int]:
    """The size once its EXIF orientation is applied (a portrait photo stored sideways)."""
    orientation = image.getexif().get(_EXIF_ORIENTATION)
    width, height = image.size
    return (height, width) if orientation in _ORIENTATIONS_SWAPPING_AXES else (width, height)


def decode_reduced(image: Image.Image, at_least: tuple[int, int]) -> Image.Image:
    """Decode the first frame; a JPEG only at the smallest scale still ≥ `at_least`.

    `at_least` is orientation-agnostic because callers fit the longest edge into a square box.
    """
    with decoding_guard():
        image.draft(image.mode, at_least)  # a no-op for formats other than JPEG
        image.load()
    return image


def _to_srgb(image: Image.Image) -> Image.Image:
    """Convert to 8-bit sRGB: embedded ICC profiles (CMYK print files) honoured, alpha flattened."""
    profile = image.info.get("icc_profile")
    if profile and image.mode in ("RGB", "CMYK"):
        # A broken profile: the plain conversion below is the best we can do.
        with contextlib.suppress(ImageCms.PyCMSError, OSError, ValueError):
            image = ImageCms.profileToProfile(
                image, ImageCms.ImageCmsProfile(io.BytesIO(profile)), _SRGB, outputMode="RGB"
            )
    if image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info:
        rgba = image.convert("RGBA")
        flattened = Image.new("RGB", rgba.size, BACKGROUND)
        flattened.paste(rgba, mask=rgba.getchannel("A"))
        return flattened
    return image.convert("RGB")


def _encode(image: Image.Image, options: dict) -> EncodedImage:
    buffer = io.BytesIO()
    image.save(buffer, **options)  # no exif=/icc_profile=: metadata is never carried over
    return EncodedImage(content=buffer.getvalue(), width=image.width, height=image.height)


def renditions_render(content: bytes, *, max_pixels: int) -> dict[tuple[str, str], EncodedImage]:
    """Every rendition of one image in a single pass: {(size, format): encoded}.

    The first frame is decoded once, at the smallest JPEG draft scale that still covers the
    largest rendition, turned upright (EXIF), converted to sRGB, then shrunk large → card →
    thumb in turn (each from the one before, which is cheaper than from the decode and looks
    the same at these ratios) and encoded in every format. Metadata is never carried over.
    """
    image = image_open(content, max_pixels=max_pixels)
    largest = RENDITION_EDGES[ImageSize.LARGE]
    image = decode_reduced(image, fit_within(*image.size, largest))
    with decoding_guard():
        picture = _to_srgb(ImageOps.exif_transpose(image))
    encoded = {}
    for size in sorted(ImageSize, key=lambda size: -RENDITION_EDGES[size]):
        target = fit_within(*picture.size, RENDITION_EDGES[size])
        if picture.size != target:
            picture = picture.resize(target, Image.Resampling.LANCZOS)
        for image_format in ImageFormat:
            encoded[size.value, image_format.value] = _encode(picture, ENCODE_OPTIONS[image_format])
    return encoded
