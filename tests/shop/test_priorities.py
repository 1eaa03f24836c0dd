"""Priorities really work on Redis: a CRITICAL task overtakes a backlog of BULK tasks."""

from __future__ import annotations

import pytest

from shop.celery import Priority, app, broker_priority
from shop.platform.coordination import redis_client
from tests.harness.control import in_thread_worker_steps_aside
from tests.harness.jobs import wait_until
from tests.harness.processes import WorkerProcess
from tests.harness.tasks import demo_mark_started

BACKLOG = 500
# The worker may already hold the message it is running and the one it prefetched
# (prefetch multiplier 1, late ack); anything beyond a few means priorities are not working.
MAX_OVERTAKEN_BY_BULK = 5


@pytest.mark.slow
def test_a_critical_task_starts_before_all_but_a_few_of_500_bulk_tasks(worker, tmp_path):
    redis_client().delete("demo:started")
    # The session's in-thread worker consumes every queue: it steps aside from `bulk`, so the
    # one bulk worker below meets the whole backlog.
    with in_thread_worker_steps_aside(worker, ["bulk"]):
        position, started_before = _critical_position_behind_a_bulk_backlog(tmp_path)

    overtaken = position - 1 - started_before
    print(f"\nbacklog at send: {BACKLOG - started_before}; bulk tasks run before critical: {overtaken}")
    assert BACKLOG - started_before >= 400, "the backlog drained before the test could measure"
    assert overtaken <= MAX_OVERTAKEN_BY_BULK


def _critical_position_behind_a_bulk_backlog(tmp_path) -> tuple[int, int]:
    """Where a CRITICAL task started among 500 BULK ones sent before it, and how many of
    those had started when it was sent."""
    worker = WorkerProcess(queues=["bulk"], concurrency=1, log_path=tmp_path / "worker.log").start()
    try:
        with app.producer_or_acquire() as producer:
            for n in range(BACKLOG):
                # The one place a queue is named at the call site, on purpose: the demo task
                # is routed to `default`; here it joins the bulk backlog it must compete with.
                demo_mark_started.apply_async(
                    kwargs={"label": f"bulk-{n}", "seconds": 0.05}, queue="bulk", priority=broker_priority(Priority.BULK),
                    producer=producer,
                )  # fmt: skip
        started_before = redis_client().llen("demo:started")
        demo_mark_started.apply_async(
            kwargs={"label": "critical"}, queue="bulk", priority=broker_priority(Priority.CRITICAL)
        )

        def critical_position():
            started = [label.decode() for label in redis_client().lrange("demo:started", 0, -1)]
            return started.index("critical") + 1 if "critical" in started else None

        position = wait_until(critical_position, timeout=120, message="critical task started")
    finally:
        worker.stop()
    return position, started_before
