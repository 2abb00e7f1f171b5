"""Read one landed file (CSV or JSON) into typed Arrow rows.

The file is first parsed as text: pyarrow's CSV reader for CSV (the fast path, no per-row
Python); for JSON, an array of objects or one object per line. DuckDB then casts every
declared column with TRY_CAST and writes, for each row that does not fit, the reason in plain
words. Every row read is kept: rows that fit have `_reject_reason` NULL; the others keep the
reason and their raw content (`_raw_record`) and are what `ops.quarantine` shows. Columns the
source does not declare are loaded as text (and reported as schema drift by the pipeline).
"""

from __future__ import annotations

import csv
import hashlib
import io
import itertools
import json
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import BinaryIO, Callable

import duckdb
import pyarrow as pa
import pyarrow.csv as pacsv

from ingest.sources import FileSource

MAX_RAW_CHARS = 10_000  # raw content kept per rejected row or file
MAX_FIELD_CHARS = 1_000_000  # a longer value is quarantined rather than loaded
UNDECLARED = "VARCHAR (undeclared)"


class FileRejected(Exception):
    """The whole file cannot be read (not a CSV, not JSON, required columns missing...)."""


@dataclass
class LandedFile:
    path: str  # relative to the landing zone, e.g. tickets/tickets_2023-01-01.csv
    size: int
    modified_at: datetime
    opener: Callable[[], BinaryIO]


@dataclass
class ParsedFile:
    """A file read as text: its records, malformed lines, the columns seen, its checksum."""

    landed: LandedFile
    business_date: date | None
    checksum: str
    raw: pa.Table | None = None  # text columns + _source_line
    malformed: list[dict] = field(default_factory=list)  # {line, reason, raw}
    columns_seen: list[tuple[str, str]] = field(default_factory=list)  # (name, type), for drift
    error: str | None = None  # why the whole file was rejected
    preview: str = ""  # the file's start, kept when it was rejected


def quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def business_date_of(source: FileSource, path: str) -> date | None:
    if not source.business_date_pattern:
        return None
    match = re.search(source.business_date_pattern, path)
    if not match:
        raise FileRejected(f"{path}: file name does not match {source.business_date_pattern!r}, "
                           "so its business date is unknown")
    groups = match.groupdict()
    text = groups.get("date") or f"{groups.get('year')}-{groups.get('month')}-{groups.get('day')}"
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise FileRejected(f"{path}: {text!r} in the file's path is not a date") from None


def blank_lines(data: bytes) -> set[int]:
    """Numbers of the empty lines (the CSV parser skips them), looked for only when there are any."""
    if b"\n\n" not in data and b"\n\r\n" not in data:
        return set()
    lines = data.split(b"\n")
    return {n for n, line in enumerate(lines[:-1], 1) if not line.strip(b"\r")}


def record_lines(n_parsed: int, skipped_lines: set[int]) -> pa.Array:
    """Line number of each parsed CSV record: the header is line 1; malformed and blank lines
    are skipped. (A quoted field spanning lines shifts the numbers after it.)"""
    segments, line, remaining = [], 2, n_parsed
    for bad in sorted(skipped_lines):
        take = max(0, min(bad - line, remaining))
        segments.append(range(line, line + take))
        remaining -= take
        line = max(line + take, bad + 1)
    segments.append(range(line, line + remaining))
    return pa.array(itertools.chain.from_iterable(segments), pa.int64())


def split_invalid_utf8(data: bytes) -> tuple[bytes, list[dict]]:
    """Lines that are not UTF-8 text, taken out (as blank lines, so the parser skips them and
    the others keep their numbers) and described; the rest of the file still parses."""
    lines = data.split(b"\n")
    bad = []
    for number, line in enumerate(lines, 1):
        try:
            line.decode("utf-8")
        except UnicodeDecodeError as exc:
            bad.append({"line": number, "raw": line.decode("latin-1"),
                        "reason": f"line {number}: not UTF-8 text (byte 0x{line[exc.start]:02x} at position {exc.start + 1})"})
            lines[number - 1] = b""
    return b"\n".join(lines), bad


def parse_csv(path: str, data: bytes) -> tuple[pa.Table, list[dict]]:
    """All fields as text plus `_source_line`; malformed lines (wrong field count, not UTF-8)
    come back apart."""
    header_line = data.split(b"\n", 1)[0].rstrip(b"\r")
    try:
        header = header_line.decode("utf-8")
    except UnicodeDecodeError:
        raise FileRejected(f"{path}: line 1 (header) is not UTF-8 text; is this a CSV file?") from None
    names = next(csv.reader([header]), []) if header.strip() else []
    if not names:
        raise FileRejected(f"{path}: empty file, no header line")
    malformed: list[dict] = []
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:  # the rare case: look line by line
        data, malformed = split_invalid_utf8(data)

    def on_invalid(row) -> str:
        malformed.append({"line": row.number, "raw": row.text,
                          "reason": f"line {row.number}: expected {row.expected_columns} fields, "
                                    f"found {row.actual_columns}"})
        return "skip"

    try:
        table = pacsv.read_csv(
            io.BytesIO(data),
            parse_options=pacsv.ParseOptions(invalid_row_handler=on_invalid),
            convert_options=pacsv.ConvertOptions(column_types={n: pa.string() for n in names},
                                                 strings_can_be_null=False),
            # one block for the whole file: line numbers stay known, no field straddles blocks
            read_options=pacsv.ReadOptions(use_threads=False, block_size=max(1 << 20, len(data) + 1)),
        )
    except (pa.ArrowInvalid, UnicodeDecodeError) as exc:
        raise FileRejected(f"{path}: not readable as CSV: {exc}") from None
    lines = record_lines(table.num_rows, {m["line"] for m in malformed} | blank_lines(data))
    return table.append_column("_source_line", lines), malformed


def json_text(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def parse_json(path: str, data: bytes) -> tuple[pa.Table, list[dict]]:
    """An array of objects (record n is `_source_line` n) or one object per line (its line)."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise FileRejected(f"{path}: not UTF-8 text: {exc}") from None
    records: list[tuple[int, dict]] = []
    malformed: list[dict] = []
    stripped = text.lstrip()
    if not stripped:
        raise FileRejected(f"{path}: empty file")
    if stripped.startswith("["):
        try:
            parsed = json.loads(text)
        except json.JSONDecodeError as exc:
            raise FileRejected(f"{path}: not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}") from None
        for n, obj in enumerate(parsed, 1):
            if isinstance(obj, dict):
                records.append((n, obj))
            else:
                malformed.append({"line": n, "raw": json.dumps(obj), "reason": f"record {n}: not a JSON object"})
    else:
        for n, line in enumerate(text.splitlines(), 1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                malformed.append({"line": n, "raw": line, "reason": f"line {n}: not valid JSON: {exc.msg}"})
                continue
            if isinstance(obj, dict):
                records.append((n, obj))
            else:
                malformed.append({"line": n, "raw": line, "reason": f"line {n}: not a JSON object"})
        if not records and malformed and len(malformed) == sum(1 for ln in text.splitlines() if ln.strip()):
            raise FileRejected(f"{path}: not valid JSON (no line is a JSON object; first: {malformed[0]['reason']})")
    names = list(dict.fromkeys(key for _, obj in records for key in obj))
    columns = {name: pa.array([json_text(obj.get(name)) for _, obj in records], pa.string()) for name in names}
    columns["_source_line"] = pa.array([n for n, _ in records], pa.int64())
    return pa.table(columns), malformed


def typed_select(source: FileSource, present: list[str]) -> str:
    """SELECT over `raw_rows`: declared columns cast, undeclared ones kept as text, every
    failure explained in `_reject_reason`."""
    declared = set(source.column_names)
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
        if col.minimum is not None:
            checks.append(f"case when {typed} < {col.minimum} then "
                          f"'{col.name}: ' || {value} || ' is below the minimum {col.minimum}' end")
        checks.append(f"case when length({value}) > {MAX_FIELD_CHARS} then "
                      f"'{col.name}: a value of ' || length({value}) || ' characters, more than {MAX_FIELD_CHARS:,}' end")
    metadata = {"_source_line", "_file_index"}
    extra = [f"nullif({quote(n)}, '') as {quote(n)}" for n in present if n not in declared | metadata]
    return f"""
        select {', '.join(casts + extra)},
               _file_index,
               _source_line,
               nullif(concat_ws('; ', {', '.join(checks) or 'null'}), '') as _reject_reason
        from raw_rows
    """


def parse_file(source: FileSource, landed: LandedFile) -> ParsedFile:
    """Read and parse one file; a file that cannot be read comes back with `error` set."""
    try:
        with landed.opener() as f:
            data = f.read()
    except OSError as exc:
        return ParsedFile(landed, None, "", error=f"{landed.path}: cannot read the file: {exc}")
    parsed = ParsedFile(landed, None, hashlib.sha256(data).hexdigest())
    try:
        parsed.business_date = business_date_of(source, landed.path)
        raw, parsed.malformed = (parse_json if source.kind == "json" else parse_csv)(landed.path, data)
        present = [n for n in raw.column_names if n != "_source_line"]
        missing = [c.name for c in source.columns if c.required and c.name not in present]
        if missing and (raw.num_rows or source.kind == "csv"):
            where = "line 1 (header) lacks" if source.kind == "csv" else "no record has"
            raise FileRejected(f"{landed.path}: {where} required column(s) {', '.join(missing)}; "
                               f"found {', '.join(present)[:200]}")
    except FileRejected as exc:
        parsed.error = str(exc)
        parsed.preview = data[:MAX_RAW_CHARS].decode("utf-8", errors="replace")
        return parsed
    types = {c.name: c.type for c in source.columns}
    parsed.columns_seen = [(n, types.get(n, UNDECLARED)) for n in present]
    parsed.raw = raw
    return parsed


def type_batch(con: duckdb.DuckDBPyConnection, source: FileSource, files: list[ParsedFile],
               metadata: pa.Table) -> pa.Table:
    """Type the records of many files in one query. Every record comes back: good ones with
    `_reject_reason` NULL, bad ones (and one row per rejected file, line 0) with the reason and
    their raw content. `metadata` (one row per file, keyed by `_file_index`) is joined on."""
    raws = [f.raw.append_column("_file_index", pa.array([i] * f.raw.num_rows, pa.int32()))
            for i, f in enumerate(files) if f.raw is not None]
    if not raws:
        raws = [pa.table({**{c.name: pa.array([], pa.string()) for c in source.columns},
                          "_source_line": pa.array([], pa.int64()), "_file_index": pa.array([], pa.int32())})]
    raw = pa.concat_tables(raws, promote_options="default")
    rejected = [(i, m["line"], m["reason"], m["raw"][:MAX_RAW_CHARS])
                for i, f in enumerate(files) for m in f.malformed]
    rejected += [(i, 0, f.error, f.preview) for i, f in enumerate(files) if f.error]
    extras = pa.table({
        "_file_index": pa.array([r[0] for r in rejected], pa.int32()),
        "_source_line": pa.array([r[1] for r in rejected], pa.int64()),
        "_reject_reason": pa.array([r[2] for r in rejected], pa.string()),
        "_raw_record": pa.array([r[3] for r in rejected], pa.string()),
    })
    con.register("raw_rows", raw)
    con.register("extras", extras)
    con.register("file_metadata", metadata)
    try:
        rows = con.sql(f"""
            with typed as ({typed_select(source, raw.column_names)})
            select typed.*, file_metadata.* exclude (_file_index)
            from typed join file_metadata using (_file_index)
            union all by name
            select extras.*, file_metadata.* exclude (_file_index)
            from extras join file_metadata using (_file_index)
        """).fetch_arrow_table()
        rejected = rows.num_rows - len(extras) - rows["_reject_reason"].null_count
        if rejected:  # the rare case: keep the raw text of the rows that did not fit
            con.register("typed_rows", rows)
            rows = con.sql(f"""
                select typed_rows.* exclude (_raw_record),
                       coalesce(typed_rows._raw_record, left(to_json(raw_rows)::varchar, {MAX_RAW_CHARS})) as _raw_record
                from typed_rows
                left join raw_rows
                    on typed_rows._reject_reason is not null and typed_rows._raw_record is null
                    and raw_rows._file_index = typed_rows._file_index and raw_rows._source_line = typed_rows._source_line
            """).fetch_arrow_table()
            con.unregister("typed_rows")
        return rows.drop_columns(["_file_index"])
    finally:
        for name in ("raw_rows", "extras", "file_metadata"):
            con.unregister(name)
