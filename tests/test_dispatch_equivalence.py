"""The dispatch macros mean the same on both engines. Each query below calls the project's
macros; it is compiled once for the DuckDB target and once for BigQuery (offline), the
BigQuery SQL is transpiled back to DuckDB by sqlglot, and both run on the same inputs in
DuckDB. History arrays are compared element by element after decoding BigQuery's encoding
(STRUCT<value>, since BigQuery arrays cannot hold NULL)."""

from __future__ import annotations

import random

import duckdb
import pytest
import sqlglot
from offline_bigquery import FakeBigQueryClient, dbt_on_bigquery

from ingest.config import DBT_PROFILES_DIR, DBT_PROJECT_DIR

QUERIES = {
    "history_window + history_fit": """
        with windowed as (
            select account, month, {{ history_window('amount', 'account', 'month', LENGTH) }} as window_values
            from history_input
        )
        select account, month, {{ history_fit('window_values', LENGTH) }} as history
        from windowed
    """,
    "history_shift": """
        select row_id, {{ history_shift('new_value', 'gap', 'PREVIOUS', LENGTH) }} as history
        from shift_input
    """,
    "array_at + array_size": """
        select row_id, {{ array_at('PREVIOUS', 2) }} as second, {{ array_size('PREVIOUS') }} as size
        from shift_input
    """,
    "percentile": """
        select grp, {{ percentile('x', 0.5) }} as median, {{ percentile('x', 0.9) }} as p90,
               {{ percentile('x', 0.0) }} as lowest
        from percentile_input
        group by grp
    """,
    "months_between + expand_months": """
        with spans as ({{ expand_months('span_input', 'first_month', 'last_month', ['span_id']) }})
        select span_input.span_id, {{ months_between('span_input.first_month', 'span_input.last_month') }} as months,
               count(*) as expanded
        from span_input join spans on spans.span_id = span_input.span_id
        group by span_input.span_id, span_input.first_month, span_input.last_month
    """,
}


def inputs(con: duckdb.DuckDBPyConnection, seed: int) -> None:
    rng = random.Random(seed)
    history = [
        (a, m, None if rng.random() < 0.3 else round(rng.uniform(-50, 500), 2))
        for a in range(1, 9)
        for m in range(rng.randrange(1, 14))
    ]
    con.execute("create table history_input (account int, month int, amount decimal(12, 2))")
    con.executemany("insert into history_input values (?, ?, ?)", history)
    shifts = []
    for row_id in range(1, 21):
        previous = [None if rng.random() < 0.3 else rng.randrange(100) for _ in range(rng.choice([4, 36]))]
        shifts.append((row_id, rng.choice([None, rng.randrange(100)]), rng.randint(1, 6), previous))
    con.execute("create table shift_input (row_id int, new_value int, gap int, previous int[])")
    con.executemany("insert into shift_input values (?, ?, ?, ?)", shifts)
    con.execute("alter table shift_input add column previous_structs struct(value int)[]")
    con.execute("update shift_input set previous_structs = list_transform(previous, x -> {'value': x})")
    values = [
        (g, None if rng.random() < 0.2 else rng.uniform(0, 1000))
        for g in range(1, 12)
        for _ in range(rng.randrange(0, 9))
    ] + [(99, None)]
    con.execute("create table percentile_input (grp int, x double)")
    con.executemany("insert into percentile_input values (?, ?)", values)
    con.execute(
        "create table span_input as select * from (values (1, date '2023-11-01', date '2024-02-01'), "
        "(2, date '2024-01-01', date '2024-01-01'), (3, date '2020-02-01', date '2023-01-01')) "
        "as t(span_id, first_month, last_month)"
    )


def decoded(value):
    """BigQuery's history encoding (a list of {'value': v}) as a plain list."""
    if isinstance(value, list) and value and isinstance(value[0], dict):
        return [element["value"] for element in value]
    return value


def inline(template: str, length: int, previous: str) -> str:
    return template.replace("LENGTH", str(length)).replace("PREVIOUS", previous)


SPLIT = "\n-- next query --\n"
CASES = [(name, length) for name in QUERIES for length in (4, 36)]


@pytest.fixture(scope="module")
def compiled(tmp_path_factory):
    """Every query, compiled for each engine: {(name, length): (duckdb_sql, bigquery_sql)}. All
    queries go through one `dbt compile --inline` per engine, separated by a comment line."""
    from dbt.cli.main import dbtRunner

    monkeypatch = pytest.MonkeyPatch()
    data_dir = tmp_path_factory.mktemp("dispatch")
    try:
        monkeypatch.setenv("DBT_TARGET", "ci")
        monkeypatch.setenv("RIPPLE_DATA_DIR", str(data_dir))  # the profile's lake, in a folder of its own
        on_duckdb = dbtRunner().invoke(
            [
                "--quiet",
                "compile",
                "--inline",
                SPLIT.join(inline(QUERIES[n], k, "previous") for n, k in CASES),
                "--project-dir",
                str(DBT_PROJECT_DIR),
                "--profiles-dir",
                str(DBT_PROFILES_DIR),
                "--target-path",
                str(data_dir / "duckdb_target"),
            ]
        )
        assert on_duckdb.success, on_duckdb.exception
        on_bigquery = dbt_on_bigquery(
            monkeypatch,
            DBT_PROJECT_DIR,
            DBT_PROFILES_DIR,
            data_dir / "bq_target",
            FakeBigQueryClient({}, {}),
            "compile",
            "--inline",
            SPLIT.join(inline(QUERIES[n], k, "previous_structs") for n, k in CASES),
        )
        assert on_bigquery.success, on_bigquery.exception
    finally:
        monkeypatch.undo()
    duckdb_sql = on_duckdb.result.results[0].node.compiled_code.split(SPLIT.strip())
    bigquery_sql = on_bigquery.result.results[0].node.compiled_code.split(SPLIT.strip())
    assert len(duckdb_sql) == len(bigquery_sql) == len(CASES)
    return dict(zip(CASES, zip(duckdb_sql, bigquery_sql)))


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("name", list(QUERIES))
def test_bigquery_sql_gives_the_same_results_as_duckdb_sql(compiled, name, seed):
    con = duckdb.connect()
    inputs(con, seed)
    for length in (4, 36):
        duckdb_sql, bigquery_sql = compiled[(name, length)]
        assert duckdb_sql != bigquery_sql
        back = sqlglot.transpile(bigquery_sql, read="bigquery", write="duckdb")[0]
        expected = sorted(con.sql(duckdb_sql).fetchall(), key=repr)
        actual = sorted((tuple(decoded(v) for v in row) for row in con.sql(back).fetchall()), key=repr)
        assert len(expected) > 0
        if name == "percentile":  # floating point: the same formula, summed in another order
            assert [r[0] for r in actual] == [r[0] for r in expected]
            for got, want in zip(actual, expected):
                assert [v is None for v in got] == [v is None for v in want], got[0]
                assert [v for v in got[1:] if v is not None] == pytest.approx(
                    [v for v in want[1:] if v is not None], rel=1e-9
                ), got[0]
        else:
            assert actual == expected, (name, length)
        if name.startswith("history"):
            assert {len(row[-1]) for row in actual} == {length}
