"""Read one landed file into typed Arrow rows, without per-row Python.

pyarrow parses the CSV (every column as text); DuckDB casts each column to its declared type
with TRY_CAST and writes, for every row that does not fit, the reason in plain words. Every
row read is kept: rows that fit have `_reject_reason` NULL; rows that do not keep the reason
and their raw content (`_raw_record`) and are what `ops.quarantine` shows. Good and rejected
rows of a file land in the same bronze table in one transaction, so rows read = rows loaded +
rows quarantined holds per file, even across crashes.
"""

from __future__ import annotations

import csv
import io
import itertools
import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Callable, BinaryIO

import duckdb
import pyarrow as pa
import pyarrow.csv as pacsv

from ingest.sources import FileSource

MAX_RAW_CHARS = 10_000  # raw content kept per rejected row or file


class FileRejected(Exception):
    """The whole file cannot be read (not a CSV, required columns missing, unknown date...)."""


@dataclass
class LandedFile:
    path: str  # relative to the landing zone, e.g. tickets/tickets_2023-01-01.csv
    size: int
    modified_at: datetime
    opener: Callable[[], BinaryIO]


def quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def business_date_of(source: FileSource, path: str) -> date:
    match = re.search(source.business_date_pattern, path)
    if not match:
        raise FileRejected(f"{path}: file name does not match {source.business_date_pattern!r}, "
                           "so its business date is unknown")
    try:
        return date.fromisoformat(match.group("date"))
    except ValueError:
        raise FileRejected(f"{path}: {match.group('date')!r} in the file name is not a date") from None


def parse_csv(source: FileSource, path: str, data: bytes) -> tuple[pa.Table, list[dict]]:
    """Parse as text; malformed lines (wrong number of fields) come back separately."""
    header_line = data.split(b"\n", 1)[0].rstrip(b"\r").decode("utf-8", errors="replace")
    names = next(csv.reader([header_line]), []) if header_line else []
    missing = [c.name for c in source.columns if c.required and c.name not in names]
    if missing:
        raise FileRejected(f"{path}: line 1 (header) lacks required column(s) {', '.join(missing)}; "
                           f"found {header_line[:200]!r}")
    malformed: list[dict] = []

    def on_invalid(row) -> str:
        malformed.append({"line": row.number, "text": row.text,
                          "reason": f"line {row.number}: expected {row.expected_columns} fields, "
                                    f"found {row.actual_columns}"})
        return "skip"

    try:
        table = pacsv.read_csv(
            io.BytesIO(data),
            parse_options=pacsv.ParseOptions(invalid_row_handler=on_invalid),
            convert_options=pacsv.ConvertOptions(
                column_types={n: pa.string() for n in names}, strings_can_be_null=False
            ),
            read_options=pacsv.ReadOptions(use_threads=False),  # line numbers stay known
        )
    except (pa.ArrowInvalid, UnicodeDecodeError) as exc:
        raise FileRejected(f"{path}: not readable as CSV: {exc}") from None
    return table, malformed


def record_lines(n_parsed: int, malformed_lines: list[int]) -> pa.Array:
    """Line number of each parsed record: the header is line 1 and malformed lines are skipped.
    (A quoted field spanning lines shifts the numbers after it; generated data has none.)"""
    segments, line, remaining = [], 2, n_parsed
    for bad in sorted(malformed_lines):
        take = max(0, min(bad - line, remaining))
        segments.append(range(line, line + take))
        remaining -= take
        line = max(line + take, bad + 1)
    segments.append(range(line, line + remaining))
    return pa.array(itertools.chain.from_iterable(segments), pa.int64())


def typed_select(source: FileSource, present: set[str]) -> str:
    """SELECT over `raw_rows` casting every declared column and explaining every failure."""
    casts, checks = [], []
    for col in source.columns:
        value = f"nullif({quote(col.name)}, '')" if col.name in present else "null::varchar"
        typed = value if col.type == "VARCHAR" else f"try_cast({value} as {col.type})"
        casts.append(f"{typed} as {quote(col.name)}")
        if col.type != "VARCHAR":
            checks.append(f"case when {value} is not null and {typed} is null then "
                          f"'{col.name}: ''' || {value} || ''' is not a valid {col.type.lower()}' end")
        if col.required:
            checks.append(f"case when {value} is null then '{col.name}: missing required value' end")
    return f"""
        select {', '.join(casts)},
               _source_line,
               nullif(concat_ws('; ', {', '.join(checks) or 'null'}), '') as _reject_reason
        from raw_rows
    """


def read_rows(con: duckdb.DuckDBPyConnection, source: FileSource, landed: LandedFile) -> pa.Table:
    """All rows of the file, typed, with `_reject_reason`/`_raw_record` set on rejected ones."""
    with landed.opener() as f:
        data = f.read()
    raw, malformed = parse_csv(source, landed.path, data)
    raw = raw.append_column("_source_line", record_lines(raw.num_rows, [m["line"] for m in malformed]))
    con.register("raw_rows", raw)
    try:
        rows = con.sql(f"""
            with typed as ({typed_select(source, set(raw.column_names))})
            select typed.*,
                   case when typed._reject_reason is not null
                        then left(to_json(raw_rows)::varchar, {MAX_RAW_CHARS}) end as _raw_record
            from typed join raw_rows using (_source_line)
            order by _source_line
        """).fetch_arrow_table()
    finally:
        con.unregister("raw_rows")
    if malformed:
        extra = pa.table({
            "_source_line": pa.array([m["line"] for m in malformed], pa.int64()),
            "_reject_reason": [m["reason"] for m in malformed],
            "_raw_record": [m["text"][:MAX_RAW_CHARS] for m in malformed],
        })
        rows = pa.concat_tables([rows, extra], promote_options="default")
    return rows


def rejected_file_row(con: duckdb.DuckDBPyConnection, source: FileSource, reason: str,
                      data_preview: str) -> pa.Table:
    """A whole file that cannot be read becomes one quarantine row (line 0) with the reason."""
    nulls = ", ".join(f"null::{c.type} as {quote(c.name)}" for c in source.columns)
    return con.execute(
        f"select {nulls}, 0::bigint as _source_line, ?::varchar as _reject_reason, "
        f"?::varchar as _raw_record",
        [reason, data_preview[:MAX_RAW_CHARS]],
    ).fetch_arrow_table()
