"""Live progress (ingest/progress.py): plain lines with rate and ETA at most every
RIPPLE_PROGRESS_SECONDS when stderr is not a terminal, rich's bar on one, and dbt's events counted."""

from __future__ import annotations

import io
from types import SimpleNamespace

import pytest
from rich.console import Console

from ingest.config import progress_seconds
from ingest.errors import RippleError
from ingest.progress import track
from ingest.transform import counting


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_not_on_a_terminal_a_line_at_most_every_period_with_rate_and_eta_then_one_at_the_end(monkeypatch):
    monkeypatch.setenv("RIPPLE_PROGRESS_SECONDS", "10")
    clock, out = Clock(), io.StringIO()
    with track("ingest tickets", 10, "files", stream=out, clock=clock) as task:
        for _ in range(10):
            clock.now += 3
            task.advance(rows=1500)
    assert out.getvalue().splitlines() == [
        "ingest tickets: 4/10 files, 6,000 rows, 500 rows/s, ETA 18s",
        "ingest tickets: 8/10 files, 12,000 rows, 500 rows/s, ETA 6s",
        "ingest tickets: 10/10 files, 15,000 rows, 500 rows/s, done in 30s",
    ]


def test_a_task_shorter_than_the_period_or_failing_prints_nothing(monkeypatch):
    monkeypatch.setenv("RIPPLE_PROGRESS_SECONDS", "10")
    clock, out = Clock(), io.StringIO()
    with track("generate accounts", 3, "accounts", stream=out, clock=clock) as task:
        clock.now += 9
        task.advance(3)
    assert out.getvalue() == ""

    with pytest.raises(KeyError), track("verify compare", 2, "tables", stream=out, clock=clock) as task:
        clock.now += 11
        task.advance()
        raise KeyError("broken")
    assert out.getvalue() == "verify compare: 1/2 tables, 5.5 tables/min, ETA 11s\n"  # no `done` line after it


def test_a_total_learnt_late_gives_an_eta_only_from_then_and_period_zero_prints_every_update(monkeypatch):
    monkeypatch.setenv("RIPPLE_PROGRESS_SECONDS", "0")
    clock, out = Clock(), io.StringIO()
    with track("dbt build", None, "nodes", stream=out, clock=clock) as task:
        task.set_total(4)  # nothing done yet: no line
        clock.now += 90
        task.advance(2)
        clock.now += 3600
        task.advance(2)
    assert out.getvalue().splitlines() == [
        "dbt build: 2/4 nodes, 1.3 nodes/min, ETA 1m30s",
        "dbt build: 4/4 nodes, 0.1 nodes/min, ETA 0s",
        "dbt build: 4/4 nodes, 0.1 nodes/min, done in 1h01m",
    ]


def test_on_a_terminal_rich_draws_a_bar_with_the_same_status():
    console = Console(force_terminal=True, file=io.StringIO(), width=120)
    clock = Clock()
    with track("ingest tickets", 10, "files", console=console, clock=clock) as task:
        clock.now += 2
        task.advance(4, rows=800)
    drawn = console.file.getvalue()
    assert "ingest tickets" in drawn and "━" in drawn  # the bar
    assert "4/10 files, 800 rows, 400 rows/s, ETA 3s" in drawn
    assert drawn.endswith("\x1b[2K")  # and gone at the end: the command's own summary line follows


def test_dbt_events_count_finished_nodes_of_the_total_its_start_lines_give_then_its_end_line():
    def event(name: str, **data) -> SimpleNamespace:
        return SimpleNamespace(info=SimpleNamespace(name=name), data=SimpleNamespace(**data))

    out = io.StringIO()
    with track("dbt build", None, "nodes", stream=out) as task:
        on_event = counting(task)
        on_event(event("ConcurrencyLine", node_count=2))  # leaves unit tests out: not the total
        on_event(event("LogStartLine", total=4, index=1))
        on_event(event("NodeFinished"))
        on_event(event("LogStartLine", total=4, index=2))
        on_event(event("NodeFinished"))
        assert (task.done, task.total) == (2, 4)
        on_event(event("LogStartLine", total=4, index=3))
        on_event(event("NodeFinished"))
        on_event(event("StatsLine", stats={"pass": 3, "total": 3}))  # a node counted at the start never ran
        assert (task.done, task.total) == (3, 3)


@pytest.mark.parametrize("value", ["soon", "-1", "nan", "inf"])
def test_a_period_that_is_not_seconds_is_refused_naming_the_variable(monkeypatch, value):
    monkeypatch.setenv("RIPPLE_PROGRESS_SECONDS", value)
    with pytest.raises(RippleError, match=f"^RIPPLE_PROGRESS_SECONDS='{value}': expected a number of seconds"):
        progress_seconds()
