"""Direct access to the warehouse for what is neither dlt's nor dbt's job (ripple's ops tables,
status, counts): the DuckDB file, or on BigQuery a connection with the same small API
(ingest/bigquery.py). Both satisfy `Warehouse`; callers never ask which one they hold."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol, Self

import duckdb

from ingest.config import Settings
from ingest.errors import RippleError


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

    def close(self) -> None: ...

    def __enter__(self) -> Self: ...

    def __exit__(self, *exc: object) -> None: ...


class DuckDBWarehouse:
    """The DuckDB file. `execute` returns the DuckDB connection itself, so results are fetched
    the usual way (`fetchone`, `fetchall`, `fetch_arrow_table`)."""

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
            "select column_name from information_schema.columns where table_schema = ? and table_name = ? "
            "order by ordinal_position",
            [schema, table],
        ).fetchall()
        return [name for (name,) in rows]

    def table_counts(self, schemas: Sequence[str]) -> list[tuple[str, str, int]]:
        names = self.con.execute(
            f"select table_schema, table_name from information_schema.tables "
            f"where table_schema in ({', '.join('?' * len(schemas))}) and table_name not like '\\_dlt%' escape '\\' "
            f"order by array_position(?, table_schema), table_name",
            [*schemas, list(schemas)],
        ).fetchall()
        counts = []
        for schema, table in names:
            row = self.con.execute(f'select count(*) from "{schema}"."{table}"').fetchone()
            counts.append((schema, table, row[0] if row else 0))
        return counts

    def close(self) -> None:
        self.con.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def exists(settings: Settings) -> bool:
    """Whether anything was ever loaded (on BigQuery, each table's absence is found when asked)."""
    return settings.bigquery is not None or settings.warehouse.exists()


def connect(settings: Settings, read_only: bool = False) -> Warehouse:
    if settings.bigquery:
        from ingest.bigquery import BigQueryConnection

        return BigQueryConnection(settings.bigquery)
    try:
        settings.warehouse.parent.mkdir(parents=True, exist_ok=True)
        con = duckdb.connect(
            str(settings.warehouse),
            read_only=read_only,
            config=settings.duckdb_config,
        )
    except (OSError, duckdb.IOException) as exc:  # a read-only or full disk, a missing mount, ...
        reason = str(exc).split(": ")[-1] if isinstance(exc, duckdb.IOException) else exc.strerror
        raise RippleError(f"cannot open the warehouse {settings.warehouse}: {reason}") from None
    con.execute("set TimeZone = 'UTC'")  # as dlt's sessions and dbt's (profiles.yml): never the host's zone
    return DuckDBWarehouse(con)
