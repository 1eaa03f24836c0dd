"""The three report schedules, created by setup_schedules in the shop's time zone."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone
from django_celery_beat.models import CrontabSchedule, PeriodicTask
from django_celery_beat.schedulers import ModelEntry

from reporting.models import Report
from shop.celery import app
from shop.platform.jobs.models import Job
from tests.harness.jobs import wait_for_job

pytestmark = pytest.mark.django_db


def report_schedules() -> dict[str, PeriodicTask]:
    tasks = PeriodicTask.objects.filter(task="reporting.scheduled_report").select_related("crontab")
    return {task.kwargs: task for task in tasks}


def test_setup_schedules_creates_daily_weekly_and_monthly_reports_at_six(capsys):
    call_command("setup_schedules")

    schedules = report_schedules()
    crontabs = {
        kwargs: (t.crontab.minute, t.crontab.hour, t.crontab.day_of_week, t.crontab.day_of_month,
                 t.crontab.month_of_year, str(t.crontab.timezone))
        for kwargs, t in schedules.items()
    }  # fmt: skip
    assert crontabs == {
        '{"kind": "daily"}': ("0", "6", "*", "*", "*", settings.TIME_ZONE),
        '{"kind": "weekly"}': ("0", "6", "1", "*", "*", settings.TIME_ZONE),  # 1 is Monday
        '{"kind": "monthly"}': ("0", "6", "*", "1", "*", settings.TIME_ZONE),
    }
    assert all(task.enabled for task in schedules.values())


def test_running_setup_schedules_again_keeps_an_admin_edit(capsys):
    call_command("setup_schedules")
    weekly = report_schedules()['{"kind": "weekly"}']
    weekly.crontab, _ = CrontabSchedule.objects.get_or_create(
        minute="30",
        hour="7",
        day_of_week="1",
        day_of_month="*",
        month_of_year="*",
        timezone=settings.TIME_ZONE,
    )
    weekly.enabled = False
    weekly.save()

    call_command("setup_schedules")

    weekly = report_schedules()['{"kind": "weekly"}']
    assert (weekly.crontab.minute, weekly.crontab.hour, weekly.enabled) == ("30", "7", False)
    assert len(report_schedules()) == 3


def test_the_beat_task_reports_on_the_previous_period_at_low_priority_for_all_staff(worker, capsys):
    call_command("setup_schedules")
    weekly = ModelEntry(report_schedules()['{"kind": "weekly"}'], app=app)

    # What beat does when the entry is due: send the task its row names, with the row's arguments.
    sent = app.send_task(weekly.task, weekly.args, weekly.kwargs, **weekly.options)
    report = Report.objects.get(id=sent.get(timeout=60))

    today = timezone.localdate(report.requested_at)
    last_monday = today - timedelta(days=today.weekday() + 7)
    assert (report.kind, report.period_start, report.period_end) == (
        "weekly",
        last_monday,
        last_monday + timedelta(days=6),
    )
    assert report.audience == Report.Audience.STAFF and report.requested_by is None
    assert report.job.priority == "low"
    assert set(report.job.steps.values_list("priority", flat=True)) == {"low"}
    assert wait_for_job(report.job, timeout=60).status == Job.Status.SUCCEEDED
