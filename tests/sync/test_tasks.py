"""The sync tasks' retry policy: never sooner than the supplier's Retry-After; otherwise an
exponential backoff on the attempt number (`request.retries`), jittered and capped."""

from __future__ import annotations

import random
import time
from collections import defaultdict
from itertools import pairwise

import pytest
from celery import signals

from sync.client import SupplierClient, TransientSupplierError
from sync.models import SyncRun
from sync.tasks import SUPPLIER_RETRY

from .helpers import sync_run_to_end


def _supplier_refusal(supplier_stub, **faults) -> TransientSupplierError:
    """The error the real client raises when the stub answers with `faults`."""
    supplier_stub.control(**faults)
    with (
        SupplierClient(base_url=supplier_stub.url, connect_timeout=1, read_timeout=0.5) as client,
        pytest.raises(TransientSupplierError) as caught,
    ):
        client.page(number=1, page_size=50)
    return caught.value


@pytest.fixture
def jitter_at(monkeypatch):
    """Pins the jitter to one end of its range ("low" or "high"), so a countdown is exact."""

    def pin(end: str) -> None:
        monkeypatch.setattr(random, "uniform", lambda low, high: low if end == "low" else high)

    return pin


@pytest.fixture
def backoff(settings):
    settings.SUPPLIER_RETRY_BACKOFF = 2
    settings.SUPPLIER_RETRY_BACKOFF_MAX = 60
    return settings


def test_a_429_is_retried_no_sooner_than_its_retry_after_at_any_attempt(supplier_stub, backoff, jitter_at):
    throttled = _supplier_refusal(supplier_stub, throttle_rate=1.0, retry_after=17)

    jitter_at("low")
    earliest = [SUPPLIER_RETRY.countdown(retries=n, retry_after=throttled.retry_after) for n in (0, 4)]
    jitter_at("high")
    latest = [SUPPLIER_RETRY.countdown(retries=n, retry_after=throttled.retry_after) for n in (0, 4)]

    assert (earliest, latest) == ([17, 17], [19, 19])


def test_a_retry_after_past_the_cap_waits_the_cap(supplier_stub, backoff, jitter_at):
    throttled = _supplier_refusal(supplier_stub, throttle_rate=1.0, retry_after=600)
    jitter_at("low")

    assert SUPPLIER_RETRY.countdown(retries=0, retry_after=throttled.retry_after) == 60


def test_without_retry_after_the_backoff_doubles_with_each_retry_up_to_the_cap(
    supplier_stub, backoff, jitter_at
):
    failed = _supplier_refusal(supplier_stub, error_rate=1.0)

    jitter_at("high")
    longest = [SUPPLIER_RETRY.countdown(retries=n, retry_after=failed.retry_after) for n in range(7)]
    jitter_at("low")
    shortest = [SUPPLIER_RETRY.countdown(retries=n, retry_after=failed.retry_after) for n in range(7)]

    assert longest == [2, 4, 8, 16, 32, 60, 60]
    assert shortest == [0] * 7  # full jitter: workers that failed together spread out


def _page_attempt_starts(run_sync) -> list[list[tuple[int, float]]]:
    """Runs `run_sync()`; returns, per sync page task, its attempts as (retries, start time)."""
    starts: dict[str, list[tuple[int, float]]] = defaultdict(list)

    def record(task_id=None, task=None, **_):
        if task.name == "sync.sync_page_apply":
            starts[task_id].append((task.request.retries, time.monotonic()))

    signals.task_prerun.connect(record, weak=False)
    try:
        run = run_sync()
    finally:
        signals.task_prerun.disconnect(record)
    assert run.status == SyncRun.Status.SUCCEEDED, run.error
    return list(starts.values())


def _gaps(attempts: list[tuple[int, float]]) -> list[float]:
    return [later - earlier for (_, earlier), (_, later) in pairwise(attempts)]


def test_on_the_worker_a_throttled_page_is_asked_again_only_after_its_retry_after(
    worker, sync_settings, supplier_stub
):
    sync_settings.SUPPLIER_RETRY_BACKOFF_MAX = 10
    supplier_stub.control(throttle_rate=1.0, retry_after=3, max_consecutive_faults=1)

    pages = _page_attempt_starts(sync_run_to_end)

    assert len(pages) == 5
    for attempts in pages:
        assert [retries for retries, _ in attempts] == [0, 1]
        assert min(_gaps(attempts)) >= 3  # the retry cannot run before its ETA


def test_on_the_worker_each_failed_attempt_waits_longer_than_the_last(
    worker, sync_settings, supplier_stub, jitter_at
):
    sync_settings.SUPPLIER_RETRY_BACKOFF = 0.5
    sync_settings.SUPPLIER_RETRY_BACKOFF_MAX = 10
    jitter_at("high")  # the in-thread worker runs in this process
    supplier_stub.control(error_rate=1.0, max_consecutive_faults=3)

    pages = _page_attempt_starts(sync_run_to_end)

    assert len(pages) == 5
    for attempts in pages:
        assert [retries for retries, _ in attempts] == [0, 1, 2, 3]
        gaps = _gaps(attempts)
        assert all(gap >= least for gap, least in zip(gaps, [0.5, 1, 2], strict=True)), gaps
