"""One asset per ripple source: its bronze table, loaded by ripple's own ingest.

The step runs `ingest.pipeline.ingest`, the code `ripple ingest` runs, under ripple's lock:
state stays with the data, bad rows go to quarantine, every run is in ops.ingestion_metadata.
Upstream of each is where the source lives (its landing-zone files or its database table),
shown in the graph but loaded by nothing in Dagster.
"""

import os

import dagster as dg
from dagster import AssetExecutionContext

from ingest.config import load_settings
from ingest.errors import RippleError, SourceUnavailable
from ingest.pipeline import ingest
from ingest.sources import FileSource, Source, load_sources
from orchestration.lock import held_lock


def transient_retry() -> dg.RetryPolicy:
    """A source database that is down or restarting (ripple's SourceUnavailable) is the transient
    failure worth waiting out: the step is tried again 3 times, RIPPLE_RETRY_DELAY seconds later
    (default 60), then twice and four times that. Any other failure (a wrong URL or declaration,
    an unset variable) fails at once: waiting changes nothing. A file source's bad rows go to
    quarantine and never fail the run."""
    delay = float(os.environ.get("RIPPLE_RETRY_DELAY", "60"))
    return dg.RetryPolicy(max_retries=3, delay=delay, backoff=dg.Backoff.EXPONENTIAL)


def bronze_key(table: str) -> dg.AssetKey:
    return dg.AssetKey(["bronze", table])


def origin_spec(source: Source) -> dg.AssetSpec:
    """Where the source's data comes from: landing-zone files or an operational database table."""
    if isinstance(source, FileSource):
        return dg.AssetSpec(
            ["landing", source.name],
            description=f"files matching {source.location} in the landing zone",
            group_name="landing",
            kinds={"file"},
        )
    where = source.source_table or f"query {source.name}"
    return dg.AssetSpec(
        ["operational_db", source.name],
        description=f"{where} in the database at ${source.connection}",
        group_name="landing",
        kinds={"sql"},
    )


def source_asset(source: Source) -> dg.AssetsDefinition:
    @dg.asset(
        key=bronze_key(source.table),
        deps=[origin_spec(source).key],
        group_name="bronze",
        kinds={"dlt", "duckdb"},
        description=f"bronze.{source.table}: source `{source.name}` loaded by `ripple ingest {source.name}`",
        retry_policy=transient_retry(),
        op_tags={"ripple/source": source.name},
    )
    def load(context: AssetExecutionContext) -> dg.MaterializeResult:
        settings = load_settings()
        with held_lock(settings, f"ingest {source.name} (Dagster run {context.run.run_id[:8]})", context.log.info):
            try:
                run = ingest(source, settings, progress=context.log.info)
            except RippleError as exc:
                raise dg.Failure(description=str(exc), allow_retries=isinstance(exc, SourceUnavailable)) from None
        return dg.MaterializeResult(
            metadata={
                "ripple_run_id": run.run_id,
                "rows_loaded": run.rows_loaded,
                "rows_quarantined": run.rows_quarantined,
                "rows_read": run.rows_read,
                "files": run.files,
            }
        )

    return load


def source_assets() -> list[dg.AssetsDefinition]:
    return [source_asset(source) for source in load_sources().values()]


def origin_specs() -> list[dg.AssetSpec]:
    return [origin_spec(source) for source in load_sources().values()]
