"""Arrow helpers done by DuckDB (zero-copy scans), never row by row in Python."""

from __future__ import annotations

import duckdb
import pyarrow as pa


def row_hash(con: duckdb.DuckDBPyConnection, data: pa.Table | pa.RecordBatch) -> int:
    """Order-independent content hash: XOR of every row's hash."""
    con.register("frame", data)
    try:
        row = con.execute("select coalesce(bit_xor(hash(frame)), 0) from frame").fetchone()
        return int(row[0]) if row else 0
    finally:
        con.unregister("frame")
