"""`ripple verify` (ingest/commands/verify.py): silver and gold rebuilt from bronze into scratch
schemas and compared with the live tables on their grain; with --sample, the tickets of a sample
only, and the aggregates left unchecked."""

from __future__ import annotations

from conftest import day, run_ripple

from ingest.commands.verify import SUFFIX, sample_condition
from ingest.config import load_settings
from ingest.warehouse import connect

IN_SAMPLE = sample_condition("ticket_id", 10)
AGGREGATES = ["backlog_daily", "daily_agent_load", "daily_ops_metrics", "features_daily", "sla_risk"]


def scratch_schemas(deployment) -> list[str]:
    return [s for (s,) in deployment.query("select schema_name from information_schema.schemata") if SUFFIX in s]


def test_verify_is_clean_after_a_late_day_and_names_what_was_changed_behind_its_back(deployment):
    deployment.build_with_a_late_day(last=3, late=2)

    clean = run_ripple("verify")
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert "gold.fact_tickets: identical" in clean.stdout
    assert "gold.daily_ops_metrics: identical" in clean.stdout
    assert "silver.int_ticket_events_deduplicated: identical" in clean.stdout
    assert scratch_schemas(deployment) == []

    sampled_tickets = deployment.query(f"select count(*) from gold.fact_tickets where {IN_SAMPLE}")[0][0]
    assert 0 < sampled_tickets < 30  # of 120: about a tenth
    sample = run_ripple("verify", "--sample", "10")
    assert sample.returncode == 0, sample.stdout + sample.stderr
    assert sample.stdout.splitlines()[:3] == [
        "verify: a 10% sample: the entities whose key hashes into it, each with all its rows; "
        "tables built from no sampled entity (reference data) compared whole",
        f"gold.fact_tickets: identical on {sampled_tickets} sampled ticket_id values",
        f"silver.int_ticket_events_deduplicated: identical on {sampled_tickets} sampled ticket_id values",
    ]
    for table in AGGREGATES:
        assert f"gold.{table}: not checked: each row aggregates many entities, which a sample cannot rebuild" in (
            sample.stdout
        )
    assert "verify: 2 table(s) equal a full rebuild from bronze on a 10% sample of their entities (5 not checked)," in (
        sample.stdout
    )

    # changed behind ripple's back: a value of a ticket in the sample and of one outside it, a
    # missing row; and a killed verify's leftovers
    ticket = deployment.query(f"select min(ticket_id) from gold.fact_tickets where {IN_SAMPLE}")[0][0]
    unsampled = deployment.query(f"select min(ticket_id) from gold.fact_tickets where not {IN_SAMPLE}")[0][0]
    with_leftovers = f"create schema gold{SUFFIX}; create table gold{SUFFIX}.fact_tickets as select 1 as x"
    with connect(load_settings()) as con:  # a writer on the lake, as any DuckDB client could be
        con.execute("update gold.fact_tickets set priority = 'P9' where ticket_id in (?, ?)", [ticket, unsampled])
        con.execute("delete from gold.daily_ops_metrics where business_date = ?", [day(3)])
        con.execute(with_leftovers)

    one_model = run_ripple("verify", "fact_tickets")  # and what it is built from
    assert one_model.returncode == 1
    assert f"verify: dropping gold{SUFFIX}, left behind by a verify that was killed" in one_model.stdout
    both = "; ".join(f"ticket_id={t}" for t in sorted([ticket, unsampled]))
    assert f"gold.fact_tickets: DIFFERS: 2 row(s) differ in priority (e.g. {both})" in one_model.stdout
    assert "silver.int_ticket_events_deduplicated: identical" in one_model.stdout
    assert "daily_ops_metrics" not in one_model.stdout + one_model.stderr

    # a sample sees the ticket in it, not the one outside it nor the daily row: they are what it misses
    sample = run_ripple("verify", "--sample", "10")
    assert sample.returncode == 1
    assert (
        f"gold.fact_tickets: DIFFERS on {sampled_tickets} sampled ticket_id values: "
        f"1 row(s) differ in priority (e.g. ticket_id={ticket})"
    ) in sample.stdout
    assert "gold.daily_ops_metrics: not checked" in sample.stdout
    assert sample.stderr.strip().startswith(
        "ripple: verify: 1 of 2 table(s) differ from a full rebuild on a 10% sample of their entities "
        "(5 not checked) (gold.fact_tickets) in "
    )

    differs = run_ripple("verify")
    assert differs.returncode == 1
    assert "gold.fact_tickets: DIFFERS: 2 row(s) differ in priority" in differs.stdout
    assert (
        f"gold.daily_ops_metrics: DIFFERS: 1 row(s) only rebuilt (e.g. business_date={day(3)} (only rebuilt))"
        in differs.stdout
    )
    assert differs.stderr.strip().startswith("ripple: verify: 2 of ")
    assert "(gold.daily_ops_metrics, gold.fact_tickets)" in differs.stderr
    assert scratch_schemas(deployment) == []
