"""`ripple daily`: the next business day of every generated source, then ingest, build and maintain the lake."""

from __future__ import annotations

import time
from datetime import timedelta

from ingest import database, transform
from ingest.commands.generate import local_landing, saved_ticket_settings
from ingest.commands.maintain import maintain
from ingest.config import Settings
from ingest.errors import RippleError
from ingest.landing import latest_landed_day
from ingest.lock import warehouse_lock
from ingest.pipeline import ingest
from ingest.sources import FileSource, load_sources


def run(settings: Settings, seed: int | None, volume: int | None) -> None:
    from generator import reference, sales, tickets

    transform.require_duckdb_target(settings)  # before anything is generated or loaded
    started = time.monotonic()
    landing = local_landing(settings)
    sources = load_sources()
    generated = {s.generator: s for s in sources.values() if isinstance(s, FileSource) and s.generator}
    last_ticket_day = latest_landed_day(generated["tickets"], settings)
    if last_ticket_day is None:
        raise RippleError("no ticket history landed yet: run `ripple generate tickets --start ... --end ...` first")
    saved = saved_ticket_settings(settings)
    seed = seed if seed is not None else saved.get("seed", 42)
    volume = volume if volume is not None else saved.get("volume", tickets.DEFAULT_VOLUME)
    day = last_ticket_day + timedelta(days=1)
    print(f"daily: business day {day} (after {last_ticket_day}, the latest landed)")
    tickets.generate(landing, day, day, seed=seed, volume=volume)
    last_sales_day = latest_landed_day(generated["sales"], settings)
    if last_sales_day is not None:
        try:
            units, products = reference.read_catalog(database.source_url_for(settings))
        except ValueError as exc:
            raise RippleError(str(exc)) from None
        sales.generate(landing, last_sales_day + timedelta(days=1), units, products, seed=seed)
    with warehouse_lock(settings, "daily"):
        for source in sources.values():
            ingest(source, settings)
        transform.build(settings)
        maintain(settings)
    print(f"daily: done in {time.monotonic() - started:.1f} s")
