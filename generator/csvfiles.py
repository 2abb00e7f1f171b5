"""Writing generated CSV files so that readers never see half of one."""

from __future__ import annotations

import csv
from pathlib import Path


def write_csv(path: Path, header: tuple[str, ...], rows) -> Path:
    """Write to a temporary name (not matching *.csv) and rename: atomic on one filesystem."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    with tmp.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerows(rows)
    tmp.replace(path)
    return path
