"""Direct access to the warehouse for what is neither dlt's nor dbt's job (ripple's ops tables,
status, counts): the DuckLake (ingest/lake.py), or on BigQuery a connection with the same small API
(ingest/bigquery.py). Both satisfy `Warehouse`; callers never ask which one they hold."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol, Self

import duckdb

from ingest.config import LakeSettings, Settings
from ingest.lake import open_lake


class Warehouse(Protocol):
    """The part of a DB-API-like connection ripple uses, plus two catalog questions."""

    def execute(self, sql: str, params: Sequence[Any] | None = None) -> Any: ...

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> Any: ...

    def fetchone(self) -> tuple[Any, ...] | None: ...

    def fetchall(self) -> list[tuple[Any, ...]]: ...

    def table_exists(self, schema: str, table: str) -> bool: ...

    def columns(self, schema: str, table: str) -> list[str]:
        """The table's column names, in order; none when it does not exist."""
        ...

    def table_counts(self, schemas: Sequence[str]) -> list[tuple[str, str, int]]:
        """(schema, table, rows) for every table and view in the given schemas."""
        ...

    def current_snapshot(self) -> int | None:
        """The lake's latest committed snapshot id; none on a warehouse without snapshots."""
        ...

    def close(self) -> None: ...

    def __enter__(self) -> Self: ...

    def __exit__(self, *exc: object) -> None: ...


class DuckDBWarehouse:
    """A cursor on the lake. `execute` returns the DuckDB cursor itself, so results are fetched
    the usual way (`fetchone`, `fetchall`, `fetch_arrow_table`); `close` closes only the cursor."""

    def __init__(self, con: duckdb.DuckDBPyConnection):
        self.con = con

    def execute(self, sql: str, params: Sequence[Any] | None = None) -> duckdb.DuckDBPyConnection:
        return self.con.execute(sql, params or [])

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> duckdb.DuckDBPyConnection:
        return self.con.executemany(sql, rows)

    def fetchone(self) -> tuple[Any, ...] | None:
        return self.con.fetchone()

    def fetchall(self) -> list[tuple[Any, ...]]:
        return self.con.fetchall()

    def table_exists(self, schema: str, table: str) -> bool:
        return bool(self.columns(schema, table))

    def columns(self, schema: str, table: str) -> list[str]:
        rows = self.con.execute(
            "select column_name from information_schema.columns "
            "where table_catalog = current_database() and table_schema = ? and table_name = ? "
            "order by ordinal_position",
            [schema, table],
        ).fetchall()
        return [name for (name,) in rows]

    def table_counts(self, schemas: Sequence[str]) -> list[tuple[str, str, int]]:
        names = self.con.execute(
            f"select table_schema, table_name from information_schema.tables "
            f"where table_catalog = current_database() and table_schema in ({', '.join('?' * len(schemas))}) and table_name not like '\\_dlt%' escape '\\' "
            f"order by array_position(?, table_schema), table_name",
            [*schemas, list(schemas)],
        ).fetchall()
        counts = []
        for schema, table in names:
            row = self.con.execute(f'select count(*) from "{schema}"."{table}"').fetchone()
            counts.append((schema, table, row[0] if row else 0))
        return counts

    def current_snapshot(self) -> int | None:
        row = self.con.execute("select id from current_snapshot()").fetchone()
        return row[0] if row else None

    def close(self) -> None:
        self.con.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def exists(settings: Settings) -> bool:
    """Whether the lake was ever opened (on BigQuery or a PostgreSQL catalog, each table's absence
    is found when asked)."""
    return settings.bigquery is not None or settings.lake.on_postgres or Path(settings.lake.catalog).exists()


# One lake connection per process and mode, shared by ripple's code and dlt: attaching the
# catalog once, each caller gets a cursor of its own (DuckDB's unit of concurrency).
_lakes: dict[tuple[LakeSettings, bool], duckdb.DuckDBPyConnection] = {}


def lake_connection(settings: Settings, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """This process's connection to the lake (read-only ones never write, whatever they run)."""
    key = (settings.lake, read_only)
    if key not in _lakes:
        _lakes[key] = open_lake(settings, read_only=read_only)
    return _lakes[key]


def connect(settings: Settings, read_only: bool = False) -> Warehouse:
    if settings.bigquery:
        from ingest.bigquery import BigQueryConnection

        return BigQueryConnection(settings.bigquery)
    cursor = lake_connection(settings, read_only).cursor()
    if read_only:  # the reader's lake is attached, not its main database: a cursor starts without the USE
        cursor.execute("use lake")
    return DuckDBWarehouse(cursor)
