"""The bigquery target, checked offline: every model compiles for BigQuery in its full-refresh
and its incremental branch with no network and no credentials, and every statement dbt
produces is BigQuery SQL (sqlglot's BigQuery dialect, BigQuery's functions, no DuckDB syntax)."""

from __future__ import annotations

import json

import pytest
from offline_bigquery import PREFIX, PROJECT, FakeBigQueryClient, bigquery_problems, dbt_on_bigquery, schema_of

from ingest.config import DBT_PROFILES_DIR, DBT_PROJECT_DIR

BRONZE = {"tickets", "sales_orders", "sales_order_items", "units", "products", "accounts_all"}
FILE_SOURCES = ("tickets", "sales_orders", "sales_order_items")
OPS = {"ingestion_metadata", "watermarks", "watermark_changes", "schema_history"}


def manifest_nodes(target_path) -> dict[str, dict]:
    manifest = json.loads((target_path / "manifest.json").read_text())
    return {n["name"]: n for n in manifest["nodes"].values() if n["resource_type"] in ("model", "test")}


def a_warehouse(models: dict[str, dict], built: bool) -> FakeBigQueryClient:
    """Bronze and ops tables loaded; `built`: every model exists too (an incremental run)."""
    tables = {
        f"{PREFIX}_bronze": set(BRONZE),
        f"{PREFIX}_ops": set(OPS),
        f"{PREFIX}_silver": set(),
        f"{PREFIX}_gold": set(),
    }
    models = {name: node for name, node in models.items() if node["resource_type"] == "model"}
    if built:
        for node in models.values():
            tables.setdefault(node["schema"], set()).add(node["name"])
    columns = {f"{PREFIX}_bronze": [(t, c) for t in FILE_SOURCES for c in ("_source_file", "_reject_reason")]}
    return FakeBigQueryClient(
        tables,
        columns,
        {name: schema_of(node) for name, node in models.items()},
        views={name for name, node in models.items() if node["config"]["materialized"] == "view"},
    )


BRANCHES = ["full", "incremental"]


@pytest.fixture(scope="module")
def compiled(tmp_path_factory):
    """Offline, for both branches of every model (full: nothing built yet, as in a first build
    or a --full-refresh; incremental: every model exists): `dbt compile` of models and tests,
    then `dbt run` of the models. Returns {branch: (nodes, every statement sent to BigQuery)}."""
    monkeypatch = pytest.MonkeyPatch()
    results = {}
    try:
        parsed = tmp_path_factory.mktemp("bq_parse")
        assert dbt_on_bigquery(
            monkeypatch, DBT_PROJECT_DIR, DBT_PROFILES_DIR, parsed, FakeBigQueryClient({}, {}), "parse"
        ).success
        models = manifest_nodes(parsed)
        for branch in BRANCHES:
            target = tmp_path_factory.mktemp("bq_" + branch)
            client = a_warehouse(models, built=branch == "incremental")
            for command, args in (("compile", ("--exclude", "test_type:unit")), ("run", ())):
                result = dbt_on_bigquery(monkeypatch, DBT_PROJECT_DIR, DBT_PROFILES_DIR, target, client, command, *args)
                errors = result.exception or [r.message for r in result.result if r.status in ("error", "fail")]
                assert result.success, f"{branch} {command}: {errors}"
                if command == "compile":
                    nodes = manifest_nodes(target)
            results[branch] = (nodes, client.queries)
    finally:
        monkeypatch.undo()
    return results


def statements_for(queries: list[str], model: str) -> list[str]:
    return [q for q in queries if f'"node_id": "model.ripple.{model}"' in q]


@pytest.mark.parametrize("branch", BRANCHES)
def test_every_model_and_test_compiles_to_bigquery_sql(compiled, branch):
    nodes, queries = compiled[branch]
    models = [n for n in nodes.values() if n["resource_type"] == "model"]
    assert {n["name"] for n in models} == {p.stem for p in (DBT_PROJECT_DIR / "models").rglob("*.sql")}
    problems = {name: bigquery_problems(node["compiled_code"]) for name, node in nodes.items()}
    problems.update({f"statement {n}: {q[:300]}": bigquery_problems(q) for n, q in enumerate(queries)})
    assert {name: p for name, p in problems.items() if p} == {}


def test_the_incremental_branch_is_the_one_compiled(compiled):
    full, _ = compiled["full"]
    incremental, _ = compiled["incremental"]
    for name in ("fact_tickets", "summary", "latest_summary", "int_ticket_events_deduplicated", "sales_daily"):
        assert "timestamp_sub(" not in full[name]["compiled_code"], name  # no watermark in a full build
        assert "timestamp_sub(" in incremental[name]["compiled_code"], name
    # the summary's forward path reads latest_summary's arrays, and shifts them
    assert f"`{PROJECT}`.`{PREFIX}_gold`.`latest_summary`" in incremental["summary"]["compiled_code"]
    assert "generate_array(1, 36)" in incremental["summary"]["compiled_code"]


def test_layers_are_prefixed_datasets_and_large_tables_are_partitioned_and_clustered(compiled):
    from dbt.adapters.bigquery.relation_configs import PartitionConfig

    nodes, queries = compiled["incremental"]
    assert {nodes[n]["schema"] for n in ("fact_tickets", "summary")} == {f"{PREFIX}_gold"}
    assert nodes["stg_tickets__events"]["schema"] == f"{PREFIX}_silver"
    assert f"`{PROJECT}`.`{PREFIX}_bronze`.`tickets`" in nodes["stg_tickets__events"]["compiled_code"]
    assert f"`{PREFIX}_bronze`.INFORMATION_SCHEMA.COLUMNS" in queries[0]
    assert "`ripple_bronze`.`sales_orders`" in nodes["quarantine"]["compiled_code"]

    layout = {
        name: (
            nodes[name]["config"]["incremental_strategy"],
            PartitionConfig.parse(nodes[name]["config"].get("partition_by")),
            nodes[name]["config"].get("cluster_by"),
        )
        for name in ("fact_tickets", "summary", "features_daily", "int_account_months_latest")
    }
    strategy, partition, cluster = layout["fact_tickets"]
    assert (strategy, partition.field, partition.granularity, cluster) == (
        "merge",
        "opened_date",
        "month",
        ["ticket_id"],
    )
    strategy, partition, cluster = layout["summary"]
    assert (strategy, partition.field, partition.granularity, cluster) == (
        "merge",
        "month_date",
        "month",
        ["cons_acct_key"],
    )
    assert nodes["summary"]["config"]["meta"]["prune_merge_by_partition"] is True
    strategy, partition, _ = layout["features_daily"]
    assert (strategy, partition.field, partition.granularity) == ("insert_overwrite", "business_date", "day")
    assert {
        n["config"].get("incremental_strategy")
        for n in nodes.values()
        if n["resource_type"] == "model" and n["config"]["materialized"] == "incremental"
    } == {"merge", "insert_overwrite"}  # delete+insert is DuckDB's


def test_contract_types_are_bigquery_types(compiled):
    nodes, _ = compiled["incremental"]
    types = {c["data_type"] for n in nodes.values() for c in n["columns"].values() if c.get("data_type")}
    assert {"float64", "timestamp", "string"} <= types
    assert not types & {"double", "varchar", "timestamp with time zone"}


@pytest.mark.parametrize(
    "sql,problem",
    [
        ("select list_resize(list(x) over (order by y), 36) from t", "list_resize()"),
        ("select quantile_cont(x, 0.5) from t", "quantile_cont()"),
        ("select cast(unnest(generate_series(a, b, interval 1 day)) as date) from t", "generate_series()"),
        ("select timezone('UTC', timezone('Asia/Kolkata', x)) from t", "timezone()"),
        ("select * exclude (a) from t", "* exclude"),
        ("select x::int from t", "`::`"),
        ("select len(a) from t", "len()"),
        ("select from where", "does not parse"),
    ],
)
def test_duckdb_sql_is_caught(sql, problem):
    assert any(problem in p for p in bigquery_problems(sql)), bigquery_problems(sql)


def test_the_duckdb_build_of_the_same_models_would_be_caught(deployment):
    """The same check on the DuckDB target's compiled SQL must fail: it is not vacuous."""
    deployment.ripple("generate", "tickets", "--start", "2023-01-01", "--volume", "5")
    deployment.ripple("ingest", "tickets")
    from ingest.config import load_settings
    from ingest.transform import run_dbt

    settings = load_settings()
    run_dbt(
        settings,
        "compile",
        "--select",
        "summary",
        "features_daily",
        "stg_tickets__events",
        "int_ticket_business_days",
        quiet=True,
    )
    flagged = {
        name: bigquery_problems(node["compiled_code"])
        for name, node in manifest_nodes(settings.dbt_target_path).items()
        if name in ("summary", "features_daily", "stg_tickets__events", "int_ticket_business_days")
    }
    assert all(flagged.values()), flagged


def test_tables_are_created_partitioned_and_merges_scan_only_the_partitions_they_change(compiled):
    _, full = compiled["full"]
    _, incremental = compiled["incremental"]

    def one(statements: list[str], words: str) -> str:
        found = [s for s in statements if words in s]
        assert len(found) == 1, (words, len(found))
        return " ".join(found[0].split())

    create = one(statements_for(full, "fact_tickets"), "create or replace table")
    assert "partition by date_trunc(opened_date, month) cluster by ticket_id" in create
    create = one(statements_for(full, "summary"), "create or replace table")
    assert "partition by date_trunc(month_date, month) cluster by cons_acct_key" in create

    # a literal bound on the target's partitions (read from the new rows: here the stand-in's
    # answer, 2024-01-01), so BigQuery prunes the partitions before it
    for model, column in (("summary", "month_date"), ("fact_tickets", "opened_date"), ("fact_orders", "business_date")):
        merge = one(statements_for(incremental, model), "merge into")
        assert f"DBT_INTERNAL_DEST.{column} >= date '2024-01-01'" in merge, model
    merge = one(statements_for(incremental, "int_ticket_events_deduplicated"), "merge into")
    assert ">= date '" not in merge  # its partition column is not fixed by its key: no bound

    # whole business days replaced as whole partitions
    script = one(statements_for(incremental, "features_daily"), "dbt_partitions_for_replacement")
    assert (
        "when not matched by source and date(DBT_INTERNAL_DEST.business_date) in unnest(dbt_partitions_for_replacement)"
        in script
    )


@pytest.mark.parametrize(
    "auth,method,keyfile", [("oauth", "oauth", ""), ("keyfile", "service-account", "/keys/sa.json")]
)
def test_the_profile_comes_from_environment_variables_only(monkeypatch, auth, method, keyfile):
    """`dbt debug` on the bigquery target: the credentials dbt builds from RIPPLE_BQ_*."""
    client = FakeBigQueryClient({}, {})
    result = dbt_on_bigquery(
        monkeypatch,
        DBT_PROJECT_DIR,
        DBT_PROFILES_DIR,
        None,
        client,
        "debug",
        env={
            "RIPPLE_BQ_AUTH": auth,
            "RIPPLE_BQ_KEYFILE": keyfile,
            "RIPPLE_BQ_LOCATION": "europe-west3",
            "RIPPLE_BQ_DATASET_PREFIX": "acme",
        },
    )
    assert result.success
    credentials = client.credentials
    assert (
        credentials.method,
        credentials.keyfile or "",
        credentials.database,
        credentials.schema,
        credentials.location,
    ) == (method, keyfile, PROJECT, "acme", "europe-west3")
