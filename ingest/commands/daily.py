"""`ripple daily`: the next business day of every generated source, then ingest, build and maintain the lake."""

from __future__ import annotations

import sys
import time
from datetime import timedelta

from ingest import database, transform
from ingest.commands.generate import local_landing, saved_ticket_settings
from ingest.commands.maintain import maintain
from ingest.config import Settings
from ingest.errors import RippleError
from ingest.landing import latest_landed_day
from ingest.lock import warehouse_lock
from ingest.pipeline import ingest_each, last_failed
from ingest.sources import DatabaseSource, FileSource, load_sources


def run(settings: Settings, seed: int | None, volume: int | None) -> None:
    transform.require_duckdb_target(settings)  # before anything is generated or loaded
    started = time.monotonic()
    sources = load_sources()
    tickets = next(s for s in sources.values() if isinstance(s, FileSource) and s.generator == "tickets")
    if latest_landed_day(tickets, settings) is None:
        raise RippleError("no ticket history landed yet: run `ripple generate tickets --start ... --end ...` first")
    with warehouse_lock(settings, "daily"):
        behind = last_failed(settings, sources)
        if behind:
            print(
                f"daily: the last run of {', '.join(behind)} failed: no new day until it has loaded; "
                "ingesting and building again"
            )
        else:
            generate_next_day(settings, sources, seed, volume)
        failed, _ = ingest_each(sources.values(), settings)  # every source it can, each failure said
        transform.build(settings)  # what has data
        maintain(settings)
    if failed:
        raise RippleError(f"daily: ingest failed for {', '.join(failed)} (recorded in ops.ingestion_metadata)")
    print(f"daily: done in {time.monotonic() - started:.1f} s")


def generate_next_day(
    settings: Settings, sources: dict[str, FileSource | DatabaseSource], seed: int | None, volume: int | None
) -> None:
    """The business day after the latest landed ticket day: tickets, and sales once any landed
    (their prices from the operational database: unreachable, nothing is generated)."""
    from generator import reference, sales, tickets

    landing = local_landing(settings)
    generated = {s.generator: s for s in sources.values() if isinstance(s, FileSource) and s.generator}
    last_ticket_day = latest_landed_day(generated["tickets"], settings)
    assert last_ticket_day is not None  # checked before the lock was taken
    saved = saved_ticket_settings(settings)
    seed = seed if seed is not None else saved.get("seed", 42)
    volume = volume if volume is not None else saved.get("volume", tickets.DEFAULT_VOLUME)
    day = last_ticket_day + timedelta(days=1)
    last_sales_day = latest_landed_day(generated["sales"], settings)
    catalog = None
    if last_sales_day is not None:
        try:
            catalog = reference.read_catalog(database.source_url_for(settings))
        except ValueError as exc:
            print(f"ripple: daily: no new day generated: {exc}", file=sys.stderr)
            return
    print(f"daily: business day {day} (after {last_ticket_day}, the latest landed)")
    tickets.generate(landing, day, day, seed=seed, volume=volume)
    if last_sales_day is not None and catalog is not None:
        units, products = catalog
        sales.generate(landing, last_sales_day + timedelta(days=1), units, products, seed=seed)
