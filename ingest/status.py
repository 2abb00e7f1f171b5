"""`ripple status`: per source, where its cursor stands and how its last run went."""

from __future__ import annotations

from dataclasses import dataclass

from ingest import runlog
from ingest.config import Settings
from ingest.sources import FileSource, Source
from ingest.warehouse import connect, exists, table_exists


@dataclass
class SourceStatus:
    source: str
    kind: str
    watermark: str
    last_run: str
    last_status: str
    rows: str
    drift: str
    error: str = ""


def source_status(settings: Settings, sources: dict[str, Source]) -> list[SourceStatus]:
    if not exists(settings):
        return [SourceStatus(s.name, s.kind, "-", "never", "-", "-", "-") for s in sources.values()]
    result = []
    with connect(settings, read_only=True) as con:
        has_ops = table_exists(con, "ops", "ingestion_metadata")
        for source in sources.values():
            last = con.execute(
                "select run_id, status, started_at, rows_loaded, rows_quarantined, error_message "
                "from ops.ingestion_metadata where source_name = ? order by started_at desc limit 1",
                [source.name]).fetchone() if has_ops else None
            result.append(SourceStatus(
                source=source.name,
                kind=source.kind,
                watermark=_watermark(con, source, has_ops),
                last_run=f"{last[2]:%Y-%m-%d %H:%M:%S} UTC" if last else "never",
                last_status=last[1] if last else "-",
                rows=(f"{last[3] or 0:,} loaded, {last[4] or 0:,} quarantined" if last else "-"),
                drift=_drift(con, source, has_ops),
                error=(last[5] or "") if last else "",
            ))
    return result


def _watermark(con, source: Source, has_ops: bool) -> str:
    if isinstance(source, FileSource):
        if not table_exists(con, "bronze", source.table):
            return "no files loaded"
        files, latest = con.execute(
            f"select count(distinct _source_file), max(_business_date) from bronze.{source.table}").fetchone()
        return f"{files:,} files" + (f", latest day {latest}" if latest else "")
    if not source.cursor:
        return "full load"
    value = con.execute("select cursor_value from ops.watermarks where source_name = ?",
                        [source.name]).fetchone() if has_ops else None
    return f"{source.cursor} = {value[0] if value and value[0] is not None else '(none)'}"


def _drift(con, source: Source, has_ops: bool) -> str:
    drift = runlog.latest_drift(con, source.name) if has_ops else None
    return runlog.describe_drift(drift) if drift else "none"


def render(rows: list[SourceStatus]) -> str:
    header = ("source", "kind", "watermark", "last run", "status", "rows", "drift")
    table = [header] + [(r.source, r.kind, r.watermark, r.last_run, r.last_status, r.rows, r.drift) for r in rows]
    widths = [max(len(str(row[i])) for row in table) for i in range(len(header))]
    lines = ["  ".join(str(v).ljust(w) for v, w in zip(row, widths)).rstrip() for row in table]
    for r in rows:
        if r.last_status == "failed" and r.error:
            lines.append(f"{r.source}: {r.error}")
    return "\n".join(lines)
