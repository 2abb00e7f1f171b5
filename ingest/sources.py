"""The source declarations (ingest/sources.toml, plus RIPPLE_SOURCES_FILE), validated.

Identifiers and types from configuration end up in SQL, so they are checked here against
strict patterns; a custom `query` is SQL by design and runs on the source database only.
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from ingest.errors import RippleError

BUILT_IN = Path(__file__).with_name("sources.toml")
FILE_KINDS = ("csv", "json")
DATABASE_KINDS = ("table", "query")
IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
QUALIFIED = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?")
TYPE = re.compile(r"VARCHAR|TIMESTAMP|TIMESTAMPTZ|DATE|BIGINT|INTEGER|DOUBLE|BOOLEAN|DECIMAL\(\d{1,2},\s*\d{1,2}\)")
CURSOR_TYPES = ("timestamp", "integer")


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # DuckDB type the raw text must cast to
    required: bool = False  # a row without a value here goes to quarantine
    minimum: float | None = None  # a smaller value goes to quarantine (e.g. 0 for amounts)


@dataclass(frozen=True)
class FileSource:
    """Files in the landing zone; each file is loaded once and replaces its own rows."""

    name: str
    kind: str  # csv | json
    location: str  # glob relative to the landing zone
    table: str  # bronze table
    columns: tuple[Column, ...]
    primary_key: tuple[str, ...]  # natural key of a row; silver deduplicates on it
    business_date_pattern: str | None = None  # regex with a `date` group matched on the path
    merge_key: str = "_source_file"

    write_disposition = {"disposition": "merge", "strategy": "delete-insert"}
    cursor = "file"  # bronze itself: (path, size, modification time) already loaded

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]


@dataclass(frozen=True)
class DatabaseSource:
    """A table or a named query of the operational database, extracted by watermark."""

    name: str
    kind: str  # table | query
    table: str  # bronze table
    source_table: str | None = None
    query: str | None = None
    connection: str = "RIPPLE_SOURCE_URL"  # environment variable holding the SQLAlchemy URL
    cursor: str | None = None
    cursor_type: str = "timestamp"
    lookback: int = 0  # seconds (timestamp cursor) or units (integer cursor)
    primary_key: tuple[str, ...] = ()

    @property
    def write_disposition(self) -> dict | str:
        if self.cursor:
            return {"disposition": "merge", "strategy": "delete-insert"}
        return "replace"


Source = FileSource | DatabaseSource


def _check(pattern: re.Pattern, value: str, what: str, source: str) -> str:
    if not isinstance(value, str) or not pattern.fullmatch(value):
        raise RippleError(f"source {source!r}: {what} {value!r} is not allowed here")
    return value


def check_glob(value, what: str) -> str:
    """A glob under the landing zone: relative, never climbing out of it."""
    if not isinstance(value, str) or not value or value.startswith(("/", "\\")) or "://" in value \
            or ".." in re.split(r"[/\\]", value):
        raise RippleError(f"{what} {value!r} must be a glob inside the landing zone (relative, without '..')")
    return value


def _pattern(value, source: str) -> str | None:
    if value is None:
        return None
    try:
        groups = set(re.compile(value).groupindex)
        if "date" not in groups and not {"year", "month", "day"} <= groups:
            raise RippleError(f"source {source!r}: business_date_pattern {value!r} needs a (?P<date>...) group "
                              "or (?P<year>...), (?P<month>...) and (?P<day>...)")
    except (re.error, TypeError) as exc:
        raise RippleError(f"source {source!r}: business_date_pattern {value!r} is not a regular expression: {exc}") \
            from None
    return value


def _number(value, source: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise RippleError(f"source {source!r}: min {value!r} is not a number")
    return value


def parse_source(name: str, spec: dict) -> Source:
    _check(IDENTIFIER, name, "name", name)
    kind = spec.get("kind")
    table = _check(IDENTIFIER, spec.get("table", name), "table", name)
    primary_key = tuple(_check(IDENTIFIER, c, "primary key column", name) for c in spec.get("primary_key", []))
    try:
        if kind in FILE_KINDS:
            columns = tuple(
                Column(_check(IDENTIFIER, c["name"], "column", name),
                       _check(TYPE, c["type"].upper(), "type", name), bool(c.get("required", False)),
                       _number(c.get("min"), name))
                for c in spec.get("columns", [])
            )
            return FileSource(name=name, kind=kind, location=check_glob(spec["location"], f"source {name!r}: location"),
                              table=table, columns=columns, primary_key=primary_key,
                              business_date_pattern=_pattern(spec.get("business_date_pattern"), name))
        if kind in DATABASE_KINDS:
            cursor = spec.get("cursor")
            source = DatabaseSource(
                name=name, kind=kind, table=table,
                source_table=_check(QUALIFIED, spec["source_table"], "source_table", name) if kind == "table" else None,
                query=spec["query"] if kind == "query" else None,
                connection=_check(IDENTIFIER, spec.get("connection", "RIPPLE_SOURCE_URL"), "connection", name),
                cursor=_check(IDENTIFIER, cursor, "cursor", name) if cursor else None,
                cursor_type=spec.get("cursor_type", "timestamp"),
                lookback=int(spec.get("lookback", 0)),
                primary_key=primary_key,
            )
            if source.cursor_type not in CURSOR_TYPES:
                raise RippleError(f"source {name!r}: cursor_type must be one of {', '.join(CURSOR_TYPES)}")
            if source.cursor and not primary_key:
                raise RippleError(f"source {name!r}: an incremental source needs a primary_key to merge on")
            return source
    except KeyError as missing:
        raise RippleError(f"source {name!r}: missing setting {missing}") from None
    raise RippleError(f"source {name!r}: kind must be one of {', '.join(FILE_KINDS + DATABASE_KINDS)}, not {kind!r}")


def load_sources(built_in_only: bool = False) -> dict[str, Source]:
    """The built-in sources (whose models the dbt project has), plus those of RIPPLE_SOURCES_FILE."""
    files = [BUILT_IN]
    extra = os.environ.get("RIPPLE_SOURCES_FILE")
    if extra and not built_in_only:
        files.append(Path(extra))
    sources: dict[str, Source] = {}
    for path in files:
        try:
            declared = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise RippleError(f"cannot read source declarations {path}: {exc}") from None
        for name, spec in declared.items():
            sources[name] = parse_source(name, spec)
    return sources


def get_source(name: str) -> Source:
    sources = load_sources()
    try:
        return sources[name]
    except KeyError:
        raise RippleError(f"unknown source {name!r}; declared sources: {', '.join(sources)}") from None
