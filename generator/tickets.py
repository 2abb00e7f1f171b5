"""Ops-support tickets: one CSV per business day, local time Asia/Kolkata.

Each ticket's whole life (first response, pending, resolution, closure) is drawn when it is
opened, from a random generator seeded by (seed, opening day). A day's file holds every
status change that happened that day: the tickets opened that day and the changes to older
tickets. So any single day can be generated alone and is byte-identical to the same day of
a history run, and the backlog snowballs because a few tickets are never resolved.
"""

from __future__ import annotations

import csv
import math
import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from faker import Faker

WORLD_START = date(2023, 1, 1)  # the simulated helpdesk opened on this day: no tickets before it
MAX_LIFETIME_DAYS = 120  # a ticket changes status at most this long after it was opened
DEFAULT_VOLUME = 1450  # mean tickets opened per day before weekday seasonality
N_AGENTS = 40
N_CUSTOMERS = 25_000
LANDING_SUBDIR = "tickets"

COLUMNS = (
    "ticket_id", "created_at", "updated_at", "status", "priority", "category", "channel",
    "agent_id", "agent_name", "customer_id", "subject", "first_response_at", "resolved_at",
)
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
TS_FORMAT = "%Y-%m-%d %H:%M:%S"


@dataclass(frozen=True)
class Agent:
    agent_id: str
    name: str
    speed: float  # multiplies handling times: < 1 is faster than the median agent


def make_agents(seed: int) -> list[Agent]:
    fake = Faker("en_IN")
    fake.seed_instance(seed)
    rng = random.Random(f"{seed}:agents")
    return [
        Agent(f"AG{i:03d}", fake.name(), round(rng.lognormvariate(0.0, 0.35), 3))
        for i in range(1, N_AGENTS + 1)
    ]


def tickets_opened(day: date, seed: int, volume: int, agents: list[Agent]):
    """Yield (opened day, events) for every ticket opened on `day`; events are (when, status, row)."""
    rng = random.Random(f"{seed}:{day.isoformat()}")
    n = max(1, round(volume * WEEKDAY_FACTOR[day.weekday()] * rng.uniform(0.93, 1.07)))
    midnight = datetime(day.year, day.month, day.day)
    categories = list(CATEGORIES)
    for seq in range(1, n + 1):
        created = midnight + timedelta(
            hours=rng.choices(range(24), HOUR_WEIGHTS)[0], seconds=rng.randrange(3600)
        )
        priority, _, sla_hours = rng.choices(PRIORITIES, [p[1] for p in PRIORITIES])[0]
        category = rng.choices(categories, CATEGORY_WEIGHTS)[0]
        channel = rng.choices([c[0] for c in CHANNELS], [c[1] for c in CHANNELS])[0]
        agent = rng.choice(agents)
        base = (
            f"TK-{day:%Y%m%d}-{seq:05d}", created.strftime(TS_FORMAT), None, None, priority,
            category, channel, agent.agent_id, agent.name, f"CU{rng.randrange(1, N_CUSTOMERS):06d}",
            rng.choice(CATEGORIES[category]),
        )
        first_response = created + timedelta(
            hours=rng.expovariate(1 / FIRST_RESPONSE_HOURS[priority]) * agent.speed + 1 / 60
        )
        resolve_hours = rng.lognormvariate(math.log(sla_hours * 0.7 * agent.speed), 1.1)
        resolved = first_response + timedelta(hours=resolve_hours)
        stuck = rng.random() < STUCK_SHARE or resolved - created > timedelta(days=MAX_LIFETIME_DAYS - 4)
        pending = first_response + (resolved - first_response) * rng.uniform(0.1, 0.5)
        has_pending = stuck or rng.random() < PENDING_SHARE
        closed = resolved + timedelta(hours=rng.uniform(24, 72))

        fr, rs = first_response.strftime(TS_FORMAT), resolved.strftime(TS_FORMAT)
        steps = [(created, "open", "", ""), (first_response, "in_progress", fr, "")]
        if has_pending:
            steps.append((pending, "pending", fr, ""))
        if not stuck:
            steps += [(resolved, "resolved", fr, rs), (closed, "closed", fr, rs)]
        yield [
            (when, (base[0], base[1], when.strftime(TS_FORMAT), status, *base[4:], first, res))
            for when, status, first, res in steps
        ]


def generate(out_dir: Path, start: date, end: date, seed: int = 42, volume: int = DEFAULT_VOLUME,
             progress=print) -> list[Path]:
    """Write one CSV per day in [start, end] under out_dir/tickets; return the files written."""
    if start < WORLD_START:
        raise ValueError(f"tickets start on {WORLD_START} (the simulated helpdesk's first day), not {start}")
    if end < start:
        raise ValueError(f"--end {end} is before --start {start}")
    agents = make_agents(seed)
    by_day: dict[date, list[tuple]] = {}
    first_open_day = max(WORLD_START, start - timedelta(days=MAX_LIFETIME_DAYS))
    day = first_open_day
    while day <= end:
        for events in tickets_opened(day, seed, volume, agents):
            for when, row in events:
                event_day = when.date()
                if start <= event_day <= end:
                    by_day.setdefault(event_day, []).append((when, row))
        day += timedelta(days=1)

    folder = out_dir / LANDING_SUBDIR
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    day = start
    while day <= end:
        rows = sorted(by_day.get(day, []), key=lambda e: (e[0], e[1][0]))
        written.append(write_day(folder, day, [r for _, r in rows]))
        day += timedelta(days=1)
    progress(f"tickets: wrote {len(written)} file(s), {start} .. {end}, "
             f"{sum(len(v) for v in by_day.values()):,} rows, in {folder}")
    return written


def write_day(folder: Path, day: date, rows: list[tuple]) -> Path:
    """Write atomically: readers never see a half-written file (the .tmp name is not *.csv)."""
    path = folder / f"tickets_{day.isoformat()}.csv"
    tmp = path.with_suffix(".csv.tmp")
    with tmp.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(COLUMNS)
        writer.writerows(rows)
    tmp.replace(path)
    return path
