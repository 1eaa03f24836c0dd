"""The image pipeline, the one place its canvas is composed:

    image_render_task → image_mark_ready_task

On the `images` queue (routed by task name). One task renders all six renditions from a
single decode (rendering.renditions_render): splitting them into parallel tasks would decode
the picture once per task, and images already run in parallel with each other.
"""

from __future__ import annotations

from celery import chain
from celery.canvas import Signature

from . import tasks


def image_pipeline(*, image_id: int) -> Signature:
    return chain(
        tasks.image_render_task.si(image_id=image_id),
        tasks.image_mark_ready_task.si(image_id=image_id),
    )
