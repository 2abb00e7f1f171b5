"""A corpus of bad input. For each: the run does not crash, names the file and line and the
reason in plain words, quarantines the bad rows with their raw content, loads the good ones,
and rows read = rows loaded + rows quarantined."""

from __future__ import annotations

import json
import subprocess

import pytest

from conftest import RIPPLE, declare_sources

SOURCES = """
[orders_csv]
kind = "csv"
location = "corpus/*.csv"
primary_key = ["order_id"]
columns = [
    { name = "order_id", type = "VARCHAR", required = true },
    { name = "ordered_at", type = "TIMESTAMP", required = true },
    { name = "amount", type = "DECIMAL(10,2)", min = 0 },
    { name = "quantity", type = "INTEGER" },
    { name = "note", type = "VARCHAR" },
]

[orders_json]
kind = "json"
location = "corpus/*.json"
primary_key = ["order_id"]
columns = [
    { name = "order_id", type = "VARCHAR", required = true },
    { name = "amount", type = "DECIMAL(10,2)" },
]
"""
HEADER = b"order_id,ordered_at,amount,quantity,note\n"
GOOD = b"A1,2024-01-01 10:00:00,10.50,1,first\nA2,2024-01-01 11:00:00,20.00,2,second\n"

# name -> (file name, content, expected: whole-file reason | {line: reason}, good rows loaded)
CASES = {
    "wrong delimiter": ("a.csv", b"order_id;ordered_at;amount\nA1;2024-01-01 10:00:00;1\n",
                        "line 1 (header) lacks required column(s) order_id, ordered_at; found order_id;ordered_at;amount", 0),
    "missing required column": ("a.csv", b"order_id,amount\nA1,1.00\n",
                                "line 1 (header) lacks required column(s) ordered_at; found order_id, amount", 0),
    "missing optional column": ("a.csv", b"order_id,ordered_at,amount,quantity\nA1,2024-01-01 10:00:00,1,1\n", {}, 1),
    "extra column": ("a.csv", HEADER.rstrip(b"\n") + b",coupon\nA1,2024-01-01 10:00:00,1,1,x,SAVE10\n", {}, 1),
    "truncated last line": ("a.csv", HEADER + GOOD + b"A3,2024-01-0", {4: "line 4: expected 5 fields, found 2"}, 2),
    "wrong encoding": ("a.csv", HEADER + GOOD + "A3,2024-01-01 12:00:00,1,1,café\n".encode("latin-1"),
                       {4: "line 4: not UTF-8 text (byte 0xe9 at position 31)"}, 2),
    "empty file": ("a.csv", b"", "empty file, no header line", 0),
    "header only": ("a.csv", HEADER, {}, 0),
    "unparseable date": ("a.csv", HEADER + GOOD + b"A3,2024-13-45 10:00:00,1,1,x\n",
                         {4: "ordered_at: '2024-13-45 10:00:00' is not a valid timestamp"}, 2),
    "unparseable number": ("a.csv", HEADER + GOOD + b"A3,2024-01-01 12:00:00,12.5.0,one,x\n",
                           {4: "amount: '12.5.0' is not a valid decimal(10,2); quantity: 'one' is not a valid integer"}, 2),
    "negative amount": ("a.csv", HEADER + GOOD + b"A3,2024-01-01 12:00:00,-5.00,1,x\n",
                        {4: "amount: -5.00 is below the minimum 0"}, 2),
    "null key": ("a.csv", HEADER + GOOD + b",2024-01-01 12:00:00,5,1,x\n", {4: "order_id: missing required value"}, 2),
    "duplicate rows": ("a.csv", HEADER + GOOD + GOOD, {}, 4),
    "enormous field": ("a.csv", HEADER + GOOD + b"A3,2024-01-01 12:00:00,5,1," + b"x" * 1_500_000 + b"\n",
                       {4: "note: a value of 1500000 characters, more than 1,000,000"}, 2),
    "not a CSV at all": ("a.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00",
                         "line 1 (header) is not UTF-8 text; is this a CSV file?", 0),
    "JSON that is not valid": ("a.json", b'[{"order_id": "A1", "amount": 1},', "not valid JSON: Expecting value at line 1 column 34", 0),
    "JSON record that is not an object": ("a.json", json.dumps([{"order_id": "A1"}, [1, 2]]).encode(),
                                          {2: "record 2: not a JSON object"}, 1),
}


@pytest.fixture
def corpus(deployment, monkeypatch, tmp_path):
    declare_sources(monkeypatch, tmp_path, SOURCES)
    folder = deployment.data_dir / "landing" / "corpus"
    folder.mkdir(parents=True)
    return folder


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_bad_input_is_reported_quarantined_and_reconciled(deployment, corpus, case):
    file_name, content, expected, good_rows = CASES[case]
    (corpus / file_name).write_bytes(content)
    source = "orders_json" if file_name.endswith(".json") else "orders_csv"
    result = subprocess.run([RIPPLE, "ingest", source], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stdout + result.stderr

    rows = deployment.query(f"select _source_line, _reject_reason, _raw_record from bronze.{source} "
                            "where _reject_reason is not null order by 1") if content.strip() != HEADER.strip() else []
    if isinstance(expected, str):  # the whole file is rejected: one row, line 0, with the reason
        assert f"corpus/{file_name}: REJECTED: corpus/{file_name}: {expected}" in result.stdout
        assert [(line, reason) for line, reason, _ in rows] == [(0, f"corpus/{file_name}: {expected}")]
        assert rows[0][2] == content[:10_000].decode("utf-8", errors="replace")
    else:
        assert [(line, reason) for line, reason, _ in rows] == sorted(expected.items())
        assert all(raw for _, _, raw in rows)  # the raw content is kept
    if content.strip() != HEADER.strip():
        loaded = deployment.query(f"select count(*) from bronze.{source} where _reject_reason is null")[0][0]
        assert loaded == good_rows
    read, loaded, quarantined = deployment.query(
        "select rows_read, rows_loaded, rows_quarantined from ops.ingestion_metadata where source_name = ?",
        [source])[0]
    assert read == loaded + quarantined and loaded == good_rows


def test_a_run_that_quarantines_rows_exits_1_only_when_told_to(deployment, corpus, monkeypatch):
    (corpus / "a.csv").write_bytes(HEADER + GOOD + b",2024-01-01 12:00:00,5,1,x\n")
    monkeypatch.setenv("RIPPLE_FAIL_ON_QUARANTINE", "true")
    result = subprocess.run([RIPPLE, "ingest", "orders_csv"], capture_output=True, text=True, timeout=120)
    assert result.returncode == 1
    assert result.stderr.strip() == ("ripple: 1 rows quarantined (see ops.quarantine); the good rows loaded. "
                                     "Exit status 1 because RIPPLE_FAIL_ON_QUARANTINE is set")
    assert deployment.query("select count(*) from bronze.orders_csv where _reject_reason is null") == [(2,)]
