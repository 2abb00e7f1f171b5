"""`ripple build`: dbt build of silver, gold and ops, one run at a time like every command that writes."""

from __future__ import annotations

from ingest import transform
from ingest.config import Settings
from ingest.errors import RippleError
from ingest.lock import warehouse_lock


def run(settings: Settings, full_refresh: bool, select: list[str] | None) -> None:
    with warehouse_lock(settings, "build"):
        transform.build(settings, full_refresh=full_refresh, select=" ".join(select or []) or None)
    if select and not transform.nodes_run(settings):
        raise RippleError(f"--select {' '.join(select)} matched no model, seed or test: nothing was built")
