"""ripple's Dagster code location (orchestration/): definitions, a full materialization against
`ripple build --full-refresh`, schedules, the landing-zone sensor, runs that never overlap, failures
with ripple's reason, and the web UI in a real browser."""

import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

import dagster as dg
import pytest
from browser import REPO_ROOT, artifact_path
from conftest import GOLD_TABLES, day, free_port
from dagster._utils.schedules import cron_string_iterator

from ingest.cli import main

SALES_DAY = "2024-03-01"


@pytest.fixture(scope="module")
def manifest_data_dir(tmp_path_factory) -> Path:
    """The data dir the definitions were loaded with: dbt's manifest is parsed into it once."""
    return tmp_path_factory.mktemp("dagster_manifest") / "data"


@pytest.fixture(scope="module")
def defs(manifest_data_dir) -> dg.Definitions:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("RIPPLE_DATA_DIR", str(manifest_data_dir))
        patch.setenv("DBT_TARGET", "ci")
        from orchestration.definitions import defs

        return defs


@pytest.fixture(scope="module")
def small_world(tmp_path_factory) -> Path:
    """A few days of every source, generated once: 3 ticket days, 3 units' sales of a day, 30
    accounts over 18 months (in the data dir's SQLite operational database)."""
    data_dir = tmp_path_factory.mktemp("dagster_world") / "data"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("RIPPLE_DATA_DIR", str(data_dir))
        for args in (
            ["generate", "tickets", "--start", day(1), "--end", day(3), "--volume", "40"],
            ["generate", "reference", "--units", "3"],
            ["generate", "sales", "--date", SALES_DAY, "--units", "3"],
            ["generate", "accounts", "--accounts", "30", "--start", "2023-01", "--end", "2024-06"],
        ):
            assert main(args) == 0, args
    return data_dir


def landed(deployment, world: Path) -> None:
    shutil.copytree(world, deployment.data_dir)


def test_definitions_validate_from_the_repository_root(manifest_data_dir, defs):
    done = subprocess.run(
        [str(Path(sys.executable).with_name("dagster")), "definitions", "validate"],
        cwd=REPO_ROOT,
        env={**os.environ, "RIPPLE_DATA_DIR": str(manifest_data_dir), "DBT_TARGET": "ci"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "Validation successful for code location ripple" in done.stdout + done.stderr
    keys = {key.to_user_string() for key in defs.resolve_all_asset_keys()}
    sources = {"tickets", "sales_orders", "sales_order_items", "units", "products", "accounts_all"}
    assert {f"bronze/{s}" for s in sources} <= keys
    assert {f"gold/{t}" for t in [*GOLD_TABLES, "summary", "latest_summary", "fact_orders", "sales_daily"]} <= keys
    assert {"landing/tickets", "operational_db/accounts_all"} <= keys


def test_materializing_every_asset_builds_gold_equal_to_a_full_refresh(defs, small_world, deployment):
    landed(deployment, small_world)
    with dg.instance_for_test() as instance:
        result = defs.resolve_implicit_global_asset_job_def().execute_in_process(instance=instance)
    assert result.success
    materialized = {
        e.materialization.asset_key.to_user_string(): {k: v.value for k, v in e.materialization.metadata.items()}
        for e in result.get_asset_materialization_events()
    }
    assert "gold/backlog_daily" in materialized and "gold/latest_summary" in materialized
    for source in ("tickets", "sales_orders", "accounts_all"):
        [(run_id, rows_loaded, rows_quarantined)] = deployment.query(
            "select run_id, rows_loaded, rows_quarantined from ops.ingestion_metadata where source_name = ?", [source]
        )
        metadata = materialized[f"bronze/{source}"]
        assert (metadata["ripple_run_id"], metadata["rows_loaded"], metadata["rows_quarantined"]) == (
            run_id,
            rows_loaded,
            rows_quarantined,
        )
        assert rows_loaded > 0
    summary = materialized["gold/summary"]
    [(records,)] = deployment.query("select count(*) from bronze.accounts_all")
    assert (summary["plan_records"], summary["plan_new_accounts"]) == (records, 30)
    assert (summary["plan_forward_entries"], summary["plan_backfill_records"]) == (0, 0)
    assert summary["plan_months"] == "2023-01 .. 2024-06"
    checks = {c.check_name: c.passed for c in result.get_asset_check_evaluations()}
    assert checks["summary_has_no_duplicate_account_month"] and checks["summary_arrays_have_full_length"]
    assert len(checks) > 50 and all(checks.values())  # every dbt test ran as a check, and passed
    deployment.assert_full_refresh_changes_nothing()
    assert_summary_checks_catch_a_duplicate_and_a_short_array(deployment)


def assert_summary_checks_catch_a_duplicate_and_a_short_array(deployment) -> None:
    import duckdb

    from orchestration.checks import summary_arrays_have_full_length, summary_has_no_duplicate_account_month

    with duckdb.connect(str(deployment.warehouse)) as con:
        first, last = "min(cons_acct_key)", "max(cons_acct_key)"
        con.execute(
            f"insert into gold.summary select * from gold.summary where cons_acct_key = (select {first} from gold.summary) "
            "order by rpt_as_of_mo limit 1"
        )
        con.execute(
            "update gold.summary set balance_am_history = balance_am_history[1:35] "
            f"where cons_acct_key = (select {last} from gold.summary) and rpt_as_of_mo = "
            f"(select max(rpt_as_of_mo) from gold.summary where cons_acct_key = (select {last} from gold.summary))"
        )
    duplicates = summary_has_no_duplicate_account_month(dg.build_asset_check_context())
    arrays = summary_arrays_have_full_length(dg.build_asset_check_context())
    assert (duplicates.passed, duplicates.metadata["duplicate_account_months"].value) == (False, 1)
    assert (arrays.passed, arrays.metadata["rows_with_wrong_length"].value) == (False, 1)


def ticks(schedule: dg.ScheduleDefinition, after: datetime, count: int) -> list[tuple[str, str, dict]]:
    """The schedule's next ticks as the daemon computes them, each evaluated: (UTC time, run key, tags)."""
    found = []
    for tick in cron_string_iterator(after.timestamp(), schedule.cron_schedule, schedule.execution_timezone):
        [request] = schedule.evaluate_tick(dg.build_schedule_context(scheduled_execution_time=tick)).run_requests
        tags = {k: v for k, v in request.tags.items() if k.startswith("ripple/")}
        found.append((f"{tick.astimezone(UTC):%Y-%m-%d %H:%M}Z", request.run_key, tags))
        if len(found) == count:
            return found
    raise AssertionError("the schedule stopped ticking")


def test_schedules_request_runs_at_their_local_times(defs):
    after = datetime(2024, 3, 1, tzinfo=UTC)
    schedules = {s.name: s for s in defs.schedules}
    assert {name: s.job_name for name, s in schedules.items()} == {
        "tickets_daily": "tickets",
        "sales_windows": "sales",
        "nightly_build": "nightly_build",
        "account_summary_daily": "account_summary",
    }
    catch_up = {"ripple/catch_up": "every pending day"}
    assert ticks(schedules["tickets_daily"], after, 2) == [  # 08:00 IST = 02:30 UTC
        ("2024-03-01 02:30Z", "tickets 2024-03-01", {"ripple/business_date": "2024-02-29", **catch_up}),
        ("2024-03-02 02:30Z", "tickets 2024-03-02", {"ripple/business_date": "2024-03-01", **catch_up}),
    ]
    # from midnight in Sao Paulo (BRT, UTC-3): the window ending 22:00 BRT ends 01:00 UTC the next day
    midnight_brt = datetime(2024, 3, 1, 3, tzinfo=UTC)
    utc_ends = ["03-01 15:00", "03-01 17:00", "03-01 19:00", "03-01 21:00", "03-01 23:00", "03-02 01:00"]
    windows = ["10:00-12:00", "12:00-14:00", "14:00-16:00", "16:00-18:00", "18:00-20:00", "20:00-22:00"]
    assert ticks(schedules["sales_windows"], midnight_brt, 6) == [
        (f"2024-{end}Z", f"sales 2024-03-01 {w}", {"ripple/business_date": "2024-03-01", "ripple/window": w})
        for end, w in zip(utc_ends, windows)
    ]
    assert ticks(schedules["nightly_build"], after, 1) == [("2024-03-01 05:00Z", "nightly build 2024-03-01", {})]
    assert ticks(schedules["account_summary_daily"], after, 1) == [("2024-03-01 09:00Z", "summary 2024-03-01", {})]


def sensor_tick(defs, instance, cursor):
    sensor = defs.resolve_sensor_def("landing_zone")
    return sensor.evaluate_tick(dg.build_sensor_context(instance=instance, cursor=cursor, definitions=defs))


def test_landing_zone_sensor_launches_once_per_new_file(defs, deployment):
    with dg.instance_for_test() as instance:
        first = sensor_tick(defs, instance, None)
        assert first.run_requests == [] and first.skip_message == "no new files in the landing zone"
        deployment.generate(day(1))
        launched = sensor_tick(defs, instance, first.cursor)
        [request] = launched.run_requests
        assert (request.job_name, request.tags["ripple/new_files"]) == ("tickets", "1")
        assert request.tags["ripple/first_file"] == f"tickets/tickets_{day(1)}.csv"
        again = sensor_tick(defs, instance, launched.cursor)
        assert again.run_requests == [] and again.cursor == launched.cursor
        deployment.generate(day(2))
        deployment.ripple("generate", "reference", "--units", "2")
        deployment.ripple(
            "generate", "sales", "--date", SALES_DAY, "--window-start", "10:00", "--window-end", "12:00", "--units", "2"
        )
        both = sensor_tick(defs, instance, again.cursor)
        requests = {r.job_name: r for r in both.run_requests}
        assert set(requests) == {"tickets", "sales"}
        assert requests["tickets"].tags["ripple/first_file"] == f"tickets/tickets_{day(2)}.csv"
        assert requests["tickets"].tags["ripple/new_files"] == "1"
        assert requests["sales"].tags["ripple/new_files"] == "4"  # 2 units x (pedido.csv, item_pedido.csv)
        assert sensor_tick(defs, instance, both.cursor).run_requests == []


OVERLAPPING_RUN = """
import sys
import dagster as dg
from ingest.sources import get_source
from orchestration.ingest_assets import source_asset
sys.exit(0 if dg.materialize([source_asset(get_source("tickets"))]).success else 1)
"""
WAITING = "waiting for ripple's lock: another run holds"


def test_two_overlapping_runs_load_one_after_the_other(deployment, tmp_path):
    """Two runs launched at once, both waiting on a run that holds ripple's lock: when it ends,
    one loads, the other waits for it, then loads what is left (nothing)."""
    from ingest.config import load_settings
    from ingest.lock import warehouse_lock

    deployment.generate(day(1), day(2))
    logs = [tmp_path / "run-1.log", tmp_path / "run-2.log"]
    env = {**os.environ, "PYTHONPATH": f"{REPO_ROOT}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}
    with warehouse_lock(load_settings(), "daily"):
        runs = []
        for log in logs:
            with open(log, "w") as out:
                runs.append(subprocess.Popen([sys.executable, "-c", OVERLAPPING_RUN], env=env, stdout=out, stderr=out))
        deadline = time.monotonic() + 180
        while not all(WAITING in log.read_text() for log in logs):  # both runs are in their step
            assert time.monotonic() < deadline, "the runs did not reach their step"
            assert all(run.poll() is None for run in runs), logs[0].read_text()[-3000:]
            time.sleep(0.2)
    codes = [run.wait(timeout=300) for run in runs]
    assert codes == [0, 0], logs[0].read_text()[-3000:] + logs[1].read_text()[-3000:]
    loads = deployment.query(
        "select status, rows_loaded, started_at, ended_at from ops.ingestion_metadata "
        "where source_name = 'tickets' order by started_at"
    )
    assert [(status, rows > 0) for status, rows, _, _ in loads] == [("success", True), ("success", False)]
    assert loads[0][3] <= loads[1][2]  # the second began after the first had ended


def test_a_failed_ingest_fails_the_run_with_ripples_reason_and_no_retry(deployment, monkeypatch, tmp_path):
    from conftest import declare_sources

    from ingest.sources import get_source
    from orchestration.ingest_assets import source_asset

    declare_sources(
        monkeypatch,
        tmp_path,
        '[crm]\nkind = "table"\nsource_table = "customers"\nconnection = "RIPPLE_CRM_URL"\nprimary_key = ["id"]\n',
    )
    monkeypatch.delenv("RIPPLE_CRM_URL", raising=False)
    result = dg.materialize([source_asset(get_source("crm"))], raise_on_error=False)
    assert not result.success
    [failure] = [e for e in result.all_events if e.event_type_value == "STEP_FAILURE"]
    assert failure.step_failure_data.user_failure_data.description == (
        "environment variable RIPPLE_CRM_URL (a source database URL) is not set"
    )
    assert not [e for e in result.all_events if e.event_type_value == "STEP_UP_FOR_RETRY"]


def wait_for_server(url: str, process: subprocess.Popen, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"the webserver exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.5)
    raise AssertionError(f"the webserver did not answer {url} within {seconds:.0f} s")


def test_the_web_ui_shows_the_asset_graph_and_every_asset(manifest_data_dir, defs, chromium, tmp_path):
    home = tmp_path / "dagster_home"
    home.mkdir()
    shutil.copy(REPO_ROOT / "orchestration" / "dagster.yaml", home / "dagster.yaml")
    port = free_port()
    server = subprocess.Popen(
        [str(Path(sys.executable).with_name("dagster-webserver")), "-h", "127.0.0.1", "-p", str(port)],
        cwd=REPO_ROOT,
        env={**os.environ, "DAGSTER_HOME": str(home), "RIPPLE_DATA_DIR": str(manifest_data_dir), "DBT_TARGET": "ci"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # the webserver and its code server: stopped together below
    )
    page = chromium.new_page(viewport={"width": 1600, "height": 1000})
    try:
        wait_for_server(f"http://127.0.0.1:{port}/server_info", server, 120)
        page.goto(f"http://127.0.0.1:{port}/asset-groups", wait_until="networkidle")
        page.get_by_text("Global asset lineage").wait_for()
        skip = page.get_by_role("button", name="Skip")  # Dagster's newsletter prompt, first visit only
        if skip.is_visible():
            skip.click()
        # the graph: one box per group with its number of assets, landing -> bronze -> silver -> gold
        specs = list(defs.resolve_all_asset_specs())
        groups = sorted({spec.group_name for spec in specs})
        assert groups == ["bronze", "gold", "landing", "ops", "silver"]
        page.get_by_text("Materialize all").wait_for()  # the graph has loaded
        graph = page.inner_text("body")
        for group in groups:
            count = sum(spec.group_name == group for spec in specs)
            assert f"{group}\n{count}" in graph, f"the graph shows no box for group {group} with {count} assets"
        page.screenshot(path=artifact_path("dagster_asset_graph.png"))
        # the catalog lists every asset by key (a page tall enough that no row is left unrendered)
        page.set_viewport_size({"width": 1600, "height": 4000})
        page.goto(f"http://127.0.0.1:{port}/assets", wait_until="networkidle")
        page.get_by_text("gold / latest_summary").first.wait_for()
        catalog = page.inner_text("body")
        missing = [spec.key.to_user_string() for spec in specs if " / ".join(spec.key.path) not in catalog]
        assert missing == []
    finally:
        page.close()
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=60)


def test_a_database_that_cannot_be_reached_is_retried_then_fails_with_ripples_reason(deployment, monkeypatch, tmp_path):
    from conftest import declare_sources

    from ingest.sources import get_source
    from orchestration.ingest_assets import source_asset

    declare_sources(monkeypatch, tmp_path, '[orders]\nkind = "table"\nsource_table = "orders"\nprimary_key = ["id"]\n')
    port = free_port()  # nothing listens there: the database is down
    monkeypatch.setenv("RIPPLE_SOURCE_URL", f"postgresql://ripple:s3cret@127.0.0.1:{port}/shop")
    monkeypatch.setenv("RIPPLE_RETRY_DELAY", "0")
    result = dg.materialize([source_asset(get_source("orders"))], raise_on_error=False)
    assert not result.success
    events = [e.event_type_value for e in result.all_events]
    assert events.count("STEP_UP_FOR_RETRY") == 3 and events.count("STEP_FAILURE") == 1
    [failure] = [e for e in result.all_events if e.event_type_value == "STEP_FAILURE"]
    description = failure.step_failure_data.user_failure_data.description
    assert description.startswith(f"orders: extraction from postgresql://ripple:***@127.0.0.1:{port}/shop failed: ")
    assert "\n" not in description and "s3cret" not in description
