"""The image pipeline, the one place its canvas is composed:

    image_normalise_task → chord(group(rendition_render_task × sizes × formats), image_mark_ready_task)

All on the `images` queue (routed by task name). The renditions run in parallel, each one
decoding the normalised JPEG at the reduced size it needs.
"""

from __future__ import annotations

from celery import chain, chord
from celery.canvas import Signature

from . import tasks
from .models import ImageFormat, ImageSize


def image_pipeline(*, image_id: int) -> Signature:
    renders = [
        tasks.rendition_render_task.si(image_id=image_id, size=size.value, image_format=image_format.value)
        for size in ImageSize
        for image_format in ImageFormat
    ]
    return chain(
        tasks.image_normalise_task.si(image_id=image_id),
        chord(renders, tasks.image_mark_ready_task.si(image_id=image_id)),
    )
