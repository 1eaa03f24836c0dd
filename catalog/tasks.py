"""Image pipeline steps (shop.platform.jobs.steps is the contract; `catalog.*` is routed to `images`).

Storage that may come back and a locked or lost database are retried; a corrupt file fails
at once. Whatever ends a step for good is also written on the image, so the image says why
it failed, not only its Job.
"""

from __future__ import annotations

from shop.platform.jobs.steps import RetryPolicy, StepFailure, step_task

from . import services

RETRY = RetryPolicy(max_retries=6, backoff=2, cap=120)


def _image_failed(*, image_id: int, failure: StepFailure, **_: object) -> None:
    services.image_mark_failed(image_id=image_id, error=failure.message)


@step_task(retry=RETRY, on_final_failure=_image_failed, soft_time_limit=60, time_limit=90)
def image_render(*, image_id: int) -> int:
    """Every rendition from one decode of the picture (rendering.renditions_render)."""
    services.image_render(image_id=image_id)
    return image_id


@step_task(retry=RETRY, on_final_failure=_image_failed, soft_time_limit=30, time_limit=45)
def image_mark_ready(*, image_id: int) -> int:
    services.image_mark_ready(image_id=image_id)
    return image_id
