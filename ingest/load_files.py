"""Load a file source into bronze: its pending files, read and typed in batches, as one dlt load.

Top to bottom: find the pending files (ingest/landing.py), read each as text
(ingest/readers.py), type many files' records in one DuckDB query (ingest/casting.py), hand
the Arrow batches to dlt, which writes Parquet load files and loads them; then record the
schemas seen and report per file. Loading a file replaces the rows it loaded before
(delete-insert on `_source_file`), so bronze holds exactly the current content of every file.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import dlt
import pyarrow as pa
from dlt.common.schema.typing import TColumnSchema, TWriteDispositionConfig

from ingest import runlog
from ingest.casting import type_batch, typer
from ingest.config import Settings
from ingest.landing import LandedFile, pending_files
from ingest.progress import Task, track
from ingest.readers import ParsedFile, parse_file
from ingest.sources import FileSource
from ingest.warehouse import Warehouse, connect

# Loading a file replaces the rows it loaded before: bronze holds each file's current content.
REPLACE_FILE_ROWS: TWriteDispositionConfig = {"disposition": "merge", "strategy": "delete-insert"}
FILE_KEY = "_source_file"
BRONZE = "bronze"
BATCH_ROWS = 200_000  # records typed and handed to dlt at once
BATCH_FILES = 2_000
VERBOSE_FILES = 30  # up to this many files, each one's result is printed
DLT_TYPES: dict[str, TColumnSchema] = {
    "VARCHAR": {"data_type": "text"},
    "TIMESTAMP": {"data_type": "timestamp", "timezone": False},
    "TIMESTAMPTZ": {"data_type": "timestamp", "timezone": True},
    "BIGINT": {"data_type": "bigint"},
    "INTEGER": {"data_type": "bigint"},
    "DOUBLE": {"data_type": "double"},
    "DATE": {"data_type": "date"},
    "BOOLEAN": {"data_type": "bool"},
}
FILE_METADATA: dict[str, TColumnSchema] = {
    "_source_file": {"data_type": "text"},
    "_source_line": {"data_type": "bigint"},
    "_business_date": {"data_type": "date"},
    "_file_size": {"data_type": "bigint"},
    "_file_modified_at": {"data_type": "timestamp", "timezone": True},
    "_file_changed_at": {"data_type": "timestamp", "timezone": True},
    "_file_checksum": {"data_type": "text"},
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
    checksum: str
    error: str | None = None  # the whole file was rejected

    def describe(self) -> str:
        if self.error:
            return f"{self.path}: REJECTED: {self.error}"
        return f"{self.path}: {self.rows_loaded:,} rows, {self.rows_quarantined:,} quarantined"


@dataclass
class FileTally:
    """What reading a run's files found, filled in while dlt pulls the typed batches."""

    total: int  # files to read
    task: Task  # live progress: files read, rows
    outcomes: list[FileOutcome] = field(default_factory=list)
    schemas: list[tuple[str, list[tuple[str, str]]]] = field(default_factory=list)  # where the columns changed
    checksum: Any = field(default_factory=hashlib.sha256)  # of every file's checksum, in order
    bytes: int = 0

    def read(self, parsed: ParsedFile) -> None:
        if parsed.columns_seen and (not self.schemas or self.schemas[-1][1] != parsed.columns_seen):
            self.schemas.append((parsed.landed.path, parsed.columns_seen))
        self.checksum.update(parsed.checksum.encode())
        self.bytes += parsed.landed.size
        self.task.advance(rows=parsed.raw.num_rows if parsed.raw is not None else 0)

    def typed(self, outcomes: list[FileOutcome], progress: Callable[[str], None]) -> None:
        every = max(1, self.total // 10)
        for outcome in outcomes:
            self.outcomes.append(outcome)
            done = len(self.outcomes)
            if self.total <= VERBOSE_FILES or outcome.error or outcome.rows_quarantined:
                progress(f"  [{done}/{self.total}] {outcome.describe()}")
            elif done % every == 0:
                progress(f"  [{done}/{self.total}] files read")


def column_hints(source: FileSource) -> dict[str, TColumnSchema]:
    def hint(sql_type: str) -> TColumnSchema:
        if sql_type.startswith("DECIMAL"):
            precision, scale = sql_type[8:-1].split(",")
            return {"data_type": "decimal", "precision": int(precision), "scale": int(scale)}
        return TColumnSchema(**DLT_TYPES[sql_type])

    return {**{c.name: hint(c.type) for c in source.columns}, **FILE_METADATA}


def file_metadata(files: list[ParsedFile], loaded_at: datetime) -> pa.Table:
    """One row per file, joined onto its records by `_file_index`."""
    return pa.table(
        {
            "_file_index": pa.array(range(len(files)), pa.int32()),
            "_source_file": pa.array([f.landed.path for f in files], pa.string()),
            "_business_date": pa.array([f.business_date for f in files], pa.date32()),
            "_file_size": pa.array([f.landed.size for f in files], pa.int64()),
            "_file_modified_at": pa.array([f.landed.modified_at for f in files], pa.timestamp("us", "UTC")),
            "_file_changed_at": pa.array([f.landed.changed_at for f in files], pa.timestamp("us", "UTC")),
            "_file_checksum": pa.array([f.checksum for f in files], pa.string()),
            "_loaded_at": pa.array([loaded_at] * len(files), pa.timestamp("us", "UTC")),
        }
    )


def outcomes(rows: pa.Table, files: list[ParsedFile]) -> list[FileOutcome]:
    counts = rows.group_by("_source_file").aggregate([("_source_line", "count"), ("_reject_reason", "count")])
    by_file = {
        path: (n, bad)
        for path, n, bad in zip(
            counts["_source_file"].to_pylist(),
            counts["_source_line_count"].to_pylist(),
            counts["_reject_reason_count"].to_pylist(),
        )
    }
    result = []
    for f in files:
        n, bad = by_file.get(f.landed.path, (0, 0))
        result.append(FileOutcome(f.landed.path, f.business_date, n - bad, bad, f.checksum, f.error))
    return result


def record_empty_files(
    con: Warehouse, source: FileSource, files: list[LandedFile], outcomes: list[FileOutcome], run_id: str
) -> None:
    """A file without records (a header only) leaves no rows to say it was loaded: ops.empty_files
    does, so it is not read again. If it had rows before, they go: bronze holds its content, none."""
    runlog.ensure_tables(con)
    landed = {f.path: f for f in files}
    empty = [o for o in outcomes if not o.error and o.rows_loaded + o.rows_quarantined == 0]
    with_rows = [o.path for o in outcomes if o.rows_loaded + o.rows_quarantined > 0]
    if with_rows:
        con.execute(
            "delete from ops.empty_files where source_name = ? and list_contains(?, path)", [source.name, with_rows]
        )
    for outcome in empty:
        f = landed[outcome.path]
        checksum = outcome.checksum
        con.execute("begin")
        if con.table_exists(BRONZE, source.table):
            con.execute(f"delete from {BRONZE}.{source.table} where _source_file = ?", [f.path])
        con.execute("delete from ops.empty_files where source_name = ? and path = ?", [source.name, f.path])
        con.execute(
            "insert into ops.empty_files values (?, ?, ?, ?, ?, ?, ?, ?)",
            [source.name, f.path, f.size, f.modified_at, f.changed_at, checksum, run_id, runlog.now()],
        )
        con.execute("commit")


def parsed_batches(source: FileSource, files: list[LandedFile], tally: FileTally) -> Iterator[list[ParsedFile]]:
    """The files read as text, grouped so that one typing query handles many small files."""
    batch: list[ParsedFile] = []
    batch_rows = 0
    for landed in files:
        parsed = parse_file(source, landed)
        tally.read(parsed)
        batch.append(parsed)
        batch_rows += parsed.raw.num_rows if parsed.raw is not None else 1
        if batch_rows >= BATCH_ROWS or len(batch) >= BATCH_FILES:
            yield batch
            batch, batch_rows = [], 0
    if batch:
        yield batch


def typed_rows(
    source: FileSource,
    files: list[LandedFile],
    loaded_at: datetime,
    tally: FileTally,
    progress: Callable[[str], None],
) -> Iterator[pa.Table]:
    """The items of the source's dlt resource: typed Arrow rows of every file, bad ones included."""
    con = typer()
    try:
        for batch in parsed_batches(source, files, tally):
            rows = type_batch(con, source, batch, file_metadata(batch, loaded_at))
            tally.typed(outcomes(rows, batch), progress)
            yield rows
    finally:
        con.close()


def load(
    source: FileSource,
    settings: Settings,
    pipeline: dlt.Pipeline,
    run: runlog.Run,
    dates: set[date] | None,
    glob: str | None,
    progress: Callable[[str], None],
) -> None:
    files, replaces = pending_files(source, settings, dates, glob)
    if not files:
        progress(f"{source.name}: nothing new under {settings.landing_url}/{glob or source.location}")
        return
    progress(f"{source.name}: {len(files)} file(s) to load")
    with track(f"ingest {source.name}", len(files), "files") as task:
        tally = FileTally(total=len(files), task=task)
        resource = dlt.resource(
            typed_rows(source, files, run.loaded_at, tally, progress),
            name=source.table,
            # When no file of this run has rows in bronze yet there is nothing to replace:
            # appending is the same, and skips dlt's staging copy.
            write_disposition=REPLACE_FILE_ROWS if replaces else "append",
            merge_key=FILE_KEY,
            columns=column_hints(source),
        )
        pipeline.run(resource, loader_file_format="parquet")
    run.files = len(tally.outcomes)
    run.bytes = tally.bytes
    run.rows_loaded = sum(f.rows_loaded for f in tally.outcomes)
    run.rows_quarantined = sum(f.rows_quarantined for f in tally.outcomes)
    run.rows_read = run.rows_loaded + run.rows_quarantined
    run.checksum = tally.checksum.hexdigest()
    with connect(settings) as con:
        record_empty_files(con, source, files, tally.outcomes, run.run_id)
        for path, columns in tally.schemas:
            drift = runlog.record_schema(con, source.name, columns, run.run_id)
            if drift:
                progress(f"  schema drift in {path}: {runlog.describe_drift(drift)}")
    progress(
        f"{source.name}: loaded {run.rows_loaded:,} rows from {run.files} file(s), "
        f"{run.rows_quarantined:,} quarantined (see ops.quarantine)"
    )
