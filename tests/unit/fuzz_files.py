"""Hypothesis strategies for landed files as other tools write them, with what ripple must make of
each value: a generated file knows, cell by cell, the value that must load or that its row
must be quarantined, and why. Used by the unit fuzzer and its end-to-end twin."""

from __future__ import annotations

import gzip
import json
import os
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

import pyarrow as pa
from hypothesis import strategies as st

from ingest.sources import parse_source

COLUMNS = [  # (bronze name, declared type)
    ("k", "VARCHAR"),
    ("i", "INTEGER"),
    ("big", "BIGINT"),
    ("d", "DECIMAL(12,3)"),
    ("f", "DOUBLE"),
    ("flag", "BOOLEAN"),
    ("day", "DATE"),
    ("at", "TIMESTAMP"),
    ("tz", "TIMESTAMPTZ"),
    ("note", "VARCHAR"),
]
DECLARATION = {
    "location": "fuzz/*",
    "columns": [
        {"name": name, "type": sql_type, **({"required": True} if name == "k" else {})} for name, sql_type in COLUMNS
    ],
}
CSV_SOURCE = parse_source("fuzz_csv", {**DECLARATION, "kind": "csv"})
JSON_SOURCE = parse_source("fuzz_json", {**DECLARATION, "kind": "json"})
EXAMPLES = int(os.environ.get("RIPPLE_FUZZ_EXAMPLES", "60"))  # make test-soak runs many more

OK = "ok"


@dataclass(frozen=True)
class Cell:
    text: str | None  # None: the field is absent (JSON) or empty (CSV)
    expected: object  # the typed value, or a reason fragment when bad
    good: bool = True
    json_raw: str | None = None  # how the value is written in JSON when not as a string (a number, true)


def ok(text: str, value: object, json_raw: str | None = None) -> Cell:
    return Cell(text, value, True, json_raw)


def bad(text: str, reason: str) -> Cell:
    return Cell(text, reason, False)


spaces = st.sampled_from(["", " ", "  "])
safe_text = st.text(st.characters(codec="utf-8", exclude_characters="\x00"), max_size=12)


@st.composite
def integers(draw, bits: int) -> Cell:
    low, high = -(2 ** (bits - 1)), 2 ** (bits - 1) - 1
    kind = draw(st.sampled_from(["good", "good", "good", "fraction", "hex", "exponent", "range", "garbage"]))
    name = "integer" if bits == 32 else "bigint"
    if kind == "good":
        n = draw(st.one_of(st.integers(low, high), st.sampled_from([low, high, 0])))
        text = draw(st.sampled_from([str(n), f"+{n}" if n >= 0 else str(n), f"{'-' if n < 0 else ''}00{abs(n)}"]))
        pad = draw(spaces)
        return ok(pad + text + pad, n, json_raw=str(n))
    if kind == "range":
        return bad(str(draw(st.sampled_from([high + 1, low - 1, 10**20]))), f"is out of range for {name}")
    text = {
        "fraction": "1.5",
        "hex": "0x1F",
        "exponent": "1e3",
        "garbage": draw(st.sampled_from(["one", "NULL", "1,000", "--1"])),
    }[kind]
    return bad(text, f"is not a valid {name}")


@st.composite
def decimals(draw) -> Cell:
    kind = draw(st.sampled_from(["good", "good", "good", "too big", "too precise", "exponent", "garbage"]))
    if kind == "good":
        value = draw(st.decimals(min_value=Decimal("-999999999.999"), max_value=Decimal("999999999.999"), places=3))
        text = draw(st.sampled_from([f"{value}", f"{value:f}0", f"{value:.3f}"]))
        return ok(text, value.quantize(Decimal("0.001")), json_raw=text)
    if kind == "too big":
        return bad("1234567890.5", "has more than 9 digits before the decimal point (decimal(12,3))")
    if kind == "too precise":
        return bad("1.0001", "has more than 3 decimal places (decimal(12,3))")
    return bad(draw(st.sampled_from(["1e3", "1.2.3", "abc"])), "is not a valid decimal(12,3)")


@st.composite
def doubles(draw) -> Cell:
    kind = draw(st.sampled_from(["good", "good", "special", "overflow", "garbage"]))
    if kind == "good":
        x = draw(st.floats(allow_nan=False, allow_infinity=False))
        text = repr(x)
        return ok(text, x, json_raw=text)
    if kind == "special":
        text = draw(st.sampled_from(["inf", "-Infinity", "NaN"]))
        return ok(text, float(text))
    if kind == "overflow":
        return bad(draw(st.sampled_from(["1e400", "-1e400", "1e-400"])), "is out of range for double")
    return bad(draw(st.sampled_from(["0x10", "1,5", "e"])), "is not a valid double")


@st.composite
def booleans(draw) -> Cell:
    value = draw(st.booleans())
    if draw(st.integers(0, 5)) == 0:
        return bad(draw(st.sampled_from(["maybe", "2", "tru"])), "is not a valid boolean")
    words = ["true", "TRUE", "t", "1", "yes"] if value else ["false", "False", "f", "0", "no"]
    return ok(draw(st.sampled_from(words)), value, json_raw="true" if value else "false")


@st.composite
def dates(draw) -> Cell:
    kind = draw(st.sampled_from(["good", "good", "good", "impossible", "special", "with time"]))
    if kind == "good":
        d = draw(st.dates(min_value=date(1000, 1, 1), max_value=date(9999, 12, 31)))
        return ok(d.isoformat(), d)
    text = {
        "impossible": "2024-02-30",
        "special": draw(st.sampled_from(["infinity", "epoch", "today"])),
        "with time": "2024-01-01 10:00",
    }[kind]
    return bad(text, "is not a valid date")


@st.composite
def timestamps(draw, zoned: bool) -> Cell:
    kind = draw(st.sampled_from(["good", "good", "good", "offset", "nanoseconds", "garbage"]))
    moment = draw(st.datetimes(min_value=datetime(1000, 1, 1), max_value=datetime(9998, 12, 31)))
    digits = draw(st.integers(0, 6))
    fraction = f".{moment.microsecond:06d}"[: digits + 1] if digits else ""
    moment = moment.replace(microsecond=int((fraction[1:] or "0").ljust(6, "0")))
    text = moment.strftime("%Y-%m-%d") + draw(st.sampled_from([" ", "T"])) + moment.strftime("%H:%M:%S") + fraction
    if kind == "good":
        return ok(text, moment.replace(tzinfo=UTC) if zoned else moment)
    if kind == "offset":
        minutes = draw(st.sampled_from([0, 330, -300, 45]))
        sign = "+" if minutes >= 0 else "-"
        with_offset = f"{text}{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"
        if zoned:
            return ok(with_offset, (moment.replace(tzinfo=timezone(timedelta(minutes=minutes)))).astimezone(UTC))
        return bad(with_offset, "has a UTC offset or time zone")
    if kind == "nanoseconds":
        return bad(moment.strftime("%Y-%m-%d %H:%M:%S") + ".1234567", "is more precise than a microsecond")
    return bad(draw(st.sampled_from(["infinity", "2024-13-01 00:00:00", "yesterday"])), "is not a valid timestamp")


@st.composite
def texts(draw) -> Cell:
    value = draw(
        st.one_of(safe_text, st.sampled_from(["NULL", "null", "N/A", " padded ", 'say "hi"', "a,b", "x\r\ny", "é€𝄞"]))
    )
    return ok(value, value if value != "" else None)  # an empty field is NULL, in every column


CELLS = {
    "k": st.text(st.characters(categories=["L", "N"]), min_size=1, max_size=6).map(lambda k: ok(k, k)),
    "i": integers(32),
    "big": integers(64),
    "d": decimals(),
    "f": doubles(),
    "flag": booleans(),
    "day": dates(),
    "at": timestamps(zoned=False),
    "tz": timestamps(zoned=True),
    "note": texts(),
}


@st.composite
def rows(draw) -> list[dict[str, Cell]]:
    return draw(
        st.lists(
            st.fixed_dictionaries(
                {
                    name: st.one_of(CELLS[name], st.just(Cell(None, None))) if name != "k" else CELLS[name]
                    for name, _ in COLUMNS
                }
            ),
            max_size=8,
        )
    )


@dataclass(frozen=True)
class FuzzFile:
    name: str
    content: bytes
    rows: list[dict[str, Cell]]  # in file order; empty for a garbage file
    garbage: bool = False


def spell(name: str, style: str) -> str:
    return {"as is": name, "upper": name.upper(), "title": name.title(), "padded": f" {name} "}[style]


def csv_field(text: str, quote_all: bool) -> str:
    if quote_all or any(c in text for c in ',"\r\n'):
        return '"' + text.replace('"', '""') + '"'
    return text


@st.composite
def csv_files(draw, name: str) -> FuzzFile:
    data = draw(rows())
    order = draw(st.permutations([n for n, _ in COLUMNS]))
    styles = {n: draw(st.sampled_from(["as is", "upper", "title", "padded"])) for n in order}
    quote_all = draw(st.booleans())
    end = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    lines = [",".join(csv_field(spell(n, styles[n]), quote_all) for n in order)]
    lines += [",".join(csv_field(row[n].text or "", quote_all) for n in order) for row in data]
    content = (end.join(lines) + draw(st.sampled_from([end, ""]))).encode("utf-8")
    return packed(draw, name, content, data)


@st.composite
def json_files(draw, name: str) -> FuzzFile:
    data = draw(rows())

    def fields(row: dict[str, Cell]) -> list[str]:
        written = []
        for n, cell in row.items():
            if cell.text is None and draw(st.booleans()):
                continue  # an absent key
            key = json.dumps(spell(n, draw(st.sampled_from(["as is", "upper", "title"]))))
            as_raw = cell.json_raw is not None and draw(st.booleans())
            written.append(f"{key}: {cell.json_raw if as_raw else json.dumps(cell.text)}")
        return written

    documents = [fields(row) for row in data]
    shape = draw(st.sampled_from(["array", "lines", "pretty"]))
    if shape == "array":
        text = "[" + ",\n ".join("{" + ", ".join(d) + "}" for d in documents) + "]"
    elif shape == "lines":
        text = "".join("{" + ", ".join(d) + "}\n" for d in documents)
    else:  # pretty-printed, spanning lines, numbers as written
        text = "\n".join("{\n  " + ",\n  ".join(d) + "\n}" for d in documents)
    return packed(draw, name, text.encode("utf-8"), data)


def packed(draw, name: str, content: bytes, data: list[dict[str, Cell]]) -> FuzzFile:
    if draw(st.booleans()):
        content = b"\xef\xbb\xbf" + content
    compression = draw(st.sampled_from(["", "", ".gz", ".zst"]))
    if compression == ".gz":
        content = gzip.compress(content)
    elif compression == ".zst":
        content = pa.Codec("zstd").compress(content, asbytes=True)
    return FuzzFile(name + compression, content, data)


garbage_files = st.binary(min_size=1, max_size=64).map(
    lambda b: FuzzFile("garbage", b"\x89PNG\x00" + b, [], garbage=True)
)
