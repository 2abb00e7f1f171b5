"""`ripple dashboard`: the KPI app (dashboard/app.py) on Streamlit, reading the warehouse read-only.

Streamlit's server runs in this process, after the source declarations have been checked and
the modules the pages need imported (dlt's naming included, ~2 s here), so that no visitor
waits for them. The warehouse is the one this shell's settings name (RIPPLE_DATA_DIR,
RIPPLE_WAREHOUSE)."""

from __future__ import annotations

import importlib

from ingest.config import REPO_ROOT, Settings
from ingest.errors import RippleError
from ingest.sources import load_sources

APP = REPO_ROOT / "dashboard" / "app.py"
PAGES = ("ops_tickets", "sales", "accounts", "pipeline_health")


def streamlit_arguments(port: int) -> list[str]:
    return [
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
    load_sources()
    for page in PAGES:
        importlib.import_module(f"dashboard.views.{page}")
    from streamlit.web import cli as streamlit

    print(f"dashboard on http://localhost:{port} over {settings.warehouse} (read-only); Ctrl-C stops it", flush=True)
    streamlit.main.main(args=streamlit_arguments(port), prog_name="streamlit", standalone_mode=False)
