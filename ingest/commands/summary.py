"""`ripple summary`: the account history summary, run like a production job.

One incremental run handles new accounts, forward months and backfill corrections together
(the dbt models do the work); this module plans it from the warehouse, prints what it will
do, runs it and times each step. The modes exist for operators used to separate jobs:

- incremental (default): everything loaded since the summary's watermark.
- initial: rebuild the summary from scratch.
- forward: like incremental, but refuses when corrections of past months are pending, so a
  forward-only job can never silently include (or skip) a backfill.
- backfill: additionally recompute the rows that months --start-month..--end-month feed, for
  the accounts matching --backfill-filter (a repair after fixing data by hand).
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass

import sqlglot
from sqlglot import expressions as exp

from ingest import transform
from ingest.config import Settings
from ingest.errors import RippleError
from ingest.lock import warehouse_lock
from ingest.pipeline import ingest
from ingest.sources import DatabaseSource, load_sources
from ingest.warehouse import connect
from ingest.warehouse import exists as warehouse_exists

MODES = ("incremental", "initial", "forward", "backfill")
FILTER_NODES = (
    exp.Column,
    exp.Identifier,
    exp.Literal,
    exp.Boolean,
    exp.Null,
    exp.Paren,
    exp.And,
    exp.Or,
    exp.Not,
    exp.EQ,
    exp.NEQ,
    exp.GT,
    exp.GTE,
    exp.LT,
    exp.LTE,
    exp.In,
    exp.Between,
    exp.Is,
    exp.Like,
    exp.Add,
    exp.Sub,
    exp.Mul,
    exp.Div,
    exp.Neg,
    exp.Tuple,
)
MONTH = re.compile(r"\d{4}-(0[1-9]|1[0-2])")
MODELS = "+latest_summary"  # staging view, silver months, summary, latest_summary


def validate_filter(text: str, columns: set[str]) -> str:
    """A backfill filter is one boolean expression over accounts_all's columns: comparisons,
    AND/OR/NOT, IN, BETWEEN, LIKE, IS NULL, arithmetic and literals. Anything else (another
    statement, a subquery, a function call, an unknown column) is refused."""
    try:
        parsed = sqlglot.parse(text, read="duckdb")
    except sqlglot.errors.ParseError as exc:
        raise RippleError(f"--backfill-filter is not valid SQL: {str(exc).splitlines()[0]}") from None
    if len(parsed) != 1 or parsed[0] is None:
        raise RippleError("--backfill-filter must be a single expression, not several statements")
    expression = parsed[0]
    for node in expression.walk():
        if not isinstance(node, FILTER_NODES):
            raise RippleError(
                f"--backfill-filter may not contain {node.key.upper()} "
                f"({node.sql(dialect='duckdb')[:60]!r}); only comparisons of columns and literals"
            )
        if isinstance(node, exp.Column) and (node.table or node.name not in columns):
            raise RippleError(
                f"--backfill-filter: unknown column {node.sql()!r}; allowed: {', '.join(sorted(columns))}"
            )
    return expression.sql(dialect="duckdb")


def validate_month(text: str | None, flag: str) -> str | None:
    if text is not None and not MONTH.fullmatch(text):
        raise RippleError(f"{flag} {text!r} is not a month (YYYY-MM)")
    return text


@dataclass
class Plan:
    records: int = 0
    new_accounts: int = 0
    forward_entries: int = 0
    backfill_records: int = 0
    months: list[str] | None = None
    forced_rows: int = 0  # rows a backfill recomputes on request

    def lines(self) -> list[str]:
        months = self.months or []
        span = f"  ({months[0]} .. {months[-1]})" if months else ""
        rows = [
            ("records to process", f"{self.records:,}"),
            ("new accounts", f"{self.new_accounts:,}"),
            ("forward entries", f"{self.forward_entries:,}"),
            ("backfill records", f"{self.backfill_records:,}"),
            ("months affected", f"{len(months):,}{span}"),
        ]
        if self.forced_rows:
            rows.append(("rows recomputed on request", f"{self.forced_rows:,}"))
        return [f"  {label:<28}{value:>10}" for label, value in rows]


def summary_source() -> DatabaseSource:
    """The account-history source the summary is built from: declared with `summary = true`."""
    found = [s for s in load_sources().values() if isinstance(s, DatabaseSource) and s.summary]
    if len(found) != 1:
        raise RippleError(f"exactly one source must be declared with summary = true, found {len(found)}")
    return found[0]


def filter_columns(settings: Settings, table: str) -> set[str]:
    """What a backfill filter may name: the source's own columns in bronze (not ripple's `_` ones)."""
    with connect(settings, read_only=True) as con:
        return {name for name in con.columns("bronze", table) if not name.startswith("_")}


def plan(settings: Settings, table: str, recompute: dict | None = None) -> Plan:
    """What the next run will process: account-month versions loaded after the summary's watermark."""
    result = Plan(months=[])
    if not warehouse_exists(settings):
        return result
    with connect(settings, read_only=True) as con:
        if not con.table_exists("bronze", table):
            return result
        built = con.table_exists("gold", "summary") and con.table_exists("gold", "latest_summary")
        watermark = "(select max(_loaded_at) from gold.summary)" if built else "null"
        latest = (
            "gold.latest_summary" if built else "(select null::bigint as cons_acct_key, null::varchar as rpt_as_of_mo)"
        )
        con.execute(f"""
            create temp table pending as
            select b.cons_acct_key, b.rpt_as_of_mo, l.rpt_as_of_mo as latest_month
            from bronze.{table} as b
            left join {latest} as l on b.cons_acct_key = l.cons_acct_key
            where {watermark} is null or b._loaded_at > {watermark}
        """)
        (result.records, result.new_accounts, result.forward_entries, result.backfill_records) = con.execute("""
            select count(*),
                   count(distinct case when latest_month is null then cons_acct_key end),
                   count(*) filter (where latest_month is not null and rpt_as_of_mo > latest_month),
                   count(*) filter (where rpt_as_of_mo <= latest_month)
            from pending
        """).fetchone()
        result.months = [m for (m,) in con.execute("select distinct rpt_as_of_mo from pending order by 1").fetchall()]
        if recompute and built:
            result.forced_rows = con.execute(
                f"""
                select count(*) from gold.summary
                where rpt_as_of_mo >= ? and month_date <= cast(? || '-01' as date) + interval 35 month
                  and cons_acct_key in (select cons_acct_key from bronze.{table} where {recompute["filter"]})
            """,
                [recompute["start_month"], recompute["end_month"]],
            ).fetchone()[0]
    return result


def run(
    settings: Settings,
    mode: str,
    start_month: str | None,
    end_month: str | None,
    backfill_filter: str | None,
    dry_run: bool,
    progress: Callable[[str], None] = print,
) -> None:
    transform.require_duckdb_target(settings)  # before anything is loaded
    if mode not in MODES:
        raise RippleError(f"--mode must be one of {', '.join(MODES)}")
    source = summary_source()
    start_month = validate_month(start_month, "--start-month")
    end_month = validate_month(end_month, "--end-month") or start_month
    if mode != "backfill" and (start_month or backfill_filter):
        raise RippleError("--start-month, --end-month and --backfill-filter apply to --mode backfill")
    recompute = None
    if mode == "backfill":
        if not start_month or not end_month:
            raise RippleError("--mode backfill needs --start-month (and optionally --end-month, --backfill-filter)")
        if end_month < start_month:
            raise RippleError(f"--end-month {end_month} is before --start-month {start_month}")
        columns = filter_columns(settings, source.table) if warehouse_exists(settings) else set()
        if not columns:
            raise RippleError(f"nothing to backfill: bronze.{source.table} is empty; run `ripple summary` first")
        recompute = {
            "start_month": start_month,
            "end_month": end_month,
            "filter": validate_filter(backfill_filter, columns) if backfill_filter else "true",
        }

    with warehouse_lock(settings, "summary"):
        started = time.monotonic()
        progress(f"ripple summary  mode={mode}{'  (dry run: nothing is written)' if dry_run else ''}")
        step = 0
        total = 2 if dry_run else 3
        if not dry_run:
            step += 1
            t = time.monotonic()
            ingest(source, settings, progress=lambda _: None)
            progress(f"step {step}/{total} ingest {source.name:<26}{time.monotonic() - t:8.1f} s")
        step += 1
        t = time.monotonic()
        the_plan = plan(settings, source.table, recompute)
        progress(f"step {step}/{total} plan{'':<28}{time.monotonic() - t:8.1f} s")
        for line in the_plan.lines():
            progress(line)
        if mode == "forward" and the_plan.backfill_records:
            raise RippleError(
                f"{the_plan.backfill_records:,} backfill records are pending: --mode forward would "
                "leave them out. Run --mode incremental, which handles both in one run"
            )
        if dry_run:
            progress(f"dry run: nothing written ({time.monotonic() - started:.1f} s)")
            return
        step += 1
        t = time.monotonic()
        transform.build(
            settings,
            full_refresh=(mode == "initial"),
            select=MODELS,
            dbt_vars={"summary_recompute": recompute} if recompute else None,
            quiet=True,
            progress=lambda _: None,
        )
        progress(f"step {step}/{total} dbt build summary, latest_summary {time.monotonic() - t:8.1f} s")
        progress(f"done in {time.monotonic() - started:.1f} s")
