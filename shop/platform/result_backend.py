"""The Redis result backend, able to send work without following its results.

Celery's Redis backend subscribes the *sender* to a task's result channel when it sends it
(`on_task_call`), and freezing a chord subscribes it to every header task (the GroupResult
barrier). A web process or the outbox sweeper never waits for those results, so in such
long-lived processes the subscriptions only pile up. Inside `results_not_followed()`
nothing is subscribed; `AsyncResult(id).state` still reads the stored result later, and a
caller that really waits (`.get()`) outside the block subscribes as usual. Workers never wait
on results, so `shop.platform.jobs.tracking` turns following off while each task runs (retries,
chain steps and chord callbacks are sent from there).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from shop.platform.jobs.celery_compat import (
    SwitchableFollowingRedisBackend,
    SwitchableFollowingSentinelBackend,
)

_state = threading.local()


@contextmanager
def results_not_followed() -> Iterator[None]:
    previous = getattr(_state, "not_following", False)
    _state.not_following = True
    try:
        yield
    finally:
        _state.not_following = previous


def follow_results(enabled: bool) -> None:
    """Switch following on or off for this thread (a worker turns it off for each task)."""
    _state.not_following = not enabled


def _following() -> bool:
    return not getattr(_state, "not_following", False)


class RedisResultBackend(SwitchableFollowingRedisBackend):
    following = staticmethod(_following)


class SentinelResultBackend(SwitchableFollowingSentinelBackend):
    """The same, through Redis Sentinel (REDIS_SENTINELS)."""

    following = staticmethod(_following)
