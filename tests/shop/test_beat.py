"""Beat on two hosts: every period of every schedule is sent exactly once, even when one dies.

Two real `celery beat` processes (the Procfile's command, shop.platform.beat.scheduler) share the
test database and Redis, as two hosts would; the session's real worker runs what they send.
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import datetime, timedelta
from itertools import pairwise
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone
from django_celery_beat.models import IntervalSchedule, PeriodicTask

from shop.celery import BEAT_SCHEDULER, app
from shop.platform.beat.models import ScheduledRun
from shop.platform.beat.periods import GridSchedule, crontab_last_fire
from shop.platform.coordination import redis_client
from tests.harness.beat import BeatProcess
from tests.harness.jobs import wait_until

ROOT = Path(__file__).resolve().parents[2]
PROBE_TASK = "tests.beat_probe"
PROBE_RUNS_KEY = "tests:beat-probe-runs"
SHOP_TZ = ZoneInfo(settings.TIME_ZONE)


@app.task(name=PROBE_TASK, bind=True, ignore_result=True)
def beat_probe(self, schedule: str) -> None:
    """What a scheduled report or sync would do, reduced to "I ran, as this task id"."""
    redis_client().rpush(PROBE_RUNS_KEY, json.dumps({"schedule": schedule, "task_id": self.request.id}))


def probe_runs() -> list[dict]:
    return [json.loads(item) for item in redis_client().lrange(PROBE_RUNS_KEY, 0, -1)]


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SHOP_TZ)


@pytest.mark.django_db
def test_a_report_run_serves_its_latest_fire_time_on_every_host():
    call_command("setup_schedules", verbosity=0)
    schedules = {
        json.loads(task.kwargs)["kind"]: task.crontab.schedule
        for task in PeriodicTask.objects.filter(task="reporting.scheduled_report")
    }

    assert crontab_last_fire(schedules["daily"], at("2026-03-10T06:00:40")) == at("2026-03-10T06:00")
    assert crontab_last_fire(schedules["daily"], at("2026-03-10T05:59:59")) == at("2026-03-09T06:00")
    # Monday is crontab's day 1; 2026-03-11 is a Wednesday.
    assert crontab_last_fire(schedules["weekly"], at("2026-03-11T12:00")) == at("2026-03-09T06:00")
    assert crontab_last_fire(schedules["monthly"], at("2026-03-15T12:00")) == at("2026-03-01T06:00")
    # Across the spring DST change (2026-03-29) the fire is still 06:00 shop time.
    assert crontab_last_fire(schedules["daily"], at("2026-03-29T09:00")) == at("2026-03-29T06:00")


def test_interval_slots_are_the_same_whenever_a_beat_started():
    every_15_minutes = GridSchedule(timedelta(minutes=15))
    moment = datetime(2026, 3, 10, 10, 7, 31, tzinfo=SHOP_TZ)

    assert every_15_minutes.period_start(moment) == datetime(2026, 3, 10, 10, 0, tzinfo=SHOP_TZ)
    assert every_15_minutes.period_start(moment + timedelta(minutes=8)) == moment.replace(minute=15, second=0)


def test_the_procfile_and_compose_run_beat_with_the_once_per_period_scheduler():
    procfile = dict(line.split(": ", 1) for line in (ROOT / "Procfile").read_text().splitlines() if line)
    assert f"--scheduler={BEAT_SCHEDULER}" in procfile["beat"].split()
    assert f'"--scheduler={BEAT_SCHEDULER}"' in (ROOT / "compose.yaml").read_text()
    assert app.conf.beat_scheduler == BEAT_SCHEDULER


def _claims(schedule: str) -> list[ScheduledRun]:
    return list(ScheduledRun.objects.filter(schedule=schedule).order_by("period_start"))


def _latest_lone_claim(schedule: str) -> ScheduledRun | None:
    claims = _claims(schedule)
    if len(claims) >= 5 and claims[-1].period_start.timestamp() % 6:
        return claims[-1]
    return None


def _sent_by(beat: BeatProcess) -> str:
    return f":{beat.process.pid}"


def test_two_beats_send_each_period_once_and_the_survivor_takes_over_from_a_killed_one(worker, tmp_path):
    every = {"probe every 2 s": 2, "probe every 3 s": 3}
    for name, seconds in every.items():
        interval, _ = IntervalSchedule.objects.get_or_create(every=seconds, period=IntervalSchedule.SECONDS)
        PeriodicTask.objects.create(
            name=name, task=PROBE_TASK, interval=interval, kwargs=json.dumps({"schedule": name})
        )
    beats = [BeatProcess(tmp_path / f"host-{n}", setup_schedules=False).start() for n in (1, 2)]
    try:
        # Both beats tick every period; let a few go by, then kill the one that sent the latest,
        # right after it did, mid-period, at a boundary where the 3-s schedule is not due
        # (so it is not between another publish and its commit: the window the scheduler's
        # docstring owns up to).
        latest = wait_until(
            lambda: _latest_lone_claim("probe every 2 s"), timeout=40, message="five 2-s periods"
        )
        leader, survivor = sorted(beats, key=lambda beat: not latest.sent_by.endswith(_sent_by(beat)))
        leader.kill()  # right after it sent a period: that period must not be sent again
        killed_at = timezone.now()

        wait_until(
            lambda: (
                ScheduledRun.objects.filter(
                    schedule="probe every 2 s", sent_by__endswith=_sent_by(survivor), sent_at__gt=killed_at
                ).count()
                >= 5
            ),
            timeout=40,
            message="five 2-s periods sent by the survivor",
        )
    finally:
        for beat in beats:
            beat.stop()

    claimed_ids = set(ScheduledRun.objects.values_list("task_id", flat=True))
    wait_until(
        lambda: {run["task_id"] for run in probe_runs()} >= claimed_ids, timeout=30, message="every run"
    )
    runs = Counter(run["task_id"] for run in probe_runs())
    assert set(runs) == claimed_ids, "a run was sent without its period's claim"
    assert set(runs.values()) == {1}, "a period's run ran twice"
    for name, seconds in every.items():
        periods = [claim.period_start for claim in _claims(name)]
        assert len(periods) >= 4, name
        gaps = {later - earlier for earlier, later in pairwise(periods)}
        assert gaps == {timedelta(seconds=seconds)}, f"{name}: a period was missed or doubled"
        senders = {claim.sent_by for claim in _claims(name)}
        assert any(sender.endswith(_sent_by(survivor)) for sender in senders), name
    assert "was sent by another beat" in survivor.log_path.read_text(), "the survivor did not compete"
