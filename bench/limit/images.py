"""The images limit: each original decoded once in draft mode, shrunk large → card → thumb
and encoded in both formats, in this process: no task, no database row, no tracking."""

from __future__ import annotations

import io

from PIL import Image

from catalog.models import RENDITION_EDGES, ImageFormat, ImageSize, ProductImage
from catalog.rendering import ENCODE_OPTIONS, fit_within
from catalog.storage import file_read, file_write

SIZES_LARGEST_FIRST = sorted(ImageSize, key=lambda size: -RENDITION_EDGES[size])


def renditions_loop(image_ids: list[int]) -> int:
    """Render and store every rendition of the images; returns how many were written."""
    written = 0
    for image in ProductImage.objects.filter(id__in=image_ids).only("original"):
        with Image.open(io.BytesIO(file_read(image.original.name))) as original:
            original.draft("RGB", fit_within(*original.size, RENDITION_EDGES[ImageSize.LARGE]))
            picture = original.convert("RGB")
        for size in SIZES_LARGEST_FIRST:
            picture = picture.resize(
                fit_within(*picture.size, RENDITION_EDGES[size]), Image.Resampling.LANCZOS
            )
            for image_format in ImageFormat:
                buffer = io.BytesIO()
                picture.save(buffer, **ENCODE_OPTIONS[image_format])
                file_write(f"bench-limit/{image.id}/{size}.{image_format}", buffer.getvalue())
                written += 1
    return written
