"""GET /healthz reports the database, the broker and the workers."""

from __future__ import annotations

from tests.harness.control import broker_control
from tests.harness.jobs import wait_until


def test_healthy_with_a_worker_answering(worker, client, settings):
    settings.HEALTH_EXPECTED_WORKERS = []

    response = client.get("/healthz")

    assert response.status_code == 200, response.json()
    checks = response.json()["checks"]
    assert checks["database"]["ok"] and checks["broker"]["ok"] and checks["workers"]["ok"]
    assert checks["workers"]["detail"]["answered"]


def test_unavailable_when_an_expected_worker_does_not_answer(worker, client, settings):
    settings.HEALTH_EXPECTED_WORKERS = ["fast", "bulk"]

    response = client.get("/healthz")

    assert response.status_code == 503
    assert "fast" in response.json()["checks"]["workers"]["detail"]


def test_503_while_redis_is_down_and_200_from_the_first_check_once_it_is_back(
    worker, celery_session_worker, redis_server, client, settings
):
    # The in-thread worker's node name (gen<pid>@host) stands in for fast@ and bulk@.
    settings.HEALTH_EXPECTED_WORKERS = [worker.hostname.split("@")[0]]
    assert client.get("/healthz").status_code == 200

    redis_server.stop()
    try:
        response = client.get("/healthz")
        assert response.status_code == 503
        checks = response.json()["checks"]
        assert checks["database"]["ok"] and not checks["broker"]["ok"] and not checks["workers"]["ok"]
    finally:
        redis_server.start()

    # The worker reconnects on its own (broker_connection_retry), or is started again as a
    # supervisor would if kombu crashed it, and answers pings again; from then on no check
    # fails on a connection left over from before the restart.
    worker = celery_session_worker.ready()
    wait_until(lambda: broker_control("ping", destination=[worker.hostname], timeout=1), timeout=60,
               interval=0.5, message="the worker answers pings again")  # fmt: skip
    response = client.get("/healthz")
    assert response.status_code == 200, response.json()
