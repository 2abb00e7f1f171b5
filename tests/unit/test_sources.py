"""Declarations (ingest/sources.py): every mistake is refused before anything runs, in one line
naming the source, the setting and what was expected; identifiers that reach SQL must be plain."""

from __future__ import annotations

import pytest

from ingest.errors import RippleError
from ingest.sources import DatabaseSource, FileSource, load_sources, parse_source

DROP = "x; drop table bronze.tickets; --"
FILE = {"kind": "csv", "location": "extra/*.csv", "primary_key": ["id"], "columns": [{"name": "id", "type": "VARCHAR"}]}
TABLE = {"kind": "table", "source_table": "public.orders", "cursor": "updated_at", "primary_key": ["id"]}

# (id, declaration, the whole one-line message after "source 's': ")
REFUSED = [
    ("unknown setting", {**TABLE, "primary_keys": ["id"]}, "unknown setting 'primary_keys'"),
    (
        "misspelt column key",
        {**FILE, "columns": [{"name": "id", "type": "VARCHAR"}, {"name": "at", "typ": "DATE"}]},
        "columns[2] 'at': unknown setting 'typ'",
    ),
    ("lookback as text", {**TABLE, "lookback": "5m"}, "lookback: input should be a valid integer, got '5m'"),
    ("negative lookback", {**TABLE, "lookback": -5}, "lookback: input should be greater than or equal to 0, got -5"),
    (
        "required as text",
        {**FILE, "columns": [{"name": "id", "type": "VARCHAR", "required": "yes"}]},
        "columns[1] 'id': required: input should be a valid boolean, got 'yes'",
    ),
    ("unknown kind", {**FILE, "kind": "xml"}, "kind must be one of csv, json, table, query, not 'xml'"),
    ("no kind", {"location": "x/*.csv"}, "missing setting 'kind' (one of csv, json, table, query)"),
    ("missing location", {"kind": "csv"}, "missing setting 'location'"),
    ("missing column type", {**FILE, "columns": [{"name": "id"}]}, "columns[1] 'id': missing setting 'type'"),
    ("primary key not declared", {**FILE, "primary_key": ["idd"]}, "primary_key: idd is not a declared column"),
    (
        "column declared twice",
        {**FILE, "columns": [{"name": "id", "type": "VARCHAR"}, {"name": "id", "type": "DATE"}]},
        "columns: id declared more than once",
    ),
    (
        "column name not snake_case",
        {**FILE, "columns": [{"name": "OrderId", "type": "VARCHAR"}]},
        "columns[1] 'OrderId': name: 'OrderId': bronze column names are snake_case; declare 'order_id' "
        "(a header or key written either way still matches it)",
    ),
    (
        "time zone",
        {**FILE, "timezone": "Mars/Olympus"},
        "timezone: 'Mars/Olympus' is not a time zone name (e.g. UTC, America/Sao_Paulo)",
    ),
    ("max_days_ahead", {**FILE, "max_days_ahead": "1"}, "max_days_ahead: input should be a valid integer, got '1'"),
    (
        "decimal scale over precision",
        {**FILE, "columns": [{"name": "id", "type": "DECIMAL(4,6)"}]},
        "columns[1] 'id': type: a DECIMAL's scale cannot exceed its precision",
    ),
    (
        "cursor without key",
        {**TABLE, "primary_key": []},
        "primary_key: an incremental source (with a cursor) needs a primary_key to merge on",
    ),
    ("table without source_table", {"kind": "table"}, "source_table: a table source needs source_table (schema.table)"),
    ("query without query", {"kind": "query"}, "query: a query source needs query (SQL run on the source database)"),
    (
        "cursor type",
        {**TABLE, "cursor_type": "date"},
        "cursor_type: input should be 'timestamp' or 'integer', got 'date'",
    ),
    # hostile values: identifiers and types that reach SQL, globs that would leave the landing zone
    (
        "table",
        {**FILE, "table": DROP},
        f"table: {DROP!r} is not allowed here: expected an identifier (letters, digits and _)",
    ),
    (
        "schema-qualified table",
        {**FILE, "table": "bronze.tickets"},
        "table: 'bronze.tickets' is not allowed here: expected an identifier (letters, digits and _)",
    ),
    (
        "primary key",
        {**FILE, "primary_key": ["id", DROP]},
        f"primary_key[2]: {DROP!r} is not allowed here: expected an identifier (letters, digits and _)",
    ),
    (
        "column name",
        {**FILE, "columns": [{"name": 'id"; drop table t; --', "type": "VARCHAR"}]},
        "columns[1] 'id\"; drop table t; --': name: 'id\"; drop table t; --' is not allowed here: expected an identifier (letters, digits and _)",
    ),
    (
        "column type",
        {**FILE, "columns": [{"name": "id", "type": "VARCHAR); drop table t; --"}]},
        "columns[1] 'id': type: expected VARCHAR, TIMESTAMP, TIMESTAMPTZ, DATE, BIGINT, INTEGER, DOUBLE, BOOLEAN or DECIMAL(p,s)",
    ),
    (
        "min",
        {**FILE, "columns": [{"name": "id", "type": "DOUBLE", "min": "0; drop table t"}]},
        "columns[1] 'id': min: expected a number",
    ),
    (
        "location climbing out",
        {**FILE, "location": "../../../etc/*"},
        "location: must be a glob inside the landing zone (relative, without '..')",
    ),
    (
        "absolute location",
        {**FILE, "location": "/etc/passwd"},
        "location: must be a glob inside the landing zone (relative, without '..')",
    ),
    (
        "location in another bucket",
        {**FILE, "location": "s3://someone-elses-bucket/*.csv"},
        "location: must be a glob inside the landing zone (relative, without '..')",
    ),
    (
        "date pattern",
        {**FILE, "business_date_pattern": "(unclosed"},
        "business_date_pattern: not a regular expression: missing ), unterminated subpattern at position 0",
    ),
    (
        "date pattern without a date",
        {**FILE, "business_date_pattern": "x_(\\d+)"},
        "business_date_pattern: needs a (?P<date>...) group, or (?P<year>...), (?P<month>...) and (?P<day>...)",
    ),
    (
        "source_table",
        {**TABLE, "source_table": DROP},
        f"source_table: {DROP!r} is not allowed here: expected schema.table (letters, digits and _)",
    ),
    (
        "source_table with a condition",
        {**TABLE, "source_table": "public.orders where 1=1"},
        "source_table: 'public.orders where 1=1' is not allowed here: expected schema.table (letters, digits and _)",
    ),
    (
        "cursor",
        {**TABLE, "cursor": "updated_at > 0 or 1=1"},
        "cursor: 'updated_at > 0 or 1=1' is not allowed here: expected an identifier (letters, digits and _)",
    ),
    (
        "connection",
        {**TABLE, "connection": "RIPPLE_SOURCE_URL; rm -rf /"},
        "connection: 'RIPPLE_SOURCE_URL; rm -rf /' is not allowed here: expected an identifier (letters, digits and _)",
    ),
    ("not a table of settings", 5, "expected a table of settings ([s]), got 5"),
    ("cadence", {**FILE, "cadence": "2h"}, "cadence: '2h' is not a duration like '2 hours', '1 day' or '1 month'"),
    (
        "business hours",
        {**FILE, "cadence": "2 hours", "business_hours": "22:00-10:00"},
        "business_hours: '22:00-10:00' is not a span of hours like '10:00-22:00'",
    ),
    (
        "deletes looked for every 0 runs",
        {**TABLE, "detect_deletes_every": 0},
        "detect_deletes_every: input should be greater than or equal to 1, got 0",
    ),
    (
        "deletes looked for in a full load",
        {"kind": "table", "source_table": "public.orders", "primary_key": ["id"], "detect_deletes_every": 2},
        "detect_deletes_every: a source without a cursor is replaced whole on every run, deletes included",
    ),
]


@pytest.mark.parametrize("spec,message", [pytest.param(s, m, id=i) for i, s, m in REFUSED])
def test_a_wrong_declaration_is_refused_in_one_line_naming_the_setting(spec, message):
    with pytest.raises(RippleError) as refused:
        parse_source("s", spec)
    assert str(refused.value) == f"source 's': {message}"


def test_a_valid_declaration_gets_its_defaults():
    source = parse_source("orders", {**FILE, "columns": [{"name": "id", "type": "decimal(10, 2)", "min": 0}]})
    assert isinstance(source, FileSource)
    assert (source.table, source.columns[0].type, source.columns[0].minimum) == ("orders", "DECIMAL(10,2)", 0)
    table = parse_source("orders", TABLE)
    assert isinstance(table, DatabaseSource)
    assert (table.table, table.connection, table.lookback, table.cursor_type, table.detect_deletes_every) == (
        "orders",
        "RIPPLE_SOURCE_URL",
        0,
        "timestamp",
        None,
    )


def test_extra_declarations_add_and_replace_sources_by_name(tmp_path, monkeypatch):
    extra = tmp_path / "more.toml"
    extra.write_text(
        '[units]\nkind = "query"\nquery = "select 1 as x"\n\n[orders]\nkind = "csv"\nlocation = "o/*.csv"\n'
    )
    monkeypatch.setenv("RIPPLE_SOURCES_FILE", str(extra))
    sources = load_sources()
    assert isinstance(sources["units"], DatabaseSource) and sources["units"].kind == "query"
    assert "orders" in sources and "tickets" in sources
    assert "orders" not in load_sources(built_in_only=True)


def test_an_unreadable_declarations_file_is_one_line(tmp_path, monkeypatch):
    extra = tmp_path / "more.toml"
    extra.write_text("[units\n")
    monkeypatch.setenv("RIPPLE_SOURCES_FILE", str(extra))
    with pytest.raises(RippleError, match=rf"^cannot read source declarations {extra}: .*line 1"):
        load_sources()
