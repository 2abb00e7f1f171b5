"""Read one landed file (CSV or JSON, plain, gzip or zstd) as text records: every field a string,
under its bronze column name (ingest/naming.py), plus the line it starts on.

What other tools write is the norm here: a UTF-8 byte-order mark, CRLF, LF or CR line ends,
header names in another letter case or with spaces, quoted fields spanning lines, a JSON array,
one object per line or pretty-printed objects. Every byte is accounted for: a record is
parsed, or its line comes back as malformed with the reason; a file that cannot be read at all
raises FileRejected. Typing happens after, for many files at once (ingest/casting.py).
"""

from __future__ import annotations

import bisect
import csv
import hashlib
import io
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from ingest.errors import MAX_RAW_CHARS, FileRejected
from ingest.landing import LandedFile, business_date_of, check_not_ahead
from ingest.naming import assign
from ingest.sources import FileSource

MAX_FIELD_CHARS = 1_000_000  # a longer value is quarantined rather than loaded
UNDECLARED = "VARCHAR (undeclared)"
# suffix -> (pyarrow codec, magic bytes)
COMPRESSION = {".gz": ("gzip", b"\x1f\x8b"), ".zst": ("zstd", b"\x28\xb5\x2f\xfd")}
UTF8_BOM = b"\xef\xbb\xbf"
OTHER_BOMS = {
    b"\xff\xfe\x00\x00": "UTF-32",
    b"\x00\x00\xfe\xff": "UTF-32",
    b"\xff\xfe": "UTF-16",
    b"\xfe\xff": "UTF-16",
}
LINE_END = re.compile(rb"\r\n|\r|\n")
LINE_END_TEXT = re.compile(r"\r\n|\r|\n")
# Two line ends in a row (CRLF, CR and LF in any mix) always show one of these pairs of bytes;
# "\r\n" alone is one line end. Substring searches, not a regex: a regex takes ~0.2 s a 6 MB file.
BLANK_LINE_PAIRS = (b"\n\n", b"\n\r", b"\r\r")


@dataclass
class Malformed:
    """A piece of a file that is not a record: where, why, and its raw text."""

    line: int
    reason: str
    raw: str


@dataclass
class ParsedFile:
    """A file read as text: its records, malformed lines, the columns seen, its checksum."""

    landed: LandedFile
    business_date: date | None
    checksum: str
    raw: pa.Table | None = None  # text columns (bronze names) + _source_line
    malformed: list[Malformed] = field(default_factory=list)
    columns_seen: list[tuple[str, str]] = field(default_factory=list)  # (bronze name, type), for drift
    error: str | None = None  # why the whole file was rejected
    preview: str = ""  # the file's start, kept when it was rejected


# -- bytes to text -------------------------------------------------------------------------


def decompressed(path: str, data: bytes) -> bytes:
    """A .gz or .zst file is read as its plain twin."""
    for suffix, (codec, magic) in COMPRESSION.items():
        if path.endswith(suffix):
            if not data.startswith(magic):
                raise FileRejected(f"named {suffix} but not {codec}-compressed")
            try:
                return bytes(pa.CompressedInputStream(pa.BufferReader(data), codec).read())
            except (OSError, pa.ArrowInvalid) as exc:
                raise FileRejected(f"cannot decompress ({codec}): {str(exc).splitlines()[0]}") from None
    return data


def without_bom(data: bytes) -> bytes:
    for bom, encoding in OTHER_BOMS.items():
        if data.startswith(bom):
            raise FileRejected(f"{encoding} text (byte-order mark); ripple reads UTF-8: save the file as UTF-8")
    return data.removeprefix(UTF8_BOM)


class Lines:
    """Line numbers of offsets into a file's bytes (or text), for any mix of CRLF, LF and CR."""

    def __init__(self, data: bytes | str):
        pattern = LINE_END if isinstance(data, bytes) else LINE_END_TEXT
        self.ends = [m.end() for m in pattern.finditer(data)]  # type: ignore[arg-type]

    def of(self, offset: int) -> int:
        return bisect.bisect_right(self.ends, offset) + 1


def split_invalid_utf8(data: bytes, lines: Lines) -> tuple[bytes, list[Malformed]]:
    """Lines that are not UTF-8 text, blanked out (the parser skips blank lines, the others keep
    their numbers) and described; the rest of the file still parses."""
    bad: list[Malformed] = []
    out = bytearray()
    start = 0
    for end in [*lines.ends, len(data)]:
        line = data[start:end]
        try:
            line.decode("utf-8")
            out += line
        except UnicodeDecodeError as exc:
            number = lines.of(start)
            bad.append(
                Malformed(
                    number,
                    f"line {number}: not UTF-8 text (byte 0x{line[exc.start]:02x} at position {exc.start + 1})",
                    line.rstrip(b"\r\n").decode("latin-1"),
                )
            )
            out += line[len(line.rstrip(b"\r\n")) :]  # keep the line end, so numbering holds
        start = end
    return bytes(out), bad


# -- CSV -----------------------------------------------------------------------------------


def csv_header(data: bytes) -> tuple[list[str], int]:
    """The header's fields and the number of physical lines it spans (quoted names may span lines)."""
    head = data[: 1 << 20]
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError as exc:
        first_line_end = LINE_END.search(head)
        if first_line_end is None or exc.start < first_line_end.start():
            raise FileRejected("line 1 (header) is not UTF-8 text; is this a CSV file?") from None
        text = head[: exc.start].decode("utf-8")
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, [])
    if not any(name.strip() for name in header):
        raise FileRejected("empty file, no header line")
    return header, reader.line_num


@dataclass
class BadRow:
    """A row pyarrow skipped for its field count; `row` counts non-blank rows, the header being 1."""

    row: int
    expected: int
    found: int
    text: str


def parse_csv(data: bytes) -> tuple[pa.Table, list[Malformed], list[str]]:
    """All fields as text (columns c0, c1, ... by position) plus `_source_line`; malformed lines
    (wrong field count, not UTF-8) come back apart; and the header's names."""
    header, header_lines = csv_header(data)
    if not data.endswith((b"\n", b"\r")):
        data += b"\n"  # the last line ends at the end of the file (pyarrow cannot skip an unended header)
    malformed: list[Malformed] = []
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:  # the rare case: look line by line
        data, malformed = split_invalid_utf8(data, Lines(data))
    bad_rows: list[BadRow] = []

    def on_invalid(row: Any) -> str:
        bad_rows.append(BadRow(row.number, row.expected_columns, row.actual_columns, row.text[:MAX_RAW_CHARS]))
        return "skip"

    positions = [f"c{i}" for i in range(len(header))]
    try:
        table = pacsv.read_csv(
            io.BytesIO(data),
            parse_options=pacsv.ParseOptions(invalid_row_handler=on_invalid, newlines_in_values=True),
            convert_options=pacsv.ConvertOptions(
                column_types=dict.fromkeys(positions, pa.string()), strings_can_be_null=False
            ),
            # one block for the whole file: row numbers stay known, no field straddles blocks
            read_options=pacsv.ReadOptions(
                column_names=positions,
                skip_rows=header_lines,
                use_threads=False,
                block_size=max(1 << 20, len(data) + 1),
            ),
        )
    except (pa.ArrowInvalid, UnicodeDecodeError) as exc:
        raise FileRejected(f"not readable as CSV: {str(exc).splitlines()[0]}") from None
    good_lines, bad_lines = physical_lines(data, table, header_lines, bad_rows)
    malformed += [
        Malformed(line, f"line {line}: expected {bad.expected} fields, found {bad.found}", bad.text)
        for line, bad in zip(bad_lines, bad_rows)
    ]
    return table.append_column("_source_line", good_lines), malformed, header


def has_blank_line(data: bytes) -> bool:
    if data.startswith((b"\r", b"\n")):
        return True
    pairs = BLANK_LINE_PAIRS if b"\r" in data else BLANK_LINE_PAIRS[:1]
    return any(pair in data for pair in pairs)


def physical_lines(
    data: bytes, table: pa.Table, header_lines: int, bad_rows: list[BadRow]
) -> tuple[pa.Array, list[int]]:
    """The line each parsed record and each skipped row starts on. Fast path: a row is a line,
    and pyarrow numbers rows without the blank lines. A quoted field or header spanning lines
    breaks that (only a quoted field can hold a line end): then Python's csv module finds where
    each row starts (slow, only then)."""
    spans_lines = header_lines > 1 or (
        b'"' in data
        and any(
            pc.any(pc.match_substring(column, "\n")).as_py() or pc.any(pc.match_substring(column, "\r")).as_py()
            for column in table.columns
        )
    )
    if spans_lines:
        good, bad = rows_by_csv_module(data, header_lines, table.num_columns)
        if len(good) == table.num_rows and len(bad) == len(bad_rows):
            return pa.array(good, pa.int64()), bad
    if not bad_rows and not has_blank_line(data):  # the common file: record i on line i + 2
        return pa.array(range(2, table.num_rows + 2), pa.int64()), []
    bad_numbers = {b.row for b in bad_rows}
    numbers = [r for r in range(2, table.num_rows + len(bad_rows) + 2) if r not in bad_numbers]
    if not has_blank_line(data):
        return pa.array(numbers, pa.int64()), [b.row for b in bad_rows]
    lines = non_blank_lines(data)
    return pa.array([lines[r - 1] for r in numbers], pa.int64()), [lines[b.row - 1] for b in bad_rows]


def non_blank_lines(data: bytes) -> list[int]:
    found, start = [], 0
    for number, end in enumerate([*Lines(data).ends, len(data)], 1):
        if data[start:end].strip(b"\r\n"):
            found.append(number)
        start = end
    return found


def rows_by_csv_module(data: bytes, header_lines: int, n_fields: int) -> tuple[list[int], list[int]]:
    """Start lines of the well-formed rows and of the others, after the header."""
    reader = csv.reader(io.StringIO(data.decode("utf-8", errors="replace"), newline=""))
    good: list[int] = []
    bad: list[int] = []
    previous = 0
    for row in reader:
        if row and previous >= header_lines:
            (good if len(row) == n_fields else bad).append(previous + 1)
        previous = reader.line_num
    return good, bad


# -- JSON ----------------------------------------------------------------------------------

# Numbers keep every digit: 1234567890123456.78 stays exactly that, never a float.
DECODER = json.JSONDecoder(parse_float=Decimal, parse_int=int, parse_constant=Decimal)
NEXT_DOCUMENT = re.compile(r"(?m)^[{\[]")  # where reading resumes after a document that does not parse


def json_text(value: Any) -> str:
    """A JSON value as ripple stores it: scalars as their text, objects and arrays as JSON."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal | int):
        return str(value)
    if isinstance(value, str):
        return value
    return json_dumps(value)


def json_dumps(value: Any) -> str:
    """json.dumps, except that numbers are written exactly as they were read."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"{json.dumps(k, ensure_ascii=False)}: {json_dumps(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(json_dumps(v) for v in value) + "]"
    if isinstance(value, Decimal):
        return str(value)
    return json.dumps(value, ensure_ascii=False)


def skip_space(text: str, position: int) -> int:
    while position < len(text) and text[position] in " \t\r\n":
        position += 1
    return position


def json_records(text: str) -> Iterator[tuple[int, Any, str | None]]:
    """(line, value, None) for every document, or every element of a top-level array; or
    (line, raw text, reason) for what does not parse. Documents may span lines (pretty-printed)
    or share one (newline-delimited); after one that does not parse, reading resumes at the next
    line starting with `{` or `[`, and the part skipped is one malformed record."""
    line_of = Lines(text).of
    position = skip_space(text, 0)
    in_array = text.startswith("[", position)
    if in_array:
        position = skip_space(text, position + 1)
        if text.startswith("]", position):
            position, in_array = skip_space(text, position + 1), False
    while position < len(text):
        try:
            value, end = DECODER.raw_decode(text, position)
        except json.JSONDecodeError as exc:
            resume = NEXT_DOCUMENT.search(text, max(exc.pos, position) + 1)
            stop = resume.start() if resume else len(text)
            yield line_of(position), text[position:stop], f"not valid JSON: {exc.msg} (line {line_of(exc.pos)})"
            position, in_array = stop, False
            continue
        yield line_of(position), value, None
        position = skip_space(text, end)
        if in_array:
            if text.startswith(",", position):
                position = skip_space(text, position + 1)
            elif text.startswith("]", position):
                position, in_array = skip_space(text, position + 1), False
    if in_array:  # a truncated array: what was read loads, the missing end is reported
        yield line_of(len(text)), text[-200:], "not valid JSON: the array is not closed (no ']' at the end)"


def parse_json(data: bytes) -> tuple[pa.Table, list[Malformed], list[str]]:
    """Every JSON object as a record, its keys by bronze name (different records may spell a key
    differently), plus `_source_line`, the line it starts on; anything else comes back malformed,
    a record whose own keys clash included; and the keys as first written."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise FileRejected(f"not UTF-8 text: {exc}") from None
    records: list[tuple[int, dict[str, str | None]]] = []
    malformed: list[Malformed] = []
    spelled: dict[str, str] = {}  # bronze name -> the key as first written
    for line, value, problem in json_records(text):
        if problem is None and not isinstance(value, dict):
            problem, value = "not a JSON object", json_dumps(value)
        if problem is None:
            try:
                names = assign(list(value), "keys")
            except FileRejected as clash:
                problem, value = str(clash), json_dumps(value)
        if problem is not None:
            malformed.append(Malformed(line, f"line {line}: {problem}", str(value).strip()[:MAX_RAW_CHARS]))
            continue
        for name, key in zip(names, value):
            spelled.setdefault(name, key)
        records.append((line, {n: None if v is None else json_text(v) for n, v in zip(names, value.values())}))
    if not records and malformed and all(m.reason.split(": ", 1)[1].startswith("not valid JSON") for m in malformed):
        raise FileRejected(malformed[0].reason.split(": ", 1)[1])
    columns = {name: pa.array([r.get(name) for _, r in records], pa.string()) for name in spelled}
    columns["_source_line"] = pa.array([line for line, _ in records], pa.int64())
    return pa.table(columns), malformed, list(spelled.values())


# -- one file ------------------------------------------------------------------------------


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
        check_not_ahead(source, parsed.business_date)
        data = without_bom(decompressed(landed.path, data))
        if source.kind == "json":
            raw, parsed.malformed, found = parse_json(data)
            names = raw.column_names[:-1]
        else:
            raw, parsed.malformed, found = parse_csv(data)
            names = assign(found)
            raw = raw.rename_columns([*names, "_source_line"])
        missing = [c.name for c in source.columns if c.required and c.name not in names]
        if missing and (raw.num_rows or source.kind == "csv"):
            where = "line 1 (header) lacks" if source.kind == "csv" else "no record has"
            raise FileRejected(f"{where} required column(s) {', '.join(missing)}; found {', '.join(found)[:200]}")
    except FileRejected as exc:
        parsed.error = f"{landed.path}: {exc}"
        parsed.preview = data[:MAX_RAW_CHARS].decode("utf-8", errors="replace")
        return parsed
    types = {c.name: c.type for c in source.columns}
    parsed.columns_seen = [(n, types.get(n, UNDECLARED)) for n in names]
    parsed.raw = raw
    return parsed
