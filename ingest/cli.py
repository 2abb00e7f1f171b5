"""`ripple`: generate source data, ingest it into bronze, build silver and gold, run the daily cycle."""

from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from ingest.config import Settings, load_settings
from ingest.errors import RippleError
from ingest.lock import warehouse_lock
from ingest import database, runlog, status, transform, warehouse
from ingest.pipeline import date_or_none, ingest, landed_files
from ingest.sources import DatabaseSource, FileSource, check_glob, get_source, load_sources

LAYERS = ("bronze", "silver", "gold", "ops")
RESETTABLE = ("tickets",)  # sources whose derived rows dbt_project/macros/reset_business_date.sql removes
GENERATOR_SETTINGS = "generator.json"  # in the landing zone's source folder: what `daily` continues


def parse_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD)") from None


def local_landing(settings: Settings) -> Path:
    if settings.landing_url != str(settings.data_dir / "landing"):
        raise RippleError("generate writes to the local landing zone; unset RIPPLE_LANDING_URL, "
                          "or use `ripple generate sales --upload URL` to copy files to a remote one")
    return settings.data_dir / "landing"


def cmd_generate_tickets(args, settings: Settings) -> None:
    from generator import tickets

    if args.date and (args.start or args.end):
        raise RippleError("give either --date or --start/--end, not both")
    start = args.date or args.start
    end = args.date or args.end or start
    if start is None:
        raise RippleError("give --date D or --start D [--end D]")
    landing = local_landing(settings)
    try:
        tickets.generate(landing, start, end, seed=args.seed, volume=args.volume)
    except ValueError as exc:
        raise RippleError(str(exc)) from None
    (landing / tickets.LANDING_SUBDIR / GENERATOR_SETTINGS).write_text(
        json.dumps({"seed": args.seed, "volume": args.volume}))


def cmd_generate_sales(args, settings: Settings) -> None:
    from generator import reference, sales

    if (args.window_start is None) != (args.window_end is None):
        raise RippleError("give both --window-start and --window-end, or neither (the whole day)")
    if args.date and (args.start or args.end):
        raise RippleError("give either --date or --start/--end, not both")
    today = datetime.now(ZoneInfo("America/Sao_Paulo")).date()
    start = args.date or args.start or today
    end = args.date or args.end or start
    out_dir = args.output_dir or local_landing(settings)
    url = database.source_url_for(settings)
    try:
        window = (sales.parse_hhmm(args.window_start), sales.parse_hhmm(args.window_end)) if args.window_start else None
        units, products = reference.read_catalog(url)
        written = []
        day = start
        while day <= end:
            written += sales.generate(out_dir, day, units[:args.units], products, seed=args.seed, window=window)
            day += timedelta(days=1)
        if args.upload and written:
            sales.upload(written, out_dir, args.upload)
    except ValueError as exc:
        raise RippleError(str(exc)) from None


def cmd_generate_accounts(args, settings: Settings) -> None:
    from generator import accounts

    url = database.source_url_for(settings)
    started = time.monotonic()
    try:
        if args.batch:
            kinds = accounts.write_batch(url, args.batch, seed=args.seed)
            print(f"accounts: batch {args.batch} appended to {database.redacted(url)}: "
                  + ", ".join(f"{n:,} {kind}" for kind, n in kinds.items()))
        else:
            rows = accounts.write_history(url, accounts=args.accounts, first=args.start, last=args.end,
                                          seed=args.seed)
            print(f"accounts: {rows:,} account-months for {args.accounts:,} accounts, {args.start} .. {args.end}, "
                  f"in {database.redacted(url)} ({time.monotonic() - started:.1f} s)")
    except ValueError as exc:
        raise RippleError(str(exc)) from None


def cmd_generate_reference(args, settings: Settings) -> None:
    from generator import reference

    url = database.source_url_for(settings)
    try:
        units, products = reference.write(url, units=args.units, seed=args.seed)
        print(f"reference: {units} units and {products} products in {database.redacted(url)}")
        if args.evolve:
            for change in reference.evolve(url, seed=args.seed):
                print(f"reference: {change}")
    except ValueError as exc:
        raise RippleError(str(exc)) from None
    except Exception as exc:  # the database refused: one line, no credentials
        raise RippleError(f"reference: writing to {database.redacted(url)} failed: {type(exc).__name__}") from None


def cmd_ingest(args, settings: Settings) -> None:
    sources = [get_source(name) for name in args.sources] or list(load_sources().values())
    if (args.date or args.files) and len(args.sources) != 1:
        raise RippleError("--date and --files need one source, e.g. `ripple ingest tickets --date 2023-01-05`")
    if (args.date or args.files) and not isinstance(sources[0], FileSource):
        raise RippleError(f"{args.sources[0]} is a database source: --date and --files apply to file sources")
    if args.files:
        check_glob(args.files, "--files")
    failed, quarantined = [], 0
    with warehouse_lock(settings, "ingest"):
        for source in sources:
            try:
                report = ingest(source, settings, dates={args.date} if args.date else None, files_glob=args.files)
                quarantined += report.rows_quarantined
            except RippleError as exc:
                if len(sources) == 1:
                    raise
                print(f"ripple: {exc}", file=sys.stderr)  # one source failing does not stop the others
                failed.append(source.name)
    if failed:
        raise RippleError(f"ingest failed for {', '.join(failed)} (recorded in ops.ingestion_metadata)")
    if quarantined and settings.fail_on_quarantine:
        raise RippleError(f"{quarantined:,} rows quarantined (see ops.quarantine); the good rows loaded. "
                          "Exit status 1 because RIPPLE_FAIL_ON_QUARANTINE is set")


def cmd_build(args, settings: Settings) -> None:
    with warehouse_lock(settings, "build"):
        transform.build(settings, full_refresh=args.full_refresh, select=" ".join(args.select or []) or None)


def cmd_reset(args, settings: Settings) -> None:
    transform.require_duckdb_target(settings)
    source = get_source(args.source)
    with warehouse_lock(settings, "reset"):
        # Derived rows first (they are found through silver), then bronze: a crash in between
        # leaves bronze intact and the same reset can simply be run again.
        transform.run_operation(settings, "reset_business_date", source=source.name,
                                business_date=args.date.isoformat())
        with warehouse.connect(settings) as con:
            if warehouse.table_exists(con, "bronze", source.table):
                deleted = con.execute(f"delete from bronze.{source.table} where _business_date = ?",
                                      [args.date]).fetchone()[0]
            else:
                deleted = 0
    print(f"reset {source.name} {args.date}: {deleted:,} bronze rows and their derived rows removed; "
          "the next `ripple ingest` loads that date again")


def latest_landed_day(settings: Settings, source_name: str) -> date | None:
    source = get_source(source_name)
    days = [d for d in (date_or_none(source, f.path) for f in landed_files(source, settings)) if d]
    return max(days, default=None)


def cmd_daily(args, settings: Settings) -> None:
    """The next business day of every generated source, then ingest and build."""
    from generator import reference, sales, tickets

    transform.require_duckdb_target(settings)  # before anything is generated or loaded
    started = time.monotonic()
    landing = local_landing(settings)
    last_ticket_day = latest_landed_day(settings, "tickets")
    if last_ticket_day is None:
        raise RippleError("no ticket history landed yet: run `ripple generate tickets --start ... --end ...` first")
    saved = landing / tickets.LANDING_SUBDIR / GENERATOR_SETTINGS
    defaults = json.loads(saved.read_text()) if saved.exists() else {}
    seed = args.seed if args.seed is not None else defaults.get("seed", 42)
    volume = args.volume if args.volume is not None else defaults.get("volume", tickets.DEFAULT_VOLUME)
    day = last_ticket_day + timedelta(days=1)
    print(f"daily: business day {day} (after {last_ticket_day}, the latest landed)")
    tickets.generate(landing, day, day, seed=seed, volume=volume)
    last_sales_day = latest_landed_day(settings, "sales_orders")
    if last_sales_day is not None:
        try:
            units, products = reference.read_catalog(database.source_url_for(settings))
        except ValueError as exc:
            raise RippleError(str(exc)) from None
        sales.generate(landing, last_sales_day + timedelta(days=1), units, products, seed=seed)
    with warehouse_lock(settings, "daily"):
        for source in load_sources().values():
            ingest(source, settings)
        transform.build(settings)
    print(f"daily: done in {time.monotonic() - started:.1f} s")


def cmd_summary(args, settings: Settings) -> None:
    from ingest import summary

    transform.require_duckdb_target(settings)  # before anything is loaded
    with warehouse_lock(settings, "summary"):
        summary.run(
            settings, args.mode, args.start_month, args.end_month, args.backfill_filter, args.dry_run,
            ingest_step=lambda: ingest(get_source("accounts_all"), settings, progress=lambda _: None),
            build_step=lambda models, full_refresh, dbt_vars: transform.build(
                settings, full_refresh=full_refresh, select=models, dbt_vars=dbt_vars, quiet=True,
                progress=lambda _: None),
        )


def cmd_tables(args, settings: Settings) -> None:
    if not warehouse.exists(settings):
        raise RippleError(f"no warehouse at {settings.warehouse}: run `make demo` or `ripple ingest` first")
    with warehouse.connect(settings, read_only=True) as con:
        counts = warehouse.table_counts(con, LAYERS)
    print(f"\nwarehouse {settings.warehouse_name}")
    print(f"{'table':<40} {'rows':>12}")
    for schema, table, rows in counts:
        print(f"{schema + '.' + table:<40} {rows:>12,}")


def cmd_docs(args, settings: Settings) -> None:
    transform.run_dbt(settings, "docs", "generate")
    transform.run_dbt(settings, "docs", "serve", "--port", str(args.port))


def cmd_status(args, settings: Settings) -> int:
    rows = status.source_status(settings, load_sources())
    print(status.render(rows))
    failed = [r.source for r in rows if r.last_status == "failed"]
    if failed:
        print(f"\nlast run failed for: {', '.join(failed)} (see ops.ingestion_metadata)", file=sys.stderr)
        return 1
    return 0


def cmd_watermark(args, settings: Settings) -> None:
    source = get_source(args.source)
    if not isinstance(source, DatabaseSource) or not source.cursor:
        raise RippleError(f"{args.source} has no watermark: only database sources with a cursor do")
    if args.action == "set" and args.value is None:
        raise RippleError("`ripple watermark set SOURCE VALUE` needs a VALUE")
    with warehouse_lock(settings, f"watermark {args.action}"), warehouse.connect(settings) as con:
        current = runlog.get_watermark(con, source.name)
        if args.action == "show":
            print(f"{source.name}: {source.cursor} ({source.cursor_type}) = {current if current is not None else '(none: the next run extracts everything)'}")
            return
        value = database.parse_watermark(source, args.value) if args.action == "set" else None
        runlog.set_watermark(con, source.name, source.cursor, source.cursor_type, value,
                             action=args.action, by="cli")
    after = value if value is not None else "(none: the next run extracts everything)"
    print(f"{source.name}: watermark {current} -> {after} (recorded in ops.watermark_changes)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ripple",
        description="Incremental ELT that stays correct when data is late, repeated or wrong. "
                    "Configuration comes from the environment: RIPPLE_DATA_DIR (default ./data), "
                    "RIPPLE_WAREHOUSE, RIPPLE_LANDING_URL, DBT_TARGET; RIPPLE_DESTINATION=bigquery and "
                    "RIPPLE_BQ_* to ingest into BigQuery (README: Scaling out).",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    gen = sub.add_parser("generate", help="write synthetic source data (landing zone, operational database)")
    gen_sub = gen.add_subparsers(dest="dataset", required=True, metavar="DATASET")
    t = gen_sub.add_parser("tickets", help="ops-support tickets: one CSV per business day (Asia/Kolkata)")
    t.add_argument("--start", type=parse_date, help="first day of a history range")
    t.add_argument("--end", type=parse_date, help="last day of a history range (default: --start)")
    t.add_argument("--date", type=parse_date, help="one business day")
    t.add_argument("--seed", type=int, default=42, help="random seed: same seed, same files (default 42)")
    t.add_argument("--volume", type=int, default=1450, help="mean tickets opened a day (default 1450)")
    t.set_defaults(func=cmd_generate_tickets)

    sl = gen_sub.add_parser("sales", help="restaurant order files per unit and business window "
                            "(America/Sao_Paulo); the whole day without a window")
    sl.add_argument("--window-start", metavar="HH:MM", help="start of the window, e.g. 12:00")
    sl.add_argument("--window-end", metavar="HH:MM", help="end of the window, e.g. 14:00")
    sl.add_argument("--date", type=parse_date, help="business day (default: today in America/Sao_Paulo)")
    sl.add_argument("--start", type=parse_date, help="first day of a range of whole days")
    sl.add_argument("--end", type=parse_date, help="last day of that range")
    sl.add_argument("--units", type=int, default=50, help="how many units (default 50)")
    sl.add_argument("--seed", type=int, default=42)
    sl.add_argument("--output-dir", type=Path, help="where to write (default: the landing zone)")
    sl.add_argument("--upload", metavar="URL", help="then copy the files to this fsspec URL (gs://, s3://, file://...)")
    sl.set_defaults(func=cmd_generate_sales)

    ac = gen_sub.add_parser("accounts", help="monthly account snapshots (accounts_all) in the operational database")
    ac.add_argument("--accounts", type=int, default=5000, help="accounts in the history (default 5000)")
    ac.add_argument("--start", default="2019-01", metavar="YYYY-MM", help="first month of the history")
    ac.add_argument("--end", default="2025-12", metavar="YYYY-MM", help="last month of the history")
    ac.add_argument("--batch", metavar="YYYY-MM", help="append one monthly batch instead: the new month, "
                    "corrections of past months, new accounts and gaps")
    ac.add_argument("--seed", type=int, default=42)
    ac.set_defaults(func=cmd_generate_accounts)

    rf = gen_sub.add_parser("reference", help="units and products in the operational database (RIPPLE_SOURCE_URL)")
    rf.add_argument("--units", type=int, default=50, help="units to create when the table is empty (default 50)")
    rf.add_argument("--seed", type=int, default=42)
    rf.add_argument("--evolve", action="store_true", help="then change some prices and open a new unit (updated_at)")
    rf.set_defaults(func=cmd_generate_reference)

    ing = sub.add_parser("ingest", help="load what is new of every source (or one) into bronze")
    ing.add_argument("sources", nargs="*", metavar="SOURCE", help="only these sources (see ingest/sources.toml)")
    ing.add_argument("--date", type=parse_date, help="file sources: re-process this business date, loaded or not")
    ing.add_argument("--files", metavar="GLOB", help="file sources: only files matching this glob "
                     "(relative to the landing zone), e.g. one file")
    ing.set_defaults(func=cmd_ingest)

    b = sub.add_parser("build", help="dbt build: silver, gold and ops models, with their tests")
    b.add_argument("--full-refresh", action="store_true", help="rebuild incremental models from bronze")
    b.add_argument("--select", "-s", nargs="+", help="dbt node selection, e.g. +fact_tickets")
    b.set_defaults(func=cmd_build)

    r = sub.add_parser("reset", help="wipe a business date from bronze and every derived table")
    r.add_argument("source", choices=RESETTABLE)
    r.add_argument("--date", type=parse_date, required=True)
    r.set_defaults(func=cmd_reset)

    d = sub.add_parser("daily", help="generate the next business day, ingest it and build")
    d.add_argument("--seed", type=int, help="default: the seed the history was generated with")
    d.add_argument("--volume", type=int, help="default: the volume the history was generated with")
    d.set_defaults(func=cmd_daily)

    sm = sub.add_parser("summary", help="the rolling 36-month account history summary: ingest, plan, build")
    sm.add_argument("--mode", default="incremental", choices=("incremental", "initial", "forward", "backfill"),
                    help="incremental (default) handles new accounts, forward months and corrections in one run")
    sm.add_argument("--start-month", metavar="YYYY-MM", help="backfill: first month to recompute from")
    sm.add_argument("--end-month", metavar="YYYY-MM", help="backfill: last month (default: --start-month)")
    sm.add_argument("--backfill-filter", metavar="SQL", help="backfill: only accounts matching this expression "
                    "over accounts_all's columns, e.g. \"cons_acct_key < 1000\"")
    sm.add_argument("--dry-run", action="store_true", help="print the plan, write nothing (no ingest either)")
    sm.set_defaults(func=cmd_summary)

    tb = sub.add_parser("tables", help="list the warehouse's tables by layer with row counts")
    tb.set_defaults(func=cmd_tables)

    st = sub.add_parser("status", help="per source: watermark, last run, rows, drift; "
                        "exits 1 when the last run of any source failed")
    st.set_defaults(func=cmd_status)

    wm = sub.add_parser("watermark", help="show, set (rewind or advance) or reset a database source's cursor")
    wm.add_argument("action", choices=("show", "set", "reset"))
    wm.add_argument("source")
    wm.add_argument("value", nargs="?", help="with set: the new cursor value (timestamp or integer)")
    wm.set_defaults(func=cmd_watermark)

    doc = sub.add_parser("docs", help="dbt docs generate, then serve them")
    doc.add_argument("--port", type=int, default=8080)
    doc.set_defaults(func=cmd_docs)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args, load_settings()) or 0
    except RippleError as exc:
        print(f"ripple: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
