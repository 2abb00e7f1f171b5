"""dbt-duckdb plugin (profiles/profiles.yml): prepares dbt's DuckDB connection for the lake the
profile attaches, with ripple's settings: the extensions from PyPI, the catalog in WAL mode, the
bucket credentials. The profile's `attach` then attaches the lake as `lake` (`is_ducklake`), and
each cursor USEs it: SQL that names `schema.table` (source freshness queries, run-operations)
finds the lake's tables, not the empty in-memory database dbt connected to."""

from __future__ import annotations

from typing import Any

from dbt.adapters.duckdb.plugins import BasePlugin
from duckdb import DuckDBPyConnection

from ingest.config import load_settings
from ingest.database import extension_directory
from ingest.lake import configure, prepare_catalog


class Plugin(BasePlugin):
    def update_connection_config(self, creds: Any, config: dict[str, Any]) -> None:
        config["extension_directory"] = extension_directory()
        config["autoinstall_known_extensions"] = False

    def configure_connection(self, conn: DuckDBPyConnection) -> None:
        lake = load_settings().lake
        prepare_catalog(lake)
        configure(conn, lake)

    def configure_cursor(self, cursor: DuckDBPyConnection) -> None:
        cursor.execute("use lake")  # the profile's attach alias
