"""What a column's type change in a source database means for its bronze table.

Bronze must hold every value the source sends, exactly. A new type whose values the bronze
column already holds (a narrower number, anything into text) needs nothing; a wider one
(numeric(10,2) -> numeric(12,4), integer -> bigint, float -> double, a number or date -> text,
timestamp -> timestamptz) widens the bronze column first where the lake can retype it in place
(integers, floats, timestamps; otherwise the run stops naming the command that reloads the
table, ingest/load_database.py), keeping every stored value; a change
that would lose values either way (numeric -> double: old exact values would be rounded, new
ones cut to the old scale) stops the run, naming the command that reloads the table whole.
Types outside these families (lists, JSON, blobs...) are left to the loader as before.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

INTEGER_DIGITS = {"TINYINT": 3, "SMALLINT": 5, "INTEGER": 10, "BIGINT": 19, "HUGEINT": 38}
FLOATS = ("FLOAT", "DOUBLE")
TEXT = ("VARCHAR", "JSON")
ZONED = "TIMESTAMP WITH TIME ZONE"
SCALARS = (*INTEGER_DIGITS, *FLOATS, *TEXT, "BOOLEAN", "DATE", "TIMESTAMP", ZONED)
DECIMAL = re.compile(r"DECIMAL\((\d+),\s*(\d+)\)")


class Incompatible(Exception):
    """The bronze column cannot take the new type without losing values."""


@dataclass(frozen=True)
class Widening:
    column: str
    old: str
    new: str  # the bronze column's new type
    using: str | None = None  # the conversion of stored values, when a plain cast is not it

    def sql(self, table: str) -> str:
        quoted = '"' + self.column.replace('"', '""') + '"'
        using = f" using {self.using.format(column=quoted)}" if self.using else ""
        return f"alter table {table} alter column {quoted} set data type {self.new}{using}"


def digits(duckdb_type: str) -> tuple[int, int] | None:
    """(integer digits, scale) of an exact number type, None for any other type."""
    if duckdb_type in INTEGER_DIGITS:
        return INTEGER_DIGITS[duckdb_type], 0
    match = DECIMAL.fullmatch(duckdb_type)
    return (int(match.group(1)) - int(match.group(2)), int(match.group(2))) if match else None


def is_scalar(duckdb_type: str) -> bool:
    return duckdb_type in SCALARS or DECIMAL.fullmatch(duckdb_type) is not None


def widening(column: str, old: str, new: str) -> Widening | None:
    """What bronze column `column` of type `old` needs to take values of type `new`."""
    old, new = old.upper(), new.upper()
    if old == new or not (is_scalar(old) and is_scalar(new)) or old in TEXT:
        return None
    if new in TEXT:
        return Widening(column, old, "VARCHAR")
    if old == ZONED and new == "TIMESTAMP":  # a naive timestamp is UTC, as the watermark takes it
        return None
    if old == "TIMESTAMP" and new == ZONED:
        return Widening(column, old, ZONED, using="timezone('UTC', {column})")
    if old == "DOUBLE" and (new == "FLOAT" or digits(new)):
        return None  # what it held before: DOUBLE was the bronze type of these values already
    if old == "FLOAT" and new == "DOUBLE":
        return Widening(column, old, "DOUBLE")
    if old in INTEGER_DIGITS and new in INTEGER_DIGITS:
        return Widening(column, old, new) if INTEGER_DIGITS[new] > INTEGER_DIGITS[old] else None
    exact_old, exact_new = digits(old), digits(new)
    if exact_old and exact_new:
        whole, scale = max(exact_old[0], exact_new[0]), max(exact_old[1], exact_new[1])
        if (whole, scale) == exact_old:
            return None
        if whole + scale <= 38:
            return Widening(column, old, f"DECIMAL({whole + scale},{scale})")
    raise Incompatible(f"{column} changed from {old} to {new}")


def plan(bronze: dict[str, str], incoming: dict[str, str]) -> list[Widening]:
    """The widenings bronze needs for the incoming columns (raises Incompatible)."""
    changes = [widening(name, bronze[name], new) for name, new in incoming.items() if name in bronze]
    return [c for c in changes if c is not None]
