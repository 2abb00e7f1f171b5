"""Monthly account snapshots in the operational database: table `accounts_all`.

One row per (cons_acct_key, rpt_as_of_mo) version; `base_ts` is when that version landed and
the latest one wins. Every value is a function of (seed, account, month), so any month can be
produced alone. `history` writes the months up to a given one; `batch` appends one monthly
batch that mixes the new month for active accounts, corrections of past months (up to 36
back), new accounts and gaps, all stamped with the batch's `base_ts`.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Integer,
    MetaData,
    Numeric,
    String,
    Table,
    create_engine,
    func,
    select,
)

from ingest.progress import Task, track

METADATA = MetaData()
ACCOUNTS_ALL = Table(
    "accounts_all",
    METADATA,
    Column("cons_acct_key", BigInteger, nullable=False),
    Column("rpt_as_of_mo", String(7), nullable=False),
    Column("balance_am", Numeric(14, 2)),
    Column("credit_limit_am", Numeric(14, 2)),
    Column("past_due_am", Numeric(14, 2)),
    Column("payment_am", Numeric(14, 2)),
    Column("days_past_due", Integer),
    Column("account_status", String(12)),
    Column("base_ts", DateTime, nullable=False),
)
GAP_SHARE = 0.02  # months an open account reports nothing
CORRECTION_SHARE = 0.015  # accounts whose batch corrects a past month
NEW_ACCOUNT_SHARE = 0.01
CLOSE_SHARE_PER_YEAR = 0.05
CHUNK = 50_000


def month_index(month: str) -> int:
    try:
        year, mo = month.split("-")
        index = int(year) * 12 + int(mo) - 1
    except ValueError:
        raise ValueError(f"{month!r} is not a month (YYYY-MM)") from None
    if not 1 <= int(mo) <= 12 or len(month) != 7:
        raise ValueError(f"{month!r} is not a month (YYYY-MM)")
    return index


def month_text(index: int) -> str:
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def landed_at(index: int) -> datetime:
    """A month's regular batch lands early on the first day of the next month."""
    nxt = index + 1
    return datetime(nxt // 12, nxt % 12 + 1, 1, 6, 0, 0)


@dataclass(frozen=True)
class Account:
    key: int
    opened: int  # month index
    closed: int | None
    credit_limit: float


def history_account(seed: int, key: int, first: int, last: int) -> Account:
    rng = random.Random(f"{seed}:acct:{key}")
    opened = max(rng.randint(first - 24, last), first)
    years = (last - opened) / 12
    closed = rng.randint(opened, last) if rng.random() < CLOSE_SHARE_PER_YEAR * years else None
    return Account(key, opened, closed, float(rng.choice((1000, 2500, 5000, 10000, 20000, 50000))))


def reports(seed: int, key: int, index: int) -> bool:
    return random.Random(f"{seed}:gap:{key}:{index}").random() >= GAP_SHARE


def row(seed: int, acct: Account, index: int, base_ts: datetime, version: int = 0) -> dict:
    rng = random.Random(f"{seed}:val:{acct.key}:{index}:{version}")
    balance = round(acct.credit_limit * rng.uniform(0.05, 0.95), 2)
    delinquent = rng.random() < 0.06
    return {
        "cons_acct_key": acct.key,
        "rpt_as_of_mo": month_text(index),
        "balance_am": balance,
        "credit_limit_am": acct.credit_limit,
        "past_due_am": round(balance * rng.uniform(0.05, 0.3), 2) if delinquent else 0.0,
        "payment_am": round(balance * rng.uniform(0.02, 0.4), 2),
        "days_past_due": rng.choice((30, 60, 90)) if delinquent else 0,
        "account_status": "closed" if acct.closed == index else ("delinquent" if delinquent else "open"),
        "base_ts": base_ts,
    }


def history_rows(seed: int, accounts: int, first: int, last: int, task: Task):
    for key in range(1, accounts + 1):
        acct = history_account(seed, key, first, last)
        months = 0
        for index in range(acct.opened, (acct.closed if acct.closed is not None else last) + 1):
            if index == acct.opened or index == acct.closed or reports(seed, key, index):
                months += 1
                yield row(seed, acct, index, landed_at(index))
        task.advance(rows=months)


def active_accounts(url: str) -> list[Account]:
    """Accounts whose latest reported month is not a closure, as the database holds them."""
    latest = select(
        ACCOUNTS_ALL.c.cons_acct_key,
        ACCOUNTS_ALL.c.rpt_as_of_mo,
        ACCOUNTS_ALL.c.account_status,
        ACCOUNTS_ALL.c.credit_limit_am,
        func.row_number()
        .over(
            partition_by=ACCOUNTS_ALL.c.cons_acct_key,
            order_by=(ACCOUNTS_ALL.c.rpt_as_of_mo.desc(), ACCOUNTS_ALL.c.base_ts.desc()),
        )
        .label("n"),
    ).subquery()
    opened = (
        select(ACCOUNTS_ALL.c.cons_acct_key, func.min(ACCOUNTS_ALL.c.rpt_as_of_mo).label("first"))
        .group_by(ACCOUNTS_ALL.c.cons_acct_key)
        .subquery()
    )
    query = (
        select(latest.c.cons_acct_key, opened.c.first, latest.c.credit_limit_am)
        .join(opened, opened.c.cons_acct_key == latest.c.cons_acct_key)
        .where(latest.c.n == 1, latest.c.account_status != "closed")
        .order_by(latest.c.cons_acct_key)
    )
    with create_engine(url).connect() as con:
        return [
            Account(key, month_index(first), None, float(limit)) for key, first, limit in con.execute(query).tuples()
        ]


def batch_rows(seed: int, batch: int, active: list[Account], next_key: int):
    """The batch for month `batch`: new month, corrections, new accounts, gaps."""
    rng = random.Random(f"{seed}:batch:{batch}")
    stamp = landed_at(batch)
    for acct in active:
        if reports(seed, acct.key, batch):
            closing = rng.random() < CLOSE_SHARE_PER_YEAR / 12
            yield (
                "new month",
                row(seed, Account(acct.key, acct.opened, batch if closing else None, acct.credit_limit), batch, stamp),
            )
        if rng.random() < CORRECTION_SHARE:
            past = batch - rng.randint(1, 36)
            if past >= acct.opened:
                yield "corrections", row(seed, acct, past, stamp, version=batch)
    for key in range(next_key, next_key + max(1, round(len(active) * NEW_ACCOUNT_SHARE))):
        yield "new accounts", row(seed, Account(key, batch, None, float(rng.choice((1000, 2500, 5000)))), batch, stamp)


def insert(url: str, rows) -> int:
    engine = create_engine(url)
    METADATA.create_all(engine)
    written, chunk = 0, []
    with engine.begin() as con:
        for r in rows:
            chunk.append(r)
            if len(chunk) >= CHUNK:
                con.execute(ACCOUNTS_ALL.insert(), chunk)
                written += len(chunk)
                chunk = []
        if chunk:
            con.execute(ACCOUNTS_ALL.insert(), chunk)
            written += len(chunk)
    return written


def write_history(url: str, accounts: int = 5000, first: str = "2019-01", last: str = "2025-12", seed: int = 42) -> int:
    start, end = month_index(first), month_index(last)
    if end < start:
        raise ValueError(f"history ends ({last}) before it starts ({first})")
    with track("generate accounts", accounts, "accounts") as task:
        return insert(url, history_rows(seed, accounts, start, end, task))


def write_batch(url: str, batch: str, seed: int = 42) -> dict[str, int]:
    """Append the batch for month `batch`; return how many rows of each kind it holds."""
    index = month_index(batch)
    engine = create_engine(url)
    METADATA.create_all(engine)
    with engine.connect() as con:
        max_key = con.execute(select(func.max(ACCOUNTS_ALL.c.cons_acct_key))).scalar()
        latest = con.execute(select(func.max(ACCOUNTS_ALL.c.rpt_as_of_mo))).scalar()
    if not max_key or not latest:
        raise ValueError("no account history yet: run `ripple generate accounts` first")
    if month_index(latest) >= index:
        raise ValueError(f"the history already reaches {latest}; a batch must be for a later month")
    kinds: dict[str, int] = {"new month": 0, "corrections": 0, "new accounts": 0}
    rows = []
    for kind, r in batch_rows(seed, index, active_accounts(url), max_key + 1):
        kinds[kind] += 1
        rows.append(r)
    insert(url, rows)
    return kinds
