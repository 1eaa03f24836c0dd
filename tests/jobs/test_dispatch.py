"""Enqueue after commit, with an outbox: no work is lost when the broker is down."""

from __future__ import annotations

import io
import subprocess
import sys
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models import F
from rest_framework.test import APIClient

from shop.celery import BEAT_SCHEDULER
from shop.platform.jobs import dispatch, services
from shop.platform.jobs.models import Job
from tests.factories import StaffFactory
from tests.harness.jobs import wait_for_job, wait_until
from tests.harness.processes import ROOT, stack_env


def test_nothing_is_sent_before_the_transaction_commits(worker):
    with transaction.atomic():
        job = services.demo_job_start(owner=None, numbers=[1])
        unsent = Job.objects.get(id=job.id)
        assert (unsent.dispatch_state, unsent.dispatched_at) == (Job.DispatchState.DISPATCHING, None)
    sent = Job.objects.get(id=job.id)
    assert (sent.dispatch_state, sent.dispatch_attempts) == (Job.DispatchState.DISPATCHED, 1)
    assert sent.dispatched_at is not None


def test_a_job_whose_process_died_before_sending_is_sent_by_the_sweeper_once_its_claim_is_stale(worker):
    with transaction.atomic():
        job = services.demo_job_start(owner=None, numbers=[2])
        # The process dies after committing and before its on-commit send.
        transaction.get_connection().run_on_commit.clear()
    assert dispatch.pending_dispatches_sweep() == 0
    Job.objects.filter(id=job.id).update(dispatch_claimed_at=F("dispatch_claimed_at") - dispatch.STALE_CLAIM)
    Job.objects.filter(id=job.id).update(created_at=F("created_at") - timedelta(minutes=3))
    assert dispatch.pending_dispatches_sweep() == 1
    finished = wait_for_job(job.id)
    assert (finished.status, finished.dispatch_attempts) == (Job.Status.SUCCEEDED, 2)


def test_a_rolled_back_transaction_sends_nothing(worker):
    with pytest.raises(RuntimeError), transaction.atomic():
        services.demo_job_start(owner=None, numbers=[1])
        raise RuntimeError("the request failed after starting the workflow")
    assert not Job.objects.exists()


@pytest.mark.slow
def test_with_the_broker_down_the_request_succeeds_and_beat_dispatches_later(worker, redis_server, tmp_path):
    client = APIClient()
    client.force_authenticate(StaffFactory())
    redis_server.stop()
    try:
        response = client.post("/api/jobs/demo/", {"numbers": [3, 4]}, format="json")
        assert response.status_code == 202, response.content
        job = Job.objects.get(id=response.json()["id"])
        assert job.dispatch_state == Job.DispatchState.PENDING
        assert job.dispatch_attempts == 1
        assert "Error" in job.dispatch_error
    finally:
        redis_server.start()

    call_command("setup_schedules", stdout=io.StringIO())
    beat_log = (tmp_path / "beat.log").open("wb")
    beat = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "shop", "beat", f"--scheduler={BEAT_SCHEDULER}", "--pidfile=",
         f"--schedule={tmp_path / 'beat-schedule'}", "--loglevel=INFO"],
        cwd=ROOT, env=stack_env(), stdout=beat_log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        wait_until(
            lambda: Job.objects.get(id=job.id).dispatch_state == Job.DispatchState.DISPATCHED,
            timeout=60,
            message="the sweeper dispatched the job",
        )
    finally:
        beat.terminate()
        beat.wait(10)
        beat_log.close()

    job = wait_for_job(job, timeout=60)
    assert job.status == Job.Status.SUCCEEDED
    assert job.dispatch_attempts >= 2
    assert job.dispatch_error == ""


def test_the_sweeper_leaves_jobs_alone_while_the_broker_is_down(worker, redis_server):
    redis_server.stop()
    try:
        job = services.demo_job_start(owner=None, numbers=[1])  # worker fixture: autocommit
        assert dispatch.pending_dispatches_sweep(older_than=timedelta(0)) == 0
        assert Job.objects.get(id=job.id).dispatch_state == Job.DispatchState.PENDING
    finally:
        redis_server.start()
    assert dispatch.pending_dispatches_sweep(older_than=timedelta(0)) == 1
    assert wait_for_job(job).status == Job.Status.SUCCEEDED


def test_after_a_failed_send_new_work_waits_for_the_sweeper_without_retrying_the_broker(worker, redis_server):
    redis_server.stop()
    try:
        first = services.demo_job_start(owner=None, numbers=[1])
        second = services.demo_job_start(owner=None, numbers=[2])
    finally:
        redis_server.start()
    first, second = Job.objects.get(id=first.id), Job.objects.get(id=second.id)
    assert (first.dispatch_attempts, second.dispatch_attempts) == (1, 0)
    assert "sweeper will send it" in second.dispatch_error

    assert dispatch.pending_dispatches_sweep(older_than=timedelta(0)) == 2
    assert wait_for_job(first).status == wait_for_job(second).status == Job.Status.SUCCEEDED
