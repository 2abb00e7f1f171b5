"""`ripple ingest`: load what is new of every source (or the named ones) into bronze."""

from __future__ import annotations

from datetime import date

from ingest.config import Settings
from ingest.errors import RippleError
from ingest.lock import warehouse_lock
from ingest.pipeline import ingest, ingest_each
from ingest.sources import DatabaseSource, FileSource, check_glob, get_source, load_sources


def run(
    settings: Settings,
    names: list[str],
    day: date | None,
    files_glob: str | None,
    replace: bool = False,
    detect_deletes: bool = False,
) -> None:
    sources = [get_source(name) for name in names] or list(load_sources().values())
    if (day or files_glob) and len(names) != 1:
        raise RippleError("--date and --files need one source, e.g. `ripple ingest tickets --date 2023-01-05`")
    if (day or files_glob) and not isinstance(sources[0], FileSource):
        raise RippleError(f"{names[0]} is a database source: --date and --files apply to file sources")
    if files_glob:
        check_glob(files_glob, "--files")
    if replace and (len(names) != 1 or isinstance(sources[0], FileSource)):
        raise RippleError("--replace needs one database source, e.g. `ripple ingest products --replace`")
    if detect_deletes:
        wrong = [s.name for s in sources if not isinstance(s, DatabaseSource) or not s.cursor]
        if not names or wrong or replace:
            raise RippleError(
                "--detect-deletes needs incremental database sources (with a cursor), named, without --replace, "
                "e.g. `ripple ingest products --detect-deletes`" + (f"; not {', '.join(wrong)}" if wrong else "")
            )
    with warehouse_lock(settings, "ingest"):
        if len(sources) == 1:  # its error is the command's
            run = ingest(
                sources[0],
                settings,
                dates={day} if day else None,
                files_glob=files_glob,
                replace=replace,
                detect_deletes=detect_deletes,
            )
            failed: list[str] = []
            quarantined = run.rows_quarantined
        else:  # one source failing does not stop the others
            failed, quarantined = ingest_each(sources, settings, detect_deletes=detect_deletes)
    if failed:
        raise RippleError(f"ingest failed for {', '.join(failed)} (recorded in ops.ingestion_metadata)")
    if quarantined and settings.fail_on_quarantine:
        raise RippleError(
            f"{quarantined:,} rows quarantined (see ops.quarantine); the good rows loaded. "
            "Exit status 1 because RIPPLE_FAIL_ON_QUARANTINE is set"
        )
