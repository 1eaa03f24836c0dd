"""The image pipeline, the one place its canvas is composed:

    image_render → image_mark_ready

On the `images` queue (routed by task name). One task renders all six renditions from a
single decode (rendering.renditions_render): splitting them into parallel tasks would decode
the picture once per task, and images already run in parallel with each other.
"""

from __future__ import annotations

from celery import chain
from celery.canvas import Signature

from shop.platform.jobs.steps import step


def image_pipeline(*, image_id: int) -> Signature:
    return chain(
        step("catalog.image_render", image_id=image_id),
        step("catalog.image_mark_ready", image_id=image_id),
    )
