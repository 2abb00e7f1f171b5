"""One source into bronze with dlt, recorded in ops.ingestion_metadata whatever happens.

The run is recorded as `running` before anything is touched, then `success` or `failed` with
the root cause in one line. The loading itself is ingest/load_files.py or
ingest/load_database.py; this module makes the dlt pipeline and keeps the record.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable
from datetime import date

import dlt
import duckdb
from dlt.destinations.impl.duckdb.configuration import DuckDbCredentials

from ingest import load_database, load_files, runlog
from ingest.config import Settings
from ingest.errors import RippleError
from ingest.sources import FileSource, Source
from ingest.warehouse import connect, lake_connection

BRONZE = "bronze"


def make_pipeline(source: Source, settings: Settings) -> dlt.Pipeline:
    if settings.bigquery:
        from ingest import bigquery

        destination = bigquery.dlt_destination(settings.bigquery)
        staging = bigquery.dlt_staging(settings.bigquery)
        dataset = settings.bigquery.dataset(BRONZE)
    else:
        # dlt's duckdb destination on this process's lake connection (ripple's code shares it).
        # dlt 1.31's own ducklake destination opens and attaches a new connection on every
        # borrow and refuses a given one ("External connections not supported").
        # One load job at a time: two jobs committing at once (a table's rows and dlt's state
        # row) make the SQLite catalog answer "database is locked" to one of them, which dlt
        # then runs again whole, a second later (as dlt's own ducklake destination does).
        credentials = DuckDbCredentials(lake_connection(settings))
        destination = dlt.destinations.duckdb(credentials, loader_parallelism_strategy="sequential")
        staging, dataset = None, BRONZE
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


def ingest(
    source: Source,
    settings: Settings,
    dates: set[date] | None = None,
    files_glob: str | None = None,
    progress: Callable[[str], None] = print,
    replace: bool = False,
    detect_deletes: bool = False,
) -> runlog.Run:
    """Run one source; returns the run's record (rows read, loaded, quarantined...)."""
    with connect(settings) as con:
        run = runlog.start_run(con, source.name, source.kind)
    try:
        pipeline = make_pipeline(source, settings)
        if pipeline.has_pending_data:
            # A run killed between extract and load left a package behind. Its rows are still
            # in the source, and bronze alone says what is loaded: discard it, never load it late.
            pipeline.abort_packages()
            progress(f"{source.name}: discarded the unfinished load of an interrupted run")
        if isinstance(source, FileSource):
            load_files.load(source, settings, pipeline, run, dates, files_glob, progress)
        else:
            load_database.load(
                source, settings, pipeline, run, progress, replace=replace, detect_deletes=detect_deletes
            )
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
            # the same kind of RippleError (SourceUnavailable stays one), now with the run's record
            raise (type(cause) if isinstance(cause, RippleError) else RippleError)(message) from None
        raise
    with connect(settings) as con:
        runlog.finish_run(con, run)
    prune_load_packages(pipeline, settings.kept_load_packages)
    return run


def prune_load_packages(pipeline: dlt.Pipeline, kept: int) -> None:
    """Delete dlt's finished load packages but the newest `kept`: their rows are in bronze, and
    each holds a copy of everything it loaded (~48 MB per million rows)."""
    loaded = sorted(pipeline.list_completed_load_packages())  # load ids are start times: oldest first
    storage = pipeline._get_load_storage()
    for load_id in loaded[: max(len(loaded) - kept, 0)]:
        storage.delete_loaded_package(load_id)


def ingest_each(sources: Iterable[Source], settings: Settings, **options) -> tuple[list[str], int]:
    """Every source in turn, one failing never stopping the others (each failure is printed in one
    line); returns the names of those that failed and the rows quarantined."""
    failed, quarantined = [], 0
    for source in sources:
        try:
            quarantined += ingest(source, settings, **options).rows_quarantined
        except RippleError as exc:
            print(f"ripple: {exc}", file=sys.stderr)
            failed.append(source.name)
    return failed, quarantined


def last_failed(settings: Settings, names: Iterable[str]) -> list[str]:
    """The sources among `names` whose last run failed (or never finished)."""
    with connect(settings) as con:
        if not con.table_exists("ops", "ingestion_metadata"):
            return []
        rows = con.execute(
            "select source_name, arg_max(status, (coalesce(load_seq, 0), started_at)) "
            "from ops.ingestion_metadata group by source_name"
        ).fetchall()
    last = dict(rows)
    return [name for name in names if last.get(name, "success") != "success"]
