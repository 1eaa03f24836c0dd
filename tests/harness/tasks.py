"""Tasks only the tests use, declared with the step contract (shop.jobs.steps).

Registered in the test process (and so its in-thread worker) by tests/conftest.py, and in
the worker subprocesses the harness starts by `--include` (tests/harness/processes.py);
production workers never import this module. They have no app, so they are named
`tests.*` and take the default queue.
"""

from __future__ import annotations

import time

from shop.coordination import redis_client
from shop.jobs.steps import step_task


@step_task(name="tests.demo_pause")
def demo_pause(*, value: int, seconds: float) -> int:
    time.sleep(seconds)
    return value


@step_task(name="tests.demo_mark_started", ignore_result=True)
def demo_mark_started(*, label: str, seconds: float = 0.0) -> None:
    """Records the order in which tasks start (the priority demonstration), then works."""
    redis_client().rpush("demo:started", label)
    time.sleep(seconds)
