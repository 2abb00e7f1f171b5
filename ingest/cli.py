"""`ripple`: generate source data, ingest it into bronze, build silver and gold, run the daily cycle.

This module only parses the command line and dispatches; each command's work lives in
ingest/commands/<command>.py, imported when that command runs.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from datetime import date
from importlib.metadata import version
from pathlib import Path
from types import ModuleType

from ingest import deadline
from ingest.config import load_settings
from ingest.errors import RippleError


def parse_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD)") from None


def parse_percent(text: str) -> float:
    try:
        percent = float(text)
    except ValueError:
        percent = 0.0
    if not 0.01 <= percent <= 100:
        raise argparse.ArgumentTypeError(f"{text!r} is not a percent from 0.01 to 100")
    return percent


def work(command: str) -> ModuleType:
    """The module doing a command's work (imported late: `ripple --help` needs no dlt)."""
    return importlib.import_module(f"ingest.commands.{command}")


def window(args: argparse.Namespace) -> tuple[str, str] | None:
    if (args.window_start is None) != (args.window_end is None):
        raise RippleError("give both --window-start and --window-end, or neither (the whole day)")
    return (args.window_start, args.window_end) if args.window_start else None


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ripple",
        description="Incremental ELT that stays correct when data is late, repeated or wrong. "
        "Configuration comes from the environment: RIPPLE_DATA_DIR (default ./data), "
        "RIPPLE_LAKE_CATALOG, RIPPLE_LAKE_DATA_PATH, RIPPLE_LANDING_URL, DBT_TARGET; RIPPLE_DESTINATION=bigquery and "
        "RIPPLE_BQ_* to ingest into BigQuery (README: Scaling out).",
    )
    parser.add_argument("--version", action="version", version=f"ripple {version('ripple')}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    gen = sub.add_parser("generate", help="write synthetic source data (landing zone, operational database)")
    gen_sub = gen.add_subparsers(dest="dataset", required=True, metavar="DATASET")
    t = gen_sub.add_parser("tickets", help="ops-support tickets: one CSV per business day (Asia/Kolkata)")
    t.add_argument("--start", type=parse_date, help="first day of a history range")
    t.add_argument("--end", type=parse_date, help="last day of a history range (default: --start)")
    t.add_argument("--date", type=parse_date, help="one business day")
    t.add_argument("--seed", type=int, default=42, help="random seed: same seed, same files (default 42)")
    t.add_argument("--volume", type=int, default=1450, help="mean tickets opened a day (default 1450)")
    t.set_defaults(run=lambda a, s: work("generate").tickets(s, a.start, a.end, a.date, a.seed, a.volume))

    sl = gen_sub.add_parser(
        "sales",
        help="restaurant order files per unit and business window (America/Sao_Paulo); the whole day without a window",
    )
    sl.add_argument("--window-start", metavar="HH:MM", help="start of the window, e.g. 12:00")
    sl.add_argument("--window-end", metavar="HH:MM", help="end of the window, e.g. 14:00")
    sl.add_argument("--date", type=parse_date, help="business day (default: today in America/Sao_Paulo)")
    sl.add_argument("--start", type=parse_date, help="first day of a range of whole days")
    sl.add_argument("--end", type=parse_date, help="last day of that range")
    sl.add_argument("--units", type=int, default=50, help="how many units (default 50)")
    sl.add_argument("--seed", type=int, default=42)
    sl.add_argument("--output-dir", type=Path, help="where to write (default: the landing zone)")
    sl.add_argument("--upload", metavar="URL", help="then copy the files to this fsspec URL (gs://, s3://, file://...)")
    sl.set_defaults(
        run=lambda a, s: work("generate").sales(
            s, a.date, a.start, a.end, window(a), a.units, a.seed, a.output_dir, a.upload
        )
    )

    ac = gen_sub.add_parser("accounts", help="monthly account snapshots (accounts_all) in the operational database")
    ac.add_argument("--accounts", type=int, default=5000, help="accounts in the history (default 5000)")
    ac.add_argument("--start", default="2019-01", metavar="YYYY-MM", help="first month of the history")
    ac.add_argument("--end", default="2025-12", metavar="YYYY-MM", help="last month of the history")
    ac.add_argument(
        "--batch",
        metavar="YYYY-MM",
        help="append one monthly batch instead: the new month, corrections of past months, new accounts and gaps",
    )
    ac.add_argument("--seed", type=int, default=42)
    ac.set_defaults(run=lambda a, s: work("generate").accounts(s, a.batch, a.accounts, a.start, a.end, a.seed))

    rf = gen_sub.add_parser("reference", help="units and products in the operational database (RIPPLE_SOURCE_URL)")
    rf.add_argument("--units", type=int, default=50, help="units to create when the table is empty (default 50)")
    rf.add_argument("--seed", type=int, default=42)
    rf.add_argument("--evolve", action="store_true", help="then change some prices and open a new unit (updated_at)")
    rf.set_defaults(run=lambda a, s: work("generate").reference(s, a.units, a.seed, a.evolve))

    ing = sub.add_parser("ingest", help="load what is new of every source (or one) into bronze")
    ing.add_argument("sources", nargs="*", metavar="SOURCE", help="only these sources (see ingest/sources.toml)")
    ing.add_argument("--date", type=parse_date, help="file sources: re-process this business date, loaded or not")
    ing.add_argument(
        "--files",
        metavar="GLOB",
        help="file sources: only files matching this glob (relative to the landing zone), e.g. one file",
    )
    ing.add_argument(
        "--replace",
        action="store_true",
        help="database sources: drop the bronze table and load it whole (after a source type change bronze cannot take)",
    )
    ing.add_argument(
        "--detect-deletes",
        action="store_true",
        help="database sources: also compare the source's primary keys with bronze and mark rows gone from it deleted",
    )
    ing.set_defaults(run=lambda a, s: work("ingest").run(s, a.sources, a.date, a.files, a.replace, a.detect_deletes))

    b = sub.add_parser("build", help="dbt build: silver, gold and ops models, with their tests")
    b.add_argument("--full-refresh", action="store_true", help="rebuild incremental models from bronze")
    b.add_argument("--select", "-s", nargs="+", help="dbt node selection, e.g. +fact_tickets")
    b.set_defaults(run=lambda a, s: work("build").run(s, a.full_refresh, a.select))

    r = sub.add_parser("reset", help="wipe a business date from bronze and every derived table")
    r.add_argument("source", help="a source declared resettable (tickets)")
    r.add_argument("--date", type=parse_date, required=True)
    r.add_argument("--dry-run", action="store_true", help="print the rows it would delete per table, delete nothing")
    r.set_defaults(run=lambda a, s: work("reset").run(s, a.source, a.date, a.dry_run))

    v = sub.add_parser(
        "verify",
        help="rebuild silver and gold from bronze into scratch schemas and compare with the live tables",
        description="Full refresh of the selected models (default: every silver and gold model) into "
        "scratch schemas, compared with the live tables on each model's grain. Exit 1 when a table "
        "differs. The live tables are only read; the scratch schemas are dropped afterwards.",
    )
    v.add_argument("models", nargs="*", metavar="MODEL", help="only these models (and those they are built from)")
    v.add_argument(
        "--sample",
        type=parse_percent,
        metavar="PERCENT",
        help="rebuild and compare only this percent of the tickets, orders and accounts (by a hash of "
        "their key), each with all its rows, and the reference tables whole; the aggregates over many "
        "entities (the daily tables, sla_risk) are not checked, nor a wrong row of an entity outside the sample",
    )
    v.set_defaults(run=lambda a, s: work("verify").run(s, a.models, a.sample))

    ch = sub.add_parser(
        "changes",
        help="rows inserted, updated and deleted per table by one run (default: the last), from the lake's snapshots",
        description="Per bronze, silver and gold table: the rows one ingest or build run inserted, updated "
        "and deleted, read from DuckLake's change feed between the snapshots the run started and "
        "ended on (ops.runs); for gold.summary, the account-months it rewrote.",
    )
    ch.add_argument("--run", dest="run_id", metavar="RUN_ID", help="a run_id of ops.runs (default: the last run)")
    ch.set_defaults(run=lambda a, s: work("changes").run(s, a.run_id))

    d = sub.add_parser(
        "daily",
        help="generate the next business day (none while a source's last run failed), ingest every source it can, build",
    )
    d.add_argument("--seed", type=int, help="default: the seed the history was generated with")
    d.add_argument("--volume", type=int, help="default: the volume the history was generated with")
    d.set_defaults(run=lambda a, s: work("daily").run(s, a.seed, a.volume))

    sm = sub.add_parser("summary", help="the rolling 36-month account history summary: ingest, plan, build")
    sm.add_argument(
        "--mode",
        default="incremental",
        choices=("incremental", "initial", "forward", "backfill"),
        help="incremental (default) handles new accounts, forward months and corrections in one run",
    )
    sm.add_argument("--start-month", metavar="YYYY-MM", help="backfill: first month to recompute from")
    sm.add_argument("--end-month", metavar="YYYY-MM", help="backfill: last month (default: --start-month)")
    sm.add_argument(
        "--backfill-filter",
        metavar="SQL",
        help="backfill: only accounts matching this expression "
        'over accounts_all\'s columns, e.g. "cons_acct_key < 1000"',
    )
    sm.add_argument("--dry-run", action="store_true", help="print the plan, write nothing (no ingest either)")
    sm.set_defaults(
        run=lambda a, s: work("summary").run(s, a.mode, a.start_month, a.end_month, a.backfill_filter, a.dry_run)
    )

    tb = sub.add_parser("tables", help="list the warehouse's tables by layer with row counts")
    tb.set_defaults(run=lambda a, s: work("tables").run(s))

    q = sub.add_parser(
        "sql",
        help="query the warehouse read-only (never blocks a run); without QUERY, ;-terminated statements from stdin",
    )
    q.add_argument("query", nargs="?", metavar="QUERY", help='e.g. "select * from gold.daily_ops_metrics"')
    q.add_argument("--format", choices=("table", "csv", "json"), default="table", help="default: table")
    q.set_defaults(run=lambda a, s: work("sql").run(s, a.query, a.format))

    mt = sub.add_parser(
        "maintain",
        help="expire lake snapshots older than RIPPLE_LAKE_RETENTION_DAYS, merge small files, delete unused files",
    )
    mt.set_defaults(run=lambda a, s: work("maintain").run(s))

    st = sub.add_parser(
        "status", help="per source: watermark, last run, rows, drift; exits 1 when the last run of any source failed"
    )
    st.set_defaults(run=lambda a, s: work("status").run(s))

    wm = sub.add_parser("watermark", help="show, set (rewind or advance) or reset a database source's cursor")
    wm.add_argument("action", choices=("show", "set", "reset"))
    wm.add_argument("source")
    wm.add_argument("value", nargs="?", help="with set: the new cursor value (timestamp or integer)")
    wm.set_defaults(run=lambda a, s: work("watermark").run(s, a.action, a.source, a.value))

    dash = sub.add_parser(
        "dashboard", help="the KPI dashboard (Streamlit) over gold and ops, read-only: ingest and build run beside it"
    )
    dash.add_argument("--port", type=int, default=8501, help="TCP port on localhost (default 8501)")
    dash.set_defaults(run=lambda a, s: work("dashboard").run(s, a.port))

    doc = sub.add_parser("docs", help="dbt docs generate, then serve them")
    doc.add_argument("--port", type=int, default=8080)
    doc.set_defaults(run=lambda a, s: work("docs").run(s, a.port))
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        code = args.run(args, load_settings()) or 0
    except RippleError as exc:
        print(f"ripple: {exc}", file=sys.stderr)
        code = 1
    if argv is None and deadline.abandoned():  # the `ripple` process, not a caller in Python
        # an extraction that timed out is still blocked in its database client; everything is
        # committed, and a normal exit would tear the client down under it and abort
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    return code


if __name__ == "__main__":
    sys.exit(main())
