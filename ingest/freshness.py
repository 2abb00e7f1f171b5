"""Is a source's data as new as its declared cadence says it should be?

The age of a source's data is the time since it last proved current: for a file source, when
its newest file was loaded (a run that finds nothing new proves nothing: a file was due); for
a database source, when its last run succeeded (an extraction sees everything the database
holds, changed or not). A source is `late` once its age passes its cadence and `stale` once it
passes `stale_after` (twice the cadence unless declared). With `business_hours`, only those
hours of each day count, in the source's time zone: sales that stop at 22:00 are not late at
dawn.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from ingest.sources import FileSource, Source


@dataclass(frozen=True)
class Freshness:
    state: str  # fresh, late, stale, never (no data yet), or "-" (no cadence declared)
    age: timedelta | None = None

    def describe(self) -> str:
        if self.age is None:
            return self.state
        hours = self.age.total_seconds() / 3600
        return f"{self.state} ({hours / 24:.1f} d)" if hours >= 48 else f"{self.state} ({hours:.1f} h)"


def business_time(start: datetime, end: datetime, hours: str, zone: str) -> timedelta:
    """How much of [start, end] falls within the daily `HH:MM-HH:MM` hours, in that zone."""
    tz = ZoneInfo(zone)
    opens, closes = (time.fromisoformat(h) if h != "24:00" else time.max for h in hours.split("-"))
    total = timedelta()
    day = start.astimezone(tz).date()
    while day <= end.astimezone(tz).date():
        window_start = datetime.combine(day, opens, tz)
        window_end = datetime.combine(day, closes, tz)
        overlap = min(end, window_end) - max(start, window_start)
        total += max(overlap, timedelta())
        day += timedelta(days=1)
    return total


def judge(source: Source, last: datetime | None, now: datetime) -> Freshness:
    late, stale = source.late_after, source.stale_after_delta
    if late is None or stale is None:
        return Freshness("-")
    if last is None:
        return Freshness("never")
    if source.business_hours:
        zone = source.timezone if isinstance(source, FileSource) else "UTC"
        age = business_time(last, now, source.business_hours, zone)
    else:
        age = now - last
    return Freshness("stale" if age > stale else "late" if age > late else "fresh", age)


def missing_days(landed: list[date]) -> list[date]:
    """Business days between the first and the last landed day with no file."""
    if not landed:
        return []
    have = set(landed)
    first, last = min(have), max(have)
    return [first + timedelta(days=n) for n in range((last - first).days + 1) if first + timedelta(days=n) not in have]
