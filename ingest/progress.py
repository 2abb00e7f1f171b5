"""Live progress of a counted task (days generated, files ingested, dbt nodes built...) on stderr.

On a terminal, a bar that redraws itself (rich); anywhere else (CI, cron, an orchestrator's log),
a plain line at most every RIPPLE_PROGRESS_SECONDS (default 10) and one when the task ends:

    ingest tickets: 120/304 files, 750,316 rows, 41,230 rows/s, ETA 8s

stderr, so what a command prints on stdout stays exactly as it was, piped or parsed. A task
that ends before its first plain line is due prints nothing: short steps leave no trace in logs.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TextIO

from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from ingest.config import progress_seconds


def duration(seconds: float) -> str:
    """`45s`, `1m20s`, `2h05m`."""
    whole = round(seconds)
    if whole < 60:
        return f"{whole}s"
    if whole < 3600:
        return f"{whole // 60}m{whole % 60:02d}s"
    return f"{whole // 3600}h{whole % 3600 // 60:02d}m"


def rate_text(per_second: float, what: str) -> str:
    """`41,230 rows/s`, `2.5 nodes/s`, `5.5 tables/min` (a slow rate per second would read 0.0)."""
    if per_second >= 10:
        return f"{per_second:,.0f} {what}/s"
    if per_second >= 0.1:
        return f"{per_second:.1f} {what}/s"
    return f"{per_second * 60:.1f} {what}/min"


class Task:
    """One counted task: call `advance` as its items finish (from any thread: dbt's run several)."""

    def __init__(
        self, label: str, total: int | None, unit: str, clock: Callable[[], float], show: Callable[[Task], None]
    ):
        self.label = label
        self.total = total  # None until known (dbt learns it once the project is compiled)
        self.unit = unit
        self.done = 0
        self.rows = 0  # counted besides the items when they carry rows (files of a file source)
        self.clock = clock
        self.started = clock()
        self._show = show
        self._lock = threading.Lock()

    def advance(self, items: int = 1, rows: int = 0) -> None:
        with self._lock:
            self.done += items
            self.rows += rows
            self._show(self)

    def set_total(self, total: int) -> None:
        with self._lock:
            self.total = total
            self._show(self)

    def status(self, finished: bool = False) -> str:
        """`120/304 days, 524,031 rows, 41,230 rows/s, ETA 8s` (`..., done in 13s` once finished)."""
        elapsed = self.clock() - self.started
        parts = [
            f"{self.done:,}/{self.total:,} {self.unit}" if self.total is not None else f"{self.done:,} {self.unit}"
        ]
        if self.rows:
            parts.append(f"{self.rows:,} rows")
        if elapsed > 0 and (self.done or self.rows):
            rate, what = (self.rows / elapsed, "rows") if self.rows else (self.done / elapsed, self.unit)
            parts.append(rate_text(rate, what))
        if finished:
            parts.append(f"done in {duration(elapsed)}")
        elif self.total is not None and self.done and elapsed > 0:
            parts.append(f"ETA {duration(max(self.total - self.done, 0) * elapsed / self.done)}")
        return ", ".join(parts)


class PlainLines:
    """Not a terminal: a line at most every `every` seconds, and a last one if any was written."""

    def __init__(self, stream: TextIO, every: float):
        self.stream = stream
        self.every = every
        self.last: float | None = None  # when the last line was written

    def show(self, task: Task) -> None:
        if not (task.done or task.rows):  # a line saying nothing happened yet says nothing
            return
        now = task.clock()
        if now - (self.last if self.last is not None else task.started) >= self.every:
            self.write(task.label, task.status())
            self.last = now

    def finish(self, task: Task, completed: bool) -> None:
        if completed and self.last is not None:  # a failed task's error says what happened
            self.write(task.label, task.status(finished=True))

    def write(self, label: str, status: str) -> None:
        print(f"{label}: {status}", file=self.stream, flush=True)


class Bar:
    """A terminal: rich's bar, redrawn in place and gone when the task ends (the command's own
    summary line follows). What the command prints meanwhile goes above it, not through it."""

    def __init__(self, console: Console, label: str):
        self.progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            TextColumn("{task.fields[status]}"),
            TimeElapsedColumn(),
            console=console,
            transient=True,
            # stdout through the bar's console only when stdout is that terminal too: a redirected
            # stdout (`ripple build > log`) must keep every line
            redirect_stdout=sys.stdout.isatty(),
        )
        self.id = self.progress.add_task(label, total=None, status="")
        self.progress.start()

    def show(self, task: Task) -> None:
        self.progress.update(
            self.id, description=task.label, total=task.total, completed=task.done, status=task.status()
        )

    def finish(self, task: Task, completed: bool) -> None:
        self.progress.stop()


@contextmanager
def track(
    label: str,
    total: int | None,
    unit: str,
    stream: TextIO | None = None,
    console: Console | None = None,
    clock: Callable[[], float] = time.monotonic,
) -> Iterator[Task]:
    """Progress of `total` items (None: not known yet) on `stream` (default stderr): a bar when it
    is a terminal or a `console` is given, plain lines otherwise."""
    stream = stream or sys.stderr
    if console is None and stream.isatty():
        console = Console(file=stream)
    display = Bar(console, label) if console is not None else PlainLines(stream, progress_seconds())
    task = Task(label, total, unit, clock, display.show)
    display.show(task)  # the bar's total from the start
    completed = False
    try:
        yield task
        completed = True
    finally:
        display.finish(task, completed)
