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


@pytest.mark.parametrize(
    ("size", "expected"), [("thumb", (160, 107)), ("card", (480, 320)), ("large", (1200, 800))]
)
@pytest.mark.parametrize(("image_format", "pil_format"), [("jpeg", "JPEG"), ("webp", "WEBP")])
def test_renditions_have_their_size_and_format_and_are_deterministic(
    size, expected, image_format, pil_format
):
    normalised = rendering.normalise(pictures.jpeg(2400, 1600), max_pixels=MAX_PIXELS).content

    rendered = rendering.render(normalised, size=size, image_format=image_format, max_pixels=MAX_PIXELS)

    with Image.open(io.BytesIO(rendered.content)) as decoded:
        assert (decoded.format, decoded.size) == (pil_format, expected)
    again = rendering.render(normalised, size=size, image_format=image_format, max_pixels=MAX_PIXELS)
    assert again.content == rendered.content


def test_small_images_are_never_upscaled():
    normalised = rendering.normalise(pictures.png(100, 60), max_pixels=MAX_PIXELS)
    rendered = rendering.render(normalised.content, size="large", image_format="webp", max_pixels=MAX_PIXELS)
    assert (normalised.width, normalised.height) == (rendered.width, rendered.height) == (100, 60)


def test_normalising_strips_metadata_and_applies_the_orientation():
    normalised = rendering.normalise(pictures.exif_rotated_jpeg(64, 48), max_pixels=MAX_PIXELS)

    with Image.open(io.BytesIO(normalised.content)) as decoded:
        assert decoded.size == (48, 64)
        assert not decoded.getexif()
        assert "icc_profile" not in decoded.info and decoded.mode == "RGB"


def test_a_damaged_file_is_a_corrupt_image_not_an_arbitrary_error():
    with pytest.raises(rendering.CorruptImage):
        rendering.normalise(pictures.jpeg(400, 300)[:500], max_pixels=MAX_PIXELS)
    with pytest.raises(rendering.DecompressionBomb):
        rendering.normalise(pictures.png_declaring(9000, 9000), max_pixels=MAX_PIXELS)
