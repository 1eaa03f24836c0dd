"""The global token bucket and lock live in Redis, so they hold across processes."""

from __future__ import annotations

import subprocess
import sys
import time
import uuid

import pytest

from shop.platform.coordination import RateLimitTimeout, TokenBucket, lock, redis_client
from tests.harness.processes import ROOT, stack_env

# Run by each worker-like process: take what it can from the named bucket, print the count.
_TAKE_TOKENS = """
import sys, django
django.setup()
from shop.platform.coordination import TokenBucket
name, rate, capacity, attempts = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4])
bucket = TokenBucket(name, rate=rate, capacity=capacity)
print(sum(bucket.try_acquire() == 0 for _ in range(attempts)))
"""


def test_a_bucket_grants_its_capacity_then_asks_callers_to_wait():
    bucket = TokenBucket("test-capacity", rate=2, capacity=3)
    assert [bucket.try_acquire() for _ in range(3)] == [0.0, 0.0, 0.0]
    wait = bucket.try_acquire()
    assert 0 < wait <= 0.5


def test_a_bucket_still_counts_after_redis_forgets_its_script():
    """Scripts run by their SHA; a Redis that restarted (or a new master) no longer knows it."""
    bucket = TokenBucket(f"test-flush-{uuid.uuid4().hex}", rate=0.01, capacity=2)
    assert bucket.try_acquire() == 0.0

    redis_client().script_flush()

    assert bucket.try_acquire() == 0.0
    assert bucket.try_acquire() > 0


def test_processes_sharing_a_bucket_name_are_granted_no_more_than_the_one_limit():
    name, rate, capacity, attempts = f"test-processes-{uuid.uuid4().hex}", 0.01, 4, 6
    started = time.monotonic()
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", _TAKE_TOKENS, name, str(rate), str(capacity), str(attempts)],
            cwd=ROOT,
            env=stack_env(),
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(3)
    ]
    granted = [int(process.communicate(timeout=120)[0]) for process in processes]
    elapsed = time.monotonic() - started

    # 18 asks, but one bucket: its burst plus what it refilled while they ran (a token per 100 s).
    assert capacity <= sum(granted) <= capacity + rate * elapsed, granted


def test_acquire_gives_up_after_its_timeout():
    bucket = TokenBucket("test-timeout", rate=0.1, capacity=1)
    bucket.acquire()
    with pytest.raises(RateLimitTimeout):
        bucket.acquire(timeout=0.2)


def test_a_lock_is_exclusive_until_released():
    first = lock("test-lock", ttl=10)
    assert first.acquire()
    assert not lock("test-lock", ttl=10).acquire()
    first.release()
    assert lock("test-lock", ttl=10).acquire()
