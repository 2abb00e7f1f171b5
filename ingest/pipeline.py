"""Load sources into bronze with dlt: Arrow items, Parquet load files, one run logged per source.

File sources: state lives with the data. A file counts as loaded when bronze holds rows with
its path, size and modification time; a crash before dlt commits leaves no rows, so the next
run loads the file again; a changed file is loaded again and replaces its old rows.

Database sources: rows with cursor > watermark - lookback are extracted and merged on the
primary key; the watermark (ops.watermarks) advances only after the load committed, so a
crash in between re-extracts rows the merge then deduplicates: nothing is missed or doubled.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from datetime import date, datetime, timezone

import dlt
import duckdb
import pyarrow as pa
from dlt.destinations.impl.duckdb.configuration import DuckDbCredentials
from dlt.sources.filesystem import filesystem

from ingest import database, runlog
from ingest.config import Settings
from ingest.errors import RippleError
from ingest.files import FileRejected, LandedFile, ParsedFile, business_date_of, parse_file, type_batch
from ingest.frames import row_hash
from ingest.sources import DatabaseSource, FileSource, Source
from ingest.warehouse import connect, table_exists

# ripple may run from any directory, where dlt would not find .dlt/config.toml: set the two
# settings that matter here. dlt warns about every merge-key column being made NOT NULL,
# which is expected, and logs each retry of a failing load job; real failures raise, and
# ripple reports their root cause in one line.
os.environ.setdefault("RUNTIME__LOG_LEVEL", "CRITICAL")
os.environ.setdefault("RUNTIME__DLTHUB_TELEMETRY", "false")

BRONZE = "bronze"
DLT_TYPES = {
    "VARCHAR": {"data_type": "text"},
    "TIMESTAMP": {"data_type": "timestamp", "timezone": False},
    "TIMESTAMPTZ": {"data_type": "timestamp", "timezone": True},
    "BIGINT": {"data_type": "bigint"},
    "INTEGER": {"data_type": "bigint"},
    "DOUBLE": {"data_type": "double"},
    "DATE": {"data_type": "date"},
    "BOOLEAN": {"data_type": "bool"},
}
FILE_METADATA = {
    "_source_file": {"data_type": "text"},
    "_source_line": {"data_type": "bigint"},
    "_business_date": {"data_type": "date"},
    "_file_size": {"data_type": "bigint"},
    "_file_modified_at": {"data_type": "timestamp", "timezone": True},
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
    error: str | None = None  # the whole file was rejected


@dataclass
class IngestReport:
    source: str
    run_id: str = ""
    files: list[FileOutcome] = field(default_factory=list)
    rows_loaded: int = 0
    rows_quarantined: int = 0
    watermark: str | None = None


def column_hints(source: FileSource) -> dict:
    def hint(sql_type: str) -> dict:
        if sql_type.startswith("DECIMAL"):
            precision, scale = sql_type[8:-1].split(",")
            return {"data_type": "decimal", "precision": int(precision), "scale": int(scale)}
        return dict(DLT_TYPES[sql_type])

    return {**{c.name: hint(c.type) for c in source.columns}, **FILE_METADATA}


def make_pipeline(source: Source, settings: Settings) -> dlt.Pipeline:
    if settings.bigquery:
        from ingest import bigquery

        destination, staging = bigquery.dlt_destination(settings.bigquery), bigquery.dlt_staging(settings.bigquery)
        dataset = settings.bigquery.dataset(BRONZE)
    else:
        credentials = DuckDbCredentials(str(settings.warehouse))
        credentials.global_config = {"threads": settings.duckdb_threads, "memory_limit": settings.duckdb_memory_limit}
        destination, staging, dataset = dlt.destinations.duckdb(credentials), None, BRONZE
    return dlt.pipeline(
        pipeline_name=f"ripple_{source.name}",
        destination=destination,
        staging=staging,
        dataset_name=dataset,
        pipelines_dir=str(settings.pipelines_dir),
    )


def root_cause(exc: BaseException) -> BaseException:
    """dlt wraps the real error in several layers; the user needs the innermost one."""
    while exc.__cause__ is not None:
        exc = exc.__cause__
    return exc


def ingest(source: Source, settings: Settings, dates: set[date] | None = None, files_glob: str | None = None,
           progress=print) -> IngestReport:
    """Run one source, recorded in ops.ingestion_metadata whatever happens."""
    with connect(settings) as con:
        run = runlog.start_run(con, source.name, source.kind)
    report = IngestReport(source.name, run.run_id)
    try:
        pipeline = make_pipeline(source, settings)
        if pipeline.has_pending_data:
            # A run killed between extract and load left a package behind. Its rows are still
            # in the source, and bronze alone says what is loaded: discard it, never load it late.
            pipeline.abort_packages()
            progress(f"{source.name}: discarded the unfinished load of an interrupted run")
        if isinstance(source, FileSource):
            ingest_files(source, settings, pipeline, run, report, dates, files_glob, progress)
        else:
            ingest_database(source, settings, pipeline, run, report, progress)
    except BaseException as exc:  # recorded, then re-raised: KeyboardInterrupt included
        cause = root_cause(exc)
        if isinstance(cause, RippleError):  # raised by our own code, possibly inside dlt's extract step
            message = str(cause)
        else:
            message = f"{source.name}: load into {settings.warehouse_name} failed: {type(cause).__name__}: {cause}"
        try:
            with connect(settings) as con:
                runlog.finish_run(con, run, error=message)
        except (duckdb.Error, OSError, RippleError):  # e.g. the disk that failed the load is still full
            message += " (the run log could not record this failure: the next run marks the run failed)"
        if isinstance(exc, Exception):
            raise RippleError(message) from None
        raise
    with connect(settings) as con:
        runlog.finish_run(con, run)
    return report


# -- files ---------------------------------------------------------------------------------

def landed_files(source: FileSource, settings: Settings, glob: str | None = None) -> list[LandedFile]:
    """Every file of the source in the landing zone (a local path or any fsspec URL)."""
    files = []
    for item in filesystem(bucket_url=settings.landing_url, file_glob=glob or source.location):
        files.append(LandedFile(
            path=item["relative_path"],
            size=item["size_in_bytes"],
            modified_at=datetime.fromtimestamp(item["modification_date"].timestamp(), timezone.utc),
            opener=item.open,
        ))
    return files


def bronze_has(settings: Settings, table: str) -> bool:
    with connect(settings, read_only=True) as con:
        return table_exists(con, BRONZE, table) and con.execute(f"select count(*) > 0 from {BRONZE}.{table}").fetchone()[0]


def loaded_fingerprints(source: FileSource, settings: Settings) -> set[tuple[str, int, datetime]]:
    with connect(settings, read_only=True) as con:
        if not table_exists(con, BRONZE, source.table):
            return set()
        rows = con.execute(
            f"select distinct _source_file, _file_size, _file_modified_at from {BRONZE}.{source.table}"
        ).fetchall()
    return {(path, size, modified.astimezone(timezone.utc)) for path, size, modified in rows}


def date_or_none(source: FileSource, path: str) -> date | None:
    try:
        return business_date_of(source, path)
    except FileRejected:
        return None


def pending_files(source: FileSource, settings: Settings, dates: set[date] | None = None,
                  glob: str | None = None) -> tuple[list[LandedFile], bool]:
    """Files not yet in bronze (with `dates`: those dates' files, loaded or not), oldest business
    date first, and whether any of them already has rows in bronze that loading it replaces."""
    files = landed_files(source, settings, glob)
    loaded = loaded_fingerprints(source, settings)
    if dates:
        chosen = [f for f in files if date_or_none(source, f.path) in dates]
        missing = dates - {date_or_none(source, f.path) for f in chosen}
        if missing:
            raise RippleError(f"{source.name}: no landed file for {', '.join(map(str, sorted(missing)))} "
                              f"under {settings.landing_url}/{glob or source.location}")
    else:
        chosen = [f for f in files if (f.path, f.size, f.modified_at) not in loaded]
    in_bronze = {path for path, _, _ in loaded}
    replaces = any(f.path in in_bronze for f in chosen)
    return sorted(chosen, key=lambda f: (date_or_none(source, f.path) or date.max, f.path)), replaces


BATCH_ROWS = 200_000  # records typed and handed to dlt at once
BATCH_FILES = 2_000
VERBOSE_FILES = 30  # up to this many files, each one's result is printed


def file_metadata(files: list[ParsedFile], loaded_at: datetime) -> pa.Table:
    return pa.table({
        "_file_index": pa.array(range(len(files)), pa.int32()),
        "_source_file": pa.array([f.landed.path for f in files], pa.string()),
        "_business_date": pa.array([f.business_date for f in files], pa.date32()),
        "_file_size": pa.array([f.landed.size for f in files], pa.int64()),
        "_file_modified_at": pa.array([f.landed.modified_at for f in files], pa.timestamp("us", "UTC")),
        "_file_checksum": pa.array([f.checksum for f in files], pa.string()),
        "_loaded_at": pa.array([loaded_at] * len(files), pa.timestamp("us", "UTC")),
    })


def outcomes(rows: pa.Table, files: list[ParsedFile]) -> list[FileOutcome]:
    counts = rows.group_by("_source_file").aggregate([("_source_line", "count"), ("_reject_reason", "count")])
    by_file = {path: (n, bad) for path, n, bad in zip(counts["_source_file"].to_pylist(),
                                                      counts["_source_line_count"].to_pylist(),
                                                      counts["_reject_reason_count"].to_pylist())}
    result = []
    for f in files:
        n, bad = by_file.get(f.landed.path, (0, 0))
        result.append(FileOutcome(f.landed.path, f.business_date, n - bad, bad, f.error))
    return result


def ingest_files(source: FileSource, settings: Settings, pipeline: dlt.Pipeline, run: runlog.Run,
                 report: IngestReport, dates: set[date] | None, glob: str | None, progress) -> None:
    files, replaces = pending_files(source, settings, dates, glob)
    if not files:
        progress(f"{source.name}: nothing new under {settings.landing_url}/{glob or source.location}")
        return
    progress(f"{source.name}: {len(files)} file(s) to load")
    loaded_at = runlog.now()
    typer = duckdb.connect()  # in-memory: only casts Arrow batches
    schemas: list[tuple[str, list[tuple[str, str]]]] = []
    checksums = hashlib.sha256()
    every = max(1, len(files) // 10)

    def typed(batch: list[ParsedFile]) -> pa.Table:
        rows = type_batch(typer, source, batch, file_metadata(batch, loaded_at))
        for outcome in outcomes(rows, batch):
            report.files.append(outcome)
            done = len(report.files)
            if len(files) <= VERBOSE_FILES or outcome.error or outcome.rows_quarantined:
                detail = (f"REJECTED: {outcome.error}" if outcome.error else
                          f"{outcome.rows_loaded:,} rows, {outcome.rows_quarantined:,} quarantined")
                progress(f"  [{done}/{len(files)}] {outcome.path}: {detail}")
            elif done % every == 0:
                progress(f"  [{done}/{len(files)}] files read")
        return rows

    # Loading a file replaces its rows (delete-insert on the file). When no file of this run
    # has rows in bronze yet there is nothing to delete: appending is the same, and skips
    # dlt's staging copy.
    @dlt.resource(name=source.table, write_disposition=source.write_disposition if replaces else "append",
                  merge_key=source.merge_key, columns=column_hints(source))
    def rows():
        batch, batch_rows = [], 0
        for landed in files:
            parsed = parse_file(source, landed)
            if parsed.columns_seen and (not schemas or schemas[-1][1] != parsed.columns_seen):
                schemas.append((landed.path, parsed.columns_seen))  # only where the columns change
            checksums.update(parsed.checksum.encode())
            run.files += 1
            run.bytes += landed.size
            batch.append(parsed)
            batch_rows += parsed.raw.num_rows if parsed.raw is not None else 1
            if batch_rows >= BATCH_ROWS or len(batch) >= BATCH_FILES:
                yield typed(batch)
                batch, batch_rows = [], 0
        if batch:
            yield typed(batch)

    try:
        pipeline.run(rows(), loader_file_format="parquet")
    finally:
        typer.close()
    report.rows_loaded = run.rows_loaded = sum(f.rows_loaded for f in report.files)
    report.rows_quarantined = run.rows_quarantined = sum(f.rows_quarantined for f in report.files)
    run.rows_read = run.rows_loaded + run.rows_quarantined
    run.checksum = checksums.hexdigest()
    with connect(settings) as con:
        for path, columns in schemas:
            drift = runlog.record_schema(con, source.name, columns, run.run_id)
            if drift:
                progress(f"  schema drift in {path}: {runlog.describe_drift(drift)}")
    progress(f"{source.name}: loaded {report.rows_loaded:,} rows from {len(report.files)} file(s), "
             f"{report.rows_quarantined:,} quarantined (see ops.quarantine)")


# -- databases -----------------------------------------------------------------------------

def ingest_database(source: DatabaseSource, settings: Settings, pipeline: dlt.Pipeline, run: runlog.Run,
                    report: IngestReport, progress) -> None:
    url = database.source_url(source, settings)
    backend = database.backend_of(source, url)
    with connect(settings) as con:
        watermark = runlog.get_watermark(con, source.name) if source.cursor else None
    since = database.lower_bound(source, watermark)
    sql = database.extraction_sql(source, since, backend)
    what = source.source_table or "query"
    progress(f"{source.name}: extracting {what} from {database.redacted(url)}"
             + (f" where {source.cursor} > {since} (watermark {watermark}, lookback {source.lookback})"
                if since is not None else (" (full extract, no watermark yet)" if source.cursor else " (full load)")))
    loaded_at = runlog.now()
    reader = duckdb.connect()
    seen = {"max": None, "hash": 0, "columns": None}

    # A first extract of a table into an empty bronze has nothing to merge with: append.
    first_extract = watermark is None and source.kind == "table" and not bronze_has(settings, source.table)

    @dlt.resource(name=source.table, write_disposition="append" if first_extract else source.write_disposition,
                  primary_key=list(source.primary_key) or None,
                  columns={"_loaded_at": {"data_type": "timestamp", "timezone": True}})
    def rows():
        for batch in database.read_batches(source, url, sql, loaded_at):
            if seen["columns"] is None:
                seen["columns"] = [(f.name, str(f.type)) for f in batch.schema if f.name != "_loaded_at"]
            if batch.num_rows == 0:
                continue
            if source.cursor:
                seen["max"] = database.newer(source, seen["max"], database.max_cursor(batch, source.cursor))
            seen["hash"] ^= row_hash(reader, batch.select([n for n in batch.schema.names if n != "_loaded_at"]))
            run.rows_read += batch.num_rows
            run.bytes += batch.nbytes
            progress(f"  {run.rows_read:,} rows extracted")
            yield batch

    try:
        pipeline.run(rows(), loader_file_format="parquet")
    finally:
        reader.close()
    run.rows_loaded = report.rows_loaded = run.rows_read
    run.checksum = f"{seen['hash'] & 0xFFFFFFFFFFFFFFFF:016x}"
    with connect(settings) as con:
        if seen["columns"]:
            drift = runlog.record_schema(con, source.name, seen["columns"], run.run_id)
            if drift:
                progress(f"  schema drift: {runlog.describe_drift(drift)}")
        if source.cursor:
            report.watermark = database.newer(source, watermark, seen["max"])
            runlog.set_watermark(con, source.name, source.cursor, source.cursor_type, report.watermark,
                                 action="run", by=run.run_id)
    progress(f"{source.name}: loaded {run.rows_loaded:,} rows"
             + (f", watermark {report.watermark}" if source.cursor else ""))
