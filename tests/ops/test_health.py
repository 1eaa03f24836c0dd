"""/healthz reports the broker outage while Redis is down and recovers once it is back."""

from __future__ import annotations

from tests.harness.jobs import wait_until


def test_healthz_is_503_while_redis_is_down_and_200_once_it_is_back(worker, redis_server, client, settings):
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

    # The worker reconnects on its own (broker_connection_retry) and answers pings again.
    healthy = wait_until(lambda: client.get("/healthz").status_code == 200, timeout=60, interval=1,
                         message="/healthz healthy again")  # fmt: skip
    assert healthy
