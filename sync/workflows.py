"""The supplier sync's canvas, in three stages of one Job.

    begin (fetch and apply page 1: learn the version and the page count)
      └─ workflow_extend → chord(group(apply page 2 … page N), finish)   [on error: abort]
           └─ workflow_extend → chord(group(pictures of page 1 … page N), finish pictures)
                                                          [on error: finish pictures, stopped]

The second stage can only be built once page 1 says how many pages there are, so `begin`
adds it to the same Job (shop.platform.jobs.services.workflow_extend) and every page stays tracked.
`finish` adds the third once the catalog is complete (and only if any page lists pictures or
the shop holds some): the pictures run after every product update, in tasks of their own.
"""

from __future__ import annotations

from celery import chord
from celery.canvas import Signature

from shop.platform.jobs.steps import step


def sync_begin_workflow(*, run_id: int) -> Signature:
    return step("sync.sync_run_begin", run_id=run_id)


def sync_pages_workflow(*, run_id: int, pages: int) -> Signature:
    """Apply pages 2..`pages` in parallel, then finish; abort records a run whose pages failed."""
    finish = step("sync.sync_run_finish", run_id=run_id).on_error(step("sync.sync_run_abort", run_id=run_id))
    if pages <= 1:
        return finish
    header = [step("sync.sync_page_apply", run_id=run_id, number=number) for number in range(2, pages + 1)]
    return chord(header, finish)


def sync_pictures_workflow(*, run_id: int, pages: int) -> Signature:
    """The pictures of pages 1..`pages` in parallel, then close the run, even if the stage fails."""
    finish = step("sync.sync_pictures_finish", run_id=run_id).on_error(
        step("sync.sync_pictures_finish", run_id=run_id, stopped=True)
    )
    header = [step("sync.sync_page_pictures", run_id=run_id, number=number) for number in range(1, pages + 1)]
    return chord(header, finish)
