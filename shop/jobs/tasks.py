"""Job tasks: the outbox sweeper, and the demo workflow's sample tasks.

The demo tasks exist to show — and test — what tracking records: a chain, a chord, a
step that fails transiently and retries, and one that fails for good.
"""

from __future__ import annotations

import time

from celery import shared_task

from shop.coordination import redis_client

from . import dispatch


class TransientDemoError(Exception):
    """Stands in for a timeout or a 503: worth retrying."""


@shared_task(ignore_result=True, soft_time_limit=30, time_limit=45)
def sweep_pending_dispatches() -> int:
    return dispatch.pending_dispatches_sweep()


@shared_task
def demo_prepare(numbers: list[int]) -> list[int]:
    return [int(n) for n in numbers]


@shared_task
def demo_square(number: int) -> int:
    return number * number


@shared_task(
    bind=True,
    autoretry_for=(TransientDemoError,),
    retry_backoff=0.2,
    retry_backoff_max=2,
    retry_jitter=False,
    max_retries=3,
)
def demo_flaky(self, number: int, failures: int) -> int:
    """Fails `failures` times (counted per task id in Redis), then succeeds."""
    attempts = redis_client().incr(f"demo:flaky:{self.request.id}")
    redis_client().expire(f"demo:flaky:{self.request.id}", 600)
    if attempts <= failures:
        raise TransientDemoError(f"attempt {attempts} of {failures + 1} fails on purpose")
    return number * number


@shared_task
def demo_total(squares: list[int]) -> int:
    return sum(squares)


@shared_task
def demo_pause(value: int, seconds: float) -> int:
    time.sleep(seconds)
    return value


@shared_task
def demo_explode(value: int) -> int:
    raise ValueError(f"demo step refuses {value}")


@shared_task(bind=True, ignore_result=True)
def demo_mark_started(self, label: str, seconds: float = 0.0) -> None:
    """Records the order in which tasks start (the priority demonstration), then works."""
    redis_client().rpush("demo:started", label)
    time.sleep(seconds)
