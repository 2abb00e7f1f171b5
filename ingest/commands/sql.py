"""`ripple sql`: read the warehouse while runs write it (a read-only lake connection, no lock).

With a query, runs it and prints the result. Without, reads `;`-terminated statements from
stdin and runs each as soon as its `;` arrives, until EOF: a notebook-like session that sees
each new snapshot of the lake on its next statement.
"""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Iterable, Iterator
from typing import TextIO

import duckdb

from ingest.config import Settings
from ingest.errors import RippleError
from ingest.lake import open_lake
from ingest.warehouse import exists

FORMATS = ("table", "csv", "json")


def split_statements(text: str) -> tuple[list[str], str]:
    """The complete `;`-terminated statements in `text`, and the rest. A `;` inside quotes
    ('...' or "...") or a `--` comment does not end a statement."""
    statements, start, quote, i = [], 0, "", 0
    while i < len(text):
        char = text[i]
        if quote:
            if char == quote:
                quote = ""
        elif char in "'\"":
            quote = char
        elif text.startswith("--", i):
            end = text.find("\n", i)
            i = len(text) if end == -1 else end
            continue
        elif char == ";":
            statement = text[start:i].strip()
            if statement:
                statements.append(statement)
            start = i + 1
        i += 1
    return statements, text[start:]


def statements_from(lines: Iterable[str]) -> Iterator[str]:
    """Each statement as soon as its terminating `;` is read; at EOF, whatever is left."""
    pending = ""
    for line in lines:
        complete, pending = split_statements(pending + line)
        yield from complete
    if pending.strip() and not pending.strip().startswith("--"):
        yield pending.strip()


def write_result(relation: duckdb.DuckDBPyRelation, output_format: str, out: TextIO) -> None:
    if output_format == "table":
        out.write(render_table(relation))
    elif output_format == "csv":
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(relation.columns)
        writer.writerows(relation.fetchall())
    else:
        rows = [dict(zip(relation.columns, row)) for row in relation.fetchall()]
        out.write(json.dumps(rows, default=str) + "\n")
    out.flush()


def render_table(relation: duckdb.DuckDBPyRelation) -> str:
    """Every row, columns aligned (DuckDB's own rendering elides the middle of long results)."""
    widths = [len(name) for name in relation.columns]
    rows = [["NULL" if v is None else str(v) for v in row] for row in relation.fetchall()]
    for row in rows:
        widths = [max(w, len(v)) for w, v in zip(widths, row)]
    line = " | ".join(name.ljust(w) for name, w in zip(relation.columns, widths))
    body = "\n".join(" | ".join(v.ljust(w) for v, w in zip(row, widths)) for row in rows)
    return f"{line}\n{'-+-'.join('-' * w for w in widths)}\n{body}\n({len(rows)} rows)\n"


def run_statement(con: duckdb.DuckDBPyConnection, statement: str, output_format: str) -> bool:
    """Runs one statement; prints its result, or its error in one line. True if it ran."""
    try:
        relation = con.sql(statement)
        if relation is not None:
            write_result(relation, output_format, sys.stdout)
    except duckdb.Error as exc:
        print(f"ripple: sql: {str(exc).strip().splitlines()[0]}", file=sys.stderr, flush=True)
        return False
    return True


def run(settings: Settings, query: str | None, output_format: str) -> int:
    if settings.bigquery:
        raise RippleError("ripple sql reads the DuckLake warehouse; query BigQuery with its own tools")
    if not exists(settings):
        raise RippleError(f"no warehouse at {settings.lake.catalog}: run `make demo` or `ripple ingest` first")
    con = open_lake(settings, read_only=True)
    try:
        statements = [query] if query is not None else statements_from(sys.stdin)
        failed = [s for s in statements if not run_statement(con, s, output_format)]
    finally:
        con.close()
    return 1 if failed else 0
