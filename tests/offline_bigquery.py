"""dbt's bigquery target, offline: the adapter's connection handle (a google.cloud.bigquery
Client, where every network call starts) is replaced by a stand-in that knows which tables
exist, answers dbt's introspection and records every SQL statement dbt sends. Nothing else is
stubbed: dbt-bigquery's own macros, relations and configs render the SQL.

Also the check that a statement is BigQuery SQL: it must parse with sqlglot's BigQuery
dialect, call only functions BigQuery has, and use none of DuckDB's own syntax.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import sqlglot
from google.api_core.exceptions import NotFound
from google.cloud.bigquery import SchemaField, Table, TableReference
from google.cloud.bigquery.dataset import DatasetListItem
from google.cloud.bigquery.table import TableListItem
from sqlglot.tokens import TokenType

PROJECT = "offline-project"
PREFIX = "ripple"
BIGQUERY_TYPES = {
    "string": "STRING",
    "bigint": "INTEGER",
    "integer": "INTEGER",
    "float64": "FLOAT",
    "date": "DATE",
    "timestamp": "TIMESTAMP",
    "boolean": "BOOLEAN",
}


def schema_of(node: dict) -> list[SchemaField]:
    """A model's columns as BigQuery reports them, from its YAML (untyped ones as STRING)."""

    def bigquery_type(data_type: str | None) -> str:
        if data_type and data_type.startswith("decimal"):
            return "NUMERIC"
        return BIGQUERY_TYPES.get(data_type or "string", "STRING")

    return [SchemaField(name, bigquery_type(column.get("data_type"))) for name, column in node["columns"].items()]


ENV = {
    "DBT_TARGET": "bigquery",
    "RIPPLE_BQ_PROJECT": PROJECT,
    "RIPPLE_BQ_DATASET_PREFIX": PREFIX,
    "RIPPLE_BQ_LOCATION": "EU",
    "RIPPLE_BQ_AUTH": "oauth",
}


@dataclass
class FakeQueryJob:
    """What Client.query returns: a finished job with (almost always) no rows."""

    sql: str
    rows: list[tuple] = field(default_factory=list)
    job_id: str = "offline-job"
    project: str = PROJECT
    location: str = "EU"
    statement_type: str = "SCRIPT"
    total_bytes_processed: int = 0
    total_bytes_billed: int = 0
    slot_millis: int = 0
    num_dml_affected_rows: int = 0
    # where BigQuery keeps a query's result: dbt reads its row count from there
    destination: TableReference = TableReference.from_string(f"{PROJECT}._query_results.anonymous")
    schema: list[SchemaField] | None = None  # the result's columns; unset: one text column

    def result(self, **_):
        return FakeRowIterator(self.rows, self.schema or [SchemaField("value", "STRING")])


@dataclass
class FakeRowIterator:
    rows: list[tuple]
    schema: list[SchemaField]
    total_rows: int = 0

    def __iter__(self):  # rows as the client gives them: mappings of column name to value
        return iter(dict(zip((f.name for f in self.schema), row)) for row in self.rows)


class FakeBigQueryClient:
    """The network boundary of dbt-bigquery. `tables` maps dataset -> table names that exist;
    `columns` answers INFORMATION_SCHEMA.COLUMNS queries: dataset -> [(table, column)]."""

    def __init__(
        self,
        tables: dict[str, set[str]],
        columns: dict[str, list[tuple[str, str]]],
        schemas: dict[str, list[SchemaField]] | None = None,
        views: set[str] = frozenset(),
    ):
        self.project = PROJECT
        self.location = "EU"
        self.tables = tables
        self.columns = columns
        self.schemas = schemas or {}  # model name -> its columns, for dbt's schema questions
        self.views = views  # tables that are views
        self.queries: list[str] = []
        self.credentials = None  # what dbt built from the profile, when it opened a connection

    def _table(self, dataset: str, table: str) -> Table:
        model = re.sub(r"__dbt_tmp\d*$", "", table)  # dbt's temporary table of a model
        resource = Table(TableReference.from_string(f"{PROJECT}.{dataset}.{table}"), schema=self.schemas.get(model))
        resource._properties["type"] = "VIEW" if table in self.views else "TABLE"
        return resource

    def list_tables(self, dataset, max_results=None, **_):
        """Lazy, like the real client: a missing dataset raises NotFound once iterated."""
        name = getattr(dataset, "dataset_id", str(dataset).split(".")[-1])
        if name not in self.tables:
            raise NotFound(f"dataset {name}")
        yield from (
            TableListItem(
                {
                    "tableReference": {"projectId": PROJECT, "datasetId": name, "tableId": t},
                    "type": "VIEW" if t in self.views else "TABLE",
                }
            )
            for t in sorted(self.tables[name])
        )

    def list_datasets(self, project=None, **_):
        return iter(
            [DatasetListItem({"datasetReference": {"projectId": PROJECT, "datasetId": d}}) for d in sorted(self.tables)]
        )

    def create_dataset(self, dataset, exists_ok=False, **_):
        self.tables.setdefault(getattr(dataset, "dataset_id", str(dataset).split(".")[-1]), set())
        return dataset

    def delete_table(self, table, not_found_ok=False, **_):
        pass  # dbt drops its temporary tables

    def list_routines(self, dataset, **_):
        return iter([])

    def get_table(self, reference):
        ref = reference if isinstance(reference, TableReference) else TableReference.from_string(str(reference))
        if ref.dataset_id == "_query_results":
            return self._table(ref.dataset_id, ref.table_id)
        if ref.table_id not in self.tables.get(ref.dataset_id, set()) and "__dbt_tmp" not in ref.table_id:
            raise NotFound(f"table {ref}")
        return self._table(ref.dataset_id, ref.table_id)

    def get_routine(self, reference, **_):
        raise NotFound(f"routine {reference}")

    def query(self, query: str, **_) -> FakeQueryJob:
        self.queries.append(query)
        found = re.search(r"`([^`]+)`\.INFORMATION_SCHEMA\.COLUMNS", query)
        if found:  # bronze_tables_with(): tables having every column asked for
            pairs = self.columns.get(found.group(1), [])
            listed = re.search(r"column_name in \(([^)]*)\)", query)
            wanted = re.findall(r"'(\w+)'", listed.group(1)) if listed else []
            names = sorted({t for t, _ in pairs if all((t, c) in pairs for c in wanted)})
            return FakeQueryJob(
                query, rows=[(n,) for n in names], schema=[SchemaField("table_name", "STRING")], statement_type="SELECT"
            )
        node = re.search(r'"node_id": "model\.\w+\.(\w+)"', query)
        if node and re.search(r"where false", query, re.IGNORECASE):  # dbt asks for a query's columns
            return FakeQueryJob(query, statement_type="SELECT", schema=self.schemas.get(node.group(1), []))
        # bigquery__get_merge_sql (dbt_project/macros/bigquery/) asks for the earliest new partition
        if "select cast(min(" in query:
            return FakeQueryJob(query, rows=[("2024-01-01",)], statement_type="SELECT")
        return FakeQueryJob(query)

    def close(self):
        pass


def dbt_on_bigquery(
    monkeypatch,
    project_dir: Path,
    profiles_dir: Path,
    target_path: Path | None,
    client: FakeBigQueryClient,
    command: str,
    *args: str,
    env: dict | None = None,
):
    """A dbt command (parse, compile, run, debug) in this process, on the bigquery target set
    from ENV (and `env`), every connection dbt-bigquery opens getting `client` as its handle."""
    from dbt.adapters.bigquery import connections
    from dbt.cli.main import dbtRunner

    def connect(credentials):
        client.credentials = credentials
        return client

    for name, value in {**ENV, **(env or {})}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr(connections, "create_bigquery_client", connect)
    target = ["--target-path", str(target_path)] if target_path else []
    return dbtRunner().invoke(
        [
            "--no-use-colors",
            "--quiet",
            command,
            *args,
            "--project-dir",
            str(project_dir),
            "--profiles-dir",
            str(profiles_dir),
            *target,
        ]
    )


# -- is this BigQuery SQL? -----------------------------------------------------------------

# Functions of BigQuery's standard SQL that the project's models, macros and dbt-bigquery's own
# macros use. A call to anything else is a dialect error: BigQuery would reject the statement.
BIGQUERY_FUNCTIONS = {
    "array",
    "array_agg",
    "array_concat",
    "array_length",
    "avg",
    "cast",
    "ceil",
    "coalesce",
    "concat",
    "count",
    "countif",
    "current_date",
    "current_datetime",
    "current_timestamp",
    "date",
    "date_add",
    "date_diff",
    "date_sub",
    "date_trunc",
    "datetime",
    "datetime_add",
    "datetime_diff",
    "datetime_sub",
    "extract",
    "floor",
    "format",
    "generate_array",
    "generate_date_array",
    "greatest",
    "if",
    "ifnull",
    "least",
    "left",
    "length",
    "lower",
    "max",
    "min",
    "mod",
    "nullif",
    "offset",
    "ordinal",
    "regexp_contains",
    "replace",
    "round",
    "row_number",
    "safe_cast",
    "safe_divide",
    "safe_offset",
    "safe_ordinal",
    "split",
    "string",
    "struct",
    "substr",
    "sum",
    "timestamp",
    "timestamp_add",
    "timestamp_diff",
    "timestamp_sub",
    "timestamp_trunc",
    "trim",
    "unnest",
    "upper",
    "any_value",
    "logical_or",
    "logical_and",
    "abs",
    "sign",
    "div",
    "rank",
    "dense_rank",
    "lag",
    "lead",
    "first_value",
    "last_value",
}

# Words that are syntax, not functions, though a parenthesis may follow them.
KEYWORDS_BEFORE_PARENTHESIS = {
    "as",
    "from",
    "join",
    "on",
    "using",
    "over",
    "in",
    "and",
    "or",
    "not",
    "when",
    "then",
    "else",
    "select",
    "with",
    "where",
    "by",
    "exists",
    "union",
    "distinct",
    "all",
    "interval",
    "between",
    "is",
    "case",
    "partition",
    "options",
    "cluster",
    "into",
    "values",
    "set",
    "except",
    "intersect",
    "limit",
    "having",
    "lateral",
    "table",
    "view",
    "merge",
    "insert",
    "delete",
    "update",
    "matched",
    "source",
    "target",
    "window",
    "qualify",
    "order",
    "group",
    "range",
    "rows",
    "following",
    "preceding",
    "current",
    "row",
    "ignore",
    "respect",
    "nulls",
    "declare",
    "begin",
    "end",
    "numeric",
    "bignumeric",
    "decimal",
    "bytes",
    "int64",
    "float64",
}


def bigquery_problems(sql: str) -> list[str]:
    """Why `sql` is not BigQuery SQL (empty when it is)."""
    problems = []
    try:
        statements = sqlglot.parse(sql, read="bigquery", error_level=sqlglot.ErrorLevel.RAISE)
    except sqlglot.errors.SqlglotError as exc:
        return [f"does not parse as BigQuery SQL: {str(exc).splitlines()[0]}"]
    if not any(s is not None for s in statements):
        return ["no statement"]
    tokens = sqlglot.Dialect.get_or_raise("bigquery").tokenize(sql)
    for previous, token, following in zip([None, *tokens[:-1]], tokens, [*tokens[1:], None]):
        text = token.text.lower()
        if token.token_type == TokenType.DCOLON:
            problems.append("`::` cast (DuckDB/Postgres): use cast(... as ...)")
        elif text == "exclude" and previous is not None and previous.token_type == TokenType.STAR:
            problems.append("`* exclude (...)` (DuckDB): BigQuery says `* except (...)`")
        elif (
            following is not None
            and following.token_type == TokenType.L_PAREN
            and re.fullmatch(r"[a-z_][a-z0-9_]*", text)
            and (previous is None or previous.token_type != TokenType.DOT)
            and text not in BIGQUERY_FUNCTIONS
            and text not in KEYWORDS_BEFORE_PARENTHESIS
            and not token.text.startswith("`")
        ):
            problems.append(f"calls {token.text}(), which BigQuery does not have")
    return problems
