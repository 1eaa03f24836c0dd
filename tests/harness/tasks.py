"""Tasks only the tests use, declared with the step contract (shop.platform.jobs.steps).

Registered in the test process (and so its in-thread worker) by tests/conftest.py, and in
the worker subprocesses the harness starts by `--include` (tests/harness/processes.py);
production workers never import this module. They have no app, so they are named
`tests.*` and take the default queue.
"""

from __future__ import annotations

import time

from shop.platform.coordination import redis_client
from shop.platform.errors import Conflict, StepSkipped, TransientError
from shop.platform.jobs.steps import RetryPolicy, StepFailure, step_task


@step_task(name="tests.demo_pause")
def demo_pause(*, value: int, seconds: float) -> int:
    time.sleep(seconds)
    return value


@step_task(name="tests.demo_mark_started", ignore_result=True)
def demo_mark_started(*, label: str, seconds: float = 0.0) -> None:
    """Records the order in which tasks start (the priority demonstration), then works."""
    redis_client().rpush("demo:started", label)
    time.sleep(seconds)


# The step contract's own behaviour (tests/jobs/test_steps.py): what each attempt and the
# final-failure hook did is written to Redis under the test's `key`.
FAST_RETRY = RetryPolicy(max_retries=3, backoff=0.1, cap=0.25, jitter=False)


def _attempted(key: str) -> None:
    redis_client().incr(f"steps:{key}:attempts")


def _final_failure_recorded(*, key: str, failure: StepFailure, **_: object) -> None:
    redis_client().rpush(f"steps:{key}:final_failures", f"{failure.step}: {failure.message}")


@step_task(name="tests.step_transient", retry=FAST_RETRY, on_final_failure=_final_failure_recorded)
def step_transient(*, key: str) -> None:
    _attempted(key)
    raise TransientError("the dependency is still down")


@step_task(name="tests.step_refused", retry=FAST_RETRY, on_final_failure=_final_failure_recorded)
def step_refused(*, key: str) -> None:
    _attempted(key)
    raise Conflict("no retry can change this")


@step_task(name="tests.step_skipped", retry=FAST_RETRY, on_final_failure=_final_failure_recorded)
def step_skipped(*, key: str) -> None:
    _attempted(key)
    raise StepSkipped("nothing to do")


@step_task(name="tests.step_answer", on_final_failure=_final_failure_recorded)
def step_answer(*, key: str) -> int:
    _attempted(key)
    return 42


@step_task(name="tests.step_after", takes_result="value", on_final_failure=_final_failure_recorded)
def step_after(*, key: str, value: int) -> int:
    redis_client().rpush(f"steps:{key}:received", value)
    return value
