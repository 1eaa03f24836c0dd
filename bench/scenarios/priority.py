"""Priority: how long a CRITICAL checkout-queue task waits behind a backlog of BULK tasks.

Method: the `orders` queue's consumer pauses; BACKLOG no-op tasks are queued at BULK; the
consumer resumes and PROBES probe tasks follow at CRITICAL, 20 ms apart, each carrying the
time it was sent; a probe records the seconds until it started. With the shop's settings
(ten priority steps, prefetch 1) a probe is taken next. Plain FIFO: a second worker (the
same command, concurrency and settings, but `priority_steps=[0]`, bench/fifo_worker.py)
and a producer configured alike put every message in one list, served in order; its
probes wait for the backlog ahead of them. Only one of the two workers consumes at a
time; after a priority run the rest of the backlog is purged.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from celery.result import AsyncResult
from django.conf import settings

from bench import broker, tasks
from bench.context import BenchContext
from bench.measure import Row, ScenarioResult, percentile, repeat
from bench.sizes import scaled_down
from shop.celery import Priority, app, broker_priority
from tests.harness.processes import WorkerProcess

QUEUE = "orders"
PROBE_INTERVAL = 0.02
DRAIN_TIMEOUT = 900


def _probe_waits(probes: int, *, connection=None) -> list[str]:
    task_ids = []
    for _ in range(probes):
        task_ids += broker.publish(
            tasks.wait_probe,
            1,
            queue=QUEUE,
            args=(time.time(),),
            priority=broker_priority(Priority.CRITICAL),
            connection=connection,
        )
        time.sleep(PROBE_INTERVAL)
    return task_ids


def _percentiles(task_ids: list[str]) -> dict[str, float]:
    broker.wait_succeeded(task_ids, timeout=DRAIN_TIMEOUT)
    waits = [AsyncResult(task_id, app=app).result for task_id in task_ids]
    return {"p50": percentile(waits, 0.5), "p99": percentile(waits, 0.99)}


def run(context: BenchContext) -> ScenarioResult:
    backlog, probes = context.sizes.priority_backlog, context.sizes.priority_probes
    bulk = broker_priority(Priority.BULK)
    shop_worker = broker.worker_consuming(QUEUE)
    fifo_worker = WorkerProcess(
        queues=[QUEUE],
        name="fifo",
        concurrency=2,
        env=dict(os.environ),
        extra_args=["--include=bench.fifo_worker"],
        log_path=Path(settings.VAR_DIR).parent / "logs" / "worker-fifo.log",
    ).start()
    broker.consumer_pause(QUEUE, fifo_worker.hostname)

    def with_priorities() -> dict[str, float]:
        broker.consumer_pause(QUEUE, shop_worker)
        broker.publish(tasks.noop, backlog, queue=QUEUE, priority=bulk)
        broker.consumer_resume(QUEUE, shop_worker)
        waits = _percentiles(_probe_waits(probes))
        broker.consumer_pause(QUEUE, shop_worker)
        broker.purge(QUEUE)
        broker.consumer_resume(QUEUE, shop_worker)
        return waits

    def plain_fifo() -> dict[str, float]:
        broker.consumer_pause(QUEUE, shop_worker)
        with broker.fifo_connection() as connection:
            broker.publish(tasks.noop, backlog, queue=QUEUE, priority=bulk, connection=connection)
            broker.consumer_resume(QUEUE, fifo_worker.hostname)
            waits = _percentiles(_probe_waits(probes, connection=connection))
        broker.consumer_pause(QUEUE, fifo_worker.hostname)
        broker.consumer_resume(QUEUE, shop_worker)
        return waits

    try:
        ours, fifo = repeat(with_priorities, plain_fifo, units={"p50": "s", "p99": "s"})
    finally:
        fifo_worker.stop()
    scaled, scaled_notes = scaled_down("priority_backlog", backlog)
    return ScenarioResult(
        name="priority",
        size=f"{backlog:,} BULK no-op tasks ahead{scaled}, {probes} CRITICAL probes",
        rows=[
            Row(
                f"CRITICAL task's wait {p}",
                ours[p],
                fifo[p],
                "plain FIFO (priority_steps=[0])",
                higher_is_better=False,
            )
            for p in ("p50", "p99")
        ],
        notes=[
            "Same queue and worker command for both; FIFO is a second worker whose only difference is "
            "one priority step. A FIFO probe waits for the whole backlog, so its wait grows with it "
            "(about backlog ÷ the ceiling); a prioritised probe's does not.",
            *scaled_notes,
        ],
    )
