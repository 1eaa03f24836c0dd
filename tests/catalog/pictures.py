"""Image files made with Pillow for the catalog tests: valid ones of every kind, and hostile ones."""

from __future__ import annotations

import io
import struct
import zlib

from PIL import Image, ImageDraw


def picture(width: int = 64, height: int = 48, mode: str = "RGB") -> Image.Image:
    """A picture whose corners differ, so rotations and flips are visible."""
    image = Image.new("RGB", (width, height), (40, 160, 60))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, width // 3, height // 3), fill=(220, 30, 30))  # top left: red
    draw.ellipse((width // 2, height // 2, width - 1, height - 1), fill=(250, 220, 40))
    return image.convert(mode)


def encoded(image: Image.Image, image_format: str, **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=image_format, **options)
    return buffer.getvalue()


def jpeg(width: int = 64, height: int = 48, **options) -> bytes:
    return encoded(picture(width, height), "JPEG", quality=90, **options)


def png(width: int = 64, height: int = 48) -> bytes:
    return encoded(picture(width, height), "PNG")


def cmyk_jpeg(width: int = 64, height: int = 48) -> bytes:
    return encoded(picture(width, height, mode="CMYK"), "JPEG", quality=90)


def exif_rotated_jpeg(width: int = 64, height: int = 48) -> bytes:
    """Stored landscape with Orientation 6: shown (and processed) as a portrait."""
    exif = Image.Exif()
    exif[0x0112] = 6
    return encoded(picture(width, height), "JPEG", quality=90, exif=exif.tobytes())


def palette_png_with_transparency(width: int = 64, height: int = 48) -> bytes:
    image = picture(width, height).convert("P", palette=Image.Palette.ADAPTIVE, colors=16)
    return encoded(image, "PNG", transparency=0)


def animated_gif(width: int = 64, height: int = 48) -> bytes:
    frames = [picture(width, height).convert("P"), Image.new("P", (width, height), 3)]
    return encoded(frames[0], "GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)


def webp(width: int = 64, height: int = 48) -> bytes:
    return encoded(picture(width, height), "WEBP")


def png_declaring(width: int, height: int) -> bytes:
    """A tiny PNG whose header declares `width`×`height`: a decompression bomb's calling card."""
    data = bytearray(png(8, 8))
    ihdr = struct.pack(">II", width, height) + bytes(data[24:29])
    data[16:29] = ihdr
    data[29:33] = struct.pack(">I", zlib.crc32(b"IHDR" + ihdr))
    return bytes(data)


def jpeg_with_comment(comment: bytes) -> bytes:
    return encoded(picture(), "JPEG", comment=comment)


SVG = b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
HTML = b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"
