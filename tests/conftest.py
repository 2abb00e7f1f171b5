"""Each test gets its own deployment: a data dir with its own landing zone, warehouse and dlt state."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb
import pytest

from generator import tickets
from ingest.cli import main

RIPPLE = str(Path(sys.executable).with_name("ripple"))
SMALL_VOLUME = 40  # tickets a day: enough for every status path, small enough for many dbt runs


def free_port() -> int:
    """A TCP port nothing listens on, for a server a test starts."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run_ripple(*args: str, env: dict | None = None, timeout: int = 300) -> subprocess.CompletedProcess:
    """`ripple ARGS` as a process of its own, in this test's environment plus `env`."""
    return subprocess.run([RIPPLE, *args], capture_output=True, text=True, env={**os.environ, **(env or {})},
                          timeout=timeout)


@dataclass
class Deployment:
    data_dir: Path

    @property
    def landing(self) -> Path:
        return self.data_dir / "landing" / tickets.LANDING_SUBDIR

    @property
    def warehouse(self) -> Path:
        return self.data_dir / "warehouse.duckdb"

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

    def query(self, sql: str, params=None) -> list[tuple]:
        with duckdb.connect(str(self.warehouse), read_only=True) as con:
            return con.execute(sql, params or []).fetchall()

    def tables(self, schema: str) -> list[str]:
        return [r[0] for r in self.query(
            "select table_name from information_schema.tables "
            "where table_schema = ? and table_type = 'BASE TABLE' order by 1", [schema])]

    def assert_full_refresh_changes_nothing(self, schemas=("silver", "gold"), select=()) -> None:
        """The promise: what incremental runs built equals `ripple build --full-refresh` on the same bronze."""
        incremental = self.snapshot(schemas=schemas)
        self.ripple("build", "--full-refresh", *(["--select", *select] if select else []))
        assert self.snapshot(schemas=schemas) == incremental

    def snapshot(self, schemas=("silver", "gold"), drop_columns=()) -> dict[str, list[tuple]]:
        """Every table's full content, sorted, optionally without some columns."""
        result = {}
        with duckdb.connect(str(self.warehouse), read_only=True) as con:
            for schema in schemas:
                for (table,) in con.execute(
                    "select table_name from information_schema.tables "
                    "where table_schema = ? and table_type = 'BASE TABLE'", [schema]
                ).fetchall():
                    columns = {c for (c,) in con.execute(
                        "select column_name from information_schema.columns "
                        "where table_schema = ? and table_name = ?", [schema, table]).fetchall()}
                    dropped = [c for c in drop_columns if c in columns]
                    exclude = f" exclude ({', '.join(dropped)})" if dropped else ""
                    result[f"{schema}.{table}"] = con.execute(
                        f'select *{exclude} from "{schema}"."{table}" order by all').fetchall()
        return result


@pytest.fixture
def deployment(tmp_path, monkeypatch) -> Deployment:
    monkeypatch.setenv("RIPPLE_DATA_DIR", str(tmp_path / "data"))
    for var in ("RIPPLE_WAREHOUSE", "RIPPLE_LANDING_URL"):
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


PG_URL = "postgresql://postgres@127.0.0.1:5432/test"


@pytest.fixture
def pg_schema():
    """A fresh schema on the real PostgreSQL server, dropped afterwards."""
    import uuid

    import psycopg

    name = f"ripple_test_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(PG_URL, autocommit=True) as con:
        con.execute(f"create schema {name}")
    try:
        yield name
    finally:
        with psycopg.connect(PG_URL, autocommit=True) as con:
            con.execute(f"drop schema {name} cascade")


def pg_execute(sql: str, params=None) -> None:
    import psycopg

    with psycopg.connect(PG_URL, autocommit=True) as con:
        con.execute(sql, params)


def declare_sources(monkeypatch, tmp_path, toml: str) -> None:
    path = tmp_path / "sources.toml"
    path.write_text(toml, encoding="utf-8")
    monkeypatch.setenv("RIPPLE_SOURCES_FILE", str(path))
