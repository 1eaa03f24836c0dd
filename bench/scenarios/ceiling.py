"""Celery's ceiling: no-op tasks per second, plain Celery against the shop, on one command line.

Three kinds of no-op, each through the `orders` queue with worker-fast's own command line
(prefork, concurrency 2, the same log level):
- **plain Celery**: `bench.plain_celery`, a tiny app of its own with the shop's broker and
  reliability settings (late ack, reject on worker lost, prefetch 1, ten priority steps, the
  same broker URL, transport options and Redis result backend) and nothing else: no Django,
  no project signals. The bench starts it for this scenario only.
- **the shop's**: `bench.tasks.noop` on worker-fast itself, a task of the shop's own class
  that belongs to no Job (what untracked work pays: signals, events, the result backend).
- **a tracked step**: the same no-op as the one step of a Job (`workflow_start`, one Job per
  task, dispatched by the outbox), so its start and its end are recorded.
Method, per kind: every consumer of `orders` is paused; N messages are queued (outside the
clock); the clock starts when that kind's worker consumes again and stops when the queue is
empty and the last tasks have stored their results (for tracked steps: their Jobs finished).
CPU per task: the worker's processes (main + pool) and Redis over the same window, from /proc.
"""

from __future__ import annotations

import contextlib
import json
import os
import shlex
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator

from django.db import transaction

from bench import broker, cpu, plain_celery, tasks
from bench.context import BenchContext
from bench.cpu import CPU_MS
from bench.measure import Figure, Row, ScenarioResult, repeat
from shop.celery import Priority, app, broker_priority
from shop.platform.jobs.models import Job, JobStep
from shop.platform.jobs.services import workflow_start
from tests.harness.jobs import wait_until
from tests.harness.stack import procfile_commands

QUEUE = "orders"  # worker-fast's queue, where the orders scenario's steps run too
# With prefetch 1 each of the two pool processes holds at most one message: when the queue
# is empty, the last tasks still running are among the last few sent.
IN_FLIGHT_AT_MOST = 4
GOALS = {"shop": 85, "tracked": 60}  # % of plain Celery's rate (issue 16)


def _plain_command() -> list[str]:
    """worker-fast's Procfile line, with the plain app and a node name of its own."""
    words = shlex.split(procfile_commands()["worker-fast"])
    words = [
        "bench.plain_celery" if word == "shop" else word.replace("--hostname=fast@", "--hostname=plain@")
        for word in words
    ]
    return [sys.executable, "-m", *words]


@contextlib.contextmanager
def _plain_worker() -> Iterator[str]:
    """The plain worker, started consuming `orders` (idle: every consumer of it is paused first)."""
    node = f"plain@{socket.gethostname()}"
    env = {**os.environ, plain_celery.CONF_VARIABLE: json.dumps(plain_celery.shop_settings(app.conf))}
    log = open(os.path.join(os.environ["VAR_DIR"], "plain-celery.log"), "ab")  # noqa: SIM115
    process = subprocess.Popen(
        _plain_command(), env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    try:
        wait_until(
            lambda: app.control.ping(destination=[node], timeout=1.0),
            timeout=60,
            interval=0.2,
            message="the plain Celery worker answers",
        )
        broker.consumer_pause(QUEUE, node)
        yield node
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        log.close()


def _tracked_fill(count: int) -> tuple[list[str], Callable[[], None]]:
    """`count` Jobs of one no-op step each; their task ids, and a wait for the last Jobs to end."""
    with transaction.atomic():
        jobs = [
            workflow_start(
                kind="bench_noop",
                subject=f"bench-noop:{n}",
                workflow=tasks.noop.si().set(queue=QUEUE),
                priority=Priority.NORMAL,
            ).id
            for n in range(count)
        ]
    steps = JobStep.objects.filter(job_id__in=jobs).order_by("job_id")
    task_ids = list(steps.values_list("task_id", flat=True))
    last = Job.objects.filter(id__in=jobs[-IN_FLIGHT_AT_MOST:])

    def finished() -> None:
        wait_until(
            lambda: last.filter(status=Job.Status.SUCCEEDED).count() == len(jobs[-IN_FLIGHT_AT_MOST:]),
            timeout=120,
            interval=0.02,
            message="the last tracked steps' Jobs succeeded",
        )

    return task_ids, finished


def run(context: BenchContext) -> ScenarioResult:
    count = context.sizes.ceiling_tasks
    normal = broker_priority(Priority.NORMAL)
    fast = broker.worker_consuming(QUEUE)
    broker.consumer_pause(QUEUE, fast)
    try:
        with _plain_worker() as plain:

            def timed(node: str, fill: Callable[[], tuple[list[str], Callable[[], None] | None]], role: str):
                def once() -> dict[str, float]:
                    task_ids, finished = fill()

                    def consume() -> float:
                        started = time.perf_counter()
                        broker.consumer_resume(QUEUE, node)
                        broker.drained(QUEUE, task_ids[-IN_FLIGHT_AT_MOST:], timeout=120)
                        if finished:
                            finished()
                        return time.perf_counter() - started

                    seconds, used = cpu.cpu_used(consume)
                    broker.consumer_pause(QUEUE, node)
                    return {
                        "tasks_per_s": count / seconds,
                        "worker_cpu_ms": 1000 * used.get(role, 0.0) / count,
                        "redis_cpu_ms": 1000 * used.get("redis", 0.0) / count,
                    }

                return once

            plain_sig = app.signature(plain_celery.NOOP)
            plain_figures, shop, tracked = repeat(
                timed(plain, lambda: (broker.publish(plain_sig, count, queue=QUEUE, priority=normal), None),
                      "plain-celery"),
                timed(fast, lambda: (broker.publish(tasks.noop, count, queue=QUEUE, priority=normal), None),
                      "worker-fast"),
                timed(fast, lambda: _tracked_fill(count), "worker-fast"),
                units={"tasks_per_s": "tasks/s", "worker_cpu_ms": CPU_MS, "redis_cpu_ms": CPU_MS},
            )  # fmt: skip
    finally:
        broker.consumer_resume(QUEUE, fast)
    return _result(count, plain_figures, shop, tracked)


def _share(ours: Figure, plain: Figure) -> str:
    return f"{100 * ours.median / plain.median:.0f} %"


def _result(count: int, plain: dict[str, Figure], shop: dict[str, Figure], tracked: dict[str, Figure]):
    label = "plain Celery, same settings"
    rows = [
        Row("plain Celery no-op tasks/s (own app, the shop's settings)", plain["tasks_per_s"]),
        Row("the shop's no-op tasks/s (no Job)", shop["tasks_per_s"], plain["tasks_per_s"], label),
        Row("tracked step tasks/s (a no-op in a Job)", tracked["tasks_per_s"], plain["tasks_per_s"], label),
    ]
    for name, figures in (("the shop's no-op", shop), ("a tracked step", tracked)):
        rows += [
            Row(f"worker CPU per task, {name}", figures["worker_cpu_ms"], plain["worker_cpu_ms"], label,
                higher_is_better=False),
            Row(f"Redis CPU per task, {name}", figures["redis_cpu_ms"], plain["redis_cpu_ms"], label,
                higher_is_better=False),
        ]  # fmt: skip
    notes = [
        f"Rate against plain Celery: the shop's no-op {_share(shop['tasks_per_s'], plain['tasks_per_s'])} "
        f"(goal ≥ {GOALS['shop']} %), a tracked step {_share(tracked['tasks_per_s'], plain['tasks_per_s'])} "
        f"(goal ≥ {GOALS['tracked']} %).",
        "Each kind queued first with every consumer of `orders` paused, then timed from its worker "
        "consuming to the last result stored (tracked: to its Job finished). Worker CPU: main process "
        "and pool children, from /proc, over the same window.",
    ]
    return ScenarioResult(name="ceiling", size=f"{count:,} no-op tasks per kind", rows=rows, notes=notes)
