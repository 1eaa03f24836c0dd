"""The step contract (shop/platform/jobs/steps.py) on the real in-thread worker: what is retried, how
long it waits, when the final-failure hook runs, what a skip does, and keyword-only ids."""

from __future__ import annotations

import uuid

import pytest
from celery import chain, signals, states

from shop.platform.coordination import redis_client
from shop.platform.jobs.steps import RetryPolicy, step, step_task, step_with_result
from tests.harness.jobs import wait_until


@pytest.fixture
def key() -> str:
    return uuid.uuid4().hex


@pytest.fixture
def seen():
    """Retry countdowns, final task states (by task name) and published task names, from Celery's signals."""
    record = {"countdowns": [], "states": {}, "published": []}

    def on_retry(request=None, reason=None, **_):
        record["countdowns"].append(reason.when)

    def on_postrun(task=None, state=None, **_):
        record["states"][task.name] = state

    def on_publish(headers=None, **_):
        record["published"].append((headers or {}).get("task"))

    handlers = [(signals.task_retry, on_retry), (signals.task_postrun, on_postrun),
                (signals.before_task_publish, on_publish)]  # fmt: skip
    for signal, handler in handlers:
        signal.connect(handler, weak=False)
    yield record
    for signal, handler in handlers:
        signal.disconnect(handler)


def _count(key: str, what: str) -> int:
    return int(redis_client().get(f"steps:{key}:{what}") or 0)


def _final_failures(key: str) -> list[str]:
    return [item.decode() for item in redis_client().lrange(f"steps:{key}:final_failures", 0, -1)]


def test_a_transient_error_is_retried_with_capped_backoff_then_the_hook_runs_once(worker, key, seen):
    result = step("tests.step_transient", key=key).delay()

    with pytest.raises(Exception, match="the dependency is still down"):
        result.get(timeout=30)
    wait_until(lambda: _final_failures(key), timeout=10, message="final-failure hook")

    assert result.state == states.FAILURE
    assert _count(key, "attempts") == 4  # the first try and max_retries=3
    assert seen["countdowns"] == [0.1, 0.2, 0.25]  # 0.1 · 2^n, capped at 0.25
    assert _final_failures(key) == ["step_transient: TransientError: the dependency is still down"]


def test_a_permanent_shop_error_is_not_retried_and_the_hook_runs(worker, key, seen):
    result = step("tests.step_refused", key=key).delay()

    with pytest.raises(Exception, match="no retry can change this"):
        result.get(timeout=30)
    wait_until(lambda: _final_failures(key), timeout=10, message="final-failure hook")

    assert _count(key, "attempts") == 1 and seen["countdowns"] == []
    assert _final_failures(key) == ["step_refused: Conflict: no retry can change this"]


def test_a_skipped_step_is_ignored_and_its_chain_stops_there(worker, key, seen):
    chain(step("tests.step_skipped", key=key), step_with_result("tests.step_after", key=key)).delay()

    wait_until(lambda: seen["states"].get("tests.step_skipped"), timeout=30, message="the skipped step ran")

    assert seen["states"]["tests.step_skipped"] == states.IGNORED
    assert _count(key, "attempts") == 1 and seen["countdowns"] == []
    # The rest of a chain is sent when a step succeeds, before task_postrun: never, here.
    assert "tests.step_after" not in seen["published"]
    assert _final_failures(key) == []


def test_a_step_takes_the_previous_result_as_the_keyword_it_names(worker, key):
    result = chain(step("tests.step_answer", key=key), step_with_result("tests.step_after", key=key)).delay()

    assert result.get(timeout=30) == 42
    assert redis_client().lrange(f"steps:{key}:received", 0, -1) == [b"42"]


def test_ids_are_keyword_only_when_declared_and_when_sent():
    with pytest.raises(TypeError, match="keyword-only"):

        @step_task(name="tests.positional")
        def positional(order_id: int) -> None: ...

    with pytest.raises(TypeError):
        step("tests.step_answer").type.apply_async(("positional-key",))
    with pytest.raises(TypeError):  # only a step that names `takes_result` accepts one positional
        step("tests.step_after").type.apply_async((1, 2), {"key": "k"})
    with pytest.raises(TypeError, match="takes no result"):
        step_with_result("tests.step_answer", key="k")
    with pytest.raises(LookupError):
        step("tests.no_such_step")


def test_the_policy_caps_its_backoff_and_honours_a_dependency_s_own_wait():
    policy = RetryPolicy(max_retries=6, backoff=2, cap=60, jitter=False)
    assert [policy.countdown(retries=n) for n in range(7)] == [2, 4, 8, 16, 32, 60, 60]
    assert policy.countdown(retries=0, retry_after=17) == 17
    assert policy.countdown(retries=0, retry_after=600) == 60
    jittered = RetryPolicy(max_retries=6, backoff=2, cap=60)
    assert all(0 <= jittered.countdown(retries=5) <= 60 for _ in range(100))
