"""Comparing what a database source sent with bronze (ingest/reconcile.py), on a plain DuckDB
holding a bronze table: which re-read rows load again, which rows the delete check marks and
unmarks, and when it runs."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import duckdb
import pyarrow as pa
import pytest

from ingest.reconcile import Bronze, bronze_types, check_due

CHECKED_AT = datetime(2026, 3, 1, tzinfo=UTC)
EARLIER = datetime(2026, 1, 1, tzinfo=UTC)


@pytest.fixture
def lake():
    con = duckdb.connect()
    con.execute("set TimeZone = 'UTC'")
    con.execute("""
        create schema bronze;
        create table bronze.accounts (account bigint, month varchar, balance decimal(12, 4), note varchar,
                                      _loaded_at timestamptz, _deleted_at timestamptz);
        insert into bronze.accounts values
            (1, '2026-01', 10.5, null, '2026-01-01', null),
            (1, '2026-02', 20, 'x', '2026-01-01', null),
            (2, '2026-01', 30, null, '2026-01-01', '2026-02-01');
    """)
    yield con
    con.close()


def bronze(con, table: str = "accounts") -> Bronze:
    return Bronze(table, ("account", "month"), bronze_types(con, table))


def extracted(rows: list[tuple]) -> pa.RecordBatch:
    """Rows as the source sends them: narrower types than bronze's (int32, decimal(10,2))."""
    account, month, balance, note = zip(*rows, strict=True) if rows else ((), (), (), ())
    return pa.RecordBatch.from_arrays(
        [
            pa.array(account, pa.int32()),
            pa.array(month, pa.string()),
            pa.array([None if b is None else Decimal(b) for b in balance], pa.decimal128(10, 2)),
            pa.array(note, pa.string()),
            pa.array([CHECKED_AT] * len(rows), pa.timestamp("us", "UTC")),
        ],
        names=["account", "month", "balance", "note", "_loaded_at"],
    )


@pytest.mark.parametrize(
    "row, loads",
    [
        pytest.param((1, "2026-01", "10.50", None), False, id="the same values, NULL equal to NULL"),
        pytest.param((1, "2026-02", "20.00", "x"), False, id="the same values, the source's type narrower"),
        pytest.param((1, "2026-02", "20.01", "x"), True, id="a value changed"),
        pytest.param((1, "2026-02", "20.00", None), True, id="a value became NULL"),
        pytest.param((1, "2026-01", "10.50", "new"), True, id="a NULL became a value"),
        pytest.param((1, "2026-03", "10.50", None), True, id="a new key"),
        pytest.param((2, "2026-01", "30.00", None), True, id="the same values as a row bronze has deleted"),
    ],
)
def test_a_re_read_row_loads_only_when_bronze_does_not_hold_it_as_it_is(lake, row, loads):
    kept = bronze(lake).changed_rows(lake, extracted([row]))
    assert kept.to_pylist() == (extracted([row]).to_pylist() if loads else [])


def test_the_rows_kept_keep_their_order_and_arrow_types(lake):
    batch = extracted([(1, "2026-03", "1.00", None), (1, "2026-01", "10.50", None), (3, "2026-01", "2.00", "y")])
    kept = bronze(lake).changed_rows(lake, batch)
    assert kept.schema == batch.schema
    assert [(r["account"], r["month"]) for r in kept.to_pylist()] == [(1, "2026-03"), (3, "2026-01")]


def test_a_column_bronze_lacks_loads_every_row_to_add_it(lake):
    batch = extracted([(1, "2026-01", "10.50", None)])
    batch = batch.append_column("added", pa.array([1]))
    assert bronze(lake).changed_rows(lake, batch).num_rows == 1


def test_the_check_marks_rows_gone_from_the_source_and_unmarks_those_back(lake):
    keys = pa.table({"account": pa.array([1, 2], pa.int32()), "month": ["2026-01", "2026-01"]})
    assert bronze(lake).mark_deletes(lake, keys, CHECKED_AT) == (1, 1)
    assert lake.execute(
        "select account, month, _deleted_at, _loaded_at from bronze.accounts order by all"
    ).fetchall() == [
        (1, "2026-01", None, EARLIER),  # there all along: untouched
        (1, "2026-02", CHECKED_AT, CHECKED_AT),  # gone: marked, and loaded anew for the models
        (2, "2026-01", None, CHECKED_AT),  # back: unmarked, and loaded anew
    ]
    assert bronze(lake).mark_deletes(lake, keys, CHECKED_AT) == (0, 0)  # a second check changes nothing


def test_a_bronze_table_loaded_before_deletes_were_looked_for_gets_the_column(lake):
    lake.execute("create table bronze.old (account bigint, month varchar, _loaded_at timestamptz)")
    lake.execute("insert into bronze.old values (1, '2026-01', '2026-01-01'), (2, '2026-01', '2026-01-01')")
    keys = pa.table({"account": pa.array([], pa.int64()), "month": pa.array([], pa.string())})
    assert bronze(lake, "old").mark_deletes(lake, keys, CHECKED_AT) == (2, 0)
    assert lake.execute("select count(*) from bronze.old where _deleted_at = ?", [CHECKED_AT]).fetchall() == [(2,)]


@pytest.mark.parametrize(
    "every, runs_since, on_demand, due",
    [
        pytest.param(None, 10, False, False, id="no setting: never"),
        pytest.param(None, 0, True, True, id="no setting, asked for"),
        pytest.param(1, 0, False, True, id="every run"),
        pytest.param(3, 1, False, False, id="the second run since the last check"),
        pytest.param(3, 2, False, True, id="the third run since the last check"),
        pytest.param(3, 0, True, True, id="asked for before the third"),
    ],
)
def test_the_check_runs_every_nth_run_or_when_asked(every, runs_since, on_demand, due):
    assert check_due(every, runs_since, on_demand) is due
