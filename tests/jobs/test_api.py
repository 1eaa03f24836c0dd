"""GET /api/jobs/{id}/: the job's owner and staff see it; others get a 404."""

from __future__ import annotations

import uuid

import pytest
from rest_framework.test import APIClient

from shop.platform.jobs.models import Job, JobStep
from tests.factories import StaffFactory, UserFactory

pytestmark = pytest.mark.django_db


def client_for(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def make_job(owner) -> Job:
    job = Job.objects.create(kind="demo", subject="demo:1", owner=owner, progress_total=1)
    JobStep.objects.create(job=job, position=0, name="demo_square", task_name="x.demo_square",
                           task_id=str(uuid.uuid4()), queue="default")  # fmt: skip
    return job


def test_owner_sees_the_job_with_its_steps_and_flower_links(settings):
    settings.FLOWER_URL = "http://flower.test"
    owner = UserFactory()
    job = make_job(owner)

    response = client_for(owner).get(f"/api/jobs/{job.id}/")

    assert response.status_code == 200
    body = response.json()
    step = job.steps.get()
    assert body["subject"] == "demo:1"
    assert body["steps"][0]["flower_url"] == f"http://flower.test/task/{step.task_id}"
    assert body["steps"][0]["state"] == "PENDING"


def test_staff_see_any_job_and_others_get_404():
    job = make_job(UserFactory())
    assert client_for(StaffFactory()).get(f"/api/jobs/{job.id}/").status_code == 200
    response = client_for(UserFactory()).get(f"/api/jobs/{job.id}/")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_anonymous_callers_are_asked_to_authenticate():
    job = make_job(UserFactory())
    response = client_for().get(f"/api/jobs/{job.id}/")
    assert response.status_code in (401, 403)
    assert "error" in response.json()


def test_job_list_shows_only_own_jobs():
    owner = UserFactory()
    mine = make_job(owner)
    make_job(UserFactory())
    body = client_for(owner).get("/api/jobs/").json()
    assert [j["id"] for j in body["results"]] == [mine.id]


def test_only_staff_start_the_demo_and_bad_input_is_a_400_that_changes_nothing():
    assert client_for(UserFactory()).post("/api/jobs/demo/", {}, format="json").status_code == 403
    response = client_for(StaffFactory()).post("/api/jobs/demo/", {"numbers": "seven"}, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid"
    assert not Job.objects.exists()
