"""`ripple status`: per source, where its cursor stands, how its last run went, whether its data
is fresh against its declared cadence, and the business days missing between landed ones.

Every source that ever ran is listed, declared now or not: a source whose declarations file
is not loaded in this shell still shows its last run, so a failure is never hidden.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from ingest import runlog
from ingest.config import Settings
from ingest.freshness import Freshness, judge, missing_days
from ingest.sources import FileSource, Source, load_sources
from ingest.warehouse import Warehouse, connect, exists

NOT_DECLARED = "(not declared now)"


@dataclass
class SourceStatus:
    source: str
    kind: str
    watermark: str
    last_run: str
    last_status: str
    rows: str
    drift: str
    freshness: Freshness = Freshness("-")
    error: str = ""
    missing_days: list[date] = field(default_factory=list)


def source_status(settings: Settings, sources: dict[str, Source], now: datetime) -> list[SourceStatus]:
    if not exists(settings):
        return [
            SourceStatus(s.name, s.kind, "-", "never", "-", "-", "-", judge(s, None, now)) for s in sources.values()
        ]
    result = []
    with connect(settings, read_only=True) as con:
        has_ops = con.table_exists("ops", "ingestion_metadata")
        ran = (
            [name for (name,) in con.execute("select distinct source_name from ops.ingestion_metadata").fetchall()]
            if has_ops
            else []
        )
        for name in [*sources, *sorted(set(ran) - set(sources))]:
            source = sources.get(name)
            last = (
                con.execute(
                    "select run_id, status, started_at, rows_loaded, rows_quarantined, error_message, source_type "
                    "from ops.ingestion_metadata where source_name = ? order by load_seq desc, started_at desc limit 1",
                    [name],
                ).fetchone()
                if has_ops
                else None
            )
            result.append(
                SourceStatus(
                    source=name,
                    kind=source.kind if source else f"{last[6] if last else '-'} {NOT_DECLARED}",
                    watermark=_watermark(con, source, has_ops) if source else "-",
                    last_run=f"{last[2]:%Y-%m-%d %H:%M:%S} UTC" if last else "never",
                    last_status=last[1] if last else "-",
                    rows=(f"{last[3] or 0:,} loaded, {last[4] or 0:,} quarantined" if last else "-"),
                    drift=_drift(con, name, has_ops),
                    freshness=judge(source, last_data(con, source, has_ops), now) if source else Freshness("-"),
                    error=(last[5] or "") if last else "",
                    missing_days=_missing_days(con, source) if isinstance(source, FileSource) else [],
                )
            )
    return result


def last_data(con: Warehouse, source: Source, has_ops: bool) -> datetime | None:
    """When the source last proved current (ingest/freshness.py): its newest file loaded, or
    its last successful extraction."""
    if isinstance(source, FileSource):
        row = (
            con.execute(f"select max(_loaded_at) from bronze.{source.table}").fetchone()
            if con.table_exists("bronze", source.table)
            else None
        )
    else:
        row = (
            con.execute(
                "select max(ended_at) from ops.ingestion_metadata where source_name = ? and status = 'success'",
                [source.name],
            ).fetchone()
            if has_ops
            else None
        )
    return row[0].astimezone(UTC) if row and row[0] is not None else None


def _missing_days(con: Warehouse, source: FileSource) -> list[date]:
    if not source.business_date_pattern or not con.table_exists("bronze", source.table):
        return []
    landed = con.execute(
        f"select distinct _business_date from bronze.{source.table} where _business_date is not null"
    ).fetchall()
    return missing_days([day for (day,) in landed])


def _watermark(con: Warehouse, source: Source, has_ops: bool) -> str:
    if isinstance(source, FileSource):
        if not con.table_exists("bronze", source.table):
            return "no files loaded"
        files, latest = con.execute(
            f"select count(distinct _source_file), max(_business_date) from bronze.{source.table}"
        ).fetchone()
        return f"{files:,} files" + (f", latest day {latest}" if latest else "")
    if not source.cursor:
        return "full load"
    value = (
        con.execute("select cursor_value from ops.watermarks where source_name = ?", [source.name]).fetchone()
        if has_ops
        else None
    )
    return f"{source.cursor} = {value[0] if value and value[0] is not None else '(none)'}"


def _drift(con: Warehouse, source_name: str, has_ops: bool) -> str:
    drift = runlog.latest_drift(con, source_name) if has_ops else None
    return runlog.describe_drift(drift) if drift else "none"


def render(rows: list[SourceStatus]) -> str:
    header = ("source", "kind", "watermark", "last run", "status", "rows", "freshness", "drift")
    table = [header] + [
        (r.source, r.kind, r.watermark, r.last_run, r.last_status, r.rows, r.freshness.describe(), r.drift)
        for r in rows
    ]
    widths = [max(len(str(row[i])) for row in table) for i in range(len(header))]
    lines = ["  ".join(str(v).ljust(w) for v, w in zip(row, widths)).rstrip() for row in table]
    lines += [f"{r.source}: {r.error}" for r in rows if r.last_status == "failed" and r.error]
    lines += [
        f"{r.source}: no file for {len(r.missing_days)} business day(s) between landed ones: "
        + ", ".join(map(str, r.missing_days[:10]))
        + (", ..." if len(r.missing_days) > 10 else "")
        for r in rows
        if r.missing_days
    ]
    return "\n".join(lines)


def run(settings: Settings) -> int:
    rows = source_status(settings, load_sources(), datetime.now(UTC))
    print(render(rows))
    failed = [r.source for r in rows if r.last_status == "failed"]
    stale = [r.source for r in rows if r.freshness.state == "stale"]
    if failed:
        print(f"\nlast run failed for: {', '.join(failed)} (see ops.ingestion_metadata)", file=sys.stderr)
    if stale:
        print(f"\nstale (no new data for longer than stale_after): {', '.join(stale)}", file=sys.stderr)
    return 1 if failed or stale else 0
