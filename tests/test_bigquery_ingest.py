"""`ripple ingest` into BigQuery (RIPPLE_DESTINATION=bigquery), offline: dlt's bigquery
destination and ripple's bookkeeping talk to a stand-in client that runs their SQL in DuckDB
(tests/bigquery_on_duckdb.py). The same landing zone and source database loaded into the
DuckDB warehouse is the reference: bronze must hold the same rows, and the run log, watermarks
and schema history must say the same.
"""

from __future__ import annotations

from datetime import datetime

import duckdb
import gcsfs
import pytest
from bigquery_on_duckdb import BigQueryOnDuckDB, error
from conftest import day, read_lake
from google.api_core.exceptions import Forbidden
from google.cloud import bigquery as google_bigquery
from offline_bigquery import PREFIX, PROJECT
from offline_google import google_cloud_offline, service_account_key, upload

from ingest.cli import main

DLT_COLUMNS = ("_dlt_load_id", "_dlt_id", "_loaded_at")  # differ between any two loads
BRONZE_TABLES = ("accounts_all", "products", "sales_order_items", "sales_orders", "tickets", "units")


@pytest.fixture
def bigquery(deployment, monkeypatch, tmp_path) -> BigQueryOnDuckDB:
    keyfile = tmp_path / "key.json"
    keyfile.write_text(service_account_key(PROJECT))
    for name, value in {
        "RIPPLE_DESTINATION": "bigquery",
        "RIPPLE_BQ_PROJECT": PROJECT,
        "RIPPLE_BQ_DATASET_PREFIX": PREFIX,
        "RIPPLE_BQ_LOCATION": "EU",
        "RIPPLE_BQ_AUTH": "keyfile",
        "RIPPLE_BQ_KEYFILE": str(keyfile),
    }.items():
        monkeypatch.setenv(name, value)
    stand_in = BigQueryOnDuckDB(tmp_path / "bigquery.duckdb", PROJECT, location="EU")
    monkeypatch.setattr(google_bigquery, "Client", stand_in.client)
    return stand_in


def land_everything(deployment) -> None:
    """Three ticket days (one with a bad row), a day of sales at 5 units, reference data and accounts."""
    deployment.generate(day(1), day(3))
    path = deployment.ticket_file(day(2))
    lines = path.read_text(encoding="utf-8").splitlines()
    bad = lines[1].split(",")
    bad[2] = "2023-01-02 25:99:00"
    lines[3] = ",".join(bad)  # line 4
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    deployment.ripple("generate", "reference", "--seed", "7")
    deployment.ripple(
        "generate", "sales", "--start", "2024-03-01", "--end", "2024-03-01", "--units", "5", "--seed", "7"
    )
    deployment.ripple("generate", "accounts", "--accounts", "60", "--seed", "7")


def wall_clock(value):
    """dlt stores a timestamp without time zone as a BigQuery TIMESTAMP (its DATETIME does not
    load from Parquet): the same wall clock, labelled UTC. The staging models read it back with
    cast(... as datetime), so compare wall clocks."""
    return value.replace(tzinfo=None) if isinstance(value, datetime) else value


def rows(con: duckdb.DuckDBPyConnection, relation: str, also_drop: tuple[str, ...] = ()) -> list[tuple]:
    columns = {c for (c,) in con.execute(f"select column_name from (describe {relation})").fetchall()}
    dropped = ", ".join(c for c in (*DLT_COLUMNS, *also_drop) if c in columns)
    result = con.execute(f"select * {f'exclude ({dropped})' if dropped else ''} from {relation}").fetchall()
    return sorted((tuple(wall_clock(v) for v in row) for row in result), key=repr)


def on_bigquery(stand_in: BigQueryOnDuckDB, dataset: str, table: str) -> str:
    return f'"{stand_in.project}"."{PREFIX}_{dataset}"."{table}"'


def bronze_everywhere(
    deployment, stand_in: BigQueryOnDuckDB, table: str, also_drop: tuple[str, ...] = ()
) -> tuple[list, list]:
    with read_lake() as con:
        local = rows(con, f"bronze.{table}", also_drop)
    return local, rows(stand_in.db, on_bigquery(stand_in, "bronze", table), also_drop)


def ingest_into_duckdb(deployment, monkeypatch, *sources: str) -> None:
    with monkeypatch.context() as local:
        local.setenv("RIPPLE_DESTINATION", "duckdb")
        deployment.ripple("ingest", *sources)


def test_bronze_and_ops_on_bigquery_equal_the_duckdb_warehouse_loaded_from_the_same_sources(
    deployment, bigquery, monkeypatch
):
    land_everything(deployment)
    deployment.ripple("ingest")
    ingest_into_duckdb(deployment, monkeypatch)

    for table in BRONZE_TABLES:
        local, remote = bronze_everywhere(deployment, bigquery, table)
        assert local, table
        assert remote == local, table
    quarantined = bigquery.db.execute(
        f"select _source_line, _reject_reason from {on_bigquery(bigquery, 'bronze', 'tickets')} "
        "where _reject_reason is not null"
    ).fetchall()
    assert quarantined == [(4, "updated_at: '2023-01-02 25:99:00' is not a valid timestamp")]

    with read_lake() as con:
        for table, columns, order in (
            (
                "ingestion_metadata",
                "source_name, status, rows_read, rows_loaded, rows_quarantined, files, bytes, checksum",
                "source_name",
            ),
            # a watermark never passes its run's start minus the lookback: the reference tables,
            # stamped just now, get a watermark from each run's own start (README: Watermarks)
            (
                "watermarks",
                "source_name, cursor_column, cursor_type, "
                "case when source_name not in ('units', 'products') then cursor_value end",
                "source_name",
            ),
            ("schema_history", "source_name, schema_version, column_name, data_type, ordinal", "source_name, ordinal"),
        ):
            local = con.execute(f"select {columns} from ops.{table} order by {order}").fetchall()
            remote = bigquery.db.execute(
                f"select {columns} from {on_bigquery(bigquery, 'ops', table)} order by {order}"
            ).fetchall()
            assert remote == local, table
    reconciled = bigquery.db.execute(
        f"select sum(rows_read), sum(rows_loaded + rows_quarantined), sum(rows_quarantined) "
        f"from {on_bigquery(bigquery, 'ops', 'ingestion_metadata')}"
    ).fetchone()
    assert reconciled[0] == reconciled[1] and reconciled[2] == 1


def test_a_second_run_changes_nothing_and_a_changed_file_replaces_its_rows(deployment, bigquery, capsys):
    deployment.generate(day(1), day(3))
    deployment.ripple("generate", "reference", "--seed", "7")
    sources = ("tickets", "units", "products")
    deployment.ripple("ingest", *sources)
    tickets = on_bigquery(bigquery, "bronze", "tickets")
    before = {t: rows(bigquery.db, on_bigquery(bigquery, "bronze", t)) for t in sources}
    loads = len(bigquery.jobs)

    deployment.ripple("ingest", *sources)
    assert {t: rows(bigquery.db, on_bigquery(bigquery, "bronze", t)) for t in sources} == before
    assert "tickets: nothing new" in capsys.readouterr().out

    path = deployment.ticket_file(day(3))
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join(lines[:-10]) + "\n", encoding="utf-8")  # the source re-sends a shorter day
    deployment.ripple("ingest", "tickets")
    per_file = dict(bigquery.db.execute(f"select _source_file, count(*) from {tickets} group by all").fetchall())
    assert per_file[f"tickets/tickets_{day(3)}.csv"] == len(lines) - 11  # header and 10 rows gone
    assert sum(per_file.values()) == len(before["tickets"]) - 10
    assert len(bigquery.jobs) > loads


def test_tables_status_and_watermark_commands_work_on_bigquery(deployment, bigquery, capsys):
    deployment.generate(day(1))
    deployment.ripple("ingest", "tickets")
    capsys.readouterr()
    deployment.ripple("tables")
    out = capsys.readouterr().out
    assert f"warehouse BigQuery {PROJECT}.{PREFIX}_*" in out
    assert "bronze.tickets" in out and "ops.ingestion_metadata" in out
    deployment.ripple("status")
    assert "1 files, latest day 2023-01-01" in capsys.readouterr().out
    deployment.ripple("watermark", "set", "units", "2024-05-01 12:00:00")
    deployment.ripple("watermark", "show", "units")
    assert capsys.readouterr().out.endswith("units: updated_at (timestamp) = 2024-05-01 12:00:00\n")
    assert bigquery.db.execute(
        f"select action, old_value, new_value, changed_by from {on_bigquery(bigquery, 'ops', 'watermark_changes')}"
    ).fetchall() == [("set", None, "2024-05-01 12:00:00", "cli")]
    assert not deployment.warehouse.exists()  # nothing went to the local warehouse
    assert all(
        c is not None and c.service_account_email == f"ripple@{PROJECT}.iam.gserviceaccount.com"
        for c in bigquery.credentials
    )


def test_a_bigquery_error_fails_the_run_in_one_line_and_the_next_run_loads_everything(
    deployment, bigquery, monkeypatch, capsys
):
    deployment.generate(day(1), day(2))
    refuse = error(Forbidden, "Quota exceeded: too many table update operations", "quotaExceeded")
    with monkeypatch.context() as broken:
        broken.setattr(bigquery, "load_table_from_file", lambda *a, **k: (_ for _ in ()).throw(refuse))
        assert main(["ingest", "tickets"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Quota exceeded: too many table update operations" in err
    status, message = bigquery.db.execute(
        f"select status, error_message from {on_bigquery(bigquery, 'ops', 'ingestion_metadata')}"
    ).fetchone()
    assert status == "failed" and "Quota exceeded" in message

    deployment.ripple("ingest", "tickets")
    generated = sum(len(deployment.ticket_file(day(n)).read_text().splitlines()) - 1 for n in (1, 2))
    assert (
        bigquery.db.execute(
            f"select count(*), count(distinct ticket_id || status || updated_at) "
            f"from {on_bigquery(bigquery, 'bronze', 'tickets')}"
        ).fetchone()
        == (generated,) * 2
    )


def test_bigquery_settings_are_checked_before_anything_runs(deployment, monkeypatch, capsys):
    monkeypatch.setenv("RIPPLE_DESTINATION", "bigquery")
    for variable, value, expected in (
        ("RIPPLE_BQ_PROJECT", "", "RIPPLE_DESTINATION=bigquery needs RIPPLE_BQ_PROJECT"),
        ("RIPPLE_BQ_AUTH", "password", "RIPPLE_BQ_AUTH='password': use oauth"),
        ("RIPPLE_BQ_KEYFILE", "/nonexistent.json", "RIPPLE_BQ_AUTH=keyfile needs RIPPLE_BQ_KEYFILE"),
        ("RIPPLE_BQ_STAGING_URL", "s3://bucket", "RIPPLE_BQ_STAGING_URL='s3://bucket': BigQuery loads from gs:// only"),
        ("RIPPLE_DESTINATION", "snowflake", "RIPPLE_DESTINATION='snowflake': use one of duckdb, bigquery"),
    ):
        with monkeypatch.context() as setting:
            setting.setenv("RIPPLE_BQ_PROJECT", PROJECT)
            setting.setenv("RIPPLE_BQ_AUTH", "keyfile" if variable == "RIPPLE_BQ_KEYFILE" else "oauth")
            setting.setenv(variable, value)
            assert main(["ingest"]) == 1
        err = capsys.readouterr().err
        assert err.startswith(f"ripple: {expected}") and err.count("\n") == 1, err
    # the commands that drive dbt on the DuckDB warehouse refuse before they change anything
    monkeypatch.setenv("RIPPLE_BQ_PROJECT", PROJECT)
    deployment.generate(day(1))
    landed = sorted(deployment.landing.iterdir())
    for command in (["build"], ["daily"], ["summary"], ["reset", "tickets", "--date", day(1)]):
        assert main(command) == 1
        assert capsys.readouterr().err.startswith(
            "ripple: RIPPLE_DESTINATION=bigquery: ripple builds the DuckDB warehouse"
        ), command
    assert sorted(deployment.landing.iterdir()) == landed and not deployment.warehouse.exists()


def test_a_gs_landing_zone_staged_through_a_gs_bucket_loads_what_local_files_load_into_duckdb(
    deployment, bigquery, monkeypatch, tmp_path
):
    """Everything Google in one run, signed in with application-default credentials: the landing
    zone on gs://, dlt staging its load files in a gs:// bucket, BigQuery loading from there."""
    deployment.generate(day(1), day(2))
    deployment.ripple("generate", "reference", "--seed", "7")
    ingest_into_duckdb(deployment, monkeypatch, "tickets", "units")  # from the local landing zone
    with google_cloud_offline(monkeypatch, tmp_path, PROJECT, ("landing-zone", "staging")) as tokens:
        upload(deployment.data_dir / "landing", "gs://landing-zone/ripple")
        monkeypatch.setenv("RIPPLE_LANDING_URL", "gs://landing-zone/ripple")
        monkeypatch.setenv("RIPPLE_BQ_STAGING_URL", "gs://staging/loads")
        monkeypatch.setenv("RIPPLE_BQ_AUTH", "oauth")
        deployment.ripple("ingest", "tickets", "units")
        staged = gcsfs.GCSFileSystem(token="anon", skip_instance_cache=True).find("staging/loads")
        assert tokens.grants > 0  # credentials were refreshed against the token endpoint
    assert any(path.endswith(".parquet") for path in staged)
    for table in ("tickets", "units"):
        # a bucket keeps no inode change time, a local disk does
        local, remote = bronze_everywhere(
            deployment, bigquery, table, also_drop=("_file_modified_at", "_file_changed_at")
        )
        assert local and remote == local, table
