"""The ticket generator: deterministic, realistic, and each day's file self-contained."""

from __future__ import annotations

import csv
import re
from collections import Counter
from datetime import date, datetime
from pathlib import Path

import pytest
from conftest import run_ripple

from generator import tickets


def rows(path: Path) -> list[dict]:
    with path.open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_same_seed_same_files_and_one_day_equals_that_day_of_a_history(tmp_path):
    history = tickets.generate(
        tmp_path / "a", date(2023, 1, 1), date(2023, 1, 20), seed=7, volume=60, progress=lambda _: None
    )
    again = tickets.generate(
        tmp_path / "b", date(2023, 1, 1), date(2023, 1, 20), seed=7, volume=60, progress=lambda _: None
    )
    alone = tickets.generate(
        tmp_path / "c", date(2023, 1, 15), date(2023, 1, 15), seed=7, volume=60, progress=lambda _: None
    )
    assert [p.read_bytes() for p in history] == [p.read_bytes() for p in again]
    assert alone[0].read_bytes() == history[14].read_bytes()
    other_seed = tickets.generate(
        tmp_path / "d", date(2023, 1, 15), date(2023, 1, 15), seed=8, volume=60, progress=lambda _: None
    )
    assert other_seed[0].read_bytes() != alone[0].read_bytes()


def test_default_volume_and_weekday_seasonality(tmp_path):
    files = tickets.generate(tmp_path, date(2023, 1, 2), date(2023, 1, 15), progress=lambda _: None)
    opened = {}
    for path in files:
        day = date.fromisoformat(path.stem.split("_")[1])
        opened[day] = sum(1 for r in rows(path) if r["status"] == "open")
    assert all(1000 <= n <= 2000 for n in opened.values()), opened
    mondays = [n for d, n in opened.items() if d.weekday() == 0]
    sundays = [n for d, n in opened.items() if d.weekday() == 6]
    assert min(mondays) > max(sundays)


def test_a_day_holds_its_openings_and_changes_to_older_tickets(tmp_path):
    files = tickets.generate(tmp_path, date(2023, 1, 1), date(2023, 1, 30), volume=80, progress=lambda _: None)
    day30 = rows(files[-1])
    assert {r["updated_at"][:10] for r in day30} == {"2023-01-30"}
    older = [r for r in day30 if r["created_at"][:10] < "2023-01-30"]
    assert older and all(r["status"] != "open" for r in older)
    assert Counter(r["status"] for r in day30).keys() == {"open", "in_progress", "pending", "resolved", "closed"}
    assert set(tickets.COLUMNS) == set(day30[0])
    # priorities, categories, channels and ~40 agents all show up
    assert {r["priority"] for r in day30} == {"P1", "P2", "P3", "P4"}
    assert len({r["agent_id"] for r in day30}) >= 30


def test_resolution_times_are_skewed_and_some_tickets_stay_open_for_weeks(tmp_path):
    files = tickets.generate(tmp_path, date(2023, 1, 1), date(2023, 3, 31), volume=60, progress=lambda _: None)
    created, resolved, last_status = {}, {}, {}
    for path in files:
        for r in rows(path):
            created[r["ticket_id"]] = datetime.fromisoformat(r["created_at"])
            last_status[r["ticket_id"]] = r["status"]
            if r["status"] == "resolved":
                resolved[r["ticket_id"]] = datetime.fromisoformat(r["resolved_at"])
    hours = sorted((resolved[t] - created[t]).total_seconds() / 3600 for t in resolved)
    median, p99 = hours[len(hours) // 2], hours[int(len(hours) * 0.99)]
    assert p99 > 10 * median  # a long tail
    january_open = [t for t, c in created.items() if c.month == 1 and last_status[t] not in ("resolved", "closed")]
    assert len(january_open) > 0.02 * sum(1 for c in created.values() if c.month == 1)  # the backlog snowballs


def test_refuses_days_before_the_helpdesk_opened(tmp_path):
    with pytest.raises(ValueError, match="2023-01-01"):
        tickets.generate(tmp_path, date(2022, 12, 31), date(2023, 1, 2), progress=lambda _: None)


def test_ripple_generate_tickets_not_on_a_terminal_prints_progress_lines_on_stderr_and_stdout_as_before(deployment):
    done = run_ripple(
        "generate",
        "tickets",
        "--start",
        "2023-01-02",
        "--end",
        "2023-01-03",
        "--volume",
        "40",
        env={"RIPPLE_PROGRESS_SECONDS": "0"},  # a line per update, however fast
    )
    assert done.returncode == 0, done.stderr
    written = sum(len(rows(path)) for path in deployment.landing.glob("*.csv"))
    assert done.stdout == (
        f"tickets: wrote 2 file(s), 2023-01-02 .. 2023-01-03, {written:,} rows, in {deployment.landing}\n"
    )
    lines = done.stderr.splitlines()
    # drawing starts on the helpdesk's first day, 2023-01-01: three days opened; then two files written
    assert [line.split(", ")[0] for line in lines] == [
        "generate tickets (drawing): 1/3 days",
        "generate tickets (drawing): 2/3 days",
        "generate tickets (drawing): 3/3 days",
        "generate tickets (drawing): 3/3 days",
        "generate tickets (writing): 1/2 files",
        "generate tickets (writing): 2/2 files",
        "generate tickets (writing): 2/2 files",
    ]
    for i, line in enumerate(lines):
        last = "done in" if i in (3, 6) else "ETA"  # each step's last line
        assert re.fullmatch(rf".*, [\d.,]+ (days|rows)/(s|min), {last} \d+s", line), line
