"""Nothing depends on the host's time zone or clock (ingest/config.py Settings.duckdb_config,
profiles/profiles.yml, ingest/runlog.py's loaded_at): the same data gives the same gold under
any `TZ`, and incremental models keep every row when the clock steps back between runs."""

from __future__ import annotations

import os

import pytest
from conftest import add_versions, day, run_ripple, shifted_clock

# 2023-11-05 is New York's fall-back night: 05:30 UTC is 01:30 EDT, 06:10 UTC is 01:10 EST.
# The later instant has the earlier New York wall time.
EARLIER, LATER = "2023-11-05 05:30:00", "2023-11-05 06:10:00"

# (the second run's zone, its clock's step, the full rebuild's zone): one in `make test`, all
# in `make test-soak`. Lord Howe Island has a half-hour DST shift; Kolkata a half-hour offset.
SCENARIOS = [
    ("America/New_York", "-2d", "Asia/Kolkata"),
    ("Australia/Lord_Howe", "-1h", "America/New_York"),
    ("Asia/Kolkata", "-400d", "UTC"),
    ("UTC", "-10m", "Australia/Lord_Howe"),
][: 1 if os.environ.get("RIPPLE_PROPERTY_SEEDS", "1") == "1" else None]


def ripple(*args: str, zone: str, clock: str | None = None) -> None:
    done = run_ripple(*args, env={"TZ": zone, **(shifted_clock(clock) if clock else {})})
    assert done.returncode == 0, f"ripple {' '.join(args)} under TZ={zone}: {done.stdout}{done.stderr}"


@pytest.mark.parametrize("zone,step,rebuild_zone", SCENARIOS)
def test_gold_ignores_the_hosts_zone_and_a_clock_stepped_back(deployment, zone, step, rebuild_zone):
    deployment.generate(day(1))
    run_ripple("generate", "accounts", "--accounts", "5", "--start", "2023-01", "--end", "2023-10")
    ripple("ingest", "tickets", "accounts_all", zone="UTC")
    ripple("build", zone="UTC")

    # The second run: a host in another zone whose clock has stepped back (NTP step, VM restore),
    # loading a new ticket day and two versions of one account-month written in the night New
    # York's clocks go back.
    deployment.generate(day(2))
    add_versions(deployment.data_dir / "source.db", 1, "2023-11", {EARLIER: 100.0, LATER: 200.0})
    ripple("ingest", "tickets", "accounts_all", zone=zone, clock=step)
    ripple("build", zone=zone, clock=step)

    loads = deployment.query("select load_seq, loaded_at from ops.ingestion_metadata order by load_seq")
    assert [seq for seq, _ in loads] == [1, 2, 3, 4]
    assert all(a[1] < b[1] for a, b in zip(loads, loads[1:], strict=False))  # only grows, whatever the clock

    # the later instant wins, though its New York wall time is earlier
    assert deployment.query(
        "select balance_am::double, base_ts::varchar from silver.int_account_months_latest "
        "where cons_acct_key = 1 and rpt_as_of_mo = '2023-11'"
    ) == [(200.0, LATER)]
    assert deployment.query(
        "select balance_am_history[1]::double from gold.summary where cons_acct_key = 1 and rpt_as_of_mo = '2023-11'"
    ) == [(200.0,)]
    # the day loaded under the stepped-back clock reached gold
    assert deployment.query("select count(*) > 0 from gold.fact_tickets where created_at::date = ?", [day(2)]) == [
        (True,)
    ]

    # and a full rebuild on a host in yet another zone gives the same gold
    incremental = deployment.snapshot()
    ripple("build", "--full-refresh", zone=rebuild_zone)
    assert deployment.snapshot() == incremental
