"""Compare what a database source sent with what bronze holds, by primary key, in the lake's DuckDB.

Two uses, both on the lake (BigQuery keeps loading every re-read row and has no delete check):

- Rows re-read unchanged are not loaded again. An incremental extraction reads the rows at its
  watermark again on purpose (`>=`: a row committed late with the same cursor value is not
  missed); merging them unchanged would give them a new `_loaded_at`, and every incremental model
  downstream (and `ripple changes`) would take them for changed. `changed_rows` keeps only the rows
  bronze does not hold as they are: a new key, any column that differs, or a row marked deleted.
- Deletes. An incremental extraction sees only rows that exist. `mark_deletes` compares the
  source's whole key set with bronze: a live bronze row whose key is gone gets `_deleted_at`, and a
  deleted one whose key is back loses it; either way its `_loaded_at` becomes the run's, so the
  incremental models pick the change up.

Source values are cast to bronze's column types before comparing (bronze is never narrower than
the source: ingest/evolution.py widens it first); a value that does not cast counts as different.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import duckdb
import pyarrow as pa

from ingest.database import sql_identifier

DELETED = "_deleted_at"  # when ripple found the row gone from the source; NULL while it is there
LOADED = "_loaded_at"
ROW = "_ripple_row"


def check_due(every: int | None, runs_since_check: int, on_demand: bool) -> bool:
    """Whether this run looks for deletes: asked for, or the `every`-th run since the last check."""
    return on_demand or (every is not None and runs_since_check + 1 >= every)


def bronze_types(con: duckdb.DuckDBPyConnection, table: str) -> dict[str, str]:
    """bronze.<table>'s columns and their DuckDB types; none when it does not exist."""
    rows = con.execute(
        "select column_name, data_type from information_schema.columns "
        "where table_catalog = current_database() and table_schema = 'bronze' and table_name = ? "
        "order by ordinal_position",
        [table],
    ).fetchall()
    return dict(rows)


def same(column: str, bronze_type: str, nullable: bool = True, source: str = "s") -> str:
    """bronze's `b.column` holds the source's (`source.column`): equal after the cast, or both NULL."""
    name = sql_identifier(column)
    equal = f"b.{name} = try_cast({source}.{name} as {bronze_type})"
    return f"(({equal}) or (b.{name} is null and {source}.{name} is null))" if nullable else equal


@dataclass(frozen=True)
class Bronze:
    """One bronze table as it is before a run loads into it."""

    table: str
    key: tuple[str, ...]
    types: dict[str, str]

    @property
    def relation(self) -> str:
        return f"bronze.{sql_identifier(self.table)}"

    def live(self) -> str:
        return f"b.{DELETED} is null" if DELETED in self.types else "true"

    def changed_rows(self, con: duckdb.DuckDBPyConnection, batch: pa.RecordBatch) -> pa.RecordBatch:
        """The rows of `batch` bronze does not hold as they are (all of them when the batch has a
        column bronze lacks: they all load, adding it). Arrow types are kept as they came."""
        columns = [n for n in batch.schema.names if n != LOADED]
        if batch.num_rows == 0 or any(c not in self.types for c in columns):
            return batch
        keys = " and ".join(same(k, self.types[k], nullable=False, source="e") for k in self.key)
        matches = " and ".join(same(c, self.types[c], nullable=c not in self.key) for c in columns)
        numbered = batch.append_column(ROW, pa.array(range(batch.num_rows), pa.int64()))
        con.register("extracted", pa.Table.from_batches([numbered]))  # a table: read twice, a batch once
        try:
            # bronze's rows with the batch's keys first (a semi join the batch's keys drive, which
            # DuckDB also turns into a filter on bronze's scan), then the whole rows among those
            kept = con.execute(
                f"with held as (select b.* from {self.relation} as b semi join extracted as e on {keys}) "
                f"select s.{ROW} from extracted as s "
                f"where not exists (select 1 from held as b where {matches} and {self.live()}) "
                f"order by s.{ROW}"
            ).fetch_arrow_table()
        except duckdb.Error:  # a comparison DuckDB cannot make (an exotic type): load them all, the merge is exact
            return batch
        finally:
            con.unregister("extracted")
        if kept.num_rows == batch.num_rows:
            return batch
        return batch.take(kept.column(ROW).combine_chunks())

    def mark_deletes(
        self, con: duckdb.DuckDBPyConnection, source_keys: pa.Table, loaded_at: datetime
    ) -> tuple[int, int]:
        """Mark the live rows whose key `source_keys` lacks deleted, unmark the deleted ones whose key
        it has, both stamped `loaded_at`; in one transaction. Returns (marked, unmarked)."""
        present = f"exists (select 1 from source_keys as s where {' and '.join(same(k, self.types[k], False) for k in self.key)})"
        con.register("source_keys", source_keys)
        try:
            con.execute("begin")
            if DELETED not in self.types:  # a bronze table loaded before deletes were looked for
                con.execute(f"alter table {self.relation} add column {DELETED} timestamptz")
            marked = con.execute(
                f"update {self.relation} as b set {DELETED} = ?, {LOADED} = ? "
                f"where b.{DELETED} is null and not {present}",
                [loaded_at, loaded_at],
            ).fetchone()
            unmarked = con.execute(
                f"update {self.relation} as b set {DELETED} = null, {LOADED} = ? "
                f"where b.{DELETED} is not null and {present}",
                [loaded_at],
            ).fetchone()
            con.execute("commit")
        except BaseException:
            con.execute("rollback")
            raise
        finally:
            con.unregister("source_keys")
        return (marked[0] if marked else 0), (unmarked[0] if unmarked else 0)
