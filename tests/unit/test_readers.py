"""The bad-input corpus, at the parser level (ingest/readers.py + ingest/casting.py): for each
file, exactly which rows load with which values, and which are quarantined with which reason.
One rule everywhere: a value loads exactly as written, typed as declared, or its row is
quarantined naming the file's line and what was wrong; rows read = loaded + quarantined."""

from __future__ import annotations

import gzip
import itertools
import json
from datetime import UTC, datetime
from decimal import Decimal

import pyarrow as pa
import pytest
from landed_files import typed_rows

from ingest.readers import LINE_END, has_blank_line
from ingest.sources import parse_source

CSV = parse_source(
    "orders_csv",
    {
        "kind": "csv",
        "location": "corpus/*.csv",
        "primary_key": ["order_id"],
        "columns": [
            {"name": "order_id", "type": "VARCHAR", "required": True},
            {"name": "ordered_at", "type": "TIMESTAMP", "required": True},
            {"name": "amount", "type": "DECIMAL(10,2)", "min": 0},
            {"name": "quantity", "type": "INTEGER"},
            {"name": "note", "type": "VARCHAR"},
        ],
    },
)
JSON = parse_source(
    "orders_json",
    {
        "kind": "json",
        "location": "corpus/*.json",
        "primary_key": ["order_id"],
        "columns": [
            {"name": "order_id", "type": "VARCHAR", "required": True},
            {"name": "amount", "type": "DECIMAL(18,2)"},
            {"name": "quantity", "type": "INTEGER"},
        ],
    },
)
HEADER = b"order_id,ordered_at,amount,quantity,note\n"
GOOD = b"A1,2024-01-01 10:00:00,10.50,1,first\nA2,2024-01-01 11:00:00,20.00,2,second\n"
A1 = {
    "order_id": "A1",
    "ordered_at": datetime(2024, 1, 1, 10),
    "amount": Decimal("10.50"),
    "quantity": 1,
    "note": "first",
}
A2 = {
    "order_id": "A2",
    "ordered_at": datetime(2024, 1, 1, 11),
    "amount": Decimal("20.00"),
    "quantity": 2,
    "note": "second",
}


def zstd(data: bytes) -> bytes:
    return pa.Codec("zstd").compress(data, asbytes=True)


# id -> (file name, content, expected): a whole-file reason (str), or ({line: reason}, good rows)
CSV_CASES = {
    # the file as a whole
    "wrong delimiter": (
        "a.csv",
        b"order_id;ordered_at;amount\nA1;2024-01-01 10:00:00;1\n",
        "line 1 (header) lacks required column(s) order_id, ordered_at; found order_id;ordered_at;amount",
    ),
    "missing required column": (
        "a.csv",
        b"order_id,amount\nA1,1.00\n",
        "line 1 (header) lacks required column(s) ordered_at; found order_id, amount",
    ),
    "empty file": ("a.csv", b"", "empty file, no header line"),
    "not a CSV at all": (
        "a.csv",
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00",
        "line 1 (header) is not UTF-8 text; is this a CSV file?",
    ),
    "UTF-16": (
        "a.csv",
        "\ufefforder_id\n".encode("utf-16-le"),
        "UTF-16 text (byte-order mark); ripple reads UTF-8: save the file as UTF-8",
    ),
    # header names: matched by bronze name, never a silent drop
    "header in capitals": ("a.csv", HEADER.upper() + GOOD, ({}, [A1, A2])),
    "header with spaces and words": ("a.csv", b" Order ID , Ordered At ,AMOUNT,Quantity,note\n" + GOOD, ({}, [A1, A2])),
    "case twins": (
        "a.csv",
        b"order_id,ordered_at,note,Note\nA1,2024-01-01 10:00:00,x,y\n",
        "columns 3 'note', 4 'Note' both become 'note': one would overwrite the other, rename them apart",
    ),
    "duplicate names": (
        "a.csv",
        b"order_id,ordered_at,x,x\nA1,2024-01-01 10:00:00,1,2\n",
        "columns 3 'x', 4 'x' both become 'x': one would overwrite the other, rename them apart",
    ),
    "a name ripple keeps": (
        "a.csv",
        b"order_id,ordered_at,_source_file\nA1,2024-01-01 10:00:00,x\n",
        "column 3 '_source_file': a name ripple keeps for its own columns, rename it",
    ),
    "missing optional column": (
        "a.csv",
        b"order_id,ordered_at,amount,quantity\nA1,2024-01-01 10:00:00,1,1\n",
        ({}, [{**A1, "amount": Decimal("1.00"), "note": None}]),
    ),
    "extra column": (
        "a.csv",
        HEADER.rstrip(b"\n") + b",Coupon Code\nA1,2024-01-01 10:00:00,10.50,1,first,SAVE10\n",
        ({}, [{**A1, "coupon_code": "SAVE10"}]),
    ),
    # encodings and line ends
    "byte-order mark": ("a.csv", b"\xef\xbb\xbf" + HEADER + GOOD, ({}, [A1, A2])),
    "CRLF": ("a.csv", (HEADER + GOOD).replace(b"\n", b"\r\n"), ({}, [A1, A2])),
    "CR only": ("a.csv", (HEADER + GOOD).replace(b"\n", b"\r"), ({}, [A1, A2])),
    "CR only with a bad line": (
        "a.csv",
        (HEADER + GOOD + b"A3,x\n").replace(b"\n", b"\r"),
        ({4: "line 4: expected 5 fields, found 2"}, [A1, A2]),
    ),
    "wrong encoding": (
        "a.csv",
        HEADER + GOOD + "A3,2024-01-01 12:00:00,1,1,café\n".encode("latin-1"),
        ({4: "line 4: not UTF-8 text (byte 0xe9 at position 31)"}, [A1, A2]),
    ),
    "quoted field spanning lines": (
        "a.csv",
        HEADER + b'A1,2024-01-01 10:00:00,10.50,1,"two\r\nlines"\n\nA3,2024-01-01 12:00:00,x,1,y\n',
        ({5: "amount: 'x' is not a valid decimal(10,2)"}, [{**A1, "note": "two\r\nlines"}]),
    ),
    "truncated last line": (
        "a.csv",
        HEADER + GOOD + b"A3,2024-01-0",
        ({4: "line 4: expected 5 fields, found 2"}, [A1, A2]),
    ),
    "blank lines": (
        "a.csv",
        HEADER + b"\n" + GOOD + b"\n\nA3,x\n",
        ({7: "line 7: expected 5 fields, found 2"}, [A1, A2]),
    ),
    "blank lines, CRLF": (
        "a.csv",
        (HEADER + b"\n" + GOOD + b"\n\nA3,x\n").replace(b"\n", b"\r\n"),
        ({7: "line 7: expected 5 fields, found 2"}, [A1, A2]),
    ),
    "blank lines, CR only": (
        "a.csv",
        (HEADER + GOOD + b"\n\nA3,x\n").replace(b"\n", b"\r"),
        ({6: "line 6: expected 5 fields, found 2"}, [A1, A2]),
    ),
    "header only": ("a.csv", HEADER, ({}, [])),
    "duplicate rows": ("a.csv", HEADER + GOOD + GOOD, ({}, [A1, A2, A1, A2])),
    # values: exactly as written, or quarantined
    "unparseable date": (
        "a.csv",
        HEADER + GOOD + b"A3,2024-13-45 10:00:00,1,1,x\n",
        ({4: "ordered_at: '2024-13-45 10:00:00' is not a valid timestamp"}, [A1, A2]),
    ),
    "unparseable numbers": (
        "a.csv",
        HEADER + GOOD + b"A3,2024-01-01 12:00:00,12.5.0,one,x\n",
        ({4: "amount: '12.5.0' is not a valid decimal(10,2); quantity: 'one' is not a valid integer"}, [A1, A2]),
    ),
    "integer with a fraction, hex, exponent, out of range": (
        "a.csv",
        HEADER
        + b"A1,2024-01-01 10:00:00,1,1.5,x\nA2,2024-01-01 10:00:00,1,0x1F,x\n"
        + b"A3,2024-01-01 10:00:00,1,1e3,x\nA4,2024-01-01 10:00:00,1,2147483648,x\nA5,2024-01-01 10:00:00,1, +7 ,x\n",
        (
            {
                2: "quantity: '1.5' is not a valid integer",
                3: "quantity: '0x1F' is not a valid integer",
                4: "quantity: '1e3' is not a valid integer",
                5: "quantity: '2147483648' is out of range for integer",
            },
            [
                {
                    **A1,
                    "order_id": "A5",
                    "ordered_at": datetime(2024, 1, 1, 10),
                    "amount": Decimal("1.00"),
                    "quantity": 7,
                    "note": "x",
                }
            ],
        ),
    ),
    "decimal digits": (
        "a.csv",
        HEADER
        + b"A1,2024-01-01 10:00:00,123456789.9,1,x\nA2,2024-01-01 10:00:00,1.005,1,x\n"
        + b"A3,2024-01-01 10:00:00,1.2e3,1,x\nA4,2024-01-01 10:00:00,00012345678.5000,1,x\n",
        (
            {
                2: "amount: '123456789.9' has more than 8 digits before the decimal point (decimal(10,2))",
                3: "amount: '1.005' has more than 2 decimal places (decimal(10,2))",
                4: "amount: '1.2e3' is not a valid decimal(10,2)",
            },
            [{**A1, "order_id": "A4", "amount": Decimal("12345678.50"), "quantity": 1, "note": "x"}],
        ),
    ),
    "timestamps of the common shape": (
        "a.csv",
        HEADER
        + b"A1,2024-01-01 10:00:00.1234560000,1,1,x\nA2,2024-02-30 10:00:00,1,1,x\nA3, 2024-01-01 10:00 ,1,1,x\n",
        (
            {3: "ordered_at: '2024-02-30 10:00:00' is not a valid timestamp"},
            [
                {**A1, "ordered_at": datetime(2024, 1, 1, 10, 0, 0, 123456), "amount": Decimal("1.00"), "note": "x"},
                {**A1, "order_id": "A3", "amount": Decimal("1.00"), "note": "x"},
            ],
        ),
    ),
    "timestamps": (
        "a.csv",
        HEADER
        + b"A1,2024-01-01 10:00:00+05:30,1,1,x\nA2,2024-01-01 10:00:00.1234567,1,1,x\n"
        + b"A3,infinity,1,1,x\nA4,2024-01-01T10:00:00.5,1,1,x\n",
        (
            {
                2: "ordered_at: '2024-01-01 10:00:00+05:30' has a UTC offset or time zone, which a timestamp column "
                "(local time) would drop: declare ordered_at timestamptz",
                3: "ordered_at: '2024-01-01 10:00:00.1234567' is more precise than a microsecond (timestamp)",
                4: "ordered_at: 'infinity' is not a valid timestamp",
            },
            [
                {
                    **A1,
                    "order_id": "A4",
                    "ordered_at": datetime(2024, 1, 1, 10, 0, 0, 500000),
                    "amount": Decimal("1.00"),
                    "note": "x",
                }
            ],
        ),
    ),
    "negative amount": (
        "a.csv",
        HEADER + GOOD + b"A3,2024-01-01 12:00:00,-5.00,1,x\n",
        ({4: "amount: -5.00 is below the minimum 0"}, [A1, A2]),
    ),
    "null key": (
        "a.csv",
        HEADER + GOOD + b",2024-01-01 12:00:00,5,1,x\n",
        ({4: "order_id: missing required value"}, [A1, A2]),
    ),
    "enormous field": (
        "a.csv",
        HEADER + GOOD + b"A3,2024-01-01 12:00:00,5,1," + b"x" * 1_500_000 + b"\n",
        ({4: "note: a value of 1500000 characters, more than 1,000,000"}, [A1, A2]),
    ),
    # compressed drops load like their plain twins
    "gzip": ("a.csv.gz", gzip.compress(HEADER + GOOD), ({}, [A1, A2])),
    "zstd": ("a.csv.zst", zstd(b"\xef\xbb\xbf" + HEADER + GOOD), ({}, [A1, A2])),
    "named .gz but plain": ("a.csv.gz", HEADER + GOOD, "named .gz but not gzip-compressed"),
}

JSON_CASES = {
    "array": ("a.json", b'[{"order_id": "A1", "amount": 1}, {"order_id": "A2"}]', ({}, 2)),
    "array with a byte-order mark": ("a.json", b'\xef\xbb\xbf[{"order_id": "A1"},\n {"order_id": "A2"}]', ({}, 2)),
    "one object per line": ("a.json", b'{"order_id": "A1"}\n{"order_id": "A2"}\n', ({}, 2)),
    "pretty-printed objects with a nested list": (
        "a.json",
        json.dumps({"order_id": "A1", "items": [{"sku": "a"}, {"sku": "b"}]}, indent=2).encode()
        + b"\n"
        + json.dumps({"order_id": "A2"}, indent=2).encode(),
        ({}, 2),
    ),
    "a bad line among good ones": (
        "a.json",
        b'{"order_id": "A1"}\n{"order_id": "A2",,}\n{"order_id": "A3"}\n',
        ({2: "line 2: not valid JSON: Expecting property name enclosed in double quotes (line 2)"}, 2),
    ),
    "truncated array": (
        "a.json",
        b'[{"order_id": "A1", "amount": 1},',
        ({1: "line 1: not valid JSON: the array is not closed (no ']' at the end)"}, 1),
    ),
    "not JSON at all": ("a.json", b"order_id,amount\nA1,1\n", "not valid JSON: Expecting value (line 1)"),
    "record that is not an object": (
        "a.json",
        json.dumps([{"order_id": "A1"}, [1, 2]]).encode(),
        ({1: "line 1: not a JSON object"}, 1),
    ),
    "key case twins in one record": (
        "a.json",
        b'{"order_id": "A1", "Amount": 1, "amount": 2}\n{"order_id": "A2", "Amount": 3}\n',
        (
            {
                1: "line 1: keys 'Amount', 'amount' both become 'amount': one would overwrite the other, rename them apart"
            },
            1,
        ),
    ),
    "numbers exactly, never through float": (
        "a.json",
        b'{"order_id": "A1", "amount": 1234567890123456.78, "quantity": 1.5}\n{"ORDER_ID": "A2", "Amount": 0.1}\n',
        ({1: "quantity: '1.5' is not a valid integer"}, 1),
    ),
    "empty array": ("a.json", b"[]", ({}, 0)),
    "empty file": ("a.json", b"  \n", ({}, 0)),  # newline-delimited JSON with no record
}


def check(source, name: str, content: bytes, expected) -> pa.Table:
    rows = typed_rows(source, {f"corpus/{name}": content})
    bad = rows.filter(rows["_reject_reason"].is_valid())
    good = rows.filter(rows["_reject_reason"].is_null())
    if isinstance(expected, str):  # the whole file is rejected: one row, line 0, with the reason
        assert bad.select(["_source_line", "_reject_reason"]).to_pylist() == [
            {"_source_line": 0, "_reject_reason": f"corpus/{name}: {expected}"}
        ]
        assert good.num_rows == 0
    else:
        reasons, _ = expected
        assert dict(zip(bad["_source_line"].to_pylist(), bad["_reject_reason"].to_pylist())) == reasons
        assert all(bad["_raw_record"].to_pylist())  # the raw content is kept
        assert good["_raw_record"].null_count == good.num_rows  # and only for rejected rows
    assert "_file_index" not in rows.column_names
    return good


@pytest.mark.parametrize("name,content,expected", [pytest.param(*case, id=i) for i, case in CSV_CASES.items()])
def test_csv_corpus(name, content, expected):
    good = check(CSV, name, content, expected)
    if not isinstance(expected, str):
        columns = list(expected[1][0]) if expected[1] else CSV.column_names
        assert good.select(columns).to_pylist() == expected[1]


@pytest.mark.parametrize("name,content,expected", [pytest.param(*case, id=i) for i, case in JSON_CASES.items()])
def test_json_corpus(name, content, expected):
    good = check(JSON, name, content, expected)
    if not isinstance(expected, str):
        assert good.num_rows == expected[1]


def test_json_numbers_keep_every_digit_and_nested_values_stay_json():
    rows = typed_rows(
        JSON, {"corpus/a.json": b'{"order_id": "A1", "amount": 1234567890123456.78, "tags": [1, {"a": null}]}'}
    )
    assert rows.select(["amount", "tags"]).to_pylist() == [
        {"amount": Decimal("1234567890123456.78"), "tags": '[1, {"a": null}]'}
    ]


def test_a_rejected_row_keeps_its_raw_fields_as_json_and_nothing_internal():
    rows = typed_rows(CSV, {"corpus/a.csv": HEADER + b"A3,2024-01-01 12:00:00,-5.00,1,x\n"})
    assert rows["_raw_record"].to_pylist() == [
        '{"order_id":"A3","ordered_at":"2024-01-01 12:00:00","amount":"-5.00","quantity":"1","note":"x"}'
    ]


def test_timestamptz_without_an_offset_is_read_in_the_declared_zone_never_the_hosts():
    declared = {"kind": "csv", "location": "t/*.csv", "columns": [{"name": "at", "type": "TIMESTAMPTZ"}]}
    content = b"at\n2024-07-01 10:00:00\n2024-07-01 10:00:00+02:00\n2024-07-01 10:00:00 America/Sao_Paulo\n"
    in_utc = typed_rows(parse_source("t", declared), {"t/a.csv": content})["at"].to_pylist()
    in_kolkata = typed_rows(parse_source("t", {**declared, "timezone": "Asia/Kolkata"}), {"t/a.csv": content})[
        "at"
    ].to_pylist()
    assert in_utc == [
        datetime(2024, 7, 1, 10, tzinfo=UTC),
        datetime(2024, 7, 1, 8, tzinfo=UTC),
        datetime(2024, 7, 1, 13, tzinfo=UTC),
    ]
    assert in_kolkata == [datetime(2024, 7, 1, 4, 30, tzinfo=UTC), *in_utc[1:]]


def test_null_values_are_declared_per_source():
    declared = {
        "kind": "csv",
        "location": "t/*.csv",
        "columns": [{"name": "n", "type": "INTEGER"}, {"name": "s", "type": "VARCHAR"}],
    }
    content = b"n,s\nNULL,NULL\n\\N,\n1,x\n"
    strict = typed_rows(parse_source("t", declared), {"t/a.csv": content})
    assert strict["_reject_reason"].to_pylist() == [
        "n: 'NULL' is not a valid integer",
        "n: '\\N' is not a valid integer",
        None,
    ]
    assert strict["s"].to_pylist() == ["NULL", None, "x"]
    lenient = typed_rows(parse_source("t", {**declared, "null_values": ["", "NULL", "\\N"]}), {"t/a.csv": content})
    assert lenient.select(["n", "s", "_reject_reason"]).to_pylist() == [
        {"n": None, "s": None, "_reject_reason": None},
        {"n": None, "s": None, "_reject_reason": None},
        {"n": 1, "s": "x", "_reject_reason": None},
    ]


def test_one_bad_file_does_not_stop_the_others_of_its_batch():
    rows = typed_rows(CSV, {"corpus/a.csv": HEADER + GOOD, "corpus/b.csv": b"", "corpus/c.csv": HEADER + GOOD})
    assert rows.group_by("_source_file").aggregate([("_reject_reason", "count"), ("_source_line", "count")]).sort_by(
        "_source_file"
    ).to_pylist() == [
        {"_source_file": "corpus/a.csv", "_reject_reason_count": 0, "_source_line_count": 2},
        {"_source_file": "corpus/b.csv", "_reject_reason_count": 1, "_source_line_count": 1},
        {"_source_file": "corpus/c.csv", "_reject_reason_count": 0, "_source_line_count": 2},
    ]


def test_a_blank_line_is_found_in_any_mix_of_line_ends():
    """has_blank_line (substring searches) against the definition: some line, split at CRLF, CR
    or LF, is empty before its line end; every text of up to 7 bytes of a, CR, LF and a quote."""
    for length in range(8):
        for parts in itertools.product([b"a", b"\r", b"\n", b'"'], repeat=length):
            data = b"".join(parts)
            assert has_blank_line(data) == (b"" in LINE_END.split(data)[:-1]), data
