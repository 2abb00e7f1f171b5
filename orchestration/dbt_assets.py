"""Every dbt model (silver, gold, ops) as an asset and every dbt test as an asset check.

The step does what `ripple build` does around dbt: it holds ripple's lock, creates the ops
tables the ops models read, leaves out the models of sources nothing has loaded yet, and, when
the account summary is built, attaches the summary's plan (new accounts, forward entries,
backfill records: `ripple summary --dry-run`) to its materialization. A failed build fails the
run with one line naming the first failing model or test.
"""

import json
from collections.abc import Iterator
from typing import Any

import dagster as dg
from dagster import AssetExecutionContext
from dagster_dbt import DbtCliInvocation, DbtCliResource, dbt_assets

from ingest import runlog, transform
from ingest.commands.summary import plan, summary_source
from ingest.config import Settings, load_settings
from ingest.warehouse import connect
from orchestration.dbt_project import RippleTranslator, dbt_environment, manifest_dir, ripple_dbt_project
from orchestration.lock import held_lock

SUMMARY_KEY = dg.AssetKey(["gold", "summary"])
PROJECT = ripple_dbt_project()


def run_log_specs() -> list[dg.AssetSpec]:
    """The ops tables ripple's ingest writes (its run log) that dbt models read, as external assets."""
    manifest = json.loads(PROJECT.manifest_path.read_text(encoding="utf-8"))
    return [
        dg.AssetSpec(
            ["ops", source["name"]],
            description=f"ops.{source['name']}: ripple's run log, written by every ingest. {source.get('description', '')}",
            group_name="ops",
        )
        for source in manifest["sources"].values()
        if source["schema"] == "ops"
    ]


def summary_plan_metadata(settings: Settings) -> dict[str, Any]:
    the_plan = plan(settings, summary_source().table)
    months = the_plan.months or []
    return {
        "plan_records": the_plan.records,
        "plan_new_accounts": the_plan.new_accounts,
        "plan_forward_entries": the_plan.forward_entries,
        "plan_backfill_records": the_plan.backfill_records,
        "plan_months": f"{months[0]} .. {months[-1]}" if months else "none",
    }


def failure_reason(invocation: DbtCliInvocation) -> str:
    """One line: the first model or test that failed and dbt's first line about it."""
    try:
        results = invocation.get_artifact("run_results.json")["results"]
    except FileNotFoundError:
        results = []
    for result in results:
        if result["status"] in ("error", "fail"):
            message = (result.get("message") or "").strip().splitlines()
            return f"dbt build failed: {result['unique_id']}: {message[0] if message else result['status']}"
    return f"dbt build failed (exit {invocation.process.returncode}); full log in {invocation.target_path}/dbt.log"


@dbt_assets(manifest=PROJECT.manifest_path, project=PROJECT, dagster_dbt_translator=RippleTranslator())
def ripple_dbt_models(context: AssetExecutionContext, dbt: DbtCliResource) -> Iterator[Any]:
    settings = load_settings()
    transform.require_duckdb_target(settings)
    lock = held_lock(settings, f"build (Dagster run {context.run.run_id[:8]})", context.log.info)
    with lock, dbt_environment(settings):
        with connect(settings) as con:
            runlog.ensure_tables(con)
        plan_metadata = summary_plan_metadata(settings) if SUMMARY_KEY in context.selected_asset_keys else {}
        args = ["build"]
        missing = transform.sources_without_data(settings)
        if missing:
            context.log.info(f"no data yet for {', '.join(missing)}: their models are left out")
            args += ["--exclude", *[f"source:*.{table}+" for table in missing]]
        target = manifest_dir(settings).parent / "dbt_runs" / context.run.run_id
        invocation = dbt.cli(args, context=context, raise_on_error=False, target_path=target)
        for event in invocation.stream():
            if isinstance(event, dg.Output) and context.asset_key_for_output(event.output_name) == SUMMARY_KEY:
                event = event.with_metadata({**event.metadata, **plan_metadata})
            yield event
        if not invocation.is_successful():
            raise dg.Failure(description=failure_reason(invocation), allow_retries=False)
