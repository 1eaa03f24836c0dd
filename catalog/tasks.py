"""Image pipeline tasks (routed to the `images` queue). Thin: an image id in, a service call.

Retry policy: only storage that may come back (StorageUnavailable) and a locked or lost
database connection are retried, with exponential backoff and jitter, a bounded number of
times. A corrupt file fails at once. Whatever ends a step for good is also written on the
image by the failure hook, so the image says why it failed, not only its Job.
"""

from __future__ import annotations

from celery import shared_task
from django.db import InterfaceError, OperationalError

from shop.jobs.tracking import TrackedTask

from . import services
from .storage import StorageUnavailable

TRANSIENT_ERRORS = (StorageUnavailable, OperationalError, InterfaceError)
RETRY_POLICY = {
    "autoretry_for": TRANSIENT_ERRORS,
    "retry_backoff": 2,
    "retry_backoff_max": 120,
    "retry_jitter": True,
    "max_retries": 6,
}


class ImagePipelineTask(TrackedTask):
    """Every pipeline task takes `image_id` as a keyword argument; a final failure marks the image."""

    def on_failure(self, exc, task_id, args, kwargs, einfo):
        services.image_mark_failed(image_id=kwargs["image_id"], error=f"{type(exc).__name__}: {exc}")


@shared_task(base=ImagePipelineTask, soft_time_limit=60, time_limit=90, **RETRY_POLICY)
def image_render_task(*, image_id: int) -> int:
    services.image_render(image_id=image_id)
    return image_id


@shared_task(base=ImagePipelineTask, soft_time_limit=30, time_limit=45, **RETRY_POLICY)
def image_mark_ready_task(*, image_id: int) -> int:
    services.image_mark_ready(image_id=image_id)
    return image_id
