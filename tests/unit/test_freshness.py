"""Freshness against a declared cadence (ingest/freshness.py): late after the cadence, stale after
stale_after, only business hours counted where declared, and the days missing between landed days."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from ingest.freshness import business_time, judge, missing_days
from ingest.sources import parse_source

DAILY = parse_source("t", {"kind": "csv", "location": "t/*.csv", "cadence": "1 day"})
WINDOWS = parse_source(
    "s",
    {
        "kind": "csv",
        "location": "s/*.csv",
        "cadence": "2 hours",
        "business_hours": "10:00-22:00",
        "timezone": "America/Sao_Paulo",
    },
)
NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    "age,state",
    [(timedelta(hours=23), "fresh"), (timedelta(hours=25), "late"), (timedelta(days=2, minutes=1), "stale")],
)
def test_a_daily_source_is_late_after_a_day_and_stale_after_two(age, state):
    assert judge(DAILY, NOW - age, NOW).state == state


def test_a_source_never_loaded_or_without_a_cadence():
    assert judge(DAILY, None, NOW).state == "never"
    assert judge(parse_source("x", {"kind": "csv", "location": "x/*"}), NOW, NOW).state == "-"


def test_only_business_hours_count_towards_a_windowed_cadence():
    # the last window of the evening landed at 22:00 local (01:00 UTC); at 09:00 local the next morning
    # no business hour has passed; at 11:30 local, one and a half
    last = datetime(2026, 3, 10, 1, 0, tzinfo=UTC)
    assert judge(WINDOWS, last, datetime(2026, 3, 10, 12, 0, tzinfo=UTC)).state == "fresh"
    assert judge(WINDOWS, last, datetime(2026, 3, 10, 14, 30, tzinfo=UTC)).age == timedelta(hours=1, minutes=30)
    assert judge(WINDOWS, last, datetime(2026, 3, 10, 16, 0, tzinfo=UTC)).state == "late"  # 13:00 local: 3 h
    assert judge(WINDOWS, last, datetime(2026, 3, 10, 18, 30, tzinfo=UTC)).state == "stale"  # 15:30 local: 5.5 h


def test_business_time_spans_days():
    start, end = datetime(2026, 3, 9, 20, 0, tzinfo=UTC), datetime(2026, 3, 11, 20, 0, tzinfo=UTC)
    # 17:00 local on the 9th .. 17:00 local on the 11th: 5 h + 12 h + 7 h
    assert business_time(start, end, "10:00-22:00", "America/Sao_Paulo") == timedelta(hours=24)


def test_missing_days_are_the_gaps_between_landed_days():
    landed = [date(2023, 1, 1), date(2023, 1, 2), date(2023, 1, 5), date(2023, 1, 7)]
    assert missing_days(landed) == [date(2023, 1, 3), date(2023, 1, 4), date(2023, 1, 6)]
    assert missing_days([]) == []
