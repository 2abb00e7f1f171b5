"""Ops-support tickets: one CSV per business day, local time Asia/Kolkata.

Each ticket's whole life (first response, pending, resolution, closure) is drawn when it is
opened, from a random generator seeded by (seed, opening day). A day's file holds every
status change that happened that day: the tickets opened that day and the changes to older
tickets. So any single day can be generated alone and is byte-identical to the same day of
a history run, and the backlog snowballs because a few tickets are never resolved.
"""

from __future__ import annotations

import bisect
import heapq
import itertools
import math
import multiprocessing
import os
import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from faker import Faker

from generator.csvfiles import write_text
from ingest.progress import track

WORLD_START = date(2023, 1, 1)  # the simulated helpdesk opened on this day: no tickets before it
MAX_LIFETIME_DAYS = 120  # a ticket changes status at most this long after it was opened
DEFAULT_VOLUME = 1450  # mean tickets opened per day before weekday seasonality
N_AGENTS = 40
N_CUSTOMERS = 25_000
LANDING_SUBDIR = "tickets"
EPOCH, MICROSECOND = datetime(2000, 1, 1), timedelta(microseconds=1)

COLUMNS = (
    "ticket_id",
    "created_at",
    "updated_at",
    "status",
    "priority",
    "category",
    "channel",
    "agent_id",
    "agent_name",
    "customer_id",
    "subject",
    "first_response_at",
    "resolved_at",
)
HEADER = ",".join(COLUMNS) + "\r\n"  # as csv.writer writes it: CRLF line ends
WEEKDAY_FACTOR = (1.25, 1.16, 1.08, 1.02, 0.95, 0.80, 0.75)  # Monday .. Sunday
PRIORITIES = (("P1", 0.05, 4), ("P2", 0.15, 8), ("P3", 0.45, 24), ("P4", 0.35, 72))  # name, share, SLA hours
FIRST_RESPONSE_HOURS = {"P1": 0.25, "P2": 0.75, "P3": 2.0, "P4": 6.0}  # mean wait for a first answer
CATEGORIES = {
    "billing": ("Charged twice for one order", "Invoice shows the wrong amount", "Refund not received"),
    "technical": ("App crashes on login", "Payment page does not load", "Error 500 on checkout"),
    "account": ("Cannot reset my password", "Change the registered phone number", "Account locked"),
    "delivery": ("Order delayed", "Wrong item delivered", "Package marked delivered but not received"),
    "other": ("General feedback", "Partnership enquiry", "Question about terms"),
}
CATEGORY_WEIGHTS = (0.28, 0.24, 0.18, 0.22, 0.08)
CHANNELS = (("email", 0.40), ("chat", 0.30), ("phone", 0.20), ("web", 0.10))
HOUR_WEIGHTS = (1, 1, 1, 1, 1, 2, 3, 5, 8, 11, 13, 13, 12, 11, 11, 12, 11, 9, 7, 6, 5, 3, 2, 1)
STUCK_SHARE = 0.03  # never resolved: waiting on a customer who never answers
PENDING_SHARE = 0.25


@dataclass(frozen=True)
class Agent:
    agent_id: str
    name: str
    speed: float  # multiplies handling times: < 1 is faster than the median agent


def make_agents(seed: int) -> list[Agent]:
    fake = Faker("en_IN")
    fake.seed_instance(seed)
    rng = random.Random(f"{seed}:agents")
    return [Agent(f"AG{i:03d}", fake.name(), round(rng.lognormvariate(0.0, 0.35), 3)) for i in range(1, N_AGENTS + 1)]


def cumulative(weights) -> list[float]:
    return list(itertools.accumulate(weights))


HOURS, HOUR_CUM = list(range(24)), cumulative(HOUR_WEIGHTS)
PRIORITY_CUM = cumulative(p[1] for p in PRIORITIES)
CATEGORY_NAMES, CATEGORY_CUM = list(CATEGORIES), cumulative(CATEGORY_WEIGHTS)
CHANNEL_NAMES, CHANNEL_CUM = [c[0] for c in CHANNELS], cumulative(c[1] for c in CHANNELS)


def weighted(rng: random.Random, population: Sequence, cum_weights: list[float]):
    """`rng.choices(population, cum_weights=cum_weights)[0]`, drawing the same number, without
    the list and the checks (the hot loop draws four of these per ticket)."""
    return population[bisect.bisect_right(cum_weights, rng.random() * (cum_weights[-1] + 0.0), 0, len(population) - 1)]


def csv_field(text: str) -> str:
    """A field as Python's csv module writes it (excel dialect, minimal quoting)."""
    if any(c in text for c in ',"\r\n'):
        return '"' + text.replace('"', '""') + '"'
    return text


def timestamp(value: datetime) -> str:
    """As `strftime("%Y-%m-%d %H:%M:%S")` writes it (fractions of a second cut), several times faster."""
    return value.isoformat(" ", "seconds")


def tickets_opened(day: date, seed: int, volume: int, agents: list[Agent]):
    """Yield, for every ticket opened on `day`, its status changes as (when, CSV line)."""
    rng = random.Random(f"{seed}:{day.isoformat()}")
    n = max(1, round(volume * WEEKDAY_FACTOR[day.weekday()] * rng.uniform(0.93, 1.07)))
    midnight = datetime(day.year, day.month, day.day)
    for seq in range(1, n + 1):
        created = midnight + timedelta(hours=weighted(rng, HOURS, HOUR_CUM), seconds=rng.randrange(3600))
        priority, _, sla_hours = weighted(rng, PRIORITIES, PRIORITY_CUM)
        category = weighted(rng, CATEGORY_NAMES, CATEGORY_CUM)
        channel = weighted(rng, CHANNEL_NAMES, CHANNEL_CUM)
        agent = rng.choice(agents)
        customer = f"CU{rng.randrange(1, N_CUSTOMERS):06d}"
        subject = rng.choice(CATEGORIES[category])
        first_response = created + timedelta(
            hours=rng.expovariate(1 / FIRST_RESPONSE_HOURS[priority]) * agent.speed + 1 / 60
        )
        resolve_hours = rng.lognormvariate(math.log(sla_hours * 0.7 * agent.speed), 1.1)
        resolved = first_response + timedelta(hours=resolve_hours)
        stuck = rng.random() < STUCK_SHARE or resolved - created > timedelta(days=MAX_LIFETIME_DAYS - 4)
        pending = first_response + (resolved - first_response) * rng.uniform(0.1, 0.5)
        has_pending = stuck or rng.random() < PENDING_SHARE
        closed = resolved + timedelta(hours=rng.uniform(24, 72))

        opened, first, res = timestamp(created), timestamp(first_response), timestamp(resolved)
        head = f"TK-{day:%Y%m%d}-{seq:05d},{opened}"
        tail = ",".join(
            (priority, category, channel, agent.agent_id, csv_field(agent.name), customer, csv_field(subject))
        )
        yield created, f"{head},{opened},open,{tail},,\r\n"
        yield first_response, f"{head},{first},in_progress,{tail},{first},\r\n"
        if has_pending:
            yield pending, f"{head},{timestamp(pending)},pending,{tail},{first},\r\n"
        if not stuck:
            yield resolved, f"{head},{res},resolved,{tail},{first},{res}\r\n"
            yield closed, f"{head},{timestamp(closed)},closed,{tail},{first},{res}\r\n"


def draw_day(task: tuple[date, date, date, int, int, list[Agent]]) -> dict[date, list[tuple[int, str]]]:
    """The status changes of the tickets opened on a day that fall in [start, end], by day, each
    as (microseconds since EPOCH, CSV line), sorted: what a worker process returns."""
    opened, start, end, seed, volume, agents = task
    by_day: dict[date, list[tuple[int, str]]] = {}
    for when, line in tickets_opened(opened, seed, volume, agents):
        event_day = when.date()
        if start <= event_day <= end:
            by_day.setdefault(event_day, []).append(((when - EPOCH) // MICROSECOND, line))
    for changes in by_day.values():
        changes.sort()  # by time, then ticket id (every line starts with it, all of one length)
    return by_day


def generate(
    out_dir: Path, start: date, end: date, seed: int = 42, volume: int = DEFAULT_VOLUME, progress=print
) -> list[Path]:
    """Write one CSV per day in [start, end] under out_dir/tickets; return the files written.
    The opening days are drawn on every core; the files are the same however many there are."""
    if start < WORLD_START:
        raise ValueError(f"tickets start on {WORLD_START} (the simulated helpdesk's first day), not {start}")
    if end < start:
        raise ValueError(f"--end {end} is before --start {start}")
    agents = make_agents(seed)
    first_open_day = max(WORLD_START, start - timedelta(days=MAX_LIFETIME_DAYS))
    opening_days = [first_open_day + timedelta(days=d) for d in range((end - first_open_day).days + 1)]
    tasks = [(day, start, end, seed, volume, agents) for day in opening_days]
    drawn: dict[date, list[list[tuple[int, str]]]] = {}
    # two steps of similar length: draw every ticket opened up to `end`, then write the days asked for
    # the workers are forked before the progress display starts a thread of its own
    with (
        multiprocessing.get_context("fork").Pool(min(len(tasks), os.cpu_count() or 1)) as pool,
        track("generate tickets (drawing)", len(tasks), "days") as task,
    ):
        for by_day in pool.imap(draw_day, tasks):
            for day, changes in by_day.items():
                drawn.setdefault(day, []).append(changes)
            task.advance()

    folder = out_dir / LANDING_SUBDIR
    folder.mkdir(parents=True, exist_ok=True)
    written, rows = [], 0
    with track("generate tickets (writing)", (end - start).days + 1, "files") as task:
        for d in range((end - start).days + 1):
            day = start + timedelta(days=d)
            lines = [line for _, line in heapq.merge(*drawn.get(day, []))]
            written.append(write_text(folder / f"tickets_{day.isoformat()}.csv", HEADER + "".join(lines)))
            rows += len(lines)
            task.advance(rows=len(lines))
    progress(f"tickets: wrote {len(written)} file(s), {start} .. {end}, {rows:,} rows, in {folder}")
    return written
