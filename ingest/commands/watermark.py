"""`ripple watermark show|set|reset SOURCE [VALUE]`: a database source's cursor, audited."""

from __future__ import annotations

from ingest import runlog, watermark
from ingest.config import Settings
from ingest.errors import RippleError
from ingest.lock import warehouse_lock
from ingest.sources import DatabaseSource, get_source
from ingest.warehouse import connect

NONE = "(none: the next run extracts everything)"


def run(settings: Settings, action: str, source_name: str, value: str | None) -> None:
    source = get_source(source_name)
    if not isinstance(source, DatabaseSource) or not source.cursor:
        raise RippleError(f"{source_name} has no watermark: only database sources with a cursor do")
    if action == "set" and value is None:
        raise RippleError("`ripple watermark set SOURCE VALUE` needs a VALUE")
    with warehouse_lock(settings, f"watermark {action}"), connect(settings) as con:
        current = runlog.get_watermark(con, source.name)
        if action == "show":
            print(f"{source.name}: {source.cursor} ({source.cursor_type}) = {current if current is not None else NONE}")
            return
        new = watermark.parse_watermark(source, value) if action == "set" and value is not None else None
        runlog.set_watermark(con, source.name, source.cursor, source.cursor_type, new, action=action, by="cli")
    print(
        f"{source.name}: watermark {current} -> {new if new is not None else NONE} (recorded in ops.watermark_changes)"
    )
