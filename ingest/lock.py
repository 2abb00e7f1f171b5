"""One run at a time per deployment: an advisory lock the OS releases when the process dies (on
the data dir's lock file), and, when the lake's catalog is in PostgreSQL and so shared by several
machines, a PostgreSQL advisory lock on the catalog that the server releases when the session ends."""

from __future__ import annotations

import fcntl
import os
from contextlib import contextmanager
from datetime import UTC, datetime

from ingest.config import Settings
from ingest.errors import RippleError

CATALOG_LOCK_KEY = "ripple warehouse"  # pg_try_advisory_lock(hashtext(...)): one key for every ripple


@contextmanager
def catalog_lock(settings: Settings):
    if not settings.lake.on_postgres:
        yield
        return
    import psycopg

    try:
        con = psycopg.connect(settings.lake.catalog, autocommit=True, connect_timeout=30)
    except psycopg.Error as exc:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise RippleError(f"cannot reach the warehouse catalog {settings.warehouse_name}: {reason}") from None
    try:
        row = con.execute("select pg_try_advisory_lock(hashtext(%s))", [CATALOG_LOCK_KEY]).fetchone()
        if not (row and row[0]):
            raise LockTaken(
                f"another run holds {settings.warehouse_name} (a ripple run on a machine sharing its "
                "PostgreSQL catalog); nothing was changed, try again when it ends"
            )
        yield  # the lock lives as long as this session: a killed run's session ends, and with it the lock
    finally:
        con.close()


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
                f"another run holds {settings.warehouse_name} ({holder}); nothing was changed, try again when it ends"
            ) from None
        f.seek(0)
        f.truncate()
        f.write(f"`ripple {command}`, pid {os.getpid()}, since {datetime.now(UTC):%Y-%m-%d %H:%M:%S} UTC")
        f.flush()
        try:
            with catalog_lock(settings):
                yield
        finally:
            f.truncate(0)
            fcntl.flock(f, fcntl.LOCK_UN)
