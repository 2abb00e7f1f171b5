"""The source declarations (ingest/sources.toml, plus RIPPLE_SOURCES_FILE), validated by a schema.

Every setting is checked before anything runs: unknown keys, values of the wrong type, a
primary key or cursor naming a column the file source does not declare. Identifiers and types
end up in SQL, so they must match strict patterns; a custom `query` is SQL by design and runs
on the source database only. Any problem is one line naming the source, the setting and what
was expected.
"""

from __future__ import annotations

import os
import re
import tomllib
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    TypeAdapter,
    ValidationError,
    field_validator,
    model_validator,
)

from ingest.errors import RippleError

BUILT_IN = Path(__file__).with_name("sources.toml")
IDENTIFIER = r"^[A-Za-z_][A-Za-z0-9_]*$"
QUALIFIED = r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?$"
TYPE = re.compile(r"VARCHAR|TIMESTAMP|TIMESTAMPTZ|DATE|BIGINT|INTEGER|DOUBLE|BOOLEAN|DECIMAL\((\d{1,2}),\s*(\d{1,2})\)")
Identifier = Annotated[str, Field(pattern=IDENTIFIER)]


class Declaration(BaseModel):
    """Frozen, and strict about keys: a misspelt setting is an error, never silently ignored."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Column(Declaration):
    name: Identifier
    type: str  # DuckDB type the raw text must cast to
    required: StrictBool = False  # a row without a value here goes to quarantine
    min: int | float | None = None  # a smaller value goes to quarantine (e.g. 0 for amounts)
    timezone: str | None = None  # TIMESTAMPTZ: the zone of values written without an offset (default: the source's)

    @field_validator("name")
    @classmethod
    def _bronze_name(cls, value: str) -> str:
        from ingest.naming import bronze_name

        if bronze_name(value) != value:
            raise ValueError(
                f"{value!r}: bronze column names are snake_case; declare {bronze_name(value)!r} "
                "(a header or key written either way still matches it)"
            )
        return value

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str | None) -> str | None:
        return known_zone(value) if value is not None else None

    @field_validator("type")
    @classmethod
    def _known_type(cls, value: str) -> str:
        match = TYPE.fullmatch(value.upper())
        if not match:
            raise ValueError(
                "expected VARCHAR, TIMESTAMP, TIMESTAMPTZ, DATE, BIGINT, INTEGER, DOUBLE, BOOLEAN or DECIMAL(p,s)"
            )
        if match.group(1) and int(match.group(2)) > int(match.group(1)):
            raise ValueError("a DECIMAL's scale cannot exceed its precision")
        return re.sub(r",\s*", ",", value.upper())

    @field_validator("min", mode="before")
    @classmethod
    def _number(cls, value: Any) -> Any:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueError("expected a number")
        return value

    @property
    def minimum(self) -> int | float | None:
        return self.min


DURATION = re.compile(r"(\d+)\s*(minute|hour|day|week|month)s?")
UNIT = {
    "minute": timedelta(minutes=1),
    "hour": timedelta(hours=1),
    "day": timedelta(days=1),
    "week": timedelta(weeks=1),
    "month": timedelta(days=31),
}
HOURS = re.compile(r"(\d{2}):(\d{2})-(\d{2}):(\d{2})")


def duration(text: str) -> timedelta:
    """`2 hours`, `1 day`, `1 month` (31 days) as a timedelta."""
    match = DURATION.fullmatch(text.strip())
    if not match:
        raise ValueError(f"{text!r} is not a duration like '2 hours', '1 day' or '1 month'")
    return int(match.group(1)) * UNIT[match.group(2)]


class Scheduled(Declaration):
    """How often new data is expected (`ripple status` says fresh, late or stale)."""

    cadence: str | None = None  # e.g. "1 day": late when no new data came for this long
    stale_after: str | None = None  # stale when none came for this long (default: twice the cadence)
    business_hours: str | None = None  # "10:00-22:00": the cadence runs only then, in the source's timezone

    @field_validator("cadence", "stale_after")
    @classmethod
    def _duration(cls, value: str | None) -> str | None:
        if value is not None:
            duration(value)
        return value

    @field_validator("business_hours")
    @classmethod
    def _hours(cls, value: str | None) -> str | None:
        if value is not None:
            match = HOURS.fullmatch(value)
            if (
                not match
                or not (0 <= int(match.group(1)) < 24 and 0 <= int(match.group(3)) <= 24)
                or value[:5] >= value[6:]
            ):
                raise ValueError(f"{value!r} is not a span of hours like '10:00-22:00'")
        return value

    @property
    def late_after(self) -> timedelta | None:
        return duration(self.cadence) if self.cadence else None

    @property
    def stale_after_delta(self) -> timedelta | None:
        if self.stale_after:
            return duration(self.stale_after)
        return 2 * duration(self.cadence) if self.cadence else None


class FileSource(Scheduled):
    """Files in the landing zone; each file is loaded once and replaces its own rows."""

    name: Identifier
    kind: Literal["csv", "json"]
    location: str  # glob relative to the landing zone
    table: Identifier  # bronze table
    columns: tuple[Column, ...] = ()
    primary_key: tuple[Identifier, ...] = ()  # natural key of a row; silver deduplicates on it
    business_date_pattern: str | None = None  # regex with a `date` group (or year/month/day) on the path
    timezone: str = "UTC"  # zone of TIMESTAMPTZ values written without an offset (never the host's)
    null_values: tuple[str, ...] = ("",)  # values read as NULL in every column
    max_days_ahead: StrictInt = Field(default=1, ge=0)  # a business date later than today + this is rejected
    resettable: StrictBool = False  # `ripple reset` can clear a day (the dbt macro reset_business_date knows how)
    generator: Literal["tickets", "sales"] | None = None  # `ripple daily` generates its next day

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    @field_validator("location")
    @classmethod
    def _inside_landing_zone(cls, value: str) -> str:
        return check_glob(value, "location", error=ValueError)

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        return known_zone(value)

    @field_validator("business_date_pattern")
    @classmethod
    def _date_pattern(cls, value: str | None) -> str | None:
        if value is None:
            return None
        try:
            groups = set(re.compile(value).groupindex)
        except re.error as exc:
            raise ValueError(f"not a regular expression: {exc}") from None
        if "date" not in groups and not {"year", "month", "day"} <= groups:
            raise ValueError("needs a (?P<date>...) group, or (?P<year>...), (?P<month>...) and (?P<day>...)")
        return value

    @model_validator(mode="after")
    def _keys_are_declared(self) -> FileSource:
        names = self.column_names
        twice = sorted({n for n in names if names.count(n) > 1})
        if twice:
            raise ValueError(f"columns: {', '.join(twice)} declared more than once")
        undeclared = [c for c in self.primary_key if c not in names]
        if undeclared:
            raise ValueError(f"primary_key: {', '.join(undeclared)} is not a declared column")
        return self


class DatabaseSource(Scheduled):
    """A table or a named query of the operational database, extracted by watermark."""

    name: Identifier
    kind: Literal["table", "query"]
    table: Identifier  # bronze table
    source_table: Annotated[str, Field(pattern=QUALIFIED)] | None = None
    query: str | None = None
    connection: Identifier = "RIPPLE_SOURCE_URL"  # environment variable holding the SQLAlchemy URL
    cursor: Identifier | None = None
    cursor_type: Literal["timestamp", "integer"] = "timestamp"
    lookback: StrictInt = Field(default=0, ge=0)  # seconds (timestamp cursor) or units (integer cursor)
    # a timestamp cursor later than the extraction's start + this many seconds never moves the watermark
    max_cursor_ahead: StrictInt = Field(default=300, ge=0)
    connect_timeout: StrictInt = Field(default=30, ge=1)  # seconds to connect (PostgreSQL)
    statement_timeout: StrictInt = Field(default=900, ge=1)  # seconds the source may send nothing before the run fails
    primary_key: tuple[Identifier, ...] = ()
    required_columns: tuple[Identifier, ...] = ()  # missing from the extracted columns: the run fails, naming them
    summary: StrictBool = False  # `ripple summary` ingests this source before it builds the account summary
    # every N runs, compare the source's primary keys with bronze's and mark the rows gone from it deleted
    detect_deletes_every: StrictInt | None = Field(default=None, ge=1)

    @model_validator(mode="after")
    def _settings_fit_the_kind(self) -> DatabaseSource:
        if self.kind == "table" and not self.source_table:
            raise ValueError("source_table: a table source needs source_table (schema.table)")
        if self.kind == "query" and not self.query:
            raise ValueError("query: a query source needs query (SQL run on the source database)")
        if self.kind == "table" and self.query or self.kind == "query" and self.source_table:
            raise ValueError(
                f"a {self.kind} source takes {'source_table' if self.kind == 'table' else 'query'}, not both"
            )
        if self.cursor and not self.primary_key:
            raise ValueError("primary_key: an incremental source (with a cursor) needs a primary_key to merge on")
        if self.detect_deletes_every and not self.cursor:
            raise ValueError(
                "detect_deletes_every: a source without a cursor is replaced whole on every run, deletes included"
            )
        return self


def known_zone(value: str) -> str:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"{value!r} is not a time zone name (e.g. UTC, America/Sao_Paulo)") from None
    return value


Source = Annotated[FileSource | DatabaseSource, Field(discriminator="kind")]
SOURCE = TypeAdapter(Source)
KINDS = ("csv", "json", "table", "query")


def check_glob(value: Any, what: str, error: type[Exception] = RippleError) -> str:
    """A glob under the landing zone: relative, never climbing out of it."""
    if (
        not isinstance(value, str)
        or not value
        or value.startswith(("/", "\\"))
        or "://" in value
        or ".." in re.split(r"[/\\]", value)
    ):
        prefix = "" if error is ValueError else f"{what} {value!r} "
        raise error(f"{prefix}must be a glob inside the landing zone (relative, without '..')")
    return value


def describe(error: ValidationError, spec: dict) -> str:
    """pydantic's first error as one line: where (the setting, a column by number and name) and what."""
    # an unknown key first: it usually explains a missing one (`typ =` for `type =`)
    first = min(error.errors(include_url=False), key=lambda e: e["type"] != "extra_forbidden")
    loc = list(first["loc"])
    if loc and loc[0] in KINDS:  # the discriminated union puts the kind first
        loc = loc[1:]
    where: list[str] = []
    node: Any = spec
    for part in loc:
        if isinstance(part, int) and isinstance(node, list) and part < len(node) and where:
            node = node[part]
            label = f" {node.get('name')!r}" if isinstance(node, dict) and "name" in node else ""
            where[-1] = f"{where[-1]}[{part + 1}]{label}"
        else:
            where.append(str(part))
            node = node.get(part) if isinstance(node, dict) else None
    kind = first["type"]
    if kind == "extra_forbidden":
        return f"{': '.join(where[:-1]) + ': ' if len(where) > 1 else ''}unknown setting {where[-1]!r}"
    if kind == "missing":
        return f"{': '.join(where[:-1]) + ': ' if len(where) > 1 else ''}missing setting {where[-1]!r}"
    if kind == "union_tag_invalid":
        return f"kind must be one of {', '.join(KINDS)}, not {spec.get('kind')!r}"
    if kind == "union_tag_not_found":
        return f"missing setting 'kind' (one of {', '.join(KINDS)})"
    message = first["msg"].removeprefix("Value error, ")
    if kind.endswith("pattern_mismatch"):
        expected = "schema.table" if where[-1] == "source_table" else "an identifier"
        message = f"{first['input']!r} is not allowed here: expected {expected} (letters, digits and _)"
    elif "input" in first and kind != "value_error":
        message = f"{message.lower()}, got {first['input']!r}"
    if not where:  # a check across settings (model_post_init) names its own setting
        return message
    return f"{': '.join(where)}: {message}"


def parse_source(name: str, spec: Any) -> FileSource | DatabaseSource:
    if not isinstance(spec, dict):
        raise RippleError(f"source {name!r}: expected a table of settings ([{name}]), got {spec!r}")
    if not re.fullmatch(IDENTIFIER, name):
        raise RippleError(f"source {name!r}: name is not allowed here (letters, digits and _)")
    try:
        return SOURCE.validate_python({"name": name, "table": name, **spec})
    except ValidationError as exc:
        raise RippleError(f"source {name!r}: {describe(exc, spec)}") from None


def load_sources(built_in_only: bool = False) -> dict[str, FileSource | DatabaseSource]:
    """The built-in sources (whose models the dbt project has), plus those of RIPPLE_SOURCES_FILE."""
    files = [BUILT_IN]
    extra = os.environ.get("RIPPLE_SOURCES_FILE")
    if extra and not built_in_only:
        files.append(Path(extra))
    sources: dict[str, FileSource | DatabaseSource] = {}
    for path in files:
        try:
            declared = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise RippleError(f"cannot read source declarations {path}: {exc}") from None
        for name, spec in declared.items():
            sources[name] = parse_source(name, spec)
    return sources


def get_source(name: str) -> FileSource | DatabaseSource:
    sources = load_sources()
    try:
        return sources[name]
    except KeyError:
        raise RippleError(f"unknown source {name!r}; declared sources: {', '.join(sources)}") from None
