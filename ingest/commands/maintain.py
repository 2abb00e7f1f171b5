"""`ripple maintain`: keep the lake from growing without bound (`ripple daily` runs it last).

Every run adds a snapshot and small Parquet files; deletes (dbt's delete+insert, dlt's merges)
add delete files. In order: expire snapshots older than the retention (time travel reaches back
that far), merge small files and rewrite files with many deleted rows, then delete the data
files no snapshot uses any more and files the catalog never knew (a killed run's writes).
Files are deleted only once unused for an hour: a query that started before could read them.
"""

from __future__ import annotations

import time

from ingest.config import Settings
from ingest.lock import warehouse_lock
from ingest.warehouse import lake_connection

GRACE = "interval 1 hour"


def maintain(settings: Settings, progress=print) -> None:
    started = time.monotonic()
    con = lake_connection(settings).cursor()
    try:
        lake = con.execute("select current_database()").fetchone()[0]  # type: ignore[index]
        retention = f"now() - interval {settings.lake.retention_days} day"
        expired = con.execute(f"call ducklake_expire_snapshots('{lake}', older_than => {retention})").fetchall()
        con.execute(f"call ducklake_merge_adjacent_files('{lake}')")
        con.execute(f"call ducklake_rewrite_data_files('{lake}')")
        con.execute(f"call ducklake_merge_adjacent_files('{lake}')")  # the rewritten files are small ones too
        cleaned = con.execute(f"call ducklake_cleanup_old_files('{lake}', older_than => now() - {GRACE})").fetchall()
        orphans = con.execute(
            f"call ducklake_delete_orphaned_files('{lake}', older_than => now() - {GRACE})"
        ).fetchall()
    finally:
        con.close()
    progress(
        f"maintain: {len(expired)} snapshots expired (older than {settings.lake.retention_days} days), "
        f"{len(cleaned) + len(orphans)} unused files deleted, in {time.monotonic() - started:.1f} s"
    )


def run(settings: Settings) -> None:
    with warehouse_lock(settings, "maintain"):
        maintain(settings)
