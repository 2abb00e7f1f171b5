"""Helpers of the unit tier: a landed file in memory, and what ripple makes of it before dlt."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import pyarrow as pa

from ingest.casting import type_batch, typer
from ingest.landing import LandedFile
from ingest.load_files import file_metadata
from ingest.readers import parse_file
from ingest.sources import FileSource

LANDED_AT = datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)


def landed(path: str, data: bytes) -> LandedFile:
    return LandedFile(path, len(data), LANDED_AT, lambda: io.BytesIO(data))


def typed_rows(source: FileSource, files: dict[str, bytes]) -> pa.Table:
    """Every row bronze would get from these files in one batch: what ingest/load_files.py hands to dlt."""
    parsed = [parse_file(source, landed(path, data)) for path, data in files.items()]
    con = typer()
    try:
        rows = type_batch(con, source, parsed, file_metadata(parsed, LANDED_AT))
        return rows.sort_by([("_source_file", "ascending"), ("_source_line", "ascending")])
    finally:
        con.close()
