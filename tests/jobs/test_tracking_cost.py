"""What tracking costs a task, in SQL statements: a step of a Job, and a task of none.

The task runs as the worker runs it (TrackedTask.__call__ with the message's request, then
Celery's task_success signal); only the task's body and the signal sending are ours.
"""

from __future__ import annotations

import uuid

import pytest
from celery import chain, chord, signals
from django.db import connection
from django.test.utils import CaptureQueriesContext

from shop.celery import Priority
from shop.platform.jobs import services
from shop.platform.jobs.canvas import ROLE_HEADER, headers_stamp, job_headers, plan_workflow
from shop.platform.jobs.models import Job, JobStep
from shop.platform.jobs.tasks import demo_explode, demo_prepare, demo_square, demo_total

# Two statements when a step starts and two when it ends (its row, then its Job's row);
# the Job's status is decided inside the second. It used to be 13, plus two transactions
# that each locked the Job and counted its steps four ways.
STATEMENTS_PER_STEP = 4


def _run_like_a_worker(task, *, task_id: str, headers: dict, **kwargs) -> list[str]:
    """Run `task` as a worker would for a message with these headers; the SQL it cost."""
    task.push_request(id=task_id, is_eager=False, args=[], kwargs=kwargs, **headers)
    try:
        with CaptureQueriesContext(connection) as queries:
            result = task(**kwargs)
            signals.task_success.send(sender=task, result=result)
    finally:
        task.pop_request()
    # Transaction control differs inside the test's own transaction: count statements only.
    return [
        q["sql"]
        for q in queries.captured_queries
        if not q["sql"].startswith(("SAVEPOINT", "RELEASE", "BEGIN"))
    ]


@pytest.mark.django_db
def test_a_tracked_step_costs_a_handful_of_statements_and_the_last_one_finishes_the_job():
    job = services.workflow_start(
        kind="demo", subject="demo:2", workflow=chain(demo_prepare.si(numbers=[2]), demo_total.s())
    )
    first, last = job.steps.order_by("position")
    headers = job_headers(job_id=job.id, subject=job.subject)

    statements = _run_like_a_worker(demo_prepare, numbers=[2], task_id=first.task_id, headers=headers)

    assert len(statements) == STATEMENTS_PER_STEP, statements
    job.refresh_from_db()
    assert (job.status, job.progress_done, job.finished_at) == (Job.Status.RUNNING, 1, None)
    assert job.started_at is not None

    statements = _run_like_a_worker(demo_total, squares=[4], task_id=last.task_id, headers=headers)

    assert len(statements) == STATEMENTS_PER_STEP, statements
    job.refresh_from_db()
    assert (job.status, job.progress_done, job.progress_total) == (Job.Status.SUCCEEDED, 2, 2)
    assert job.finished_at is not None
    assert set(job.steps.values_list("state", flat=True)) == {JobStep.State.SUCCESS}


@pytest.mark.django_db
def test_a_redelivered_step_does_not_count_twice():
    job = services.workflow_start(
        kind="demo", subject="demo:2", workflow=chain(demo_prepare.si(numbers=[2]), demo_total.s())
    )
    first = job.steps.order_by("position").first()
    headers = job_headers(job_id=job.id, subject=job.subject)

    for _ in range(2):
        _run_like_a_worker(demo_prepare, numbers=[2], task_id=first.task_id, headers=headers)

    job.refresh_from_db()
    assert (job.status, job.progress_done) == (Job.Status.RUNNING, 1)


@pytest.mark.django_db
def test_a_task_in_no_job_costs_no_statement():
    statements = _run_like_a_worker(demo_total, squares=[1, 2], task_id=str(uuid.uuid4()), headers={})

    assert statements == []


def _tasks(node) -> list[dict]:
    """Every task signature in a canvas's JSON form (chord headers and errbacks included)."""
    if isinstance(node, list):
        return [task for item in node for task in _tasks(item)]
    if not isinstance(node, dict):
        return []
    found = [node] if "task" in node and node.get("subtask_type") is None else []
    return found + [task for value in node.values() for task in _tasks(value)]


def test_every_planned_task_carries_its_job_in_headers_and_error_handlers_their_role():
    header = [demo_square.si(number=n) for n in (1, 2)]
    workflow = chain(
        demo_prepare.si(numbers=[1]), chord(header, demo_total.s()).on_error(demo_explode.si(value=0))
    )
    headers = job_headers(job_id=7, subject="demo:2")

    for planned in (
        plan_workflow(workflow, priority=Priority.NORMAL, headers=headers).signature,
        # Jobs planned before headers existed get them in their stored canvas (migration 0003).
        headers_stamp(plan_workflow(workflow, priority=Priority.NORMAL).signature, headers=headers),
    ):
        tasks = {t["options"]["task_id"]: t for t in _tasks(planned)}
        assert len(tasks) == 5
        for task in tasks.values():
            expected = {**headers, ROLE_HEADER: "on_error"} if task["task"] == demo_explode.name else headers
            assert task["options"]["headers"] == expected, task["task"]
