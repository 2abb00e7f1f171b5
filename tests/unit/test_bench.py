"""`make bench`'s own logic: when a row meets its goal, how the goal reads, and that the demo
stage runs exactly the Makefile's demo steps (shortened only through DEMO_END below SCALE 1)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
spec = importlib.util.spec_from_file_location("bench_run", ROOT / "bench" / "run.py")
assert spec and spec.loader
bench = importlib.util.module_from_spec(spec)
sys.modules[spec.name] = bench  # dataclasses look their module up while it runs
spec.loader.exec_module(bench)

RIPPLE = ".venv/bin/ripple"


@pytest.mark.parametrize(
    ("goal", "text", "measured", "met"),
    [
        pytest.param(bench.Goal(ratio=1.5), "ratio <= 1.5", {"ratio": 1.5}, True, id="ratio-at-limit"),
        pytest.param(bench.Goal(ratio=1.0), "ratio <= 1.0", {"ratio": 1.01}, False, id="ratio-above"),
        pytest.param(bench.Goal(seconds=2), "<= 2 s", {"seconds": 2.4}, False, id="seconds-above"),
        pytest.param(
            bench.Goal(seconds=60, peak_mb=2048),
            "<= 60 s, peak <= 2048 MB",
            {"seconds": 59.0, "peak_mb": 2049},
            False,
            id="one-of-two-missed",
        ),
        pytest.param(
            bench.Goal(seconds=60, peak_mb=2048),
            "<= 60 s, peak <= 2048 MB",
            {"seconds": 59.0, "peak_mb": 2048},
            True,
            id="both-met",
        ),
    ],
)
def test_a_goal_reads_as_its_limits_and_is_met_only_when_every_limit_holds(goal, text, measured, met):
    assert goal.text() == text
    assert goal.met(measured) is met


def test_a_row_without_a_reference_has_no_ratio_and_a_row_without_a_goal_no_verdict():
    plain = bench.row("tables", (3.456, 100.4))
    assert plain == {
        "work": "tables",
        "rows": None,
        "seconds": 3.46,
        "rows_per_s": None,
        "peak_mb": 100,
        "reference": None,
        "reference_seconds": None,
        "reference_peak_mb": None,
        "ratio": None,
        "goal": None,
        "met": None,
    }
    compared = bench.row(
        "load", (3.0, 500.0), bench.Goal(ratio=1.5), rows=300, reference="DuckDB", reference_run=(2.0, 90.0)
    )
    assert (compared["ratio"], compared["rows_per_s"], compared["goal"], compared["met"]) == (
        1.5,
        100,
        "ratio <= 1.5",
        True,
    )


def test_the_demo_stage_runs_the_makefiles_demo_steps():
    assert bench.demo_steps(1.0) == [
        [RIPPLE, "generate", "tickets", "--start", "2023-01-01", "--end", "2023-10-31", "--seed", "42"],
        [RIPPLE, "generate", "reference", "--seed", "42"],
        [RIPPLE, "generate", "sales", "--start", "2024-03-01", "--end", "2024-03-07", "--seed", "42"],
        [RIPPLE, "generate", "accounts", "--seed", "42"],
        [RIPPLE, "ingest"],
        [RIPPLE, "build"],
        [RIPPLE, "tables"],
    ]


def test_below_scale_1_only_the_demos_ticket_days_are_cut():
    full, cut = bench.demo_steps(1.0), bench.demo_steps(0.1)
    # 303 days from 2023-01-01 to 2023-10-31; a tenth is 30.3 days: up to 2023-01-31
    assert cut[0] == [RIPPLE, "generate", "tickets", "--start", "2023-01-01", "--end", "2023-01-31", "--seed", "42"]
    assert cut[1:] == full[1:]
