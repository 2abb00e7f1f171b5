"""`ripple maintain`: keep the lake from growing without bound (`ripple daily` runs it last).

Every run adds a snapshot and small Parquet files; deletes (dbt's delete+insert, dlt's merges)
add delete files. In order: merge small files and rewrite files with many deleted rows, expire
snapshots older than the retention (time travel reaches back that far), then delete the data
files no snapshot uses any more and files the catalog never knew (a killed run's writes).
A reader's query reads the newest snapshot, or one within the retention (time travel): the files
it reads are never deleted (a retention of at least a day keeps the snapshot a merge superseded).
Files the catalog never knew are deleted only an hour after they were written: a run outside
ripple's lock (plain dbt) could be writing them now.
"""

from __future__ import annotations

import time

from ingest.config import Settings
from ingest.lock import warehouse_lock
from ingest.warehouse import lake_connection

ORPHAN_AGE = "interval 1 hour"


def maintain(settings: Settings, progress=print) -> None:
    started = time.monotonic()
    con = lake_connection(settings).cursor()
    try:
        lake = con.execute("select current_database()").fetchone()[0]  # type: ignore[index]
        retention = f"now() - interval {settings.lake.retention_days} day"
        con.execute(f"call ducklake_merge_adjacent_files('{lake}')")
        con.execute(f"call ducklake_rewrite_data_files('{lake}')")
        con.execute(f"call ducklake_merge_adjacent_files('{lake}')")  # the rewritten files are small ones too
        # expired last, so the snapshots the merges superseded go too when they are old enough
        expired = con.execute(f"call ducklake_expire_snapshots('{lake}', older_than => {retention})").fetchall()
        cleaned = con.execute(f"call ducklake_cleanup_old_files('{lake}', cleanup_all => true)").fetchall()
        orphans = con.execute(
            f"call ducklake_delete_orphaned_files('{lake}', older_than => now() - {ORPHAN_AGE})"
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
