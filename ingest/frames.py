"""Small Arrow helpers done by DuckDB (zero-copy scans), never row by row in Python."""

from __future__ import annotations

import duckdb
import pyarrow as pa


def with_constants(con: duckdb.DuckDBPyConnection, data: pa.Table | pa.RecordBatch,
                   values: dict[str, tuple[object, str]]) -> pa.Table:
    """`data` plus one column per entry name -> (value, DuckDB type), the same on every row."""
    con.register("frame", data)
    try:
        columns = ", ".join(f"?::{sql_type} as {name}" for name, (_, sql_type) in values.items())
        return con.execute(f"select *, {columns} from frame", [v for v, _ in values.values()]).fetch_arrow_table()
    finally:
        con.unregister("frame")


def row_hash(con: duckdb.DuckDBPyConnection, data: pa.Table | pa.RecordBatch) -> int:
    """Order-independent content hash: XOR of every row's hash."""
    con.register("frame", data)
    try:
        return con.execute("select coalesce(bit_xor(hash(frame)), 0) from frame").fetchone()[0]
    finally:
        con.unregister("frame")
