"""The staff console's monitoring page and its data endpoint, without Prometheus: the page
still works, and the endpoint says the charts are unavailable. (With Prometheus running:
tests/e2e/test_observability.py.)"""

from __future__ import annotations

import pytest

from tests.factories import StaffFactory, UserFactory
from tests.harness.processes import free_port

DATA = "/staff/monitoring/data/"


@pytest.fixture(autouse=True)
def _no_prometheus(settings):
    settings.PROMETHEUS_URL = f"http://127.0.0.1:{free_port()}"


@pytest.mark.django_db
def test_the_data_endpoint_refuses_anonymous_and_customer_requests(client):
    assert client.get(DATA).json()["error"]["code"] == "not_authenticated"
    assert client.get(DATA).status_code == 401
    client.force_login(UserFactory())
    response = client.get(DATA)
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"


@pytest.mark.django_db
def test_a_prometheus_that_is_down_is_a_clear_503_never_a_500(client):
    client.force_login(StaffFactory())
    response = client.get(DATA)
    assert response.status_code == 503
    assert response.json()["error"] == {
        "status": 503,
        "code": "charts_unavailable",
        "message": "The charts are unavailable: Prometheus does not answer.",
    }


@pytest.mark.django_db
def test_the_monitoring_page_renders_for_staff_while_prometheus_is_down(client):
    client.force_login(StaffFactory())
    response = client.get("/staff/monitoring/")
    assert response.status_code == 200
    for chart in ("queue_depth", "tasks_per_second", "queue_wait_p95", "workflow_outcomes"):
        assert f'data-chart="{chart}"'.encode() in response.content


@pytest.mark.django_db
def test_the_monitoring_page_sends_anonymous_visitors_to_log_in(client):
    response = client.get("/staff/monitoring/")
    assert response.status_code == 302 and "/login/" in response["Location"]
