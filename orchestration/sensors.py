"""The landing-zone sensor: a load as soon as new files land, each file triggering once.

Its cursor is the latest modification time it has seen and the files modified at exactly that
time: a file newer than that, or as old but not among them, is new. A file rewritten later is
new again (ripple reloads a changed file, replacing its rows). A file landed with an older
modification time than the cursor (copied with `cp -p`) triggers nothing here, and is loaded
by the next scheduled run, which loads everything pending.
"""

import hashlib
import json
from collections.abc import Iterable

import dagster as dg
from dagster import SensorEvaluationContext

from ingest.config import load_settings
from ingest.landing import LandedFile, landed_files
from ingest.sources import FileSource, load_sources
from orchestration.jobs import SALES_TABLES, TICKET_TABLES, sales_job, tickets_job

JOB_OF_TABLE = {**dict.fromkeys(TICKET_TABLES, tickets_job.name), **dict.fromkeys(SALES_TABLES, sales_job.name)}


def new_files(files: Iterable[LandedFile], cursor: str | None) -> tuple[list[LandedFile], str | None]:
    """The files the cursor has not seen, and the cursor that has seen them all."""
    seen = json.loads(cursor) if cursor else {"modified_at": "", "at_latest": []}
    latest, at_latest = seen["modified_at"], set(seen["at_latest"])
    fresh = []
    for f in files:
        stamp = f.modified_at.isoformat()
        if stamp > latest or (stamp == latest and f.path not in at_latest):
            fresh.append(f)
    if not fresh:
        return [], cursor
    newest = max(max(f.modified_at.isoformat() for f in fresh), latest)
    at_newest = {f.path for f in fresh if f.modified_at.isoformat() == newest}
    if newest == latest:
        at_newest |= at_latest
    return fresh, json.dumps({"modified_at": newest, "at_latest": sorted(at_newest)})


@dg.sensor(
    jobs=[tickets_job, sales_job],
    minimum_interval_seconds=60,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="launches the tickets or sales load when new files land in the landing zone",
)
def landing_zone(context: SensorEvaluationContext) -> dg.SensorResult | dg.SkipReason:
    settings = load_settings()
    sources = [s for s in load_sources().values() if isinstance(s, FileSource) and s.table in JOB_OF_TABLE]
    landed = [(source, f) for source in sources for f in landed_files(source, settings)]
    fresh, cursor = new_files((f for _, f in landed), context.cursor)
    if not fresh:
        return dg.SkipReason("no new files in the landing zone")
    fresh_paths = {f.path for f in fresh}
    by_job: dict[str, list[str]] = {}
    for source, f in landed:
        if f.path in fresh_paths:
            by_job.setdefault(JOB_OF_TABLE[source.table], []).append(f.path)
    requests = [
        dg.RunRequest(
            job_name=job,
            run_key=f"{job} files {hashlib.sha256(json.dumps(sorted(paths)).encode()).hexdigest()[:16]}",
            tags={"ripple/new_files": str(len(paths)), "ripple/first_file": min(paths)},
        )
        for job, paths in sorted(by_job.items())
    ]
    return dg.SensorResult(run_requests=requests, cursor=cursor)
