"""Direct access to the warehouse for what is neither dlt's nor dbt's job: the DuckDB file, or
on BigQuery a connection with the same small API (ingest/bigquery.py)."""

from __future__ import annotations

import duckdb

from ingest.config import Settings
from ingest.errors import RippleError


def exists(settings: Settings) -> bool:
    """Whether anything was ever loaded (on BigQuery, each table's absence is found when asked)."""
    return settings.bigquery is not None or settings.warehouse.exists()


def connect(settings: Settings, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    if settings.bigquery:
        from ingest.bigquery import BigQueryConnection

        return BigQueryConnection(settings.bigquery)
    try:
        settings.warehouse.parent.mkdir(parents=True, exist_ok=True)
        return duckdb.connect(str(settings.warehouse), read_only=read_only,
                              config={"threads": settings.duckdb_threads, "memory_limit": settings.duckdb_memory_limit})
    except (OSError, duckdb.IOException) as exc:  # a read-only or full disk, a missing mount, ...
        reason = str(exc).split(": ")[-1] if isinstance(exc, duckdb.IOException) else exc.strerror
        raise RippleError(f"cannot open the warehouse {settings.warehouse}: {reason}") from None


def table_exists(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> bool:
    if not isinstance(con, duckdb.DuckDBPyConnection):
        return con.table_exists(schema, table)
    return con.execute(
        "select count(*) from information_schema.tables where table_schema = ? and table_name = ?",
        [schema, table],
    ).fetchone()[0] > 0


def table_counts(con: duckdb.DuckDBPyConnection, schemas: tuple[str, ...]) -> list[tuple[str, str, int]]:
    """(schema, table, rows) for every table and view in the given schemas."""
    if not isinstance(con, duckdb.DuckDBPyConnection):
        return con.table_counts(schemas)
    names = con.execute(
        f"select table_schema, table_name from information_schema.tables "
        f"where table_schema in ({', '.join('?' * len(schemas))}) and table_name not like '\\_dlt%' escape '\\' "
        f"order by array_position(?, table_schema), table_name",
        [*schemas, list(schemas)],
    ).fetchall()
    return [(s, t, con.execute(f'select count(*) from "{s}"."{t}"').fetchone()[0]) for s, t in names]
