"""Each test gets its own deployment: a data dir with its own landing zone, warehouse and dlt state."""

from __future__ import annotations

import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb
import pytest
from postgres_server import PostgresServer

from generator import tickets
from ingest.cli import main

RIPPLE = str(Path(sys.executable).with_name("ripple"))
# A plain progress line on stderr comes only after this long: what a test reads on stderr does not
# depend on how fast the machine runs it (the tests of progress set their own period)
os.environ["RIPPLE_PROGRESS_SECONDS"] = "86400"
SMALL_VOLUME = 40  # tickets a day: enough for every status path, small enough for many dbt runs


def free_port() -> int:
    """A TCP port nothing listens on, for a server a test starts."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def shifted_clock(offset: str) -> dict[str, str]:
    """Environment for a process whose wall clock runs `offset` ("+3d", "-2h") from the real one:
    libfaketime (a pip wheel) preloaded, so Python, DuckDB and dbt all see the same shifted time."""
    import libfaketime

    return {
        "LD_PRELOAD": str(Path(libfaketime.__file__).parent / "vendor/libfaketime/src/libfaketime.so.1"),
        "FAKETIME": offset,
        "FAKETIME_NO_CACHE": "1",
        "DONT_FAKE_MONOTONIC": "1",
    }


def run_dbt_command(deployment: Deployment, *args: str) -> subprocess.CompletedProcess:
    """Plain dbt, as the README shows it, on this deployment's warehouse."""
    from ingest.config import DBT_PROFILES_DIR, DBT_PROJECT_DIR, load_settings
    from ingest.transform import dbt_env

    command = [str(Path(sys.executable).with_name("dbt")), *args, "--project-dir", str(DBT_PROJECT_DIR)]
    return subprocess.run(
        [*command, "--profiles-dir", str(DBT_PROFILES_DIR)],
        capture_output=True,
        text=True,
        env=dbt_env(load_settings()),
        timeout=300,
    )


def read_lake(env: dict | None = None) -> duckdb.DuckDBPyConnection:
    """A read-only connection to the lake of this test's settings (plus `env`), its own each time."""
    from ingest.config import load_settings
    from ingest.lake import open_lake

    saved = dict(os.environ)
    os.environ.update(env or {})
    try:
        settings = load_settings()
    finally:
        os.environ.clear()
        os.environ.update(saved)
    return open_lake(settings, read_only=True)


def run_ripple(*args: str, env: dict | None = None, timeout: int = 300) -> subprocess.CompletedProcess:
    """`ripple ARGS` as a process of its own, in this test's environment plus `env`."""
    return subprocess.run(
        [RIPPLE, *args], capture_output=True, text=True, env={**os.environ, **(env or {})}, timeout=timeout
    )


@dataclass
class Deployment:
    data_dir: Path

    @property
    def landing(self) -> Path:
        return self.data_dir / "landing" / tickets.LANDING_SUBDIR

    @property
    def warehouse(self) -> Path:
        """The lake's catalog: it exists once anything opened the warehouse."""
        return self.data_dir / "lake.sqlite"

    def ripple(self, *args: str) -> None:
        code = main(list(args))
        assert code == 0, f"ripple {' '.join(args)} exited {code}"

    def generate(self, start: str, end: str | None = None, volume: int = SMALL_VOLUME) -> None:
        self.ripple("generate", "tickets", "--start", start, "--end", end or start, "--volume", str(volume))

    def ticket_file(self, day: str) -> Path:
        return self.landing / f"tickets_{day}.csv"

    def hold_back(self, day: str) -> Path:
        """Move a landed file out of the landing zone, as if it had not arrived yet."""
        held = self.data_dir / "held" / f"tickets_{day}.csv"
        held.parent.mkdir(exist_ok=True)
        shutil.move(self.ticket_file(day), held)
        return held

    def release(self, day: str) -> None:
        shutil.move(self.data_dir / "held" / f"tickets_{day}.csv", self.ticket_file(day))

    def build_with_a_late_day(self, last: int, late: int) -> None:
        """Days 1..`last` ingested and built without day `late`, then that day landing late and
        ingested and built too."""
        self.generate(day(1), day(last))
        self.hold_back(day(late))
        self.ripple("ingest", "tickets")
        self.ripple("build")
        self.release(day(late))
        self.ripple("ingest", "tickets")
        self.ripple("build")

    def query(self, sql: str, params=None) -> list[tuple]:
        with read_lake() as con:
            return con.execute(sql, params or []).fetchall()

    def tables(self, schema: str) -> list[str]:
        return [
            r[0]
            for r in self.query(
                "select table_name from information_schema.tables "
                "where table_schema = ? and table_type = 'BASE TABLE' order by 1",
                [schema],
            )
        ]

    def assert_full_refresh_changes_nothing(self, schemas=("silver", "gold"), select=()) -> None:
        """The promise: what incremental runs built equals `ripple build --full-refresh` on the same bronze."""
        incremental = self.snapshot(schemas=schemas)
        self.ripple("build", "--full-refresh", *(["--select", *select] if select else []))
        assert self.snapshot(schemas=schemas) == incremental

    def snapshot(self, schemas=("silver", "gold"), drop_columns=()) -> dict[str, list[tuple]]:
        """Every table's full content, sorted, optionally without some columns."""
        result = {}
        with read_lake() as con:
            for schema in schemas:
                for (table,) in con.execute(
                    "select table_name from information_schema.tables "
                    "where table_schema = ? and table_type = 'BASE TABLE'",
                    [schema],
                ).fetchall():
                    columns = {
                        c
                        for (c,) in con.execute(
                            "select column_name from information_schema.columns "
                            "where table_schema = ? and table_name = ?",
                            [schema, table],
                        ).fetchall()
                    }
                    dropped = [c for c in drop_columns if c in columns]
                    exclude = f" exclude ({', '.join(dropped)})" if dropped else ""
                    result[f"{schema}.{table}"] = con.execute(
                        f'select *{exclude} from "{schema}"."{table}" order by all'
                    ).fetchall()
        return result


@pytest.fixture
def deployment(tmp_path, monkeypatch) -> Deployment:
    monkeypatch.setenv("RIPPLE_DATA_DIR", str(tmp_path / "data"))
    for var in ("RIPPLE_LAKE_CATALOG", "RIPPLE_LAKE_DATA_PATH", "RIPPLE_LANDING_URL"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("DBT_TARGET", "ci")
    return Deployment(tmp_path / "data")


GOLD_TABLES = {
    "fact_tickets": ["ticket_id"],
    "features_daily": ["business_date"],
    "backlog_daily": ["business_date"],
    "daily_agent_load": ["agent_id", "business_date"],
    "daily_ops_metrics": ["business_date"],
    "sla_risk": ["priority", "breach_bucket"],
}


def day(n: int) -> str:
    """Business day n (1-based) of the test history, starting on the world's first day."""
    return date.fromordinal(tickets.WORLD_START.toordinal() + n - 1).isoformat()


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    """This test process's PostgreSQL server (pytest-xdist: one per worker), started when a test
    first asks for it and shared by the tests that follow; each uses a schema of its own."""
    with PostgresServer() as server:
        yield server


@pytest.fixture
def pg_schema(postgres):
    """A fresh schema on the worker's PostgreSQL server, dropped afterwards."""
    name = f"ripple_test_{uuid.uuid4().hex[:8]}"
    postgres.execute(f"create schema {name}")
    try:
        yield name
    finally:
        postgres.execute(f"drop schema {name} cascade")


@pytest.fixture
def make_postgres_server() -> Iterator[Callable[..., PostgresServer]]:
    """Starts servers of a test's own, which it may stop, freeze, thaw and restart:
    `server = make_postgres_server()` (or `(password=...)`); all are removed after the test."""
    servers: list[PostgresServer] = []

    def make(**options) -> PostgresServer:
        servers.append(PostgresServer(**options))
        return servers[-1]

    yield make
    for server in servers:
        server.remove()


def requires_root(what: str) -> None:
    """Skip a test that needs root (mounts) when not root, saying why; under CI, which runs as
    root, fail instead, so that a test CI relies on can never be skipped unnoticed."""
    if os.geteuid() == 0:
        return
    if os.environ.get("CI"):
        pytest.fail(f"{what} needs root, and CI must run it (CI is set)")
    pytest.skip(f"{what} needs root")


@pytest.fixture(scope="session")
def chromium():
    """A headless Playwright Browser running Debian's chromium (tests/browser.py), shared by the
    session's UI tests; each test opens its own page (`chromium.new_page()`)."""
    from browser import chromium_path
    from playwright.sync_api import sync_playwright

    try:
        executable = chromium_path()
    except RuntimeError as exc:
        pytest.fail(str(exc))
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, headless=True, args=["--no-sandbox"])
        try:
            yield browser
        finally:
            browser.close()


def declare_sources(monkeypatch, tmp_path, toml: str) -> None:
    path = tmp_path / "sources.toml"
    path.write_text(toml, encoding="utf-8")
    monkeypatch.setenv("RIPPLE_SOURCES_FILE", str(path))


def add_versions(source_db, key: int, month: str, versions: dict[str, float]) -> None:
    """New versions of one account-month in the operational database: base_ts -> balance."""
    with sqlite3.connect(source_db) as con:
        template = con.execute(
            "select * from accounts_all where cons_acct_key = ? order by rpt_as_of_mo desc limit 1", [key]
        ).fetchone()
        columns = [c[1] for c in con.execute("pragma table_info(accounts_all)")]
        for base_ts, balance in versions.items():
            row = dict(zip(columns, template, strict=True)) | {
                "rpt_as_of_mo": month,
                "base_ts": base_ts,
                "balance_am": balance,
            }
            con.execute(f"insert into accounts_all values ({', '.join('?' * len(row))})", list(row.values()))
