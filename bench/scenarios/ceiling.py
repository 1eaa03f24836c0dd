"""Celery's ceiling: no-op tasks per second through the shop's broker and worker settings.

Method: the Procfile worker of the `orders` queue (worker-fast: prefork, concurrency 2, late
ack, prefetch 1, events on) stops consuming it; N no-op tasks are queued; the clock starts when it
consumes again and stops when the queue is empty and the last tasks have stored their
results. So the figure is Celery's own cost per task (receive, run, ack, result, events),
without publishing, which happens before the clock starts.
"""

from __future__ import annotations

import time

from bench import broker, tasks
from bench.context import BenchContext
from bench.measure import Row, ScenarioResult, repeat
from shop.celery import Priority, broker_priority

QUEUE = "orders"  # worker-fast's queue, where the orders scenario's steps run too
# With prefetch 1 each of the two pool processes holds at most one message: when the queue
# is empty, the last tasks still running are among the last few sent.
IN_FLIGHT_AT_MOST = 4


def run(context: BenchContext) -> ScenarioResult:
    count = context.sizes.ceiling_tasks
    node = broker.worker_consuming(QUEUE)

    def once() -> dict[str, float]:
        broker.consumer_pause(QUEUE, node)
        task_ids = broker.publish(tasks.noop, count, queue=QUEUE, priority=broker_priority(Priority.NORMAL))
        started = time.perf_counter()
        broker.consumer_resume(QUEUE, node)
        broker.drained(QUEUE, task_ids[-IN_FLIGHT_AT_MOST:], timeout=120)
        return {"tasks_per_s": count / (time.perf_counter() - started)}

    (figures,) = repeat(once, units={"tasks_per_s": "tasks/s"})
    return ScenarioResult(
        name="ceiling",
        size=f"{count:,} no-op tasks",
        rows=[Row("no-op tasks/s on worker-fast (prefork ×2, late ack, prefetch 1)", figures["tasks_per_s"])],
        notes=["Queued first, then timed from the worker consuming to the last result stored."],
    )
