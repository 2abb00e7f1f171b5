"""Faults of the parts ripple runs on: an operational database that checks passwords, a full
disk, a read-only warehouse. Each must give a one-line error, leave the data as it was, and
let the next healthy run catch up exactly."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import day, declare_sources, read_lake, requires_root
from conftest import run_ripple as ripple
from postgres_server import PostgresServer

PASSWORD = "Right-Pa55word-c41e"
WRONG = "Wrong-Pa55word-9b02"


@pytest.fixture(scope="module")
def password_server():
    """A PostgreSQL server that checks passwords (scram-sha-256), unlike the workers' shared one,
    which trusts every local connection and so cannot reject a password."""
    with PostgresServer(user="ripple", password=PASSWORD) as server:
        server.execute(
            "create table orders (order_id int primary key, amount numeric(10, 2), updated_at timestamptz not null)"
        )
        yield server


def test_wrong_password_is_one_line_naming_the_source_advances_nothing_and_the_next_run_catches_up(
    password_server, deployment, monkeypatch, tmp_path
):
    url, port = password_server.url, password_server.port
    password_server.execute(
        "insert into orders select g, g, timestamptz '2024-01-01' + g * interval '1 hour' from generate_series(1, 10) g"
    )
    declare_sources(
        monkeypatch,
        tmp_path,
        """
[orders]
kind = "table"
source_table = "public.orders"
cursor = "updated_at"
primary_key = ["order_id"]
""",
    )
    monkeypatch.setenv("RIPPLE_SOURCE_URL", url)
    assert ripple("ingest", "orders").returncode == 0
    password_server.execute(
        "insert into orders select g, g, timestamptz '2024-02-01' + g * interval '1 hour' from generate_series(11, 15) g"
    )

    wrong = ripple("ingest", "orders", env={"RIPPLE_SOURCE_URL": url.replace(PASSWORD, WRONG)})
    assert wrong.returncode == 1
    assert wrong.stderr.startswith(
        f"ripple: orders: extraction from postgresql://ripple:***@127.0.0.1:{port}/postgres failed"
    ), wrong.stderr
    assert "password authentication failed" in wrong.stderr
    assert len(wrong.stderr.strip().splitlines()) == 1 and WRONG not in wrong.stderr + wrong.stdout
    assert deployment.query("select status from ops.ingestion_metadata order by started_at") == [
        ("success",),
        ("failed",),
    ]
    assert deployment.query("select cursor_value from ops.watermarks") == [("2024-01-01 10:00:00+00:00",)]
    assert deployment.query("select count(*) from bronze.orders") == [(10,)]

    assert ripple("ingest", "orders").returncode == 0
    assert deployment.query("select count(*), count(distinct order_id), max(order_id) from bronze.orders") == [
        (15, 15, 15)
    ]
    assert deployment.query("select cursor_value from ops.watermarks") == [("2024-02-01 15:00:00+00:00",)]


@pytest.fixture
def small_disk(tmp_path):
    """A real 64 MB filesystem (tmpfs) for the data dir, so that a disk can fill up and turn
    read-only; root ignores file modes, a read-only mount it cannot."""
    requires_root("mounting a tmpfs")
    mount_point = tmp_path / "small_disk"
    mount_point.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64m", "tmpfs", str(mount_point)], check=True)
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", "-l", str(mount_point)], check=True)


def fill(disk: Path, leave_bytes: int) -> Path:
    ballast = disk / "ballast"
    free = shutil.disk_usage(disk).free
    with open(ballast, "wb") as f:
        os.posix_fallocate(f.fileno(), 0, free - leave_bytes)
    return ballast


def ticket_deployment(deployment, monkeypatch, disk: Path):
    """Warehouse, dlt state and dbt files on the small disk; the landing zone stays on the big one."""
    monkeypatch.setenv("RIPPLE_LANDING_URL", str(deployment.data_dir / "landing"))
    monkeypatch.setenv("RIPPLE_LAKE_CATALOG", str(disk / "lake.sqlite"))
    monkeypatch.setenv("RIPPLE_LAKE_DATA_PATH", str(disk / "lake"))
    return {"RIPPLE_DATA_DIR": str(disk / "data")}


def warehouse_rows() -> dict[str, list[tuple]]:
    with read_lake() as con:
        return {
            t: con.execute(f"select * from {t} order by all").fetchall()
            for t in (
                "bronze.tickets",
                "silver.int_ticket_events_deduplicated",
                "gold.fact_tickets",
                "gold.backlog_daily",
            )
        }


@pytest.mark.parametrize("on_small_disk", ["warehouse and dlt folder", "warehouse alone"])
def test_a_full_disk_fails_with_a_clear_error_keeps_the_data_and_the_next_run_catches_up(
    deployment, monkeypatch, small_disk, on_small_disk
):
    env = ticket_deployment(deployment, monkeypatch, small_disk)
    if on_small_disk == "warehouse alone":  # the disk fills while DuckDB writes, not while dlt normalizes
        env["RIPPLE_DATA_DIR"] = str(deployment.data_dir)
    deployment.generate(day(1), day(3), volume=200)
    assert ripple("ingest", "tickets", env=env).returncode == 0
    assert ripple("build", env=env).returncode == 0
    before = warehouse_rows()

    deployment.generate(day(4), day(12), volume=1500)  # ~4 MB of new files, more than the disk has left
    ballast = fill(small_disk, leave_bytes=1_000_000)
    full = ripple("ingest", "tickets", env=env)
    assert full.returncode == 1
    assert full.stderr.startswith("ripple: tickets: ") and "No space left on device" in full.stderr, full.stderr
    assert len(full.stderr.strip().splitlines()) == 1 and "Traceback" not in full.stderr
    ballast.unlink()
    assert warehouse_rows() == before  # nothing half-written is visible

    assert ripple("ingest", "tickets", env=env).returncode == 0
    status = ripple("status", env=env)
    assert status.returncode == 0, status.stdout + status.stderr
    files = sorted(deployment.landing.glob("*.csv"))
    lines = sum(len(f.read_text().splitlines()) - 1 for f in files)
    with read_lake() as con:
        assert con.execute("select count(*), count(distinct _source_file) from bronze.tickets").fetchall() == [
            (lines, len(files))
        ]
        statuses = [
            s for (s,) in con.execute("select status from ops.ingestion_metadata order by started_at").fetchall()
        ]
    assert statuses == ["success", "failed", "success"]
    if on_small_disk == "warehouse alone":
        return  # the build half below runs once, with every file of the deployment on the full disk

    # the disk fills up again while dbt builds: the build fails, gold keeps its last good state
    loaded = warehouse_rows()
    ballast = fill(small_disk, leave_bytes=1_000_000)
    build = ripple("build", env=env)
    # (dbt may also complain on stderr that it cannot write its own log on that disk)
    assert build.returncode == 1 and build.stderr.splitlines()[-1].startswith("ripple: dbt build failed")
    # DuckDB's Parquet writer says so; the lake's SQLite catalog, failing to grow its WAL, says "disk I/O error"
    assert "No space left on device" in build.stdout or "disk I/O error" in build.stdout, build.stdout
    ballast.unlink()
    assert warehouse_rows() == loaded
    assert ripple("build", env=env).returncode == 0
    incremental = warehouse_rows()
    assert incremental["gold.fact_tickets"] != loaded["gold.fact_tickets"]
    assert ripple("build", "--full-refresh", env=env).returncode == 0
    assert warehouse_rows() == incremental


def test_a_read_only_warehouse_fails_with_a_clear_error_and_changes_nothing(deployment, monkeypatch, small_disk):
    env = ticket_deployment(deployment, monkeypatch, small_disk)
    env["RIPPLE_DATA_DIR"] = str(deployment.data_dir)  # only the warehouse on the disk turned read-only
    warehouse = small_disk / "lake.sqlite"
    deployment.generate(day(1), day(3))
    assert ripple("ingest", "tickets", env=env).returncode == 0
    assert ripple("build", env=env).returncode == 0
    before = warehouse_rows()
    deployment.generate(day(4), day(5))

    subprocess.run(["mount", "-o", "remount,ro", str(small_disk)], check=True)
    try:
        for command in (["ingest", "tickets"], ["build"]):
            result = ripple(*command, env=env)
            assert result.returncode == 1, command
            assert result.stderr.startswith("ripple: ") and "read-only" in result.stderr.lower(), result.stderr
            assert str(warehouse) in result.stderr, result.stderr
            assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr
        assert warehouse_rows() == before
    finally:
        subprocess.run(["mount", "-o", "remount,rw", str(small_disk)], check=True)
    assert ripple("ingest", "tickets", env=env).returncode == 0
    assert ripple("build", env=env).returncode == 0
    assert warehouse_rows()["bronze.tickets"] != before["bronze.tickets"]
