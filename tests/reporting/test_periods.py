"""Which days a report covers, and how they are cut into day ranges."""

from __future__ import annotations

from datetime import date
from itertools import pairwise

import pytest

from reporting.periods import day_ranges, period_title, previous_period
from reporting.services import report_period
from shop.platform.errors import InvalidInput

TUESDAY = date(2026, 11, 24)


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        ("daily", (date(2026, 11, 23), date(2026, 11, 23))),
        ("weekly", (date(2026, 11, 16), date(2026, 11, 22))),  # Monday to Sunday
        ("monthly", (date(2026, 10, 1), date(2026, 10, 31))),
    ],
)
def test_previous_period_is_the_last_complete_one(kind, expected):
    assert previous_period(kind, TUESDAY) == expected


def test_previous_month_in_january_is_last_december():
    assert previous_period("monthly", date(2027, 1, 1)) == (date(2026, 12, 1), date(2026, 12, 31))


def test_day_ranges_cover_the_period_in_even_chunks_for_both_processes_without_gaps():
    ranges = day_ranges(date(2026, 10, 1), date(2026, 10, 31))
    assert ranges[0] == (date(2026, 10, 1), date(2026, 10, 8))
    assert ranges[-1] == (date(2026, 10, 25), date(2026, 10, 31))
    assert [(last - first).days + 1 for first, last in ranges] == [8, 8, 8, 7]
    assert all((b[0] - a[1]).days == 1 for a, b in pairwise(ranges))


@pytest.mark.parametrize(
    ("start", "end", "lengths"),
    [
        (date(2026, 11, 23), date(2026, 11, 23), [1]),
        (date(2026, 11, 23), date(2026, 11, 29), [4, 3]),
        (date(2026, 1, 1), date(2026, 12, 31), [8] * 43 + [7] * 3),
    ],
)
def test_day_ranges_are_a_multiple_of_the_processes_and_at_most_eight_days(start, end, lengths):
    ranges = day_ranges(start, end)
    assert [(last - first).days + 1 for first, last in ranges] == lengths
    assert (ranges[0][0], ranges[-1][1]) == (start, end)


def test_a_kind_with_a_day_reports_on_the_period_containing_it():
    assert report_period(kind="weekly", period_start=TUESDAY, today=TUESDAY) == (
        date(2026, 11, 23),
        date(2026, 11, 29),
    )


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"kind": "custom", "period_start": TUESDAY}, "needs both"),
        ({"kind": "custom", "period_start": TUESDAY, "period_end": date(2026, 11, 1)}, "not be after"),
        (
            {"kind": "custom", "period_start": date(2026, 12, 1), "period_end": date(2026, 12, 2)},
            "not started",
        ),
        ({"kind": "custom", "period_start": date(2024, 1, 1), "period_end": TUESDAY}, "at most 366"),
        ({"kind": "daily", "period_end": TUESDAY}, "takes period_start"),
    ],
)
def test_a_period_that_makes_no_sense_is_refused(params, message):
    with pytest.raises(InvalidInput, match=message):
        report_period(today=TUESDAY, **params)


def test_period_titles_read_naturally():
    assert period_title("monthly", date(2026, 10, 1), date(2026, 10, 31)) == "October 2026"
    assert period_title("weekly", date(2026, 11, 16), date(2026, 11, 22)) == (
        "Week 47: Mon 16 Nov – Sun 22 November 2026"
    )
    assert period_title("custom", date(2026, 9, 28), date(2026, 10, 3)) == "28 September – 3 October 2026"
