"""ripple's Dagster definitions: `dagster dev` and `dagster definitions validate` find them
through pyproject.toml ([tool.dagster])."""

from __future__ import annotations

import dagster as dg

from orchestration.checks import summary_arrays_have_full_length, summary_has_no_duplicate_account_month
from orchestration.dbt_assets import PROJECT, ripple_dbt_models, run_log_specs
from orchestration.dbt_project import dbt_cli
from orchestration.ingest_assets import origin_specs, source_assets
from orchestration.jobs import JOBS
from orchestration.schedules import SCHEDULES
from orchestration.sensors import landing_zone

defs = dg.Definitions(
    assets=[*origin_specs(), *source_assets(), *run_log_specs(), ripple_dbt_models],
    asset_checks=[summary_has_no_duplicate_account_month, summary_arrays_have_full_length],
    jobs=JOBS,
    schedules=SCHEDULES,
    sensors=[landing_zone],
    resources={"dbt": dbt_cli(PROJECT)},
    # one step at a time, in the run's own process: the steps of a run never wait for each other's lock
    executor=dg.in_process_executor,
)
