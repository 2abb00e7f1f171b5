"""ripple's lock, taken by Dagster steps: a step that finds it taken waits, then fails saying why.

Every command that writes holds ripple's lock (ingest/lock.py); a Dagster step takes the same
lock, so a cron `ripple daily` and a Dagster run never write at once either. Dagster itself
launches one run at a time (orchestration/dagster.yaml), so within Dagster a step waits only
for a run started outside it.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager

import dagster as dg

from ingest.config import Settings
from ingest.lock import LockTaken, warehouse_lock

# how long a step waits for a run outside Dagster to release the lock (RIPPLE_LOCK_WAIT, seconds)
DEFAULT_WAIT_SECONDS = 1800
POLL_SECONDS = 1.0


@contextmanager
def held_lock(settings: Settings, command: str, log: Callable[[str], None]) -> Iterator[None]:
    wait = float(os.environ.get("RIPPLE_LOCK_WAIT", DEFAULT_WAIT_SECONDS))
    deadline = time.monotonic() + wait
    waiting = False
    with ExitStack() as stack:
        while True:
            try:
                stack.enter_context(warehouse_lock(settings, command))
                break
            except LockTaken as exc:
                if time.monotonic() >= deadline:
                    raise dg.Failure(
                        description=f"{exc} (waited {wait:.0f} s, RIPPLE_LOCK_WAIT)", allow_retries=False
                    ) from None
                if not waiting:
                    log(f"waiting for ripple's lock: {exc}")
                    waiting = True
                time.sleep(POLL_SECONDS)
        yield
