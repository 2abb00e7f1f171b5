"""Watermark arithmetic (ingest/watermark.py): no value in the data can poison the next watermark,
and no stored watermark makes a run overflow."""

from __future__ import annotations

from datetime import UTC, datetime

import pyarrow as pa
import pytest

from ingest import watermark
from ingest.sources import parse_source

TIMESTAMP = parse_source(
    "orders", {"kind": "table", "source_table": "orders", "cursor": "at", "primary_key": ["id"], "lookback": 60}
)
NOW = datetime(2026, 1, 1, 12, tzinfo=UTC)
INFINITY = 2**63 - 1  # PostgreSQL's and DuckDB's 'infinity' timestamp, as Arrow's microseconds


def batch(values: list, zone: str | None = "UTC") -> pa.RecordBatch:
    micros = [None if v is None else v if isinstance(v, int) else int(v.timestamp() * 1_000_000) for v in values]
    return pa.record_batch({"at": pa.array(micros, pa.int64()).cast(pa.timestamp("us", zone))})


def test_a_watermark_within_the_lookback_of_year_one_gives_year_one_not_an_overflow():
    assert watermark.lower_bound(TIMESTAMP, "0001-01-01 00:00:30+00:00") == "0001-01-01 00:00:00+00:00"
    assert watermark.lower_bound(TIMESTAMP, "0001-01-01 00:00:30") == "0001-01-01 00:00:00"


@pytest.mark.parametrize(
    ("values", "expected", "nulls", "ahead"),
    [
        pytest.param([datetime(2025, 1, 1, tzinfo=UTC), None], "2025-01-01 00:00:00+00:00", 1, 0, id="null"),
        pytest.param(
            [datetime(2025, 1, 1, tzinfo=UTC), datetime(9999, 12, 31, tzinfo=UTC)],
            "2025-01-01 00:00:00+00:00",
            0,
            1,
            id="year 9999",
        ),
        pytest.param([datetime(2025, 1, 1, tzinfo=UTC), INFINITY], "2025-01-01 00:00:00+00:00", 0, 1, id="infinity"),
        pytest.param([-INFINITY], None, 0, 1, id="minus infinity only"),
        pytest.param(
            [datetime(2026, 1, 1, 12, 5, tzinfo=UTC)], "2026-01-01 12:05:00+00:00", 0, 0, id="within the tolerance"
        ),
        pytest.param([datetime(2026, 1, 1, 12, 5, 1, tzinfo=UTC)], None, 0, 1, id="just beyond the tolerance"),
    ],
)
def test_only_ordered_cursors_up_to_the_start_plus_tolerance_are_candidates(values, expected, nulls, ahead):
    scan = watermark.scan_cursor(batch(values), "at", NOW.replace(minute=5))
    assert (scan.max_value, scan.nulls, scan.ahead) == (expected, nulls, ahead)


def test_a_naive_cursor_is_compared_as_utc():
    scan = watermark.scan_cursor(batch([datetime(2026, 1, 1, 12, tzinfo=UTC), INFINITY], zone=None), "at", NOW)
    assert (scan.max_value, scan.ahead) == ("2026-01-01 12:00:00", 1)


def test_the_watermark_never_passes_the_start_minus_lookback_nor_the_oldest_open_transaction():
    assert watermark.limit(TIMESTAMP, NOW, None) == datetime(2026, 1, 1, 11, 59, tzinfo=UTC)
    oldest = datetime(2026, 1, 1, 9, tzinfo=UTC)
    assert watermark.limit(TIMESTAMP, NOW, oldest) == oldest
    assert watermark.capped(TIMESTAMP, "2026-01-01 12:00:00", oldest) == "2026-01-01 09:00:00"
    assert watermark.capped(TIMESTAMP, "2026-01-01 12:00:00+00:00", oldest) == "2026-01-01 09:00:00+00:00"
    assert watermark.capped(TIMESTAMP, "2026-01-01 08:00:00+00:00", oldest) == "2026-01-01 08:00:00+00:00"


def test_a_cursor_retyped_from_naive_to_aware_compares_with_its_old_watermark():
    assert watermark.newer(TIMESTAMP, "2026-01-01 10:00:00", "2026-01-01 09:00:00+00:00") == "2026-01-01 10:00:00"
