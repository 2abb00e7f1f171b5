"""One run at a time per data dir: an advisory lock the OS releases when the process dies."""

from __future__ import annotations

import fcntl
import os
from contextlib import contextmanager
from datetime import UTC, datetime

from ingest.config import Settings
from ingest.errors import RippleError


class LockTaken(RippleError):
    """Another run holds the lock: nothing was changed (an orchestrator may wait and try again)."""


@contextmanager
def warehouse_lock(settings: Settings, command: str):
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    with open(settings.lock_file, "a+", encoding="utf-8") as f:
        try:
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            f.seek(0)
            holder = f.read().strip() or "another process"
            raise LockTaken(
                f"another run holds {settings.warehouse} ({holder}); nothing was changed, try again when it ends"
            ) from None
        f.seek(0)
        f.truncate()
        f.write(f"`ripple {command}`, pid {os.getpid()}, since {datetime.now(UTC):%Y-%m-%d %H:%M:%S} UTC")
        f.flush()
        try:
            yield
        finally:
            f.truncate(0)
            fcntl.flock(f, fcntl.LOCK_UN)
