"""Load a database source into bronze: extract what is past the watermark, merge it, move the watermark.

Top to bottom: read the stored watermark, extract the rows with cursor >= watermark - lookback
(and those whose cursor cannot order them; ingest/database.py, the SQL runs in the source
database), hand the Arrow batches to dlt, which merges them on the primary key, then record
the schema seen and store the new watermark (ingest/watermark.py says how far it may move). The watermark moves only after dlt's load committed: a crash in between
re-extracts rows that the merge then deduplicates, so nothing is missed or doubled.

Why ops.watermarks and not dlt's own `dlt.sources.incremental(cursor, lag=...)`: the
watermark is a row in the warehouse that an operator can see, rewind and audit (`ripple
watermark`, ops.watermark_changes), the same on every destination, where dlt keeps its
cursor inside the pipeline state; ripple decides how the watermark may move (only after the
load committed, never on a NULL, non-finite or future cursor, never past a transaction still open), where dlt's incremental takes the largest value it
saw; and the window re-read behind the watermark is deduplicated by the destination's merge
on the primary key, which late rows need anyway, instead of by dlt's boundary deduplication
over the extracted rows.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import dlt
import duckdb
import pyarrow as pa
from dlt.common.schema.typing import TWriteDispositionConfig

from ingest import database, evolution, reconcile, runlog, watermark
from ingest.config import Settings
from ingest.errors import RippleError
from ingest.frames import row_hash
from ingest.progress import Task, track
from ingest.sources import DatabaseSource
from ingest.warehouse import connect, lake_connection

BRONZE = "bronze"
MERGE_ON_KEY: TWriteDispositionConfig = {"disposition": "merge", "strategy": "delete-insert"}


@dataclass
class ExtractTally:
    """What the extraction saw, filled in while dlt pulls the batches."""

    task: Task  # live progress: rows extracted
    columns: list[tuple[str, str]] | None = None  # (name, Arrow type) of the first batch, for drift
    clock: database.SourceClock = field(default_factory=database.SourceClock)
    max_cursor: str | None = None  # the largest cursor that may move the watermark
    unordered: int = 0  # rows whose cursor is NULL, non-finite or beyond the extraction start + tolerance
    row_hash: int = 0  # XOR of every row's hash: an order-independent checksum
    rows: int = 0
    loaded: int = 0  # rows handed to dlt: the extracted ones bronze does not already hold as they are
    quarantined: int = 0  # of those, the rows flagged `_reject_reason` (a NaN where bronze cannot hold it)
    bytes: int = 0


Keep = Callable[[pa.RecordBatch], pa.RecordBatch]

# columns ripple adds to a source's rows, not the source's own (never schema drift)
RIPPLE_COLUMNS = frozenset({"_loaded_at", database.REJECT_REASON, database.RAW_RECORD})


def extracted_rows(
    source: DatabaseSource,
    url: str,
    sql: str,
    loaded_at: datetime,
    tally: ExtractTally,
    progress: Callable[[str], None],
    first_schema: Callable[[pa.Schema], Keep],
) -> Iterator[pa.RecordBatch]:
    """The items of the source's dlt resource: the extracted batches, `_loaded_at` added, less the
    rows bronze already holds as they are; `first_schema` sees the columns before any row is
    handed on and returns what picks the rows to load from each batch."""
    hasher = duckdb.connect()
    keep: Keep = lambda batch: batch  # noqa: E731
    try:
        for batch in database.read_batches(source, url, sql, loaded_at, tally.clock):
            if tally.columns is None:
                tally.columns = [(f.name, str(f.type)) for f in batch.schema if f.name not in RIPPLE_COLUMNS]
                keep = first_schema(batch.schema)
            if batch.num_rows == 0:
                continue
            if source.cursor:
                assert tally.clock.started is not None  # set before the first batch
                horizon = tally.clock.started + timedelta(seconds=source.max_cursor_ahead)
                scan = watermark.scan_cursor(batch, source.cursor, horizon)
                tally.max_cursor = watermark.newer(source, tally.max_cursor, scan.max_value)
                tally.unordered += scan.nulls + scan.ahead
            tally.row_hash ^= row_hash(hasher, batch.select([n for n in batch.schema.names if n != "_loaded_at"]))
            tally.rows += batch.num_rows
            tally.bytes += batch.nbytes
            tally.task.advance(batch.num_rows)
            progress(f"  {tally.rows:,} rows extracted")
            changed = keep(batch)
            tally.loaded += changed.num_rows
            tally.quarantined += database.quarantined(changed)
            if changed.num_rows:
                yield changed
    finally:
        hasher.close()


def require_columns(source: DatabaseSource, extracted: list[str]) -> None:
    """A declared column the source no longer has fails the run: never NULLs flowing into gold."""
    missing = [c for c in (*source.primary_key, *source.required_columns) if c not in extracted]
    if missing:
        raise RippleError(
            f"{source.name}: required column {', '.join(missing)} is missing from "
            f"{source.source_table or 'the query'} (it has {', '.join(extracted)}); nothing was loaded: "
            "restore it in the source, or change required_columns in the declaration and the models reading it"
        )


def evolve_bronze(
    source: DatabaseSource, settings: Settings, schema: pa.Schema, progress: Callable[[str], None]
) -> None:
    """Widen bronze columns whose source type widened, before any row is loaded into them
    (ingest/evolution.py); a change bronze cannot take fails the run, naming the way out."""
    if settings.bigquery:  # BigQuery tables widen through dlt's own schema evolution
        return
    with duckdb.connect() as local:
        local.register("incoming", schema.empty_table())
        incoming = {row[0]: row[1] for row in local.execute("describe incoming").fetchall()}
    with connect(settings) as con:
        if not con.table_exists(BRONZE, source.table):
            return
        bronze = dict(
            con.execute(
                "select column_name, data_type from information_schema.columns where table_schema = ? and table_name = ?",
                [BRONZE, source.table],
            ).fetchall()
        )
        try:
            changes = evolution.plan(bronze, incoming)
        except evolution.Incompatible as exc:
            raise RippleError(
                f"{source.name}: {exc} in the source, which bronze.{source.table} cannot take without losing values; "
                f"nothing was loaded: `ripple ingest {source.name} --replace` reloads the table whole with the new type"
            ) from None
        for change in changes:
            try:
                con.execute(change.sql(f"{BRONZE}.{source.table}"))
            except duckdb.Error:  # DuckLake retypes in place only integers, floats and timestamps
                raise RippleError(
                    f"{source.name}: {change.column} changed from {change.old} to {change.new} in the source; "
                    f"nothing was loaded: `ripple ingest {source.name} --replace` reloads bronze.{source.table} whole "
                    "with the new type"
                ) from None
            progress(f"  bronze.{source.table}.{change.column} widened: {change.old} -> {change.new}")


def bronze_has_rows(settings: Settings, table: str) -> bool:
    with connect(settings, read_only=True) as con:
        if not con.table_exists(BRONZE, table):
            return False
        row = con.execute(f"select count(*) > 0 from {BRONZE}.{table}").fetchone()
        return bool(row and row[0])


@contextmanager
def lake_cursor(settings: Settings, wanted: bool) -> Iterator[duckdb.DuckDBPyConnection | None]:
    """A cursor of its own on the lake while a run compares with bronze; None when it does not."""
    if not wanted:
        yield None
        return
    with closing(lake_connection(settings).cursor()) as cursor:
        yield cursor


def load(
    source: DatabaseSource,
    settings: Settings,
    pipeline: dlt.Pipeline,
    run: runlog.Run,
    progress: Callable[[str], None],
    replace: bool = False,
    detect_deletes: bool = False,
) -> None:
    """Extract and merge what is new; with `replace`, drop the bronze table and load it whole.
    Every `detect_deletes_every` runs of the source, or when `detect_deletes` asks, then look for
    rows deleted in it (ingest/reconcile.py)."""
    if settings.bigquery and (source.detect_deletes_every or detect_deletes):
        raise RippleError(
            f"{source.name}: delete detection (detect_deletes_every, --detect-deletes) needs the DuckLake "
            "warehouse; on BigQuery, `ripple ingest SOURCE --replace` reloads the table whole"
        )
    url = database.source_url(source, settings)
    backend = database.backend_of(source, url)
    with connect(settings) as con:
        stored = runlog.get_watermark(con, source.name) if source.cursor and not replace else None
        look_for_deletes = (
            bool(source.cursor)
            and not replace
            and reconcile.check_due(
                source.detect_deletes_every, runlog.runs_since_delete_check(con, source.name), detect_deletes
            )
        )
    since = watermark.lower_bound(source, stored)
    sql = database.extraction_sql(source, since, backend)
    if since is not None:
        how = f" where {source.cursor} >= {since} (watermark {stored}, lookback {source.lookback})"
    else:
        how = " (full extract, no watermark yet)" if source.cursor else " (full load)"
    progress(f"{source.name}: extracting {source.source_table or 'query'} from {database.redacted(url)}{how}")
    # A first extract of a table into an empty bronze has nothing to merge with: append.
    first_extract = replace or (
        stored is None and source.kind == "table" and not bronze_has_rows(settings, source.table)
    )
    # merged rows are compared with bronze's, on the lake, so that only changed ones load
    compared = bool(source.cursor) and not first_extract and not settings.bigquery

    with lake_cursor(settings, compared or look_for_deletes) as lake:

        def first_schema(schema: pa.Schema) -> Keep:
            require_columns(source, [n for n in schema.names if n not in RIPPLE_COLUMNS])
            if not replace:  # a replaced table is made anew with the types the source has now
                evolve_bronze(source, settings, schema, progress)
            if lake is None or not compared:
                return lambda batch: batch
            bronze = reconcile.Bronze(source.table, source.primary_key, reconcile.bronze_types(lake, source.table))
            return lambda batch: bronze.changed_rows(lake, batch)

        # how many rows there are is not known before the extraction ends: no total, no ETA
        with track(f"ingest {source.name}", None, "rows") as task:
            tally = ExtractTally(task)
            resource = dlt.resource(
                extracted_rows(source, url, sql, run.loaded_at, tally, progress, first_schema),
                name=source.table,
                # with a cursor, merge on the primary key; without one, each run replaces the table
                write_disposition="append" if first_extract else MERGE_ON_KEY if source.cursor else "replace",
                primary_key=list(source.primary_key),  # empty: no key (a full load replaces the table)
                columns={
                    "_loaded_at": {"data_type": "timestamp", "timezone": True},
                    # NULL on every row loaded: a row is marked deleted only by the delete check below
                    reconcile.DELETED: {"data_type": "timestamp", "timezone": True, "nullable": True},
                    # set on the rows quarantined (ingest/database.py), NULL on the others
                    database.REJECT_REASON: {"data_type": "text", "nullable": True},
                    database.RAW_RECORD: {"data_type": "text", "nullable": True},
                },
            )
            if replace:  # dlt drops the table and its schema, then makes it anew from these rows
                pipeline.run(resource, loader_file_format="parquet", refresh="drop_resources")
            else:
                pipeline.run(resource, loader_file_format="parquet")
        if lake is not None and look_for_deletes:
            run.rows_deleted = find_deletes(source, url, lake, run.loaded_at, progress)
    run.rows_read = tally.rows
    run.rows_loaded = tally.loaded - tally.quarantined
    run.rows_quarantined = tally.quarantined
    run.bytes = tally.bytes
    run.checksum = f"{tally.row_hash & 0xFFFFFFFFFFFFFFFF:016x}"
    new_watermark = stored
    if tally.max_cursor is not None and tally.clock.started is not None:
        bound = watermark.limit(source, tally.clock.started, tally.clock.oldest_open)
        new_watermark = watermark.newer(source, stored, watermark.capped(source, tally.max_cursor, bound))
    if tally.unordered:
        progress(
            f"  {tally.unordered:,} rows have a NULL or non-finite {source.cursor}, or one later than the "
            f"extraction start + {source.max_cursor_ahead} s: loaded, never moving the watermark, re-read every run"
        )
    with connect(settings) as con:
        if tally.columns:
            drift = runlog.record_schema(con, source.name, tally.columns, run.run_id)
            if drift:
                progress(f"  schema drift: {runlog.describe_drift(drift)}")
        if source.cursor:
            action = "replace" if replace else "run"
            runlog.set_watermark(
                con, source.name, source.cursor, source.cursor_type, new_watermark, action=action, by=run.run_id
            )
    unchanged = f" ({run.rows_read - tally.loaded:,} read again unchanged)" if run.rows_read > tally.loaded else ""
    flagged = f", {run.rows_quarantined:,} quarantined (see ops.quarantine)" if run.rows_quarantined else ""
    deleted = f", {run.rows_deleted:,} marked deleted" if run.rows_deleted is not None else ""
    progress(
        f"{source.name}: loaded {run.rows_loaded:,} rows{unchanged}{flagged}{deleted}"
        + (f", watermark {new_watermark}" if source.cursor else "")
    )


def find_deletes(
    source: DatabaseSource,
    url: str,
    lake: duckdb.DuckDBPyConnection,
    loaded_at: datetime,
    progress: Callable[[str], None],
) -> int:
    """Read the source's primary keys (through the extraction's own path, so keys read as the
    rows do) and mark what bronze holds accordingly; returns the rows marked deleted."""
    batches = [
        batch.select(list(source.primary_key))
        for batch in database.read_batches(source, url, database.keys_sql(source), loaded_at, database.SourceClock())
    ]
    keys = (
        pa.Table.from_batches(batches)
        if batches
        else pa.table({k: pa.array([], pa.null()) for k in source.primary_key})
    )
    bronze = reconcile.Bronze(source.table, source.primary_key, reconcile.bronze_types(lake, source.table))
    marked, unmarked = bronze.mark_deletes(lake, keys, loaded_at) if bronze.types else (0, 0)
    progress(
        f"  deletes: {keys.num_rows:,} keys in the source; {marked:,} rows gone from it marked deleted"
        + (f", {unmarked:,} back in it unmarked" if unmarked else "")
    )
    return marked
