"""The account summary's validations, as asset checks on gold.summary: no account-month twice,
and every `<column>_history` array exactly `summary_history_length` (36) long. They read the
warehouse under ripple's lock, as no run outside Dagster may be writing it meanwhile."""

import dagster as dg
import yaml  # type: ignore[import-untyped]  # PyYAML ships no types; its stubs are not in the lock
from dagster import AssetCheckExecutionContext

from ingest.config import DBT_PROJECT_DIR, load_settings
from ingest.warehouse import connect
from orchestration.dbt_assets import SUMMARY_KEY
from orchestration.lock import held_lock


def history_length() -> int:
    project = yaml.safe_load((DBT_PROJECT_DIR / "dbt_project.yml").read_text(encoding="utf-8"))
    return int(project["vars"]["summary_history_length"])


@dg.asset_check(asset=SUMMARY_KEY, description="no (cons_acct_key, rpt_as_of_mo) appears twice in gold.summary")
def summary_has_no_duplicate_account_month(context: AssetCheckExecutionContext) -> dg.AssetCheckResult:
    settings = load_settings()
    with (
        held_lock(settings, "check gold.summary (Dagster)", context.log.info),
        connect(settings, read_only=True) as con,
    ):
        (duplicates,) = con.execute(
            "select count(*) from (select 1 from gold.summary group by cons_acct_key, rpt_as_of_mo having count(*) > 1)"
        ).fetchone()
    return dg.AssetCheckResult(passed=duplicates == 0, metadata={"duplicate_account_months": duplicates})


@dg.asset_check(
    asset=SUMMARY_KEY, description="every <column>_history array of gold.summary has summary_history_length entries"
)
def summary_arrays_have_full_length(context: AssetCheckExecutionContext) -> dg.AssetCheckResult:
    length = history_length()
    settings = load_settings()
    with (
        held_lock(settings, "check gold.summary (Dagster)", context.log.info),
        connect(settings, read_only=True) as con,
    ):
        columns = [c for c in con.columns("gold", "summary") if c.endswith("_history")]
        wrong = " or ".join(f"len({c}) is distinct from {length}" for c in columns)
        (bad_rows,) = con.execute(f"select count(*) from gold.summary where {wrong}").fetchone()
    return dg.AssetCheckResult(
        passed=bool(columns) and bad_rows == 0,
        metadata={"history_columns": ", ".join(columns), "expected_length": length, "rows_with_wrong_length": bad_rows},
    )
