"""`manage.py task_status <id>` reads any task's state from another process: AsyncResult(id)."""

from __future__ import annotations

import json
import subprocess
import sys

from notifications import campaigns
from notifications.tasks import PROGRESS
from shop.platform.jobs.models import JobStep
from tests.factories import CampaignFactory
from tests.harness.jobs import wait_for_job, wait_until
from tests.harness.processes import ROOT, stack_env
from tests.notifications.helpers import customers_create

RECIPIENTS = 30


def task_status_in_another_process(task_id: str) -> dict:
    result = subprocess.run(
        [sys.executable, "manage.py", "task_status", task_id, "--json"],
        cwd=ROOT, env=stack_env(), capture_output=True, text=True, timeout=60, check=True,
    )  # fmt: skip
    return json.loads(result.stdout)


def test_a_campaign_batch_reports_progress_then_its_result_to_another_process(worker, mailbox, settings):
    # Two messages a second: the batch of 30 takes about fifteen seconds, longer than the
    # other process takes to start on a loaded machine (5-10 s were seen at load 10).
    settings.MAIL_SEND_RATE = 2
    settings.MAIL_SEND_BURST = 1
    settings.MAIL_CAMPAIGN_BATCH_SIZE = RECIPIENTS
    customers_create(RECIPIENTS, prefix="status")
    campaign = campaigns.campaign_send_start(campaign_id=CampaignFactory().id)
    batch = JobStep.objects.get(job=campaign.job, task_name="notifications.campaign_batch_send")

    seen = wait_until(
        lambda: (status := task_status_in_another_process(batch.task_id))["state"] == PROGRESS and status,
        timeout=30,
        interval=0,
        message="PROGRESS seen from another process",
    )
    assert seen["name"] == "notifications.campaign_batch_send"
    assert 0 < seen["progress"]["done"] < RECIPIENTS and seen["progress"]["total"] == RECIPIENTS

    wait_for_job(campaign.job, timeout=60)
    finished = task_status_in_another_process(batch.task_id)
    assert finished["state"] == "SUCCESS"
    assert finished["result"] == {"skipped": 0, "sent": RECIPIENTS}
    assert finished["queue"] == "bulk" and finished["worker"]
    assert mailbox.count() == RECIPIENTS


def test_an_unknown_task_id_is_pending(transactional_db):
    assert task_status_in_another_process("no-such-task")["state"] == "PENDING"
