"""REDIS_SENTINELS: broker, results and locks go through Redis Sentinel; without a reachable
master /healthz answers 503 with the reason, in seconds, instead of hanging."""

from __future__ import annotations

import time

import pytest

from shop.platform.coordination import lock, redis_connect
from tests.harness.processes import free_port
from tests.harness.sentinel import MASTER_NAME, SentinelSet


@pytest.fixture
def sentinels(tmp_path):
    sentinel_set = SentinelSet(tmp_path)
    yield sentinel_set
    sentinel_set.stop()


def _use_sentinels(settings, addresses: str) -> None:
    settings.REDIS_SENTINELS = addresses.split(",")
    settings.REDIS_SENTINEL_MASTER = MASTER_NAME


def _healthz(client) -> tuple[int, dict, float]:
    started = time.monotonic()
    response = client.get("/healthz")
    return response.status_code, response.json()["checks"], time.monotonic() - started


def test_locks_and_the_broker_check_reach_the_master_the_sentinels_name(sentinels, settings, db):
    sentinels.start()
    _use_sentinels(settings, sentinels.addresses)

    with lock("sentinel-probe", ttl=5):
        assert redis_connect(url="", db=2).exists("lock:sentinel-probe")
    master = redis_connect(url="", db=2)
    assert master.connection_pool.get_master_address() == ("127.0.0.1", sentinels.master.port)


def test_healthz_is_503_in_seconds_when_no_sentinel_answers(client, settings, db):
    _use_sentinels(settings, ",".join(f"127.0.0.1:{free_port()}" for _ in range(3)))

    status, checks, took = _healthz(client)

    assert status == 503
    assert not checks["broker"]["ok"] and "MasterNotFoundError" in checks["broker"]["detail"]
    assert checks["workers"]["detail"] == "skipped: broker unreachable"
    assert took < 5


def test_healthz_is_503_in_seconds_when_the_sentinels_have_no_master(sentinels, client, settings, db):
    sentinels.start(master=False)  # they watch a master that never comes up
    _use_sentinels(settings, sentinels.addresses)
    time.sleep(1.5)  # past down-after-milliseconds: the Sentinels call it down

    status, checks, took = _healthz(client)

    assert status == 503
    assert not checks["broker"]["ok"], checks
    assert took < 5
