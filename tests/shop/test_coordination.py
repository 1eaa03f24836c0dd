"""The global token bucket and lock live in Redis, so they hold across processes."""

from __future__ import annotations

import pytest

from shop.coordination import RateLimitTimeout, TokenBucket, lock


def test_a_bucket_grants_its_capacity_then_asks_callers_to_wait():
    bucket = TokenBucket("test-capacity", rate=2, capacity=3)
    assert [bucket.try_acquire() for _ in range(3)] == [0.0, 0.0, 0.0]
    wait = bucket.try_acquire()
    assert 0 < wait <= 0.5


def test_a_second_bucket_object_with_the_same_name_shares_the_tokens():
    TokenBucket("test-shared", rate=1, capacity=1).try_acquire()
    assert TokenBucket("test-shared", rate=1, capacity=1).try_acquire() > 0


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
