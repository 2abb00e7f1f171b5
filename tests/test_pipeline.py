"""Landing zone -> bronze -> silver -> gold with real dlt, DuckDB files and dbt runs.

The promise under test: run anything twice, in any order, late or reset, and the warehouse
ends up exactly as a clean full rebuild on the same bronze would.
"""

from __future__ import annotations

import re

from conftest import GOLD_TABLES, day, run_dbt_command, run_ripple

from ingest.config import load_settings
from ingest.transform import run_dbt


def test_end_to_end_every_gold_table_is_filled_and_unique_on_its_grain(deployment):
    deployment.generate(day(1), day(12))
    deployment.ripple("ingest", "tickets")
    deployment.ripple("build")
    for table, grain in GOLD_TABLES.items():
        total, distinct = deployment.query(f"select count(*), count(distinct ({', '.join(grain)})) from gold.{table}")[
            0
        ]
        assert total > 0 and total == distinct, table
    assert deployment.query("select count(*) from gold.backlog_daily") == [(12,)]
    # the backlog reconciles with the tickets: open at the end of the last day = not yet resolved
    assert deployment.query(
        "select open_at_end_of_day from gold.backlog_daily order by business_date desc limit 1"
    ) == deployment.query("select count(*) from gold.fact_tickets where not is_resolved")
    # and with the files: every ticket opened is counted once
    assert deployment.query("select sum(tickets_opened) from gold.features_daily") == deployment.query(
        "select count(distinct ticket_id) from bronze.tickets where status = 'open'"
    )
    state = deployment.query(
        "select sum(rows_read), sum(rows_loaded), sum(rows_quarantined), count(*) "
        "from ops.ingestion_state where source_name = 'tickets'"
    )
    assert state == [(deployment.query("select count(*) from bronze.tickets")[0][0],) * 2 + (0, 12)]


def test_running_ingest_and_build_again_changes_nothing(deployment, capsys):
    deployment.generate(day(1), day(8))
    deployment.ripple("ingest", "tickets")
    deployment.ripple("build")
    first = deployment.snapshot(schemas=("bronze", "silver", "gold"))
    deployment.ripple("ingest", "tickets")
    capsys.readouterr()
    deployment.ripple("build")  # nothing new: dbt is not even started
    deployment.ripple("build", "--select", "+fact_tickets")  # nor for a selection the complete build covered
    assert (
        capsys.readouterr().out.count(
            "build: bronze and the dbt project are as the last build left them: nothing to build"
        )
        == 2
    )
    # dbt itself: the incremental run of every model built from the tickets
    run_dbt(load_settings(), "build", "--select", "source:bronze.tickets+")
    assert deployment.snapshot(schemas=("bronze", "silver", "gold")) == first


def test_a_late_day_ripples_forward_and_gold_equals_a_full_refresh(deployment):
    deployment.generate(day(1), day(12))
    deployment.hold_back(day(5))
    deployment.ripple("ingest", "tickets")
    deployment.ripple("build")
    backlog_without = dict(
        deployment.query("select business_date::varchar, open_at_end_of_day from gold.backlog_daily")
    )
    assert backlog_without[day(5)] is not None  # the gap day still has a backlog row

    deployment.release(day(5))
    deployment.ripple("ingest", "tickets")
    deployment.ripple("build")
    backlog_with = dict(deployment.query("select business_date::varchar, open_at_end_of_day from gold.backlog_daily"))
    assert all(backlog_with[day(n)] == backlog_without[day(n)] for n in range(1, 5))
    assert all(backlog_with[day(n)] != backlog_without[day(n)] for n in range(5, 13))
    deployment.assert_full_refresh_changes_nothing()


def test_reset_then_reingest_gives_identical_gold(deployment, capsys):
    deployment.generate(day(1), day(10))
    deployment.ripple("ingest", "tickets")
    deployment.ripple("build")
    # `_loaded_at` records when rows were loaded; a re-ingest loads them again, later
    before = deployment.snapshot(drop_columns=("_loaded_at",))

    dry = run_ripple("reset", "tickets", "--date", day(6), "--dry-run")
    would = {
        m.group(2): int(m.group(1))
        for m in re.finditer(r"would delete (\d+) rows from (?:\"?\w+\"?\.)*\"?(\w+)\"?", dry.stdout)
    }
    assert dry.returncode == 0 and deployment.snapshot(drop_columns=("_loaded_at",)) == before  # nothing deleted
    events_that_day = "select ticket_id from silver.int_ticket_events_deduplicated where business_date = ?"
    assert would == {
        "fact_tickets": deployment.query(
            f"select count(*) from gold.fact_tickets where ticket_id in ({events_that_day})", [day(6)]
        )[0][0],
        **{
            table: deployment.query(f"select count(*) from {schema}.{table} where business_date = ?", [day(6)])[0][0]
            for schema, table in [
                ("gold", "features_daily"),
                ("gold", "backlog_daily"),
                ("gold", "daily_agent_load"),
                ("gold", "daily_ops_metrics"),
                ("silver", "int_ticket_events_deduplicated"),
            ]
        },
        "tickets": deployment.query("select count(*) from bronze.tickets where _business_date = ?", [day(6)])[0][0],
    }
    assert all(would.values())
    nothing = run_ripple("reset", "tickets", "--date", "2022-01-01")
    assert nothing.returncode == 1
    assert nothing.stderr.strip() == "ripple: tickets has no rows for business date 2022-01-01: nothing to reset"

    deployment.ripple("reset", "tickets", "--date", day(6))
    assert "the next `ripple ingest` loads that date again" in capsys.readouterr().out
    assert deployment.query("select count(*) from bronze.tickets where _business_date = ?", [day(6)]) == [(0,)]
    assert deployment.query(
        "select count(*) from silver.int_ticket_events_deduplicated where business_date = ?", [day(6)]
    ) == [(0,)]
    for table in ("features_daily", "backlog_daily", "daily_agent_load", "daily_ops_metrics"):
        assert deployment.query(f"select count(*) from gold.{table} where business_date = ?", [day(6)]) == [(0,)]
    assert deployment.query("select count(*) from gold.fact_tickets where opened_date = ?", [day(6)]) == [(0,)]

    deployment.ripple("ingest", "tickets")
    deployment.ripple("build")
    assert deployment.snapshot(drop_columns=("_loaded_at",)) == before
    deployment.assert_full_refresh_changes_nothing()


def test_daily_generates_the_next_day_ingests_and_builds_touching_only_new_work(deployment, capsys):
    deployment.generate(day(1), day(9))
    deployment.ripple("generate", "reference")
    deployment.ripple("generate", "accounts", "--accounts", "20")
    deployment.ripple("ingest")
    deployment.ripple("build")
    before = dict(deployment.query("select ticket_id, _loaded_at from gold.fact_tickets"))

    # the bronze sources declare their freshness for dbt too (ripple status reads the same cadences);
    # sales has no data in this deployment
    freshness = run_dbt_command(
        deployment,
        "--no-use-colors",
        "source",
        "freshness",
        "--select",
        "source:bronze",
        "source:bronze_reference",
        "source:bronze_accounts",
    )
    assert freshness.returncode == 0 and freshness.stdout.count(" PASS freshness of ") == 4, freshness.stdout

    deployment.ripple("daily")
    out = capsys.readouterr().out
    assert f"daily: business day {day(10)} (after {day(9)}, the latest landed)" in out
    assert "daily: done in" in out
    assert deployment.ticket_file(day(10)).exists()
    assert deployment.query("select max(business_date)::varchar from gold.daily_ops_metrics") == [(day(10),)]
    after = dict(deployment.query("select ticket_id, _loaded_at from gold.fact_tickets"))
    changed = {t for t in after if before.get(t) != after[t]}
    touched = {
        t
        for (t,) in deployment.query(
            "select distinct ticket_id from bronze.tickets where _business_date = ?", [day(10)]
        )
    }
    assert changed == touched  # only tickets with a change that day were recomputed
    # the day generated by `daily` is the day a history run would have written
    history = deployment.data_dir.parent / "history"
    from datetime import date

    from generator import tickets

    tickets.generate(
        history, date.fromisoformat(day(1)), date.fromisoformat(day(10)), seed=42, volume=40, progress=lambda _: None
    )
    assert (history / "tickets" / f"tickets_{day(10)}.csv").read_bytes() == deployment.ticket_file(day(10)).read_bytes()
    deployment.assert_full_refresh_changes_nothing()
