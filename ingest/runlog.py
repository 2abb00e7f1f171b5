"""The `ops` tables ripple writes: one row per run and source, watermarks, schema versions.

A run is recorded as `running` before it touches anything and as `success` or `failed` when
it ends. A process that dies mid-run leaves `running` behind; since only one run holds a data
dir at a time, the next run marks such rows failed, saying so.

Each run gets the next `load_seq` and a `loaded_at`, the time stamped on every row it loads
(bronze `_loaded_at`, which the incremental models' watermark compares): the run's start, or
1 µs after the previous run's `loaded_at` when the host clock has stepped back since (NTP step,
VM restore). So `_loaded_at` only grows, and a model never skips rows loaded after its last
build, whatever the clock did. A clock that ran ahead holds `loaded_at` there until real time
passes it.

Every run that writes bronze, silver or gold (an ingest of one source, a build) also leaves a row
in `ops.runs`: the lake's snapshot id before its first write and after its last. That range is
all `ripple changes` needs: what changed is read from DuckLake's own change feed between the two.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from ingest.warehouse import Warehouse

DDL = (
    "create schema if not exists ops",
    """create table if not exists ops.ingestion_metadata (
        run_id varchar not null,
        source_name varchar not null,
        source_type varchar not null,
        execution_date date not null,
        status varchar not null,
        rows_read bigint,
        rows_loaded bigint,
        rows_quarantined bigint,
        files bigint,
        bytes bigint,
        checksum varchar,
        error_message varchar,
        started_at timestamptz not null,
        ended_at timestamptz,
        load_seq bigint,
        loaded_at timestamptz,
        rows_deleted bigint
    )""",
    # deployments made before load_seq, loaded_at and rows_deleted existed
    "alter table ops.ingestion_metadata add column if not exists load_seq bigint",
    "alter table ops.ingestion_metadata add column if not exists loaded_at timestamptz",
    "alter table ops.ingestion_metadata add column if not exists rows_deleted bigint",
    """create table if not exists ops.watermarks (
        source_name varchar not null,
        cursor_column varchar not null,
        cursor_type varchar not null,
        cursor_value varchar,
        updated_at timestamptz not null,
        updated_by varchar not null
    )""",
    """create table if not exists ops.watermark_changes (
        source_name varchar not null,
        cursor_column varchar not null,
        action varchar not null,
        old_value varchar,
        new_value varchar,
        changed_at timestamptz not null,
        changed_by varchar not null
    )""",
    """create table if not exists ops.empty_files (
        source_name varchar not null,
        path varchar not null,
        size bigint not null,
        modified_at timestamptz,
        changed_at timestamptz,
        checksum varchar not null,
        run_id varchar not null,
        recorded_at timestamptz not null
    )""",
    """create table if not exists ops.builds (
        project_hash varchar not null,
        bronze_state varchar not null,
        built_at timestamptz not null,
        selection varchar not null  -- the build's --select, '' for every model
    )""",
    "alter table ops.builds add column if not exists selection varchar",  # deployments made before it existed
    """create table if not exists ops.runs (
        run_id varchar not null,
        command varchar not null,
        started_at timestamptz not null,
        ended_at timestamptz not null,
        snapshot_before bigint not null,
        snapshot_after bigint not null
    )""",
    """create table if not exists ops.schema_history (
        source_name varchar not null,
        schema_version integer not null,
        column_name varchar not null,
        data_type varchar not null,
        ordinal integer not null,
        first_seen_at timestamptz not null,
        run_id varchar not null
    )""",
)

ABANDONED = "the run stopped before finishing (process killed or crashed); found by run {run_id}"


def ensure_tables(con: Warehouse) -> None:
    con.execute(DDL[0])
    con.execute(";\n".join(DDL[1:]))  # one script: on BigQuery one job, not one per table


def now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Run:
    run_id: str
    source_name: str
    source_type: str
    started_at: datetime
    load_seq: int
    loaded_at: datetime  # stamped on every row the run loads: see the module's docstring
    rows_read: int = 0
    rows_loaded: int = 0
    rows_quarantined: int = 0
    files: int = 0
    bytes: int = 0
    checksum: str | None = None
    rows_deleted: int | None = None  # rows marked deleted in bronze; None: the run did not look for deletes
    snapshot_before: int | None = None  # the lake's snapshot before the run wrote anything


def new_run_id(started: datetime) -> str:
    return f"{started:%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:6]}"


def record_snapshots(con: Warehouse, run_id: str, command: str, started_at: datetime, before: int | None) -> None:
    """Record a run's snapshot range in ops.runs (nothing on a warehouse without snapshots)."""
    after = con.current_snapshot()
    if before is None or after is None:
        return
    con.execute("insert into ops.runs values (?, ?, ?, ?, ?, ?)", [run_id, command, started_at, now(), before, after])


def start_run(con: Warehouse, source_name: str, source_type: str) -> Run:
    ensure_tables(con)
    started = now()
    # runs before loaded_at existed stamped their rows before they ended
    last_seq, last_loaded_at = con.execute(
        "select max(load_seq), max(coalesce(loaded_at, ended_at, started_at)) from ops.ingestion_metadata"
    ).fetchone() or (None, None)
    loaded_at = max(started, last_loaded_at + timedelta(microseconds=1)) if last_loaded_at else started
    run = Run(
        new_run_id(started),
        source_name,
        source_type,
        started,
        load_seq=(last_seq or 0) + 1,
        loaded_at=loaded_at,
    )
    con.execute(
        "update ops.ingestion_metadata set status = 'failed', error_message = ?, ended_at = ? where status = 'running'",
        [ABANDONED.format(run_id=run.run_id), started],
    )
    con.execute(
        "insert into ops.ingestion_metadata "
        "(run_id, source_name, source_type, execution_date, status, started_at, load_seq, loaded_at) "
        "values (?, ?, ?, ?, 'running', ?, ?, ?)",
        [run.run_id, source_name, source_type, started.date(), started, run.load_seq, run.loaded_at],
    )
    run.snapshot_before = con.current_snapshot()
    return run


def finish_run(con: Warehouse, run: Run, error: str | None = None) -> None:
    con.execute(
        """update ops.ingestion_metadata
           set status = ?, rows_read = ?, rows_loaded = ?, rows_quarantined = ?, files = ?, bytes = ?,
               checksum = ?, rows_deleted = ?, error_message = ?, ended_at = ?
           where run_id = ? and source_name = ?""",
        [
            "failed" if error else "success",
            run.rows_read,
            run.rows_loaded,
            run.rows_quarantined,
            run.files,
            run.bytes,
            run.checksum,
            run.rows_deleted,
            error,
            now(),
            run.run_id,
            run.source_name,
        ],
    )
    record_snapshots(con, run.run_id, f"ingest {run.source_name}", run.started_at, run.snapshot_before)


def runs_since_delete_check(con: Warehouse, source_name: str) -> int:
    """Successful runs of a source since its last one that looked for deletes (all, if none did)."""
    row = con.execute(
        "select count(*) from ops.ingestion_metadata as runs"
        " where source_name = ? and status = 'success' and coalesce(load_seq, 0) > coalesce(("
        "  select max(load_seq) from ops.ingestion_metadata"
        "  where source_name = ? and status = 'success' and rows_deleted is not null), -1)",
        [source_name, source_name],
    ).fetchone()
    return int(row[0]) if row else 0


def get_watermark(con: Warehouse, source_name: str) -> str | None:
    ensure_tables(con)
    row = con.execute("select cursor_value from ops.watermarks where source_name = ?", [source_name]).fetchone()
    return row[0] if row else None


def set_watermark(
    con: Warehouse,
    source_name: str,
    cursor_column: str,
    cursor_type: str,
    value: str | None,
    action: str,
    by: str,
) -> None:
    """Store the cursor and record the change (action: run, set, reset or replace)."""
    old = get_watermark(con, source_name)  # makes the ops tables if they are missing
    if old == value and action == "run":
        return
    at = now()
    con.execute("begin")
    con.execute("delete from ops.watermarks where source_name = ?", [source_name])
    con.execute(
        "insert into ops.watermarks values (?, ?, ?, ?, ?, ?)", [source_name, cursor_column, cursor_type, value, at, by]
    )
    con.execute(
        "insert into ops.watermark_changes values (?, ?, ?, ?, ?, ?, ?)",
        [source_name, cursor_column, action, old, value, at, by],
    )
    con.execute("commit")


def record_schema(
    con: Warehouse, source_name: str, columns: list[tuple[str, str]], run_id: str
) -> dict[str, list[str]] | None:
    """Store the columns seen if they differ from the latest version; return the drift, if any."""
    ensure_tables(con)
    latest = con.execute(
        "select schema_version, column_name, data_type from ops.schema_history where source_name = ? "
        "and schema_version = (select max(schema_version) from ops.schema_history where source_name = ?) "
        "order by ordinal",
        [source_name, source_name],
    ).fetchall()
    previous = {name: dtype for _, name, dtype in latest}
    current = dict(columns)
    if previous == current:
        return None
    version = (latest[0][0] + 1) if latest else 1
    at = now()
    con.executemany(
        "insert into ops.schema_history values (?, ?, ?, ?, ?, ?, ?)",
        [[source_name, version, name, dtype, i, at, run_id] for i, (name, dtype) in enumerate(columns, 1)],
    )
    if not latest:
        return None  # the first version is a baseline, not drift
    return column_changes(previous, current)


def column_changes(previous: dict[str, str], current: dict[str, str]) -> dict[str, list[str]]:
    """Columns added, removed and retyped from one schema version (name -> type) to the next."""
    return {
        "added": [c for c in current if c not in previous],
        "removed": [c for c in previous if c not in current],
        "retyped": [
            f"{c} {previous[c]} -> {current[c]}" for c in current if c in previous and previous[c] != current[c]
        ],
    }


def describe_drift(drift: dict[str, list[str]]) -> str:
    return "; ".join(f"{kind}: {', '.join(cols)}" for kind, cols in drift.items() if cols)


def latest_drift(con: Warehouse, source_name: str) -> dict[str, list[str]] | None:
    """Drift between the latest schema version of a source and the one before it."""
    versions = con.execute(
        "select schema_version, column_name, data_type from ops.schema_history where source_name = ? "
        "and schema_version >= (select max(schema_version) - 1 from ops.schema_history where source_name = ?) "
        "order by schema_version, ordinal",
        [source_name, source_name],
    ).fetchall()
    numbers = sorted({v for v, _, _ in versions})
    if len(numbers) < 2:
        return None
    return column_changes(
        {c: t for v, c, t in versions if v == numbers[0]}, {c: t for v, c, t in versions if v == numbers[1]}
    )
