"""The image pipeline, the one place its canvas is composed:

    image_normalise → chord(group(rendition_render × sizes × formats), image_mark_ready)

All on the `images` queue (routed by task name). The renditions run in parallel, each one
decoding the normalised JPEG at the reduced size it needs.
"""

from __future__ import annotations

from celery import chain, chord
from celery.canvas import Signature

from shop.jobs.steps import step

from .models import ImageFormat, ImageSize


def image_pipeline(*, image_id: int) -> Signature:
    renders = [
        step("catalog.rendition_render", image_id=image_id, size=size.value, image_format=image_format.value)
        for size in ImageSize
        for image_format in ImageFormat
    ]
    return chain(
        step("catalog.image_normalise", image_id=image_id),
        chord(renders, step("catalog.image_mark_ready", image_id=image_id)),
    )
