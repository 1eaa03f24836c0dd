"""Report periods: which days a daily / weekly / monthly report covers, and how a period
is cut into the day ranges that are aggregated in parallel.

Dates are calendar days in the shop's time zone (settings.TIME_ZONE); `day_bounds` turns
them into the aware datetimes the database filters on, DST included.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

# At most eight days per aggregation task, and as many tasks as a multiple of the bulk
# worker's processes (Procfile: worker-bulk --concurrency=2), of equal length: a month is four
# tasks of 7–8 days in two even rounds, where weeks made five (the last one ran alone).
CHUNK_DAYS = 8
REPORT_PROCESSES = 2
# One report covers at most a year (and a day, for leap years): 46 aggregation tasks.
MAX_PERIOD_DAYS = 366


def shop_timezone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def shop_today() -> date:
    return timezone.localdate(timezone=shop_timezone())


def period_containing(kind: str, day: date) -> tuple[date, date]:
    """The daily / weekly (Monday to Sunday) / monthly period that contains `day`."""
    if kind == "daily":
        return day, day
    if kind == "weekly":
        monday = day - timedelta(days=day.weekday())
        return monday, monday + timedelta(days=6)
    if kind == "monthly":
        first = day.replace(day=1)
        next_first = (first + timedelta(days=32)).replace(day=1)
        return first, next_first - timedelta(days=1)
    raise ValueError(f"A {kind!r} report has no natural period; give its dates.")


def previous_period(kind: str, today: date) -> tuple[date, date]:
    """The last complete period before `today`: yesterday, last week or last month."""
    start, _ = period_containing(kind, today)
    return period_containing(kind, start - timedelta(days=1))


def day_ranges(
    start: date, end: date, *, days: int = CHUNK_DAYS, processes: int = REPORT_PROCESSES
) -> list[tuple[date, date]]:
    """Cut [start, end] (inclusive) into consecutive ranges of at most `days` days, their number
    a multiple of `processes` (when there are that many days), their lengths differing by ≤ 1."""
    total = (end - start).days + 1
    if total < 1:
        return []
    count = -(-total // days)
    if total >= processes:
        count = -(-count // processes) * processes
    base, longer = divmod(total, count)
    ranges = []
    chunk_start = start
    for index in range(count):
        chunk_end = chunk_start + timedelta(days=base + (index < longer) - 1)
        ranges.append((chunk_start, chunk_end))
        chunk_start = chunk_end + timedelta(days=1)
    return ranges


def midnights(start: date, end: date) -> list[tuple[date, datetime]]:
    """Each day of [start, end] with the aware datetime at which it ends (the next midnight,
    shop time): 23 or 25 hours after the one before on the days daylight saving changes."""
    zone = shop_timezone()
    days = (end - start).days + 1
    return [
        (day, datetime.combine(day + timedelta(days=1), time.min, tzinfo=zone))
        for day in (start + timedelta(days=offset) for offset in range(days))
    ]


def day_bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """[from, until) in aware datetimes: midnight of `start` to midnight after `end`, shop time."""
    zone = shop_timezone()
    return (
        datetime.combine(start, time.min, tzinfo=zone),
        datetime.combine(end + timedelta(days=1), time.min, tzinfo=zone),
    )


def day_text(value: date) -> str:
    """15 November 2026."""
    return f"{value.day} {value:%B %Y}"


def period_title(kind: str, start: date, end: date) -> str:
    """How people name the period: "October 2026", "Week 46: Mon 9 Nov – Sun 15 November 2026"."""
    if kind == "daily":
        return f"{start:%A} {day_text(start)}"
    if kind == "weekly":
        return (
            f"Week {start.isocalendar().week}: {start:%a} {start.day} {start:%b} – {end:%a} {day_text(end)}"
        )
    if kind == "monthly":
        return f"{start:%B %Y}"
    if start.year != end.year:
        return f"{day_text(start)} – {day_text(end)}"
    if start.month != end.month:
        return f"{start.day} {start:%B} – {day_text(end)}"
    return f"{start.day} – {day_text(end)}" if start != end else day_text(start)


REPORT_TITLES = {
    "daily": "Daily sales",
    "weekly": "Weekly sales",
    "monthly": "Monthly sales",
    "custom": "Sales report",
}
