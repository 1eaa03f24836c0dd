"""A request id follows the work from the web request into every task of the workflow it starts,
and each task's log lines carry its task id, Job id and business key."""

from __future__ import annotations

import logging
import threading

import pytest
from rest_framework.test import APIClient

from shop.platform.jobs.models import Job
from shop.platform.log_context import ContextFilter
from tests.factories import StaffFactory
from tests.harness.jobs import wait_for_job

REQUEST_ID = "ops-request-42"


class RecordingHandler(logging.Handler):
    """Keeps records with the context the console handler's filter gives them."""

    def __init__(self) -> None:
        super().__init__(level=logging.INFO)
        self.addFilter(ContextFilter())
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture
def log_records():
    handler = RecordingHandler()
    root = logging.getLogger()
    root.addHandler(handler)
    yield handler.records
    root.removeHandler(handler)


def test_the_request_id_follows_the_work_into_every_task_log_line(worker, log_records):
    client = APIClient()
    client.force_authenticate(StaffFactory())

    response = client.post("/api/jobs/demo/", {"numbers": [2, 3], "flaky_failures": 1}, format="json",
                           HTTP_X_REQUEST_ID=REQUEST_ID)  # fmt: skip
    assert response.status_code == 202, response.content
    assert response["X-Request-ID"] == REQUEST_ID
    job = wait_for_job(Job.objects.get(id=response.json()["id"]))
    assert job.status == Job.Status.SUCCEEDED
    task_ids = set(job.steps.values_list("task_id", flat=True))

    web = [r for r in log_records if r.getMessage() == f"Dispatched job {job.id}"]
    assert [(r.request_id, r.job_id, r.business_key) for r in web] == [(REQUEST_ID, str(job.id), job.subject)]

    task_lines = [r for r in log_records if r.task_id in task_ids]
    assert {r.task_id for r in task_lines} == task_ids  # every step logged (succeeded, retry)
    assert any("retry" in r.getMessage() for r in task_lines)
    for record in task_lines:
        assert (record.request_id, record.job_id, record.business_key) == (
            REQUEST_ID,
            str(job.id),
            job.subject,
        ), record.getMessage()
    assert all(r.threadName != threading.current_thread().name for r in task_lines)  # logged by the worker


def test_a_request_does_not_inherit_the_previous_requests_job(worker, log_records):
    client = APIClient()
    client.force_authenticate(StaffFactory())
    client.post("/api/jobs/demo/", {"numbers": [1], "flaky_failures": 0}, format="json")

    logging.getLogger("tests.ops").warning("between requests")
    client.get("/api/jobs/", HTTP_X_REQUEST_ID="next-request")

    (between,) = [r for r in log_records if r.getMessage() == "between requests"]
    assert (between.request_id, between.job_id, between.business_key) == ("-", "-", "-")
