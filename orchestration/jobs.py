"""What each schedule and the sensor runs: sources' bronze assets with everything built on them."""

from __future__ import annotations

import dagster as dg

from orchestration.dbt_assets import ripple_dbt_models
from orchestration.ingest_assets import bronze_key

TICKET_TABLES = ("tickets",)
SALES_TABLES = ("sales_orders", "sales_order_items", "units", "products")
ACCOUNT_TABLES = ("accounts_all",)


def load_and_build(name: str, tables: tuple[str, ...], description: str) -> dg.UnresolvedAssetJobDefinition:
    return dg.define_asset_job(
        name,
        selection=dg.AssetSelection.assets(*[bronze_key(t) for t in tables]).downstream(),
        description=description,
    )


tickets_job = load_and_build(
    "tickets", TICKET_TABLES, "load every pending ticket file (catch-up), then build the ticket models"
)
sales_job = load_and_build(
    "sales", SALES_TABLES, "load new sales files and the chain's reference tables, then build the sales models"
)
summary_job = load_and_build(
    "account_summary", ACCOUNT_TABLES, "load accounts_all's new versions, then build summary and latest_summary"
)
nightly_build_job = dg.define_asset_job(
    "nightly_build",
    selection=dg.AssetSelection.assets(ripple_dbt_models),
    description="dbt build of every silver, gold and ops model with its tests (`ripple build`)",
)
JOBS = [tickets_job, sales_job, summary_job, nightly_build_job]
