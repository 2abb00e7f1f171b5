"""`ripple verify`: ripple's promise checked on this deployment's own data. The selected silver
and gold models are rebuilt from bronze with a full refresh into scratch schemas (`silver` ->
`silver__ripple_verify`, through the dbt var `schema_suffix`), and every rebuilt table is
compared with the live one on its grain (the columns its tests hold unique; whole rows for a
model without such a test). The live tables are only read.

The scratch schemas are dropped when verify ends, fails or is interrupted; a verify killed
outright (SIGKILL, a power cut) leaves them behind, and the next verify drops them first.

`--sample PERCENT` rebuilds the rows of a sample of the entities only: the staging models keep
the rows whose entity key (ticket_id, order_id, cons_acct_key) hashes into the sample (dbt var
`verify_sample`, macro `in_verify_sample`). A model whose rows are each computed from one
entity's rows alone (`meta.verify_sample_key`) is compared with the live rows of the same
entities; a model built from no sampled model (reference data) is compared whole; the others
aggregate many entities, which a sample cannot rebuild, and are not checked.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache

from ingest import transform
from ingest.config import Settings
from ingest.errors import RippleError
from ingest.lock import warehouse_lock
from ingest.progress import track
from ingest.warehouse import Warehouse, connect

SUFFIX = "__ripple_verify"
EXAMPLES = 3
BUCKETS = 10_000  # a sample is a whole number of these: a percent to 0.01
SAMPLE_MACRO = "macro.ripple.in_verify_sample"


def sample_condition(key: str, percent: float) -> str:
    """SQL true for the rows whose entity `key` is in the `percent` sample: the first 8 hex digits
    of the md5 of the key's text, modulo 10,000, below percent x 100. md5 is the same on every
    DuckDB version (DuckDB's `hash()` is not), so a sample is the same entities on every run, and
    a larger percent keeps every entity of a smaller one. The one definition both sides use: the
    rebuild gets it as a template (key `{key}`), the live tables are restricted with it."""
    return f"('0x' || md5(cast({key} as varchar))[1:8])::bigint % {BUCKETS} < {round(percent * BUCKETS / 100)}"


@dataclass(frozen=True)
class Rebuilt:
    schema: str  # the live schema
    table: str
    grain: list[str]  # the columns the model's tests hold unique; empty: whole rows are compared
    sample_key: str | None  # meta.verify_sample_key: each row is computed from that entity's rows alone
    from_sample: bool  # built from a sampled staging model: holds only the sampled entities' rows

    def checked(self, sample: float | None) -> bool:
        """Whether a rebuild with this sample can be compared with the live table."""
        return sample is None or self.sample_key is not None or not self.from_sample


@dataclass
class TableDiff:
    table: str  # schema.name of the live table
    grain: list[str]  # empty: whole rows are compared
    only_live: int = 0
    only_rebuilt: int = 0
    differing: int = 0
    columns: list[str] = field(default_factory=list)  # the columns that differ in some row
    examples: list[str] = field(default_factory=list)  # a few keys (or rows) that differ
    problem: str | None = None  # what made the tables incomparable, or a column-set difference
    sample_key: str | None = None  # compared on the sampled entities only: their key
    sampled: int = 0  # ... and how many of them the two tables hold

    @property
    def identical(self) -> bool:
        return not (self.only_live or self.only_rebuilt or self.differing or self.problem)

    def describe(self) -> str:
        scope = f" on {self.sampled:,} sampled {self.sample_key} values" if self.sample_key else ""
        if self.identical:
            return f"{self.table}: identical{scope}"
        parts = [self.problem] if self.problem else []
        if self.only_live:
            parts.append(f"{self.only_live:,} row(s) only live")
        if self.only_rebuilt:
            parts.append(f"{self.only_rebuilt:,} row(s) only rebuilt")
        if self.differing:
            parts.append(f"{self.differing:,} row(s) differ in {', '.join(self.columns)}")
        examples = f" (e.g. {'; '.join(self.examples)})" if self.examples else ""
        return f"{self.table}: DIFFERS{scope}: {', '.join(parts)}{examples}"


def run(
    settings: Settings, models: list[str], sample: float | None = None, progress: Callable[[str], None] = print
) -> None:
    """`sample`: the percent of the entities to rebuild and compare; None: every row."""
    started = time.monotonic()
    with warehouse_lock(settings, "verify"):
        with connect(settings) as con:
            drop_scratch(con, progress)
        try:
            rebuilt = rebuild(settings, models, sample)
            checked = [t for t in rebuilt if t.checked(sample)]
            with connect(settings, read_only=True) as con, track("verify compare", len(checked), "tables") as task:
                diffs = []
                for table in checked:
                    diffs.append(compare(con, table, sample))
                    task.advance()
        finally:
            with connect(settings) as con:
                drop_scratch(con)
    report(rebuilt, diffs, sample, time.monotonic() - started, progress)


def report(
    rebuilt: list[Rebuilt],
    diffs: list[TableDiff],
    sample: float | None,
    seconds: float,
    progress: Callable[[str], None],
) -> None:
    """Per table what verify found, then the verdict: a RippleError (exit 1) when a table differs."""
    if sample is not None:
        progress(
            f"verify: a {sample:g}% sample: the entities whose key hashes into it, each with all its rows; "
            "tables built from no sampled entity (reference data) compared whole"
        )
    for diff in diffs:
        progress(diff.describe())
    unchecked = [f"{t.schema}.{t.table}" for t in rebuilt if not t.checked(sample)]
    for table in unchecked:
        progress(f"{table}: not checked: each row aggregates many entities, which a sample cannot rebuild")
    different = [d.table for d in diffs if not d.identical]
    took = f"in {seconds:.1f} s"
    scope = ""
    if sample is not None:
        scope = f" on a {sample:g}% sample of their entities" + (
            f" ({len(unchecked)} not checked)" if unchecked else ""
        )
        progress(
            "verify: a sample misses a wrong row of an entity outside it, and any error in a table not "
            "checked; `ripple verify` without --sample compares every row"
        )
    if different:
        raise RippleError(
            f"verify: {len(different)} of {len(diffs)} table(s) differ from a full rebuild{scope} "
            f"({', '.join(different)}) {took}; `ripple build --full-refresh` rebuilds them, and the difference "
            "is worth a bug report"
        )
    progress(f"verify: {len(diffs)} table(s) equal a full rebuild from bronze{scope}, {took}")


def drop_scratch(con: Warehouse, progress: Callable[[str], None] | None = None) -> None:
    """Drop every scratch schema: this verify's, or the leftovers of one that was killed."""
    schemas = con.execute(
        "select schema_name from information_schema.schemata where schema_name like ? escape '\\'",
        ["%" + SUFFIX.replace("_", "\\_")],
    ).fetchall()
    for (schema,) in schemas:
        if progress:
            progress(f"verify: dropping {schema}, left behind by a verify that was killed")
        con.execute(f'drop schema "{schema}" cascade')


def rebuild(settings: Settings, models: list[str], sample: float | None) -> list[Rebuilt]:
    """Full refresh of the models (and what they are built from) into the scratch schemas, of the
    sampled entities' rows only with a sample; returns every table it built."""
    target = settings.data_dir / "dbt" / "verify"  # keeps the last build's artifacts as they are
    select = (
        [f"+{m}" for m in models]
        if models
        else ["path:models/staging", "path:models/intermediate", "path:models/marts"]
    )
    dbt_vars: dict[str, str] = {"schema_suffix": SUFFIX}
    if sample is not None:
        dbt_vars["verify_sample"] = sample_condition("{key}", sample)
    missing = transform.sources_without_data(settings)
    transform.run_dbt(
        settings,
        "run",
        "--full-refresh",
        "--select",
        *select,
        "--exclude",
        "path:models/ops",
        *[f"source:*.{table}+" for table in missing],
        "--vars",
        json.dumps(dbt_vars),
        "--target-path",
        str(target),
        quiet=True,
    )
    results = json.loads((target / "run_results.json").read_text())["results"]
    if models and not results:
        raise RippleError(f"verify: {' '.join(models)} matched no model with data to rebuild")
    nodes = json.loads((target / "manifest.json").read_text())["nodes"]

    @cache
    def from_sample(unique_id: str) -> bool:
        """Whether the node filters by the sample, or is built from one that does."""
        depends_on = nodes[unique_id]["depends_on"] if unique_id in nodes else {}  # sources are not nodes
        return SAMPLE_MACRO in depends_on.get("macros", []) or any(map(from_sample, depends_on.get("nodes", [])))

    grains = tested_grains(nodes)
    rebuilt = []
    for result in results:
        node = nodes[result["unique_id"]]
        config = node["config"]
        if config["materialized"] not in ("table", "incremental"):
            continue  # views read bronze or other models: nothing of their own to compare
        rebuilt.append(
            Rebuilt(
                node["schema"].removesuffix(SUFFIX),
                node["alias"],
                grains.get(node["unique_id"], []),
                config["meta"].get("verify_sample_key"),
                from_sample(node["unique_id"]),
            )
        )
    return sorted(rebuilt, key=lambda t: (t.schema, t.table))


def tested_grains(nodes: dict) -> dict[str, list[str]]:
    """Per model, the columns its tests hold unique (`unique`, `unique_combination_of_columns`; the
    fewest when it has several): its grain. Not the `unique_key`, which may be coarser than the
    grain: product_sales_daily replaces whole days, so its unique_key is the day alone."""
    grains: dict[str, list[str]] = {}
    for node in nodes.values():
        test = node.get("test_metadata") or {}
        if test.get("name") == "unique":
            columns = [node["column_name"]]
        elif test.get("name") == "unique_combination_of_columns":
            columns = list(test["kwargs"]["combination_of_columns"])
        else:
            continue
        if node["config"].get("where"):
            continue  # unique among some rows only
        model = node["attached_node"]
        if model not in grains or len(columns) < len(grains[model]):
            grains[model] = columns
    return grains


def compare(con: Warehouse, rebuilt: Rebuilt, sample: float | None = None) -> TableDiff:
    """The live table against its rebuild; with a sample, the rows of the sampled entities only."""
    schema, table, grain = rebuilt.schema, rebuilt.table, rebuilt.grain
    live, scratch = f'"{schema}"."{table}"', f'"{schema}{SUFFIX}"."{table}"'
    diff = TableDiff(f"{schema}.{table}", grain)
    live_columns, rebuilt_columns = con.columns(schema, table), con.columns(schema + SUFFIX, table)
    if not live_columns:
        diff.problem = "no live table (never built?)"
        return diff
    if sample is not None and rebuilt.sample_key is not None:
        key = f'"{rebuilt.sample_key}"'
        # the rebuild holds the sampled entities only when it is built from sampled staging models;
        # restricted too, a model built from an unsampled source is compared on the same entities
        live, scratch = (f"(select * from {t} where {sample_condition(key, sample)})" for t in (live, scratch))
        diff.sample_key = rebuilt.sample_key
        diff.sampled = (
            con.execute(f"select count(*) from (select {key} from {live} union select {key} from {scratch})").fetchone()
            or (0,)
        )[0]
    if live_columns != rebuilt_columns:
        only_live = [c for c in live_columns if c not in rebuilt_columns]
        only_rebuilt = [c for c in rebuilt_columns if c not in live_columns]
        diff.problem = f"columns differ (only live: {only_live or '-'}, only rebuilt: {only_rebuilt or '-'})"
    common = [c for c in live_columns if c in rebuilt_columns]
    if not grain:
        return compare_rows(con, diff, live, scratch, common)
    on = " and ".join(f'l."{k}" is not distinct from r."{k}"' for k in grain)
    count_one_sided(
        con,
        diff,
        live,
        scratch,
        lambda this, other: f"select {key_label(grain)} as k from {this} l anti join {other} r on {on}",
    )
    changed = ", ".join(
        f'case when l."{c}" is distinct from r."{c}" then \'{c}\' end' for c in common if c not in grain
    )
    count, examples, columns = con.execute(
        f"select count(*), list(k order by k)[1:{EXAMPLES}], list_sort(list_distinct(flatten(list(cols)))) "
        f"from (select {key_label(grain)} as k, list_filter([{changed or 'null'}], c -> c is not null) as cols "
        f"from {live} l join {scratch} r on {on}) where len(cols) > 0"
    ).fetchone() or (0, [], [])
    diff.differing, diff.columns = count, columns or []
    diff.examples += examples or []
    return diff


def key_label(grain: list[str]) -> str:
    """SQL naming a row of `l` by its key, e.g. `ticket_id=42, business_date=2023-01-02`."""
    return "concat_ws(', ', " + ", ".join(f"'{k}=' || coalesce(l.\"{k}\"::varchar, 'NULL')" for k in grain) + ")"


def compare_rows(con: Warehouse, diff: TableDiff, live: str, scratch: str, columns: list[str]) -> TableDiff:
    """A model without a grain: its rows compared as a multiset."""
    select = ", ".join(f'"{c}"' for c in columns)
    count_one_sided(
        con,
        diff,
        live,
        scratch,
        lambda this, other: (
            f"select ({select})::varchar as k from "
            f"(select {select} from {this} except all select {select} from {other})"
        ),
    )
    return diff


def count_one_sided(
    con: Warehouse, diff: TableDiff, live: str, scratch: str, only_in: Callable[[str, str], str]
) -> None:
    """The rows only live and only rebuilt: counts and a few examples. `only_in(this, other)` is
    a query of one column `k` naming each row of `this` that `other` lacks."""
    for side, this, other in (("only_live", live, scratch), ("only_rebuilt", scratch, live)):
        count, examples = con.execute(
            f"select count(*), list(k order by k)[1:{EXAMPLES}] from ({only_in(this, other)})"
        ).fetchone() or (0, [])
        setattr(diff, side, count)
        diff.examples += [f"{e} ({side.replace('_', ' ')})" for e in examples or []]
