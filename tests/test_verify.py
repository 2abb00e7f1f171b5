"""`ripple verify` (ingest/commands/verify.py): silver and gold rebuilt from bronze into scratch
schemas and compared with the live tables on their grain."""

from __future__ import annotations

import duckdb
from conftest import day, run_ripple

from ingest.commands.verify import SUFFIX


def scratch_schemas(deployment) -> list[str]:
    return [s for (s,) in deployment.query("select schema_name from information_schema.schemata") if SUFFIX in s]


def test_verify_is_clean_after_a_late_day_and_names_what_was_changed_behind_its_back(deployment):
    deployment.generate(day(1), day(3))
    deployment.hold_back(day(2))
    deployment.ripple("ingest", "tickets")
    deployment.ripple("build")
    deployment.release(day(2))  # lands late
    deployment.ripple("ingest", "tickets")
    deployment.ripple("build")

    clean = run_ripple("verify")
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert "gold.fact_tickets: identical" in clean.stdout
    assert "gold.daily_ops_metrics: identical" in clean.stdout
    assert "silver.int_ticket_events_deduplicated: identical" in clean.stdout
    assert scratch_schemas(deployment) == []

    # changed behind ripple's back: a value, a missing row; and a killed verify's leftovers
    ticket = deployment.query("select min(ticket_id) from gold.fact_tickets")[0][0]
    with_leftovers = f"create schema gold{SUFFIX}; create table gold{SUFFIX}.fact_tickets as select 1 as x"
    with duckdb.connect(str(deployment.warehouse)) as con:
        con.execute("update gold.fact_tickets set priority = 'P9' where ticket_id = ?", [ticket])
        con.execute("delete from gold.daily_ops_metrics where business_date = ?", [day(3)])
        con.execute(with_leftovers)

    one_model = run_ripple("verify", "fact_tickets")  # and what it is built from
    assert one_model.returncode == 1
    assert f"verify: dropping gold{SUFFIX}, left behind by a verify that was killed" in one_model.stdout
    assert f"gold.fact_tickets: DIFFERS: 1 row(s) differ in priority (e.g. ticket_id={ticket})" in one_model.stdout
    assert "silver.int_ticket_events_deduplicated: identical" in one_model.stdout
    assert "daily_ops_metrics" not in one_model.stdout + one_model.stderr

    differs = run_ripple("verify")
    assert differs.returncode == 1
    assert "gold.fact_tickets: DIFFERS: 1 row(s) differ in priority" in differs.stdout
    assert (
        f"gold.daily_ops_metrics: DIFFERS: 1 row(s) only rebuilt (e.g. business_date={day(3)} (only rebuilt))"
        in differs.stdout
    )
    assert differs.stderr.strip().startswith("ripple: verify: 2 of ")
    assert "(gold.daily_ops_metrics, gold.fact_tickets)" in differs.stderr
    assert scratch_schemas(deployment) == []
