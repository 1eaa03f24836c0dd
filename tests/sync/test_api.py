"""Staff API: start a sync (202 + Job, 409 while one runs), history with counts, fault switches."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction
from rest_framework.test import APIClient

from sync.models import SyncRun
from tests.factories import StaffFactory, UserFactory
from tests.harness.processes import free_port

from .helpers import wait_run_finished


@pytest.fixture
def staff_client():
    client = APIClient()
    client.force_authenticate(StaffFactory())
    return client


def test_start_answers_202_with_the_job_and_409_with_the_running_one(worker, sync_settings, supplier_stub,
                                                                      staff_client):  # fmt: skip
    supplier_stub.control(latency_ms=200)  # long enough to ask again while it runs

    started = staff_client.post("/api/sync-runs/")
    again = staff_client.post("/api/sync-runs/")

    assert started.status_code == 202, started.content
    run = started.json()
    assert (run["status"], run["trigger"], run["job"]["kind"]) == ("running", "staff", "sync")
    assert again.status_code == 409, again.content
    error = again.json()["error"]
    assert (error["code"], error["details"]["run"]["id"]) == ("sync_running", run["id"])
    assert SyncRun.objects.count() == 1

    wait_run_finished(run["id"])
    listed = staff_client.get("/api/sync-runs/").json()["results"]
    assert [(r["id"], r["status"], r["products_created"], r["pages_done"]) for r in listed] == [
        (run["id"], "succeeded", 300, 6)
    ]
    detail = staff_client.get(f"/api/sync-runs/{run['id']}/").json()
    assert [p["number"] for p in detail["pages"]] == [1, 2, 3, 4, 5, 6]
    assert detail["duration_seconds"] > 0
    assert staff_client.post("/api/sync-runs/").status_code == 202  # the next one may start


def test_the_database_allows_one_running_run_only(db):
    SyncRun.objects.create(page_size=50)
    with pytest.raises(IntegrityError), transaction.atomic():
        SyncRun.objects.create(page_size=50)
    SyncRun.objects.create(page_size=50, status=SyncRun.Status.SUCCEEDED)


def test_sync_endpoints_are_for_staff_only(db):
    client = APIClient()
    assert client.get("/api/sync-runs/").status_code in (401, 403)
    client.force_authenticate(UserFactory())
    for method, url in (("get", "/api/sync-runs/"), ("post", "/api/sync-runs/"), ("get", "/api/supplier/faults/"),
                        ("post", "/api/supplier/faults/")):  # fmt: skip
        assert getattr(client, method)(url).status_code == 403, url
    assert not SyncRun.objects.exists()


def test_fault_switches_are_read_and_set_through_the_shop(db, supplier_stub, staff_client):
    changed = staff_client.post(
        "/api/supplier/faults/", {"error_rate": 0.3, "malformed_pages": [2]}, format="json"
    )

    assert changed.status_code == 200, changed.content
    assert supplier_stub.state()["switches"]["error_rate"] == 0.3
    read = staff_client.get("/api/supplier/faults/").json()
    assert (read["switches"]["error_rate"], read["switches"]["malformed_pages"]) == (0.3, [2])
    moved = staff_client.post("/api/supplier/faults/", {"advance_version": 2}, format="json").json()
    assert moved["version"] == 2


@pytest.mark.parametrize(
    "body",
    [{}, {"error_rate": 2}, {"error_rate": 0.6, "throttle_rate": 0.6}, {"malformed_pages": ["x"]},
     {"latency_ms": -1}],
)  # fmt: skip
def test_bad_fault_switches_are_400(db, supplier_stub, staff_client, body):
    response = staff_client.post("/api/supplier/faults/", body, format="json")

    assert response.status_code == 400, response.content
    assert response.json()["error"]["code"] == "invalid"


def test_a_supplier_that_does_not_answer_is_503_not_500(db, settings, staff_client):
    settings.SUPPLIER_API_URL = f"http://127.0.0.1:{free_port()}"

    response = staff_client.get("/api/supplier/faults/")

    assert response.status_code == 503
    assert response.json()["error"]["code"] == "supplier_unavailable"
