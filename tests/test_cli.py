"""The `ripple` command as a user runs it: the installed entry point, in a subprocess."""

from __future__ import annotations

from importlib.metadata import version

from conftest import day, declare_sources, run_ripple, shifted_clock

from ingest.config import load_settings
from ingest.lock import warehouse_lock


def test_help_lists_every_command():
    result = run_ripple("--help")
    assert result.returncode == 0
    for command in (
        "generate",
        "ingest",
        "build",
        "reset",
        "daily",
        "summary",
        "status",
        "watermark",
        "tables",
        "docs",
        "dashboard",
    ):
        assert command in result.stdout


def test_a_second_run_while_one_holds_the_warehouse_exits_at_once_with_a_clear_message(deployment):
    deployment.generate("2023-01-01")
    with warehouse_lock(load_settings(), "build"):
        result = run_ripple("ingest")
    assert result.returncode == 1
    assert "another run holds" in result.stderr and "`ripple build`" in result.stderr and "since" in result.stderr
    assert "Traceback" not in result.stderr
    assert not deployment.warehouse.exists()  # nothing was changed


def test_user_errors_are_one_line_without_traceback(deployment):
    bad_date = run_ripple("ingest", "tickets", "--date", "2023-13-01")
    assert bad_date.returncode == 2 and "'2023-13-01' is not a date" in bad_date.stderr
    no_file = run_ripple("ingest", "tickets", "--date", "2023-01-05")
    assert no_file.returncode == 1
    assert no_file.stderr.startswith("ripple: tickets: no landed file for 2023-01-05")
    no_history = run_ripple("daily")
    assert no_history.returncode == 1 and "no ticket history landed yet" in no_history.stderr
    too_early = run_ripple("generate", "tickets", "--date", "2022-12-31")
    assert too_early.returncode == 1 and "2023-01-01" in too_early.stderr
    bad_port = run_ripple("dashboard", "--port", "70000")
    assert bad_port.returncode == 1
    assert bad_port.stderr == "ripple: --port 70000: give a TCP port between 1 and 65535\n"
    for result in (no_file, no_history, too_early):
        assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_tables_prints_every_layer_with_row_counts(deployment):
    deployment.generate("2023-01-01", "2023-01-03")
    deployment.ripple("ingest", "tickets")
    deployment.ripple("build")
    result = run_ripple("tables")
    assert result.returncode == 0
    lines = dict(line.rsplit(None, 1) for line in result.stdout.splitlines() if line.startswith(("bronze.", "gold.")))
    assert (
        int(lines["bronze.tickets"].replace(",", "")) == deployment.query("select count(*) from bronze.tickets")[0][0]
    )
    assert {"gold.fact_tickets", "gold.backlog_daily", "gold.sla_risk"} <= set(lines)


def test_docs_generate_describes_every_layer(deployment):
    deployment.generate("2023-01-01", "2023-01-02")
    deployment.ripple("ingest", "tickets")
    deployment.ripple("build")
    from ingest import transform
    from ingest.config import load_settings

    settings = load_settings()
    transform.run_dbt(settings, "docs", "generate", quiet=True)
    import json

    catalog = json.loads((settings.dbt_target_path / "catalog.json").read_text())
    names = {node["metadata"]["name"] for node in catalog["nodes"].values()}
    assert {"fact_tickets", "backlog_daily", "stg_tickets__events", "ingestion_state"} <= names
    manifest = json.loads((settings.dbt_target_path / "manifest.json").read_text())
    undocumented = [
        n["name"] for n in manifest["nodes"].values() if n["resource_type"] == "model" and not n["description"].strip()
    ]
    assert undocumented == []


def test_every_documented_column_has_only_known_keys():
    """A comma in an unquoted YAML flow mapping silently cuts a description short."""
    import yaml

    from ingest.config import DBT_PROJECT_DIR

    known = {"name", "description", "data_type", "data_tests", "constraints", "meta", "quote", "config", "tags"}
    stray = [
        (path.name, model["name"], column["name"], sorted(set(column) - known))
        for path in (DBT_PROJECT_DIR / "models").rglob("*.yml")
        for model in (yaml.safe_load(path.read_text()).get("models") or [])
        for column in model.get("columns") or []
        if set(column) - known
    ]
    assert stray == []


def test_ripple_refuses_to_build_a_target_it_does_not_ingest_into(deployment, monkeypatch):
    monkeypatch.setenv("DBT_TARGET", "bigquery")
    result = run_ripple("build")
    assert result.returncode == 1
    assert result.stderr.startswith("ripple: DBT_TARGET=bigquery: ripple builds the DuckDB warehouse")
    assert not deployment.warehouse.exists()


def test_status_shows_the_failed_run_of_a_source_whose_declarations_are_not_loaded_now(
    deployment, monkeypatch, tmp_path
):
    declare_sources(
        monkeypatch, tmp_path, '[orders]\nkind = "table"\nsource_table = "public.orders"\nconnection = "ORDERS_URL"\n'
    )
    monkeypatch.setenv("ORDERS_URL", "postgresql://ripple@127.0.0.1:1/ripple")  # nothing listens there
    assert run_ripple("ingest", "orders").returncode == 1
    monkeypatch.delenv("RIPPLE_SOURCES_FILE")
    result = run_ripple("status")
    assert result.returncode == 1
    [row] = [line for line in result.stdout.splitlines() if line.startswith("orders ")]
    assert "table (not declared now)" in row and " failed " in row
    assert "last run failed for: orders" in result.stderr


def test_status_says_fresh_late_or_stale_against_each_cadence_and_exits_1_when_stale(deployment):
    deployment.generate(day(1), day(3))
    deployment.hold_back(day(2))
    deployment.ripple("ingest", "tickets")
    now = run_ripple("status")
    [row] = [line for line in now.stdout.splitlines() if line.startswith("tickets ")]
    assert now.returncode == 0 and " fresh (" in row, now.stdout
    assert f"tickets: no file for 1 business day(s) between landed ones: {day(2)}" in now.stdout
    later = run_ripple("status", env=shifted_clock("+3d"))  # a daily source with nothing new for 3 days
    [row] = [line for line in later.stdout.splitlines() if line.startswith("tickets ")]
    assert later.returncode == 1 and " stale (3.0 d)" in row, later.stdout
    assert "stale (no new data for longer than stale_after): tickets" in later.stderr


def test_version_and_a_selection_that_matches_nothing(deployment):
    assert run_ripple("--version").stdout.strip() == f"ripple {version('ripple')}"
    deployment.generate(day(1))
    deployment.ripple("ingest", "tickets")
    nothing = run_ripple("build", "--select", "no_such_model")
    assert nothing.returncode == 1
    assert nothing.stderr.strip().splitlines()[-1] == (
        "ripple: --select no_such_model matched no model, seed or test: nothing was built"
    )
