"""GET /healthz reports the database, the broker and the workers."""

from __future__ import annotations


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
