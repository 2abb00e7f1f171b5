"""Load a file source's pending files into bronze with dlt (Arrow items, Parquet load files).

State lives with the data: a file counts as loaded when bronze holds rows with its path, size
and modification time. A crash before dlt commits leaves no rows, so the next run loads the
file again; a file whose size or time changed is loaded again and replaces its old rows.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import date, datetime, timezone

import dlt
import duckdb
import pyarrow as pa
from dlt.sources.filesystem import filesystem

from ingest.config import Settings
from ingest.errors import RippleError
from ingest.files import FileRejected, LandedFile, business_date_of, read_rows, rejected_file_row
from ingest.sources import FileSource
from ingest.warehouse import connect, table_exists

# ripple may run from any directory, where dlt would not find .dlt/config.toml: set the two
# settings that matter here. dlt warns about every merge-key column being made NOT NULL,
# which is expected; real failures raise.
os.environ.setdefault("RUNTIME__LOG_LEVEL", "ERROR")
os.environ.setdefault("RUNTIME__DLTHUB_TELEMETRY", "false")

BRONZE = "bronze"
DLT_TYPES = {
    "VARCHAR": {"data_type": "text"},
    "TIMESTAMP": {"data_type": "timestamp", "timezone": False},
    "BIGINT": {"data_type": "bigint"},
    "DOUBLE": {"data_type": "double"},
    "DATE": {"data_type": "date"},
    "BOOLEAN": {"data_type": "bool"},
}
METADATA_COLUMNS = {
    "_source_file": {"data_type": "text"},
    "_source_line": {"data_type": "bigint"},
    "_business_date": {"data_type": "date"},
    "_file_size": {"data_type": "bigint"},
    "_file_modified_at": {"data_type": "timestamp", "timezone": True},
    "_loaded_at": {"data_type": "timestamp", "timezone": True},
    "_reject_reason": {"data_type": "text"},
    "_raw_record": {"data_type": "text"},
}


@dataclass
class FileOutcome:
    path: str
    business_date: date | None
    rows_loaded: int
    rows_quarantined: int
    error: str | None = None  # the whole file was rejected


@dataclass
class IngestReport:
    source: str
    files: list[FileOutcome] = field(default_factory=list)

    @property
    def rows_loaded(self) -> int:
        return sum(f.rows_loaded for f in self.files)

    @property
    def rows_quarantined(self) -> int:
        return sum(f.rows_quarantined for f in self.files)


def column_hints(source: FileSource) -> dict:
    hints = {c.name: dict(DLT_TYPES[c.type]) for c in source.columns}
    return {**hints, **METADATA_COLUMNS}


def landed_files(source: FileSource, settings: Settings) -> list[LandedFile]:
    """Every file of the source in the landing zone (a local path or any fsspec URL)."""
    files = []
    for item in filesystem(bucket_url=settings.landing_url, file_glob=source.location):
        modified = item["modification_date"]
        files.append(LandedFile(
            path=item["relative_path"],
            size=item["size_in_bytes"],
            modified_at=datetime.fromtimestamp(modified.timestamp(), timezone.utc),
            opener=item.open,
        ))
    return files


def loaded_fingerprints(source: FileSource, settings: Settings) -> set[tuple[str, int, datetime]]:
    if not settings.warehouse.exists():
        return set()
    with connect(settings, read_only=True) as con:
        if not table_exists(con, BRONZE, source.table):
            return set()
        rows = con.execute(
            f"select distinct _source_file, _file_size, _file_modified_at from {BRONZE}.{source.table}"
        ).fetchall()
    return {(path, size, modified.astimezone(timezone.utc)) for path, size, modified in rows}


def pending_files(source: FileSource, settings: Settings, dates: set[date] | None = None) -> list[LandedFile]:
    """Files not yet in bronze, oldest business date first; with `dates`, those dates' files, loaded or not."""
    files = landed_files(source, settings)
    if dates:
        chosen = [f for f in files if _date_or_none(source, f.path) in dates]
        missing = dates - {_date_or_none(source, f.path) for f in chosen}
        if missing:
            raise RippleError(f"{source.name}: no landed file for {', '.join(map(str, sorted(missing)))} "
                              f"under {settings.landing_url}/{source.location}")
    else:
        loaded = loaded_fingerprints(source, settings)
        chosen = [f for f in files if (f.path, f.size, f.modified_at) not in loaded]
    return sorted(chosen, key=lambda f: (_date_or_none(source, f.path) or date.max, f.path))


def _date_or_none(source: FileSource, path: str) -> date | None:
    try:
        return business_date_of(source, path)
    except FileRejected:
        return None


def file_rows(con: duckdb.DuckDBPyConnection, source: FileSource, landed: LandedFile,
              loaded_at: datetime) -> tuple[pa.Table, FileOutcome]:
    """The file's rows with lineage columns; a file that cannot be read becomes one rejected row."""
    day = _date_or_none(source, landed.path)
    try:
        if day is None:
            business_date_of(source, landed.path)  # raises with the reason
        rows = read_rows(con, source, landed)
        quarantined = rows.num_rows - rows["_reject_reason"].null_count
        outcome = FileOutcome(landed.path, day, rows.num_rows - quarantined, quarantined)
    except FileRejected as exc:
        with landed.opener() as f:
            preview = f.read(4096).decode("utf-8", errors="replace")
        rows = rejected_file_row(con, source, str(exc), preview)
        outcome = FileOutcome(landed.path, day, 0, 1, error=str(exc))
    con.register("file_rows", rows)
    try:
        table = con.execute(
            "select *, ?::varchar as _source_file, ?::date as _business_date, ?::bigint as _file_size, "
            "?::timestamptz as _file_modified_at, ?::timestamptz as _loaded_at from file_rows",
            [landed.path, day, landed.size, landed.modified_at, loaded_at],
        ).fetch_arrow_table()
    finally:
        con.unregister("file_rows")
    return table, outcome


def make_pipeline(source: FileSource, settings: Settings) -> dlt.Pipeline:
    return dlt.pipeline(
        pipeline_name=f"ripple_{source.name}",
        destination=dlt.destinations.duckdb(str(settings.warehouse)),
        dataset_name=BRONZE,
        pipelines_dir=str(settings.pipelines_dir),
    )


def ingest_files(source: FileSource, settings: Settings, dates: set[date] | None = None,
                 progress=print) -> IngestReport:
    """Load pending files (or the given dates' files) of one source into bronze."""
    report = IngestReport(source.name)
    files = pending_files(source, settings, dates)
    if not files:
        progress(f"{source.name}: nothing new under {settings.landing_url}/{source.location}")
        return report
    progress(f"{source.name}: {len(files)} file(s) to load")
    loaded_at = datetime.now(timezone.utc)
    reader = duckdb.connect()  # in-memory: only casts Arrow batches

    @dlt.resource(name=source.table, write_disposition=source.write_disposition,
                  merge_key=source.merge_key, columns=column_hints(source))
    def rows():
        for i, landed in enumerate(files, 1):
            table, outcome = file_rows(reader, source, landed, loaded_at)
            report.files.append(outcome)
            detail = (f"REJECTED: {outcome.error}" if outcome.error else
                      f"{outcome.rows_loaded:,} rows, {outcome.rows_quarantined:,} quarantined")
            progress(f"  [{i}/{len(files)}] {landed.path}: {detail}")
            yield table

    try:
        make_pipeline(source, settings).run(rows(), loader_file_format="parquet")
    except Exception as exc:  # dlt wraps the cause; the user needs one line
        cause = exc
        while cause.__cause__ is not None:
            cause = cause.__cause__
        raise RippleError(f"{source.name}: load into {settings.warehouse} failed: {cause}") from exc
    finally:
        reader.close()
    progress(f"{source.name}: loaded {report.rows_loaded:,} rows from {len(report.files)} file(s), "
             f"{report.rows_quarantined:,} quarantined (see ops.quarantine)")
    return report
