"""`ripple docs`: dbt docs generate, then serve them."""

from __future__ import annotations

from ingest import transform
from ingest.config import Settings


def run(settings: Settings, port: int) -> None:
    transform.run_dbt(settings, "docs", "generate")
    transform.run_dbt(settings, "docs", "serve", "--port", str(port))
