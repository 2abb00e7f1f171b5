"""`ripple dashboard`: the KPI app (dashboard/app.py) on Streamlit, reading the warehouse read-only.

The process becomes Streamlit's server (exec), so stopping it stops the app. The warehouse is
the one this shell's settings name (RIPPLE_DATA_DIR, RIPPLE_WAREHOUSE), passed on by the
environment."""

from __future__ import annotations

import os
import sys

from ingest.config import REPO_ROOT, Settings
from ingest.errors import RippleError

APP = REPO_ROOT / "dashboard" / "app.py"


def command(port: int) -> list[str]:
    return [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(APP),
        "--server.port",
        str(port),
        "--server.address",
        "localhost",
        "--server.headless",
        "true",
        "--server.fileWatcherType",
        "none",
        "--browser.gatherUsageStats",
        "false",
        "--client.toolbarMode",
        "viewer",  # no Deploy button: this app serves one deployment's warehouse
    ]


def run(settings: Settings, port: int) -> None:
    if settings.destination != "duckdb":
        raise RippleError("the dashboard reads the DuckDB warehouse; unset RIPPLE_DESTINATION to use it")
    if not 0 < port < 65536:
        raise RippleError(f"--port {port}: give a TCP port between 1 and 65535")
    # the app imports `dashboard` and `ingest` from the repository, wherever it was started from
    path = [str(REPO_ROOT), *filter(None, [os.environ.get("PYTHONPATH")])]
    print(f"dashboard on http://localhost:{port} over {settings.warehouse} (read-only); Ctrl-C stops it", flush=True)
    os.execve(sys.executable, command(port), {**os.environ, "PYTHONPATH": os.pathsep.join(path)})
