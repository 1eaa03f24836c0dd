"""Pillow work without the pipeline: draft-mode decoding, sizes, formats, determinism."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from catalog import rendering
from tests.catalog import pictures

MAX_PIXELS = 40_000_000


def test_a_jpeg_is_decoded_at_the_smallest_scale_that_still_covers_the_rendition():
    image = rendering.image_open(pictures.jpeg(2400, 1600), max_pixels=MAX_PIXELS)

    decoded = rendering.decode_reduced(image, rendering.fit_within(2400, 1600, 160))

    assert decoded.size == (300, 200)  # decoded at 1/8 scale, not 2400×1600


def test_one_pass_renders_every_size_and_format_deterministically():
    content = pictures.jpeg(2400, 1600)

    rendered = rendering.renditions_render(content, max_pixels=MAX_PIXELS)

    expected = {"thumb": (160, 107), "card": (480, 320), "large": (1200, 800)}
    formats = {"jpeg": "JPEG", "webp": "WEBP"}
    assert set(rendered) == {(size, image_format) for size in expected for image_format in formats}
    for (size, image_format), encoded in rendered.items():
        with Image.open(io.BytesIO(encoded.content)) as decoded:
            assert (decoded.format, decoded.size) == (formats[image_format], expected[size])
            assert (encoded.width, encoded.height) == expected[size]
    again = rendering.renditions_render(content, max_pixels=MAX_PIXELS)
    assert {key: encoded.content for key, encoded in again.items()} == {
        key: encoded.content for key, encoded in rendered.items()
    }


def test_small_images_are_never_upscaled():
    rendered = rendering.renditions_render(pictures.png(100, 60), max_pixels=MAX_PIXELS)
    assert {(encoded.width, encoded.height) for encoded in rendered.values()} == {(100, 60)}


@pytest.mark.parametrize("image_format", ["jpeg", "webp"])
def test_renditions_strip_metadata_and_apply_the_orientation(image_format):
    rendered = rendering.renditions_render(pictures.exif_rotated_jpeg(64, 48), max_pixels=MAX_PIXELS)

    with Image.open(io.BytesIO(rendered["large", image_format].content)) as decoded:
        assert decoded.size == (48, 64)
        assert not decoded.getexif()
        assert "icc_profile" not in decoded.info and decoded.mode == "RGB"


def test_a_damaged_file_is_a_corrupt_image_not_an_arbitrary_error():
    with pytest.raises(rendering.CorruptImage):
        rendering.renditions_render(pictures.jpeg(400, 300)[:500], max_pixels=MAX_PIXELS)
    with pytest.raises(rendering.DecompressionBomb):
        rendering.renditions_render(pictures.png_declaring(9000, 9000), max_pixels=MAX_PIXELS)
