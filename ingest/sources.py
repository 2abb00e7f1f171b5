"""Every source ripple ingests, declared in one place.

A source says what it is (kind), where it lands (location, a glob under the landing zone),
which bronze table it fills, its columns and their types, what its cursor is and how rows
are written. The pipeline code is generic over these declarations; adding a source is adding
an entry here (and its staging model in dbt).
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # DuckDB type the raw text must cast to, e.g. TIMESTAMP, BIGINT, VARCHAR
    required: bool = False  # a row without a value here goes to quarantine


@dataclass(frozen=True)
class FileSource:
    """Files in the landing zone: each file is loaded once; a changed or reprocessed file
    replaces its own rows (delete-insert on `_source_file`), so bronze always holds exactly
    the current content of every file landed."""

    name: str
    kind: str  # "csv"
    location: str  # glob relative to the landing zone
    table: str  # bronze table
    columns: tuple[Column, ...]
    business_date_pattern: str  # regex with a `date` group (YYYY-MM-DD) matched against the file path
    primary_key: tuple[str, ...]  # natural key of a row; silver deduplicates on it
    cursor: str = "file"  # files are the cursor: (path, size, modification time) already in bronze
    merge_key: str = "_source_file"
    write_disposition: dict = field(
        default_factory=lambda: {"disposition": "merge", "strategy": "delete-insert"}
    )

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]


TICKETS = FileSource(
    name="tickets",
    kind="csv",
    location="tickets/*.csv",
    table="tickets",
    columns=(
        Column("ticket_id", "VARCHAR", required=True),
        Column("created_at", "TIMESTAMP", required=True),
        Column("updated_at", "TIMESTAMP", required=True),
        Column("status", "VARCHAR", required=True),
        Column("priority", "VARCHAR", required=True),
        Column("category", "VARCHAR"),
        Column("channel", "VARCHAR"),
        Column("agent_id", "VARCHAR"),
        Column("agent_name", "VARCHAR"),
        Column("customer_id", "VARCHAR"),
        Column("subject", "VARCHAR"),
        Column("first_response_at", "TIMESTAMP"),
        Column("resolved_at", "TIMESTAMP"),
    ),
    business_date_pattern=r"tickets_(?P<date>\d{4}-\d{2}-\d{2})\.csv$",
    primary_key=("ticket_id", "updated_at", "status"),
)

SOURCES: dict[str, FileSource] = {s.name: s for s in (TICKETS,)}


def get_source(name: str) -> FileSource:
    try:
        return SOURCES[name]
    except KeyError:
        raise SystemExit(f"unknown source {name!r}; known sources: {', '.join(SOURCES)}") from None
