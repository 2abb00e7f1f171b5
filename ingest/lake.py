"""Open the DuckLake warehouse: a catalog database plus Parquet data files.

ripple's code, dlt and dbt all reach the lake through DuckDB with the extensions from PyPI
(`duckdb-ext-*`, loaded from their package directory, never downloaded). Three things make
readers never block a run, each checked here:
- an SQLite catalog is in WAL mode: without it, a reader process holding the catalog open makes
  a writer's commit fail with "database is locked";
- every writer of a deployment runs under ripple's lock (ingest/lock.py), so DuckLake's own
  optimistic commits never have to retry against another ripple run;
- data files are written before the catalog commit that makes them visible: a reader sees a
  whole snapshot or the one before it.
"""

from __future__ import annotations

import errno
import os
import sqlite3
from pathlib import Path
from typing import Any

import duckdb

from ingest.config import LakeSettings, Settings
from ingest.database import extension_directory
from ingest.errors import RippleError


def quoted(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def extensions(lake: LakeSettings) -> list[str]:
    """The DuckDB extensions this lake needs, in load order."""
    return [
        "ducklake",
        "postgres_scanner" if lake.on_postgres else "sqlite_scanner",
        *(["httpfs"] if lake.data_scheme != "file" else []),
    ]


def duckdb_config(settings: Settings) -> dict[str, Any]:
    return {
        **settings.duckdb_config,
        "extension_directory": extension_directory(),
        "autoinstall_known_extensions": False,
    }


def prepare_catalog(lake: LakeSettings) -> bool:
    """A local data folder exists, whatever the catalog; an SQLite catalog must be in WAL mode
    before anything attaches it (the mode is stored in the file, so this is done once and costs
    nothing after). Returns whether the catalog already exists with this data path: then it
    opens as it is, without the ATTACH that creates it or checks its data path."""
    if lake.data_scheme == "file":
        Path(lake.data_path).mkdir(parents=True, exist_ok=True)
    if lake.on_postgres:
        return False
    Path(lake.catalog).parent.mkdir(parents=True, exist_ok=True)
    con = sqlite3.connect(lake.catalog)
    try:
        if con.execute("pragma journal_mode").fetchone() != ("wal",):
            con.execute("pragma journal_mode=wal")
        created = con.execute("select 1 from sqlite_master where name = 'ducklake_metadata'").fetchone()
        stored = created and con.execute("select value from ducklake_metadata where key = 'data_path'").fetchone()
        return bool(stored) and stored[0] == lake.data_path
    finally:
        con.close()


def require_writable(lake: LakeSettings) -> None:
    """A writer on a local lake needs both folders writable; said at once, not at the first commit."""
    folders = [] if lake.on_postgres else [Path(lake.catalog).parent]
    folders += [Path(lake.data_path)] if lake.data_scheme == "file" else []
    for folder in folders:
        if os.statvfs(folder).f_flag & os.ST_RDONLY:
            raise OSError(errno.EROFS, os.strerror(errno.EROFS))
        if not os.access(folder, os.W_OK):
            raise OSError(errno.EACCES, f"{os.strerror(errno.EACCES)}: {folder}")


def storage_secret_sql(lake: LakeSettings) -> str | None:
    """A DuckDB secret for a bucket data path, from the credentials ripple already reads for a
    bucket landing zone (`[sources.filesystem.credentials]` in .dlt/secrets.toml, or dlt's
    environment variables SOURCES__FILESYSTEM__CREDENTIALS__*)."""
    if lake.data_scheme == "file":
        return None
    import dlt

    def credential(key: str) -> str | None:
        value: object = dlt.secrets.get(f"sources.filesystem.credentials.{key}")
        return None if value is None else str(value)

    bucket = lake.data_path.split("://", 1)[1].split("/", 1)[0]
    options = [
        f"type {'s3' if lake.data_scheme == 's3' else 'gcs'}",
        f"scope {quoted(lake.data_scheme + '://' + bucket)}",
    ]
    names = {"aws_access_key_id": "key_id", "aws_secret_access_key": "secret", "region_name": "region"}
    if lake.data_scheme == "gs":  # GCS through its S3-compatible API: HMAC keys
        names = {"gcs_hmac_key_id": "key_id", "gcs_hmac_secret": "secret"}
    options += [f"{option} {quoted(value)}" for key, option in names.items() if (value := credential(key))]
    endpoint = credential("endpoint_url")
    if endpoint:  # an S3-compatible server (MinIO, a local test server): path-style URLs
        use_ssl = endpoint.startswith("https://")
        host = endpoint.split("://", 1)[-1].rstrip("/")
        options += [f"endpoint {quoted(host)}", "url_style 'path'", f"use_ssl {str(use_ssl).lower()}"]
    return f"create or replace secret ripple_lake_storage ({', '.join(options)})"


def configure(con: duckdb.DuckDBPyConnection, lake: LakeSettings) -> None:
    """Load the extensions, set the zone and create the storage secret on a fresh DuckDB connection."""
    # every session in UTC, as dlt's and dbt's (profiles.yml): never the host's zone; GLOBAL, so
    # the cursors dlt and ripple take from the connection have it too
    con.execute("set global TimeZone = 'UTC'")
    for extension in extensions(lake):
        con.execute(f"load {extension}")
    secret = storage_secret_sql(lake)
    if secret:
        con.execute(secret)


def attach_sql(lake: LakeSettings, alias: str = "lake", read_only: bool = False) -> str:
    options = [f"data_path {quoted(lake.data_path)}", *(["read_only"] if read_only else [])]
    return f"attach if not exists {quoted(lake.attach_path)} as {alias} ({', '.join(options)})"


def open_lake(settings: Settings, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection on the lake: for writing, a connection whose main database is the
    lake; for reading, an in-memory one with the lake attached read-only as `lake` and in USE.

    The writer's lake is its main database (not an ATTACH followed by USE) because dlt works on
    copies of the connection (`cursor()`), and a copy keeps the main database but not a USE.
    Its first opening creates the catalog with its data path (an ATTACH, which also refuses a
    catalog holding another data path); once an SQLite catalog holds this data path, a writer
    opens it directly (each opening loads the extensions again: ~0.3 s saved per process).
    """
    lake = settings.lake
    try:
        ready = prepare_catalog(lake)
        if read_only or not ready:
            con = duckdb.connect(config=duckdb_config(settings))
            configure(con, lake)
            con.execute(attach_sql(lake, read_only=read_only))  # creates the catalog on first use
            if read_only:
                con.execute("use lake")
                return con
            con.close()
        require_writable(lake)
        con = duckdb.connect(lake.attach_path, config=duckdb_config(settings))
        configure(con, lake)
    except (duckdb.Error, OSError, sqlite3.Error) as exc:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise RippleError(f"cannot open the warehouse {settings.warehouse_name}: {reason}") from None
    return con
