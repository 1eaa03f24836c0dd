"""Beat starts a scheduled sync every 15 minutes, at LOW priority, unless one is running."""

from __future__ import annotations

import io

from django.core.management import call_command
from django_celery_beat.models import PeriodicTask

from sync.models import SyncRun
from sync.tasks import sync_run_request


def test_setup_schedules_creates_the_15_minute_sync(db):
    call_command("setup_schedules", stdout=io.StringIO())

    task = PeriodicTask.objects.get(task="sync.sync_run_request")
    assert (task.interval.every, task.interval.period, task.enabled) == (900, "seconds", True)


def test_the_beat_trigger_starts_a_low_priority_run_or_leaves_the_running_one(db, sync_settings):
    # Called in-process: the run and its Job are created; nothing is dispatched (no commit).
    run_id = sync_run_request()

    run = SyncRun.objects.select_related("job").get(pk=run_id)
    assert (run.trigger, run.status, run.requested_by, run.page_size) == ("schedule", "running", None, 50)
    assert (run.job.kind, run.job.priority, run.job.subject) == ("sync", "low", f"sync-run:{run_id}")
    assert sync_run_request() == run_id
    assert SyncRun.objects.count() == 1
