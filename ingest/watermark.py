"""Watermark arithmetic for database sources: the lower bound of an extraction, the next value.

A watermark is stored as text in ops.watermarks (ISO timestamp or integer) and validated
wherever it comes from, because its lower bound goes into the extraction SQL.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pyarrow as pa
import pyarrow.compute as pc

from ingest.errors import RippleError
from ingest.sources import DatabaseSource


def lower_bound(source: DatabaseSource, watermark: str | None) -> str | None:
    """The watermark minus the lookback, validated (it is put into SQL)."""
    if watermark is None:
        return None
    try:
        if source.cursor_type == "integer":
            return str(int(watermark) - source.lookback)
        value = datetime.fromisoformat(watermark) - timedelta(seconds=source.lookback)
    except ValueError:
        raise RippleError(
            f"{source.name}: stored watermark {watermark!r} is not a valid {source.cursor_type}; "
            f"fix it with `ripple watermark set {source.name} VALUE` or reset it"
        ) from None
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


def max_cursor(batch: pa.RecordBatch | pa.Table, cursor: str) -> str | None:
    if cursor not in batch.schema.names:
        raise RippleError(f"cursor column {cursor!r} is not in the extracted columns {batch.schema.names}")
    value = pc.max(batch.column(cursor)).as_py()
    if value is None:
        return None
    return value.isoformat(sep=" ") if isinstance(value, datetime) else str(value)


def newer(source: DatabaseSource, a: str | None, b: str | None) -> str | None:
    if a is None or b is None:
        return a or b
    if source.cursor_type == "integer":
        return a if int(a) >= int(b) else b
    return a if datetime.fromisoformat(a) >= datetime.fromisoformat(b) else b
