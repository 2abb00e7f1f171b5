"""`ripple changes` (ingest/commands/changes.py): what one run inserted, updated and deleted, read
from the lake's change feed between the snapshots recorded in ops.runs."""

from __future__ import annotations

from conftest import add_versions, day, run_ripple

from ingest.commands.changes import changes
from ingest.config import load_settings

# the tickets' events of the last load, and every date their tickets count towards (the dates
# the daily models recompute: dbt_project/macros/incremental/ticket_dates_touched.sql)
TOUCHED_DATES = """
    with events as (select * from silver.int_ticket_events_deduplicated),
    touched as (
        select * from events where ticket_id in (
            select ticket_id from events where _loaded_at = (select max(_loaded_at) from events)
        )
    )
    select created_date from touched union select resolved_date from touched where resolved_date is not null
    union select business_date from touched
"""


def test_changes_after_a_late_day_lists_exactly_the_daily_rows_it_recomputed(deployment):
    deployment.build_with_a_late_day(last=5, late=4)
    settings = load_settings()

    built = {t.table: t for t in changes(settings, None).tables}
    touched = f"business_date in ({TOUCHED_DATES})"
    from_first_touched = f"business_date >= (select min(created_date) from ({TOUCHED_DATES}))"
    for table, recomputed in [
        ("features_daily", touched),
        ("backlog_daily", from_first_touched),
        ("daily_agent_load", from_first_touched),
        ("daily_ops_metrics", from_first_touched),
    ]:
        rows = deployment.query(f"select count(*) from gold.{table} where {recomputed}")[0][0]
        found = built[f"gold.{table}"]
        assert (found.inserted, found.updated, found.deleted) == (0, rows, 0), table

    (ingest_run,) = deployment.query(
        "select run_id from ops.runs where command = 'ingest tickets' order by ended_at desc limit 1"
    )[0]
    loaded = changes(settings, ingest_run).tables
    late_rows = deployment.query(
        "select count(*) from bronze.tickets where _loaded_at = (select max(_loaded_at) from bronze.tickets)"
    )[0][0]
    assert [(t.table, t.inserted, t.updated, t.deleted) for t in loaded] == [("bronze.tickets", late_rows, 0, 0)]

    shown = run_ripple("changes", "--run", ingest_run)
    assert shown.returncode == 0, shown.stderr
    assert f"run {ingest_run} (ingest tickets)" in shown.stdout
    assert f"  bronze.tickets: {late_rows:,} inserted, 0 updated, 0 deleted\n" in shown.stdout


def test_changes_after_a_summary_correction_lists_that_accounts_months_from_the_corrected_one_on(deployment):
    run_ripple("generate", "accounts", "--accounts", "4", "--start", "2023-01", "--end", "2025-12")
    deployment.ripple("ingest", "accounts_all")
    deployment.ripple("build")
    # the rows at the watermark are read again, but bronze holds them as they are: only the
    # correction is loaded (ingest/reconcile.py), so only its account's months are rewritten
    add_versions(deployment.data_dir / "source.db", 2, "2024-06", {"2026-01-15 00:00:00": 123.0})
    deployment.ripple("ingest", "accounts_all")
    deployment.ripple("build")

    found = changes(load_settings(), None)
    months_on = [f"{2024 + (5 + i) // 12}-{(5 + i) % 12 + 1:02d}" for i in range(19)]  # 2024-06 .. 2025-12
    assert found.summary_months == {2: months_on}
    summary = {t.table: t for t in found.tables}["gold.summary"]
    assert (summary.inserted, summary.updated, summary.deleted) == (0, 19, 0)

    shown = run_ripple("changes")
    assert (
        "gold.summary rewrote 19 account-month(s) of 1 account(s):\n  account 2: 2024-06 .. 2025-12 (19 month(s))"
        in shown.stdout
    )


def test_changes_of_an_unknown_run_is_a_one_line_error(deployment):
    deployment.generate(day(1))
    deployment.ripple("ingest", "tickets")
    unknown = run_ripple("changes", "--run", "no-such-run")
    assert unknown.returncode == 1
    assert unknown.stderr.startswith("ripple: changes: no run 'no-such-run' in ops.runs; ")
    assert unknown.stderr.count("\n") == 1
