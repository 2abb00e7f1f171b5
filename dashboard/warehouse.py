"""The dashboard's only door to the warehouse: every query opens a read-only connection to the
lake of its own (ingest/lake.py) and closes it at once, so the app holds nothing between queries.
The lake's catalog admits readers beside a writer: a run never waits for the app, nor the app
for a run; a query sees the last snapshot committed when it starts.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import duckdb
import pandas as pd

from ingest.config import load_settings
from ingest.lake import open_lake
from ingest.warehouse import exists

MISSING = re.compile(r"(Table|Schema) with name (\S+) does not exist")


class NoData(Exception):
    """The warehouse, or a table the page reads, does not exist yet."""


def location() -> str:
    return load_settings().warehouse_name


def query(sql: str, params: Sequence[Any] = ()) -> pd.DataFrame:
    """The result of one read-only query, on a connection opened for it alone (its sessions in UTC)."""
    settings = load_settings()
    if not exists(settings):
        raise NoData(f"there is no warehouse at {settings.lake.catalog} yet")
    con = open_lake(settings, read_only=True)
    try:
        return con.execute(sql, list(params)).df()
    except duckdb.CatalogException as exc:
        missing = MISSING.search(str(exc))
        raise NoData(f"the warehouse has no {missing[1].lower()} {missing[2]} yet" if missing else str(exc)) from None
    finally:
        con.close()
