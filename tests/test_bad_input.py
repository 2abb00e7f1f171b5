"""Foreign and bad input, end to end: one file of each class in one batch through `ripple ingest`.
The run does not crash, names each file with its result, loads the good rows with their values
exact through dlt and Parquet, quarantines the rest with the reason and the raw content, and
rows read = rows loaded + rows quarantined. Every case of every class is in the parser-level
corpus (tests/unit/test_readers.py); the fuzzer is tests/unit/test_files_fuzz.py."""

from __future__ import annotations

import gzip
import json
import subprocess
from datetime import datetime
from decimal import Decimal

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
    { name = "amount", type = "DECIMAL(18,2)" },
]
"""
HEADER = b"order_id,ordered_at,amount,quantity,note\n"
FILES = {
    # header names in capitals, a byte-order mark, CRLF line ends
    "caps.csv": b"\xef\xbb\xbf"
    + HEADER.upper().replace(b"\n", b"\r\n")
    + b"C1,2024-01-01 10:00:00,12345678.50,1,a\r\n",
    "cr.csv": (HEADER + b"R1,2024-01-01 10:00:00,1,2,b\n").replace(b"\n", b"\r"),  # CR-only line ends
    "packed.csv.gz": gzip.compress(HEADER + b"G1,2024-01-01 10:00:00,0.10,3,c\n"),  # compressed drop
    "twins.csv": b"order_id,ordered_at,note,Note\nT1,2024-01-01 10:00:00,x,y\n",  # case twins: rejected whole
    "types.csv": HEADER
    + b"V1,2024-01-01 10:00:00,1.005,1,d\nV2,2024-01-01 10:00:00,1,1.5,e\nV3,2024-01-01 10:00:00,2,4,f\n",
    "pretty.json": json.dumps({"order_id": "J1", "amount": 1.0, "items": [{"sku": "a"}]}, indent=2)
    .replace("1.0", "1234567890123456.78")
    .encode(),
    "array.json": b'\xef\xbb\xbf[{"ORDER_ID": "J2"}, [1]]',
}


@pytest.fixture
def corpus(deployment, monkeypatch, tmp_path):
    declare_sources(monkeypatch, tmp_path, SOURCES)
    folder = deployment.data_dir / "landing" / "corpus"
    folder.mkdir(parents=True)
    return folder


def test_one_file_of_each_class_loads_exactly_or_is_quarantined_and_counts_reconcile(deployment, corpus):
    for name, content in FILES.items():
        (corpus / name).write_bytes(content)
    result = subprocess.run(
        [RIPPLE, "ingest", "orders_csv", "orders_json"], capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    assert (
        "corpus/twins.csv: REJECTED: corpus/twins.csv: columns 3 'note', 4 'Note' both become 'note': "
        "one would overwrite the other, rename them apart" in result.stdout
    )
    assert "corpus/packed.csv.gz: 1 rows, 0 quarantined" in result.stdout

    assert deployment.query(
        "select order_id, ordered_at, amount, quantity, note from bronze.orders_csv "
        "where _reject_reason is null order by 1"
    ) == [
        ("C1", datetime(2024, 1, 1, 10), Decimal("12345678.50"), 1, "a"),
        ("G1", datetime(2024, 1, 1, 10), Decimal("0.10"), 3, "c"),
        ("R1", datetime(2024, 1, 1, 10), Decimal("1.00"), 2, "b"),
        ("V3", datetime(2024, 1, 1, 10), Decimal("2.00"), 4, "f"),
    ]
    assert deployment.query(
        "select _source_file, _source_line, _reject_reason, _raw_record from bronze.orders_csv "
        "where _reject_reason is not null order by 1, 2"
    ) == [
        (
            "corpus/twins.csv",
            0,
            "corpus/twins.csv: columns 3 'note', 4 'Note' both become 'note': one would overwrite the other, "
            "rename them apart",
            FILES["twins.csv"].decode(),
        ),
        (
            "corpus/types.csv",
            2,
            "amount: '1.005' has more than 2 decimal places (decimal(10,2))",
            '{"order_id":"V1","ordered_at":"2024-01-01 10:00:00","amount":"1.005","quantity":"1","note":"d"}',
        ),
        (
            "corpus/types.csv",
            3,
            "quantity: '1.5' is not a valid integer",
            '{"order_id":"V2","ordered_at":"2024-01-01 10:00:00","amount":"1","quantity":"1.5","note":"e"}',
        ),
    ]
    assert deployment.query(
        "select order_id, amount, items, _source_line from bronze.orders_json where _reject_reason is null order by 1"
    ) == [("J1", Decimal("1234567890123456.78"), '[{"sku": "a"}]', 1), ("J2", None, None, 1)]
    assert deployment.query(
        "select _reject_reason, _raw_record from bronze.orders_json where _reject_reason is not null"
    ) == [("line 1: not a JSON object", "[1]")]
    assert "_file_index" not in {c for (c,) in deployment.query("select column_name from information_schema.columns")}
    for source in ("orders_csv", "orders_json"):
        (read, loaded, quarantined), in_bronze = (
            deployment.query(
                "select rows_read, rows_loaded, rows_quarantined from ops.ingestion_metadata where source_name = ?",
                [source],
            )[0],
            deployment.query(f"select count(*), count(_reject_reason) from bronze.{source}")[0],
        )
        assert read == loaded + quarantined and (loaded + quarantined, quarantined) == in_bronze

    before = deployment.snapshot(schemas=("bronze",))
    again = subprocess.run([RIPPLE, "ingest", "orders_csv", "orders_json"], capture_output=True, text=True, timeout=300)
    assert again.stdout.count("nothing new") == 2 and deployment.snapshot(schemas=("bronze",)) == before


def test_a_run_that_quarantines_rows_exits_1_only_when_told_to(deployment, corpus, monkeypatch):
    (corpus / "a.csv").write_bytes(HEADER + b"A1,2024-01-01 10:00:00,1,1,x\n,2024-01-01 12:00:00,5,1,x\n")
    monkeypatch.setenv("RIPPLE_FAIL_ON_QUARANTINE", "true")
    result = subprocess.run([RIPPLE, "ingest", "orders_csv"], capture_output=True, text=True, timeout=120)
    assert result.returncode == 1
    assert result.stderr.strip() == (
        "ripple: 1 rows quarantined (see ops.quarantine); the good rows loaded. "
        "Exit status 1 because RIPPLE_FAIL_ON_QUARANTINE is set"
    )
    assert deployment.query("select count(*) from bronze.orders_csv where _reject_reason is null") == [(1,)]
