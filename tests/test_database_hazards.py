"""Database sources as real databases behave, against a real PostgreSQL server: watermarks that
NULL, future and infinite cursors cannot poison, a transaction open across an extraction, a
batch committed in two transactions with the same cursor value; numeric NaN and Infinity kept or
quarantined."""

from __future__ import annotations

import sqlite3
import time
from decimal import Decimal

import psycopg
import pytest
from conftest import day, declare_sources, run_ripple

from ingest.cli import main
from ingest.config import load_settings
from ingest.warehouse import connect


@pytest.fixture
def events(postgres, pg_schema, deployment, monkeypatch, tmp_path):
    postgres.execute(f"""
        create table {pg_schema}.events (event_id int primary key, updated_at timestamptz);
        create table {pg_schema}.batches (account int, month text, base_ts timestamp not null,
                                          primary key (account, month, base_ts));
    """)
    monkeypatch.setenv("RIPPLE_SOURCE_URL", postgres.url)
    declare_sources(
        monkeypatch,
        tmp_path,
        f"""
[events]
kind = "table"
source_table = "{pg_schema}.events"
cursor = "updated_at"
primary_key = ["event_id"]

[batches]
kind = "table"
source_table = "{pg_schema}.batches"
cursor = "base_ts"
lookback = 0
primary_key = ["account", "month", "base_ts"]
""",
    )
    return pg_schema


def watermark_of(deployment, source: str) -> str:
    return deployment.query("select cursor_value from ops.watermarks where source_name = ?", [source])[0][0]


def test_null_future_and_infinite_cursors_are_loaded_re_read_and_never_move_the_watermark(
    postgres, events, deployment, capsys
):
    postgres.execute(
        f"insert into {events}.events values (1, '2024-01-01 00:00+00'), (2, null), (3, '9999-12-31 00:00+00'),"
        " (4, 'infinity'), (5, '-infinity')"
    )
    deployment.ripple("ingest", "events")
    assert "4 rows have a NULL or non-finite updated_at, or one later than the extraction start + 300 s" in (
        capsys.readouterr().out
    )
    assert watermark_of(deployment, "events") == "2024-01-01 00:00:00+00:00"
    assert deployment.query("select event_id, isfinite(updated_at) from bronze.events order by 1") == [
        (1, True),
        (2, None),
        (3, True),
        (4, False),
        (5, False),
    ]

    postgres.execute(f"insert into {events}.events values (6, '2024-02-01 00:00+00'), (7, null), (8, '-infinity')")
    deployment.ripple("ingest", "events")
    assert deployment.query("select count(*), count(distinct event_id) from bronze.events") == [(8, 8)]
    assert watermark_of(deployment, "events") == "2024-02-01 00:00:00+00:00"


def test_a_watermark_near_year_one_minus_the_lookback_does_not_overflow(
    postgres, events, deployment, monkeypatch, tmp_path
):
    declare_sources(
        monkeypatch,
        tmp_path,
        f"""
[events]
kind = "table"
source_table = "{events}.events"
cursor = "updated_at"
lookback = 3600
primary_key = ["event_id"]
""",
    )
    postgres.execute(f"insert into {events}.events values (1, '0001-01-01 00:10+00')")
    deployment.ripple("watermark", "set", "events", "0001-01-01 00:00:30+00:00")
    deployment.ripple("ingest", "events")
    assert deployment.query("select event_id from bronze.events") == [(1,)]
    assert watermark_of(deployment, "events") == "0001-01-01 00:10:00+00:00"


def test_a_row_of_a_transaction_open_during_an_extraction_is_read_by_the_next_one(postgres, events, deployment):
    with psycopg.connect(postgres.url) as slow:  # stamps its row with its own start, commits after the run
        slow.execute(f"insert into {events}.events values (10, now())")
        time.sleep(0.05)
        postgres.execute(f"insert into {events}.events values (11, clock_timestamp())")
        deployment.ripple("ingest", "events")  # lookback 0
        assert deployment.query("select event_id from bronze.events") == [(11,)]
        opened = slow.execute("select now()").fetchone()[0]
        slow.commit()
    assert watermark_of(deployment, "events") <= opened.isoformat(sep=" ")  # held at the open transaction
    deployment.ripple("ingest", "events")
    assert deployment.query("select event_id from bronze.events order by 1") == [(10,), (11,)]


def test_a_batch_committed_in_two_transactions_with_the_same_cursor_is_read_whole(postgres, events, deployment):
    stamp = "2026-02-01 06:00:00"
    postgres.execute(f"insert into {events}.batches select g, '2026-01', '{stamp}' from generate_series(1, 3) g")
    deployment.ripple("ingest", "batches")
    postgres.execute(f"insert into {events}.batches select g, '2026-01', '{stamp}' from generate_series(4, 6) g")
    deployment.ripple("ingest", "batches")
    assert deployment.query("select count(*), count(distinct account) from bronze.batches") == [(6, 6)]
    assert watermark_of(deployment, "batches") == stamp


def test_numeric_nan_and_infinity_are_kept_or_quarantined_with_a_reason_never_zero(
    postgres, pg_schema, deployment, monkeypatch, tmp_path, capsys
):
    # an unconstrained numeric reads as DOUBLE, which keeps them; numeric(10,2) reads as DECIMAL, which cannot
    postgres.execute(f"""
        create table {pg_schema}.products (product_id int primary key, product_name text, category text,
            price numeric(10, 2), is_active boolean, updated_at timestamptz, ratio numeric);
        insert into {pg_schema}.products values
            (1, 'Coffee', 'drinks', 4.50, true, '2024-01-01 00:00+00', 'NaN'),
            (2, 'Cake', 'food', 'NaN', true, '2024-01-01 00:00+00', '-Infinity'),
            (3, 'Tea', 'drinks', 3.00, true, '2024-01-01 00:00+00', 'Infinity');
    """)
    monkeypatch.setenv("RIPPLE_SOURCE_URL", postgres.url)
    declare_sources(
        monkeypatch,
        tmp_path,
        f'[products]\nkind = "table"\nsource_table = "{pg_schema}.products"\ncursor = "updated_at"\n'
        'primary_key = ["product_id"]\n',
    )
    monkeypatch.setenv("RIPPLE_FAIL_ON_QUARANTINE", "1")
    assert main(["ingest", "products"]) == 1  # as for files: the good rows load, the exit status says it
    out, err = capsys.readouterr()
    assert "products: loaded 2 rows, 1 quarantined (see ops.quarantine), watermark 2024-01-01 00:00:00+00:00\n" in out
    assert err == (
        "ripple: 1 rows quarantined (see ops.quarantine); the good rows loaded. "
        "Exit status 1 because RIPPLE_FAIL_ON_QUARANTINE is set\n"
    )
    reason = "price is NaN in the source; numeric(10,2) cannot hold NaN"
    raw = (
        '{"product_id":2,"product_name":"Cake","category":"food","price":"NaN","is_active":true,'
        '"updated_at":"2024-01-01T00:00:00+00:00","ratio":"-Infinity"}'
    )
    assert deployment.query(
        "select product_id, price, ratio::varchar, _reject_reason, _raw_record from bronze.products order by 1"
    ) == [
        (1, Decimal("4.50"), "nan", None, None),
        (2, None, "-inf", reason, raw),
        (3, Decimal("3.00"), "inf", None, None),
    ]
    assert deployment.query(
        "select rows_read, rows_loaded, rows_quarantined from ops.ingestion_metadata where source_name = 'products'"
    ) == [(3, 2, 1)]
    monkeypatch.delenv("RIPPLE_FAIL_ON_QUARANTINE")
    deployment.ripple("ingest", "products")  # re-read at the watermark, held as it is: neither loaded nor counted
    assert "products: loaded 0 rows (3 read again unchanged), watermark" in capsys.readouterr().out
    deployment.ripple("build", "--select", "+dim_products", "quarantine")
    assert deployment.query("select product_id from gold.dim_products order by 1") == [(1,), (3,)]
    assert deployment.query("select * exclude (loaded_at) from ops.quarantine") == [
        ("products", None, None, None, reason, raw)
    ]

    # corrected in the source: the key merge replaces the quarantined row, and the flag goes with it
    postgres.execute(
        f"update {pg_schema}.products set price = 5.25, updated_at = '2024-01-02 00:00+00' where product_id = 2"
    )
    deployment.ripple("ingest", "products")
    assert "products: loaded 1 rows (2 read again unchanged), watermark 2024-01-02" in capsys.readouterr().out
    deployment.ripple("build", "--select", "+dim_products", "quarantine")
    assert deployment.query("select product_id, current_price from gold.dim_products order by 1") == [
        (1, Decimal("4.50")),
        (2, Decimal("5.25")),
        (3, Decimal("3.00")),
    ]
    assert deployment.query("select count(*) from ops.quarantine") == [(0,)]
    assert deployment.query("select count(*) from bronze.products where _reject_reason is not null") == [(0,)]


def frozen_source(monkeypatch, tmp_path, server, **timeouts) -> None:
    server.execute("create table items (item_id int primary key, updated_at timestamptz not null);")
    server.execute("insert into items values (1, '2024-01-01 00:00+00')")
    monkeypatch.setenv("RIPPLE_SOURCE_URL", server.url)
    settings = "\n".join(f"{k} = {v}" for k, v in timeouts.items())
    declare_sources(
        monkeypatch,
        tmp_path,
        f"""
[items]
kind = "table"
source_table = "public.items"
cursor = "updated_at"
primary_key = ["item_id"]
{settings}

[slow]
kind = "query"
query = "select 1 as slow_id, pg_sleep(60) as slept"
{settings}
""",
    )


def test_a_frozen_server_fails_the_run_in_one_line_within_the_timeout_and_frees_the_lock(
    make_postgres_server, deployment, monkeypatch, tmp_path
):
    server = make_postgres_server()
    frozen_source(monkeypatch, tmp_path, server, connect_timeout=2, statement_timeout=3)
    deployment.ripple("ingest", "items")
    server.freeze()
    started = time.monotonic()
    first = run_ripple("ingest", "items", timeout=60)
    assert time.monotonic() - started < 20
    assert first.returncode == 1
    assert first.stderr.startswith(f"ripple: items: extraction from {server.url} failed: ")
    assert "timeout expired" in first.stderr and len(first.stderr.splitlines()) == 1
    second = run_ripple("ingest", "items", timeout=60)  # the lock was released: it runs, and fails alike
    assert second.returncode == 1 and "another run holds" not in second.stderr
    server.thaw()
    server.execute("insert into items values (2, '2024-01-02 00:00+00')")
    deployment.ripple("ingest", "items")
    assert deployment.query("select count(*) from bronze.items") == [(2,)]
    assert deployment.query("select status from ops.ingestion_metadata order by started_at") == [
        ("success",),
        ("failed",),
        ("failed",),
        ("success",),
    ]


def test_a_statement_that_sends_nothing_fails_the_run_after_statement_timeout(
    make_postgres_server, deployment, monkeypatch, tmp_path
):
    server = make_postgres_server()
    frozen_source(monkeypatch, tmp_path, server, statement_timeout=2)
    started = time.monotonic()
    result = run_ripple("ingest", "slow", timeout=60)
    assert time.monotonic() - started < 20
    assert result.returncode == 1
    assert result.stderr == (
        f"ripple: slow: {server.url} sent nothing for 2 s (statement_timeout): "
        "the extraction was abandoned, the watermark not moved\n"
    )


def test_daily_with_the_database_down_loads_and_builds_the_files_reports_each_failure_and_waits(
    make_postgres_server, deployment, monkeypatch
):
    server = make_postgres_server()
    monkeypatch.setenv("RIPPLE_SOURCE_URL", server.url)
    deployment.generate(day(1), day(3))
    deployment.ripple("generate", "reference", "--units", "2")
    deployment.ripple("generate", "accounts", "--accounts", "20")
    deployment.ripple("generate", "sales", "--date", day(1), "--units", "2")
    deployment.hold_back(day(3))
    deployment.ripple("ingest")
    deployment.ripple("build")
    deployment.release(day(3))  # landed while the database is down
    server.stop()

    down = run_ripple("daily")
    assert down.returncode == 1
    errors = down.stderr.splitlines()
    assert errors[0].startswith("ripple: daily: no new day generated: ")
    assert [e.split(":")[1].strip() for e in errors[1:4]] == ["units", "products", "accounts_all"]
    assert (
        errors[4]
        == "ripple: daily: ingest failed for units, products, accounts_all (recorded in ops.ingestion_metadata)"
    )
    assert deployment.query("select max(business_date)::varchar from gold.daily_ops_metrics") == [(day(3),)]

    still_down = run_ripple("daily")
    assert still_down.returncode == 1
    assert "daily: the last run of units, products, accounts_all failed: no new day until it has loaded" in (
        still_down.stdout
    )
    assert not deployment.ticket_file(day(4)).exists()

    server.start()
    assert run_ripple("daily").returncode == 0  # catches up, still without a new day
    assert not deployment.ticket_file(day(4)).exists()
    assert run_ripple("daily").returncode == 0
    assert deployment.query("select max(business_date)::varchar from gold.daily_ops_metrics") == [(day(4),)]


def folder_bytes(path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def test_finished_load_packages_are_removed_or_kept_as_set_and_the_folder_stays_bounded(
    postgres, pg_schema, deployment, monkeypatch, tmp_path
):
    postgres.execute(f"create table {pg_schema}.lines (line_id int primary key, body text, n int)")
    monkeypatch.setenv("RIPPLE_SOURCE_URL", postgres.url)
    declare_sources(
        monkeypatch,
        tmp_path,
        f'[lines]\nkind = "table"\nsource_table = "{pg_schema}.lines"\ncursor = "n"\ncursor_type = "integer"\n'
        'primary_key = ["line_id"]\n',
    )
    pipelines = load_settings().pipelines_dir
    sizes = []
    for n in range(10):
        postgres.execute(
            f"insert into {pg_schema}.lines select g, md5(g::text), {n} from generate_series({n * 20000}, {n * 20000 + 19999}) g"
        )
        if n == 8:
            monkeypatch.setenv("RIPPLE_KEEP_LOAD_PACKAGES", "2")
        deployment.ripple("ingest", "lines")
        sizes.append(folder_bytes(pipelines))
    assert deployment.query("select count(*) from bronze.lines") == [(200_000,)]
    assert sizes[7] < sizes[0] * 1.5  # eight loads of 20,000 new rows each: no growth
    loaded = pipelines / "ripple_lines" / "load" / "loaded"
    assert len(list(loaded.iterdir())) == 2  # kept as RIPPLE_KEEP_LOAD_PACKAGES says
    assert sizes[9] > 10 * sizes[7]  # two packages of 40,000 rows each


def test_a_required_column_renamed_in_the_source_fails_the_run_naming_it(
    postgres, pg_schema, deployment, monkeypatch, tmp_path
):
    postgres.execute(f"""
        create table {pg_schema}.products (product_id int primary key, price numeric(10, 2), updated_at timestamptz);
        insert into {pg_schema}.products values (1, 9.90, '2024-01-01 00:00+00');
    """)
    monkeypatch.setenv("RIPPLE_SOURCE_URL", postgres.url)
    declare_sources(
        monkeypatch,
        tmp_path,
        f'[products]\nkind = "table"\nsource_table = "{pg_schema}.products"\ncursor = "updated_at"\n'
        'primary_key = ["product_id"]\nrequired_columns = ["price"]\n',
    )
    deployment.ripple("ingest", "products")
    postgres.execute(
        f"alter table {pg_schema}.products rename column price to unit_price;"
        f"update {pg_schema}.products set unit_price = 10.50, updated_at = '2024-01-02 00:00+00'"
    )
    result = run_ripple("ingest", "products")
    assert result.returncode == 1
    assert result.stderr == (
        f"ripple: products: required column price is missing from {pg_schema}.products (it has product_id, "
        "unit_price, updated_at); nothing was loaded: restore it in the source, or change required_columns "
        "in the declaration and the models reading it\n"
    )
    assert deployment.query("select price from bronze.products") == [(Decimal("9.90"),)]


def test_a_gold_column_that_may_never_be_null_fails_the_build_when_it_is(deployment):
    deployment.ripple("generate", "reference", "--units", "2")
    deployment.ripple("ingest", "units", "products")
    with connect(load_settings()) as con:  # a writer on the lake, as any DuckDB client could be
        con.execute("update bronze.products set price = null where product_id = 1")
    result = run_ripple("build", "--select", "+dim_products")
    assert result.returncode == 1
    assert "not_null_dim_products_current_price" in result.stdout + result.stderr


def test_source_type_changes_widen_bronze_or_fail_naming_the_command_that_reloads(
    postgres, pg_schema, deployment, monkeypatch, tmp_path, capsys
):
    postgres.execute(f"""
        create table {pg_schema}.prices (
            price_id int primary key, amount numeric(10, 2), code int, updated_at timestamp not null);
        insert into {pg_schema}.prices values (1, 1.25, 7, '2024-01-01 00:00');
    """)
    monkeypatch.setenv("RIPPLE_SOURCE_URL", postgres.url)
    declare_sources(
        monkeypatch,
        tmp_path,
        f'[prices]\nkind = "table"\nsource_table = "{pg_schema}.prices"\ncursor = "updated_at"\n'
        'primary_key = ["price_id"]\n',
    )
    deployment.ripple("ingest", "prices")

    postgres.execute(
        f"alter table {pg_schema}.prices alter column amount type numeric(12, 4);"
        f"alter table {pg_schema}.prices alter column code type text;"
        f"alter table {pg_schema}.prices alter column updated_at type timestamptz using updated_at at time zone 'UTC';"
        f"insert into {pg_schema}.prices values (2, 1.2345, 'x9', '2024-01-02 00:00+00')"
    )
    widened = run_ripple("ingest", "prices")
    assert widened.returncode == 1
    assert widened.stderr == (
        "ripple: prices: amount changed from DECIMAL(10,2) to DECIMAL(12,4) in the source; nothing was loaded: "
        "`ripple ingest prices --replace` reloads bronze.prices whole with the new type\n"
    )
    deployment.ripple("ingest", "prices", "--replace")
    assert deployment.query("select price_id, amount::varchar, code from bronze.prices order by 1") == [
        (1, "1.2500", "7"),
        (2, "1.2345", "x9"),
    ]
    assert watermark_of(deployment, "prices") == "2024-01-02 00:00:00+00:00"

    postgres.execute(
        f"alter table {pg_schema}.prices alter column amount type float8;"
        f"insert into {pg_schema}.prices values (3, 0.1, 'y', '2024-01-03 00:00+00')"
    )
    refused = run_ripple("ingest", "prices")
    assert refused.returncode == 1
    assert refused.stderr == (
        "ripple: prices: amount changed from DECIMAL(12,4) to DOUBLE in the source, which bronze.prices cannot "
        "take without losing values; nothing was loaded: `ripple ingest prices --replace` reloads the table "
        "whole with the new type\n"
    )
    postgres.execute(f"delete from {pg_schema}.prices where price_id = 1")  # deletes are seen only by a reload
    deployment.ripple("ingest", "prices", "--replace")
    assert deployment.query(
        "select data_type from information_schema.columns where table_schema = 'bronze' "
        "and table_name = 'prices' and column_name = 'amount'"
    ) == [("DOUBLE",)]
    assert deployment.query("select price_id, amount, code from bronze.prices order by 1") == [
        (2, 1.2345, "x9"),
        (3, 0.1, "y"),
    ]
    assert deployment.query(
        "select action, new_value from ops.watermark_changes where source_name = 'prices' order by changed_at desc limit 1"
    ) == [("replace", "2024-01-03 00:00:00+00:00")]
    deployment.ripple("ingest", "prices")  # and incremental runs go on from there


def test_sqlite_timestamps_with_offsets_keep_their_instant_and_the_latest_row_is_extracted(
    deployment, monkeypatch, tmp_path
):
    db = tmp_path / "operational.db"
    with sqlite3.connect(db) as con:
        con.execute("create table events (event_id integer primary key, updated_at timestamp)")
        con.executemany(
            "insert into events values (?, ?)", [(1, "2024-01-01 10:00:00+02:00"), (2, "2024-01-01 09:00:00")]
        )
    monkeypatch.setenv("RIPPLE_SOURCE_URL", f"sqlite:///{db}")
    declare_sources(
        monkeypatch,
        tmp_path,
        '[events]\nkind = "table"\nsource_table = "events"\ncursor = "updated_at"\nprimary_key = ["event_id"]\n',
    )
    deployment.ripple("ingest", "events")
    instants = "select event_id, (updated_at at time zone 'UTC')::varchar from bronze.events order by 1"
    assert deployment.query(instants) == [(1, "2024-01-01 08:00:00"), (2, "2024-01-01 09:00:00")]
    assert watermark_of(deployment, "events") == "2024-01-01 09:00:00"  # naive, in UTC

    with sqlite3.connect(db) as con:  # earlier on the wall than the watermark, later in fact
        con.execute("insert into events values (3, '2024-01-01 08:30:00-01:00')")
    deployment.ripple("ingest", "events")
    assert deployment.query(instants)[2] == (3, "2024-01-01 09:30:00")
    assert watermark_of(deployment, "events") == "2024-01-01 09:30:00"
