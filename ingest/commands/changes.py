"""`ripple changes [--run RUN_ID]`: what one run (default: the last) did to bronze, silver and gold,
read from DuckLake's own change feed (`ducklake_table_changes`) between the snapshot the run
started from and the one it ended on (ops.runs, recorded by ingest/runlog.py).

dbt's delete+insert strategy writes a changed row as a delete plus an insert: for a model with a
`unique_key` (from the dbt manifest of the deployment's last dbt run), a key both deleted and
inserted counts as updated. A `table` model is replaced whole on every build: it is reported as
rebuilt, with its rows before and after. For gold.summary the rewritten account-months (inserted
or updated keys) are listed per account.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from ingest.config import Settings
from ingest.errors import RippleError
from ingest.lake import quoted
from ingest.warehouse import Warehouse, connect, exists

LAYERS = ("bronze", "silver", "gold")
SUMMARY = "gold.summary"
SHOWN_ACCOUNTS = 20  # the summary's accounts printed one a line; the rest are counted


@dataclass
class Run:
    run_id: str
    command: str
    ended_at: datetime
    before: int  # the lake's snapshot before the run's first write
    after: int  # ... and after its last


@dataclass
class TableChanges:
    table: str  # schema.name
    inserted: int = 0
    updated: int = 0
    deleted: int = 0
    rows_before: int | None = None  # set when the run replaced the whole table (a `table` model)

    def describe(self) -> str:
        if self.rows_before is not None:
            return f"{self.table}: rebuilt whole, {self.inserted:,} row(s) ({self.rows_before:,} before)"
        return f"{self.table}: {self.inserted:,} inserted, {self.updated:,} updated, {self.deleted:,} deleted"


@dataclass
class RunChanges:
    run: Run
    tables: list[TableChanges]
    summary_months: dict[int, list[str]] = field(default_factory=dict)  # account -> months rewritten


def run(settings: Settings, run_id: str | None, progress: Callable[[str], None] = print) -> None:
    found = changes(settings, run_id)
    ran = found.run
    progress(
        f"run {ran.run_id} ({ran.command}), ended {ran.ended_at:%Y-%m-%d %H:%M:%S %Z}, lake snapshots {ran.before + 1}-{ran.after}:"
    )
    for table in found.tables:
        progress(f"  {table.describe()}")
    if not found.tables:
        progress("  no row of bronze, silver or gold changed")
    if found.summary_months:
        months = sum(len(m) for m in found.summary_months.values())
        progress(f"{SUMMARY} rewrote {months:,} account-month(s) of {len(found.summary_months):,} account(s):")
        for account, rewritten in list(found.summary_months.items())[:SHOWN_ACCOUNTS]:
            progress(f"  account {account}: {rewritten[0]} .. {rewritten[-1]} ({len(rewritten)} month(s))")
        if len(found.summary_months) > SHOWN_ACCOUNTS:
            progress(f"  and {len(found.summary_months) - SHOWN_ACCOUNTS:,} more account(s)")


def changes(settings: Settings, run_id: str | None) -> RunChanges:
    """What the run changed (default: the last run recorded)."""
    if settings.bigquery:
        raise RippleError("changes reads the lake's snapshots; BigQuery keeps none ripple can diff")
    if not exists(settings):
        raise RippleError("changes: no run yet (the warehouse does not exist)")
    keys = unique_keys(settings)
    with connect(settings, read_only=True) as con:
        ran = find_run(con, run_id)
        catalog = con.execute("select current_database()").fetchone()[0]
        tables = []
        summary_months: dict[int, list[str]] = {}
        for schema, table, begin, existed in changed_tables(con, catalog, ran):
            name = f"{schema}.{table}"
            feed = (
                f"ducklake_table_changes({quoted(catalog)}, {quoted(schema)}, {quoted(table)}, "
                f"{max(ran.before + 1, begin)}, {ran.after})"
            )
            found = count_changes(con, name, feed, keys.get(name, []))
            if begin > ran.before and existed:
                found.rows_before = con.execute(
                    f'select count(*) from "{schema}"."{table}" at (version => {ran.before})'
                ).fetchone()[0]
            elif name == SUMMARY and keys.get(name):
                summary_months = rewritten_months(con, feed, keys[name])
            if found.inserted or found.updated or found.deleted or found.rows_before is not None:
                tables.append(found)
    return RunChanges(ran, tables, summary_months)


def find_run(con: Warehouse, run_id: str | None) -> Run:
    if not con.table_exists("ops", "runs"):
        raise RippleError("changes: no run recorded yet (ops.runs is empty): ingest or build first")
    where, params = ("where run_id = ?", [run_id]) if run_id else ("", [])
    row = con.execute(
        f"select run_id, command, ended_at, snapshot_before, snapshot_after from ops.runs {where} "
        "order by snapshot_after desc, ended_at desc limit 1",
        params,
    ).fetchone()
    if row is None:
        if run_id:
            raise RippleError(
                f"changes: no run {run_id!r} in ops.runs; "
                '`ripple sql "select run_id, command, ended_at from ops.runs order by ended_at"` lists the runs'
            )
        raise RippleError("changes: no run recorded yet (ops.runs is empty): ingest or build first")
    ran = Run(*row)
    oldest = con.execute("select min(snapshot_id) from snapshots()").fetchone()[0]
    if oldest > ran.before + 1:
        raise RippleError(
            f"changes: the snapshots of run {ran.run_id} were expired by `ripple maintain` "
            "(RIPPLE_LAKE_RETENTION_DAYS): its changes can no longer be read"
        )
    return ran


def changed_tables(con: Warehouse, catalog: str, ran: Run) -> list[tuple[str, str, int, bool]]:
    """(schema, table, the snapshot that created it, whether one of that name existed before the
    run) for every bronze, silver and gold table the run inserted into or deleted from and that
    still exists after it."""
    meta = f'"__ducklake_metadata_{catalog}"'

    def alive(alias: str, at: str) -> str:
        return f"{alias}.begin_snapshot <= {at} and ({alias}.end_snapshot is null or {alias}.end_snapshot > {at})"

    layers = ", ".join(quoted(layer) for layer in LAYERS)
    return con.execute(
        f"""with touched as (
              select distinct unnest(
                coalesce(changes['tables_inserted_into'], []) || coalesce(changes['tables_deleted_from'], [])
              )::bigint as table_id
              from snapshots() where snapshot_id > {ran.before} and snapshot_id <= {ran.after}
            )
            select s.schema_name, t.table_name, t.begin_snapshot, exists(
              select 1 from {meta}.ducklake_table o join {meta}.ducklake_schema os on os.schema_id = o.schema_id
              where os.schema_name = s.schema_name and o.table_name = t.table_name
                and {alive("o", str(ran.before))} and {alive("os", str(ran.before))}
            )
            from {meta}.ducklake_table t join {meta}.ducklake_schema s on s.schema_id = t.schema_id
            where t.table_id in (select table_id from touched) and s.schema_name in ({layers})
              and t.table_name not like '\\_dlt%' escape '\\'
              and {alive("t", str(ran.after))} and {alive("s", str(ran.after))}
            order by array_position([{layers}], s.schema_name), t.table_name"""
    ).fetchall()


def count_changes(con: Warehouse, name: str, feed: str, key: list[str]) -> TableChanges:
    """Rows inserted, updated and deleted in a change feed; with a key, a key both deleted and
    inserted (dbt's delete+insert) is one updated row."""
    if key:
        columns = ", ".join(f'"{k}"' for k in key)
        sql = (
            "select count(*) filter (ins and not del), count(*) filter (ins and del), count(*) filter (del and not ins) "
            f"from ({keyed_changes(feed, columns)})"
        )
    else:
        sql = (
            "select count(*) filter (change_type = 'insert'), count(*) filter (change_type = 'update_postimage'), "
            f"count(*) filter (change_type = 'delete') from {feed}"
        )
    inserted, updated, deleted = con.execute(sql).fetchone()
    return TableChanges(name, inserted, updated, deleted)


def keyed_changes(feed: str, columns: str) -> str:
    """One row per key of the feed: whether it was inserted (`ins`) and deleted (`del`)."""
    return (
        f"select {columns}, bool_or(change_type in ('insert', 'update_postimage')) as ins, "
        f"bool_or(change_type in ('delete', 'update_preimage')) as del from {feed} group by {columns}"
    )


def rewritten_months(con: Warehouse, feed: str, key: list[str]) -> dict[int, list[str]]:
    """The summary's account-months the run wrote (inserted or updated), per account."""
    account, month = key
    columns = f'"{account}", "{month}"'
    rows = con.execute(
        f'select "{account}", list("{month}"::varchar order by "{month}") '
        f"from ({keyed_changes(feed, columns)}) where ins group by 1 order by 1"
    ).fetchall()
    return dict(rows)


def unique_keys(settings: Settings) -> dict[str, list[str]]:
    """schema.table -> unique_key of every dbt model that has one (the last dbt run's manifest)."""
    manifest = settings.dbt_target_path / "manifest.json"
    if not manifest.exists():
        return {}
    keys = {}
    for node in json.loads(manifest.read_text())["nodes"].values():
        key = node.get("config", {}).get("unique_key")
        if node.get("resource_type") == "model" and key:
            keys[f"{node['schema']}.{node['alias']}"] = [key] if isinstance(key, str) else list(key)
    return keys
