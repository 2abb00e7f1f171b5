"""Watermark arithmetic for database sources: the lower bound of an extraction, the next value.

A watermark is stored as text in ops.watermarks (ISO timestamp or integer) and validated
wherever it comes from, because its lower bound goes into the extraction SQL.

The next watermark can never be poisoned by the data: a NULL cursor, a non-finite one
('infinity') or one later than the extraction's start plus `max_cursor_ahead` is not a
candidate, and a timestamp watermark never passes the extraction's start minus the lookback
nor (PostgreSQL) the start of the oldest transaction still open then, whose rows are not
visible yet. Naive timestamps are taken as UTC wherever they are compared with aware ones.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pyarrow as pa
import pyarrow.compute as pc

from ingest.errors import RippleError
from ingest.sources import DatabaseSource

EARLIEST = datetime(1, 1, 1)


def lower_bound(source: DatabaseSource, watermark: str | None) -> str | None:
    """The watermark minus the lookback, validated (it is put into SQL); never below year 1."""
    if watermark is None:
        return None
    try:
        if source.cursor_type == "integer":
            return str(int(watermark) - source.lookback)
        stored = datetime.fromisoformat(watermark)
    except ValueError:
        raise RippleError(
            f"{source.name}: stored watermark {watermark!r} is not a valid {source.cursor_type}; "
            f"fix it with `ripple watermark set {source.name} VALUE` or reset it"
        ) from None
    try:
        value = stored - timedelta(seconds=source.lookback)
    except OverflowError:  # a watermark within the lookback of year 1
        value = EARLIEST.replace(tzinfo=stored.tzinfo)
    return value.isoformat(sep=" ")


def parse_watermark(source: DatabaseSource, value: str) -> str:
    """Validate a watermark given on the command line; return its stored form."""
    try:
        if source.cursor_type == "integer":
            return str(int(value))
        return datetime.fromisoformat(value).isoformat(sep=" ")
    except ValueError:
        raise RippleError(
            f"{source.name}: {value!r} is not a valid {source.cursor_type} for cursor {source.cursor}"
        ) from None


@dataclass
class CursorScan:
    """What one batch says about the next watermark."""

    max_value: str | None  # the largest cursor that may move the watermark
    nulls: int  # rows whose cursor is NULL
    ahead: int  # rows whose cursor is non-finite or later than the extraction start + max_cursor_ahead


def scan_cursor(batch: pa.RecordBatch | pa.Table, cursor: str, horizon: datetime) -> CursorScan:
    """The largest cursor value at or before `horizon` (an aware UTC time; naive cursors are UTC)."""
    if cursor not in batch.schema.names:
        raise RippleError(f"cursor column {cursor!r} is not in the extracted columns {batch.schema.names}")
    column = batch.column(cursor)
    nulls = column.null_count
    if pa.types.is_timestamp(column.type):
        # compared on Arrow's integers: 'infinity' is beyond every datetime Python can hold
        zoned = column.type.tz is not None
        last = horizon if zoned else horizon.astimezone(UTC).replace(tzinfo=None)
        first = EARLIEST.replace(tzinfo=UTC) if zoned else EARLIEST
        inside = pc.and_(
            pc.greater_equal(column, pa.scalar(first, column.type)),
            pc.less_equal(column, pa.scalar(last, column.type)),
        )
        candidates = pc.filter(column, inside)
        ahead = len(column) - nulls - len(candidates)
    else:
        candidates, ahead = column, 0
    value = pc.max(candidates).as_py()
    if value is None:
        return CursorScan(None, nulls, ahead)
    return CursorScan(value.isoformat(sep=" ") if isinstance(value, datetime) else str(value), nulls, ahead)


def instant(value: str) -> datetime:
    """A stored timestamp watermark as an aware time (naive ones are UTC)."""
    parsed = datetime.fromisoformat(value)
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def newer(source: DatabaseSource, a: str | None, b: str | None) -> str | None:
    if a is None or b is None:
        return a or b
    if source.cursor_type == "integer":
        return a if int(a) >= int(b) else b
    return a if instant(a) >= instant(b) else b


def capped(source: DatabaseSource, candidate: str | None, limit: datetime) -> str | None:
    """`candidate`, or `limit` (aware) written as the candidate is (naive stays naive) if it is later."""
    if candidate is None or source.cursor_type == "integer" or instant(candidate) <= limit:
        return candidate
    zoned = datetime.fromisoformat(candidate).tzinfo is not None
    return (limit if zoned else limit.astimezone(UTC).replace(tzinfo=None)).isoformat(sep=" ")


def limit(source: DatabaseSource, started: datetime, oldest_open: datetime | None) -> datetime:
    """How far the watermark may move: the extraction's start minus the lookback, and never past
    the start of a transaction that was open then (its rows become visible later)."""
    bound = started - timedelta(seconds=source.lookback)
    return min(bound, oldest_open) if oldest_open is not None else bound
