"""`ripple tables`: every table of the warehouse by layer, with its row count."""

from __future__ import annotations

from ingest import warehouse
from ingest.config import Settings
from ingest.errors import RippleError

LAYERS = ("bronze", "silver", "gold", "ops")


def run(settings: Settings) -> None:
    if not warehouse.exists(settings):
        raise RippleError(f"no warehouse at {settings.lake.catalog}: run `make demo` or `ripple ingest` first")
    with warehouse.connect(settings, read_only=True) as con:
        counts = con.table_counts(LAYERS)
    print(f"\nwarehouse {settings.warehouse_name}")
    print(f"{'table':<40} {'rows':>12}")
    for schema, table, rows in counts:
        print(f"{schema + '.' + table:<40} {rows:>12,}")
