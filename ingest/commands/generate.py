"""`ripple generate`: synthetic source data in the landing zone and the operational database."""

from __future__ import annotations

import json
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from ingest import database
from ingest.config import Settings
from ingest.errors import RippleError

GENERATOR_SETTINGS = "generator.json"  # in the landing zone's ticket folder: what `daily` continues with


def local_landing(settings: Settings) -> Path:
    if settings.landing_url != str(settings.data_dir / "landing"):
        raise RippleError(
            "generate writes to the local landing zone; unset RIPPLE_LANDING_URL, "
            "or use `ripple generate sales --upload URL` to copy files to a remote one"
        )
    return settings.data_dir / "landing"


def tickets(settings: Settings, start: date | None, end: date | None, day: date | None, seed: int, volume: int) -> None:
    from generator import tickets as generator

    if day and (start or end):
        raise RippleError("give either --date or --start/--end, not both")
    first = day or start
    if first is None:
        raise RippleError("give --date D or --start D [--end D]")
    landing = local_landing(settings)
    try:
        generator.generate(landing, first, day or end or first, seed=seed, volume=volume)
    except ValueError as exc:
        raise RippleError(str(exc)) from None
    (landing / generator.LANDING_SUBDIR / GENERATOR_SETTINGS).write_text(json.dumps({"seed": seed, "volume": volume}))


def saved_ticket_settings(settings: Settings) -> dict:
    """The seed and volume the ticket history was generated with, for `daily` to continue."""
    from generator import tickets as generator

    saved = local_landing(settings) / generator.LANDING_SUBDIR / GENERATOR_SETTINGS
    return json.loads(saved.read_text()) if saved.exists() else {}


def sales(
    settings: Settings,
    day: date | None,
    start: date | None,
    end: date | None,
    window: tuple[str, str] | None,
    units: int,
    seed: int,
    output_dir: Path | None,
    upload: str | None,
) -> None:
    from generator import reference
    from generator import sales as generator

    if day and (start or end):
        raise RippleError("give either --date or --start/--end, not both")
    first = day or start or datetime.now(ZoneInfo(generator.TIMEZONE)).date()
    last = day or end or first
    out_dir = output_dir or local_landing(settings)
    try:
        hours = (generator.parse_hhmm(window[0]), generator.parse_hhmm(window[1])) if window else None
        all_units, products = reference.read_catalog(database.source_url_for(settings))
        written = []
        current = first
        while current <= last:
            written += generator.generate(out_dir, current, all_units[:units], products, seed=seed, window=hours)
            current += timedelta(days=1)
        if upload and written:
            generator.upload(written, out_dir, upload)
    except ValueError as exc:
        raise RippleError(str(exc)) from None


def accounts(settings: Settings, batch: str | None, n_accounts: int, first: str, last: str, seed: int) -> None:
    from generator import accounts as generator

    url = database.source_url_for(settings)
    started = time.monotonic()
    try:
        if batch:
            kinds = generator.write_batch(url, batch, seed=seed)
            print(
                f"accounts: batch {batch} appended to {database.redacted(url)}: "
                + ", ".join(f"{n:,} {kind}" for kind, n in kinds.items())
            )
        else:
            rows = generator.write_history(url, accounts=n_accounts, first=first, last=last, seed=seed)
            print(
                f"accounts: {rows:,} account-months for {n_accounts:,} accounts, {first} .. {last}, "
                f"in {database.redacted(url)} ({time.monotonic() - started:.1f} s)"
            )
    except ValueError as exc:
        raise RippleError(str(exc)) from None


def reference(settings: Settings, units: int, seed: int, evolve: bool) -> None:
    from generator import reference as generator

    url = database.source_url_for(settings)
    try:
        n_units, n_products = generator.write(url, units=units, seed=seed)
        print(f"reference: {n_units} units and {n_products} products in {database.redacted(url)}")
        if evolve:
            for change in generator.evolve(url, seed=seed):
                print(f"reference: {change}")
    except ValueError as exc:
        raise RippleError(str(exc)) from None
    except Exception as exc:  # the database refused: one line, no credentials
        raise RippleError(f"reference: writing to {database.redacted(url)} failed: {type(exc).__name__}") from None
