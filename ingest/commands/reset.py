"""`ripple reset SOURCE --date D`: wipe a business date from bronze and every table derived from it."""

from __future__ import annotations

from datetime import date

from ingest import transform
from ingest.config import Settings
from ingest.errors import RippleError
from ingest.lock import warehouse_lock
from ingest.sources import FileSource, get_source, load_sources
from ingest.warehouse import connect


def bronze_rows(settings: Settings, table: str, day: date) -> int:
    with connect(settings, read_only=True) as con:
        if not con.table_exists("bronze", table):
            return 0
        row = con.execute(f"select count(*) from bronze.{table} where _business_date = ?", [day]).fetchone()
        return row[0] if row else 0


def resettable() -> list[str]:
    """Sources declared `resettable`: the dbt macro reset_business_date knows their derived rows."""
    return [s.name for s in load_sources().values() if isinstance(s, FileSource) and s.resettable]


def run(settings: Settings, source_name: str, day: date, dry_run: bool = False) -> None:
    transform.require_duckdb_target(settings)
    source = get_source(source_name)
    if source.name not in resettable():
        raise RippleError(f"{source.name} cannot be reset by date; resettable sources: {', '.join(resettable())}")
    with warehouse_lock(settings, "reset"):
        in_bronze = bronze_rows(settings, source.table, day)
        if not in_bronze:
            raise RippleError(f"{source.name} has no rows for business date {day}: nothing to reset")
        # Derived rows first (they are found through silver), then bronze: a crash in between
        # leaves bronze intact and the same reset can simply be run again.
        transform.run_operation(
            settings, "reset_business_date", source=source.name, business_date=day.isoformat(), dry_run=dry_run
        )
        if dry_run:
            print(f"reset {source.name} {day}: would delete {in_bronze:,} rows from bronze.{source.table} (dry run)")
            return
        with connect(settings) as con:
            row = con.execute(f"delete from bronze.{source.table} where _business_date = ?", [day]).fetchone()
            deleted = row[0] if row else 0
    print(
        f"reset {source.name} {day}: {deleted:,} bronze rows and their derived rows removed; "
        "the next `ripple ingest` loads that date again"
    )
