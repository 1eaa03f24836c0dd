"""Job tasks: the outbox sweeper, and the demo workflow's steps (the staff console's
"Start the demo workflow": a chain, a chord, a step that fails transiently and retries, and
optionally one that fails for good). The tests' own tasks live in tests/harness/tasks.py.
"""

from __future__ import annotations

from celery import current_task

from shop.platform.coordination import redis_client
from shop.platform.errors import TransientError

from . import dispatch
from .steps import RetryPolicy, step_task


@step_task(ignore_result=True, soft_time_limit=30, time_limit=45)
def sweep_pending_dispatches() -> int:
    return dispatch.pending_dispatches_sweep()


@step_task()
def demo_prepare(*, numbers: list[int]) -> list[int]:
    return [int(n) for n in numbers]


@step_task()
def demo_square(*, number: int) -> int:
    return number * number


@step_task(retry=RetryPolicy(max_retries=3, backoff=0.2, cap=2, jitter=False))
def demo_flaky(*, number: int, failures: int) -> int:
    """Fails `failures` times (counted per task id in Redis), then succeeds."""
    key = f"demo:flaky:{current_task.request.id}"
    attempts = redis_client().incr(key)
    redis_client().expire(key, 600)
    if attempts <= failures:
        raise TransientError(f"attempt {attempts} of {failures + 1} fails on purpose")
    return number * number


@step_task(takes_result="squares")
def demo_total(*, squares: list[int]) -> int:
    return sum(squares)


@step_task(takes_result="value")
def demo_explode(*, value: int) -> int:
    raise ValueError(f"demo step refuses {value}")
