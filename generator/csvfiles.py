"""Writing generated CSV files so that readers never see half of one."""

from __future__ import annotations

import csv
import io
from pathlib import Path


def write_text(path: Path, text: str) -> Path:
    """Write to a temporary name (not matching *.csv) and rename: atomic on one filesystem."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8", newline="")
    tmp.replace(path)
    return path


def write_csv(path: Path, header: tuple[str, ...], rows) -> Path:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return write_text(path, buffer.getvalue())
