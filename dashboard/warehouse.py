"""The dashboard's only door to the warehouse: every query opens a read-only connection of its
own and closes it at once, so the app holds nothing between queries and a run can open the
warehouse for writing whenever the app is idle. Moving to another warehouse (the DuckLake)
means changing this module only.

A single DuckDB file admits a writer or readers, never both: while a run writes, a query here
waits a moment and then reports the warehouse busy (the page says so); a run that starts
during one of these queries (milliseconds) fails to open the file. DuckLake, whose catalog
admits readers beside a writer, removes both.
"""

from __future__ import annotations

import re
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from ingest.config import load_settings

MISSING = re.compile(r"(Table|Schema) with name (\S+) does not exist")
BUSY_RETRIES = 10  # tries 0.2 s apart before a query gives up on a warehouse a run holds


class NoData(Exception):
    """The warehouse, or a table the page reads, does not exist yet."""


class WarehouseBusy(Exception):
    """A run holds the warehouse file for writing."""


def location() -> str:
    return str(load_settings().warehouse)


def query(sql: str, params: Sequence[Any] = ()) -> pd.DataFrame:
    """The result of one read-only query, on a connection opened for it alone."""
    settings = load_settings()
    path = settings.warehouse
    if not path.exists():
        raise NoData(f"there is no warehouse at {path} yet")
    con = _connect(path, settings.duckdb_config)
    try:
        con.execute("set TimeZone = 'UTC'")  # times shown and cast are UTC, whatever the host's zone
        return con.execute(sql, list(params)).df()
    except duckdb.CatalogException as exc:
        missing = MISSING.search(str(exc))
        raise NoData(f"the warehouse has no {missing[1].lower()} {missing[2]} yet" if missing else str(exc)) from None
    finally:
        con.close()


def _connect(path: Path, config: dict[str, Any]) -> duckdb.DuckDBPyConnection:
    for _ in range(BUSY_RETRIES):
        try:
            return duckdb.connect(str(path), read_only=True, config=config)
        except duckdb.IOException as exc:
            if "lock" not in str(exc).lower():
                raise
            time.sleep(0.2)
    raise WarehouseBusy(f"a run is writing {path}")
