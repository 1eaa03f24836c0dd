"""Which period a due run of a periodic task serves: the same answer on every host.

An interval schedule runs once per slot of a fixed grid (multiples of the interval since
the Unix epoch), not "every N seconds after this process's last run", so two beats that
started at different moments agree on the slots. A crontab run serves its latest fire time.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from celery import schedules

# A crontab run due after an outage serves its latest fire within this long (the monthly
# report's month and a day); beyond, the run is keyed to the minute it is sent in.
CRONTAB_LOOKBACK = timedelta(days=32)
MINUTE = timedelta(minutes=1)


class GridSchedule(schedules.schedule):
    """An interval schedule whose runs fall in the slots of a grid every host computes alike."""

    def period_start(self, now: datetime) -> datetime:
        every = self.run_every.total_seconds()
        timestamp = now.timestamp()
        return datetime.fromtimestamp(timestamp - timestamp % every, tz=now.tzinfo)

    def is_due(self, last_run_at: datetime) -> schedules.schedstate:
        now = self.maybe_make_aware(self.now())
        start = self.period_start(now)
        seconds_to_next = (start + self.run_every - now).total_seconds()
        return schedules.schedstate(last_run_at < start, seconds_to_next)


def _crontab_matches_hour(schedule: schedules.crontab, moment: datetime) -> bool:
    return (
        moment.month in schedule.month_of_year
        and moment.day in schedule.day_of_month
        and moment.isoweekday() % 7 in schedule.day_of_week  # crontab: Sunday is 0
        and moment.hour in schedule.hour
    )


def crontab_last_fire(schedule: schedules.crontab, now: datetime) -> datetime | None:
    """The latest minute at or before `now` (in the crontab's time zone) that it fires in."""
    tz = getattr(schedule, "tz", None)
    moment = (now.astimezone(tz) if tz else now).replace(second=0, microsecond=0)
    earliest = moment - CRONTAB_LOOKBACK
    while moment >= earliest:
        if not _crontab_matches_hour(schedule, moment):
            moment = moment.replace(minute=0) - MINUTE  # the last minute of the hour before
        elif moment.minute in schedule.minute:
            return moment
        else:
            moment -= MINUTE
    return None


def period_start(schedule: schedules.BaseSchedule, now: datetime) -> datetime:
    if isinstance(schedule, GridSchedule):
        return schedule.period_start(now)
    if isinstance(schedule, schedules.crontab):
        fire = crontab_last_fire(schedule, now)
        if fire is not None:
            return fire
    # Solar and one-off (clocked) schedules, which the shop does not use: one run a minute.
    return now.replace(second=0, microsecond=0)
