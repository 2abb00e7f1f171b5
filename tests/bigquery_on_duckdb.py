"""A google.cloud.bigquery.Client stand-in that runs what it is sent: every statement is parsed
as BigQuery SQL with sqlglot, written out as DuckDB SQL and run in a DuckDB file whose catalog
is named after the project; load jobs read their Parquet files (from disk, or gs:// through
gcsfs) into the target table. Sessions, multi-statement transactions, positional parameters,
datasets, tables and INFORMATION_SCHEMA.COLUMNS behave as dlt's BigQuery destination and
ripple's bookkeeping need. Everything above the client, dlt's and the google library's own
code included, is the real thing.
"""

from __future__ import annotations

import tempfile
import threading
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import sqlglot
from google.api_core.exceptions import BadRequest, Conflict, NotFound
from google.cloud.bigquery import Dataset, SchemaField, Table, TableReference
from google.cloud.bigquery.table import Row, TableListItem
from sqlglot import exp

DUCKDB_TO_BIGQUERY = {
    "VARCHAR": "STRING",
    "BIGINT": "INT64",
    "INTEGER": "INT64",
    "DOUBLE": "FLOAT64",
    "BOOLEAN": "BOOL",
    "DATE": "DATE",
    "TIMESTAMP WITH TIME ZONE": "TIMESTAMP",
    "TIMESTAMP": "DATETIME",
    "BLOB": "BYTES",
    "JSON": "JSON",
}


def bigquery_type(duckdb_type: str) -> str:
    if duckdb_type.startswith("DECIMAL"):
        return duckdb_type.replace("DECIMAL", "NUMERIC")
    return DUCKDB_TO_BIGQUERY.get(duckdb_type, duckdb_type)


def error(kind, message: str, reason: str):
    """An API error as the client raises it: dlt reads the reason from `errors`."""
    return kind(message, errors=[{"reason": reason, "message": message}])


@dataclass
class SessionInfo:
    session_id: str


@dataclass
class Rows:
    """The finished query's rows (the client's RowIterator)."""

    values: list[tuple]
    schema: list[SchemaField]
    num_dml_affected_rows: int | None = None
    job_id: str = ""
    project: str = ""
    location: str = ""

    @property
    def total_rows(self) -> int:
        return len(self.values)

    def _should_use_bqstorage(self, *_, **__) -> bool:
        return False

    def __iter__(self):
        index = {f.name: i for i, f in enumerate(self.schema)}
        return iter(Row(values, index) for values in self.values)


@dataclass
class Job:
    job_id: str
    rows: Rows = field(default_factory=lambda: Rows([], []))
    session_info: SessionInfo | None = None
    output_rows: int | None = None
    error_result: dict | None = None
    state: str = "DONE"
    started: datetime = field(default_factory=lambda: datetime.now(UTC))
    ended: datetime = field(default_factory=lambda: datetime.now(UTC))

    def exception(self) -> Exception | None:
        return error(BadRequest, self.error_result["message"], "invalid") if self.error_result else None

    @property
    def errors(self) -> list[dict] | None:
        return [self.error_result] if self.error_result else None

    def result(self, *_, **__) -> Rows:
        return self.rows

    def done(self, *_, **__) -> bool:
        return True


class BigQueryOnDuckDB:
    def __init__(self, path: Path, project: str, location: str = "US"):
        self.project = project
        self.location = location
        self.db = duckdb.connect()
        self.db.execute("set TimeZone = 'UTC'")
        self.db.execute(f"attach '{path}' as \"{project}\"")
        self.db.execute(f'use "{project}"')
        self.lock = threading.RLock()  # dlt loads from several threads: one statement at a time
        self.sessions: dict[str, duckdb.DuckDBPyConnection] = {}
        self.jobs: dict[str, Job] = {}
        self.statements: list[str] = []  # every BigQuery statement received, in order
        self.credentials = []  # the credentials each client was made with

    def client(self, project=None, credentials=None, location=None, **_) -> BigQueryOnDuckDB:
        """Stands in for google.cloud.bigquery.Client(...)."""
        self.credentials.append(credentials)
        return self

    def close(self) -> None:
        pass

    def _ensure_bqstorage_client(self, *_, **__):
        return None  # the DB-API then reads rows from the query result

    # -- datasets and tables ------------------------------------------------------------------

    def _has_schema(self, dataset: str) -> bool:
        return (
            self.db.execute(
                "select count(*) from information_schema.schemata where catalog_name = ? and schema_name = ?",
                [self.project, dataset],
            ).fetchone()[0]
            > 0
        )

    def _columns(self, dataset: str, table: str | None = None) -> list[tuple]:
        return self.db.execute(
            "select table_name, column_name, data_type, is_nullable, numeric_precision, numeric_scale, "
            "ordinal_position from information_schema.columns where table_catalog = ? and table_schema = ? "
            "and (? is null or table_name = ?) order by table_name, ordinal_position",
            [self.project, dataset, table, table],
        ).fetchall()

    def get_dataset(self, reference, **_) -> Dataset:
        name = str(reference).split(".")[-1]
        with self.lock:
            if not self._has_schema(name):
                raise error(NotFound, f"Not found: Dataset {self.project}:{name}", "notFound")
        return Dataset(f"{self.project}.{name}")

    def create_dataset(self, dataset, exists_ok: bool = False, **_) -> Dataset:
        name = getattr(dataset, "dataset_id", str(dataset).split(".")[-1])
        with self.lock:
            if self._has_schema(name):
                if not exists_ok:
                    raise error(Conflict, f"Already Exists: Dataset {self.project}:{name}", "duplicate")
            else:
                self.db.execute(f'create schema "{self.project}"."{name}"')
        return Dataset(f"{self.project}.{name}")

    def get_table(self, reference, **_) -> Table:
        ref = reference if isinstance(reference, TableReference) else TableReference.from_string(str(reference))
        with self.lock:
            columns = self._columns(ref.dataset_id, ref.table_id)
        if not columns:
            raise error(NotFound, f"Not found: Table {self.project}:{ref.dataset_id}.{ref.table_id}", "notFound")
        return Table(
            ref,
            schema=[
                SchemaField(c, bigquery_type(t), mode="NULLABLE" if n == "YES" else "REQUIRED")
                for _, c, t, n, *_ in columns
            ],
        )

    def list_tables(self, dataset, **_):
        name = getattr(dataset, "dataset_id", str(dataset).split(".")[-1])
        with self.lock:
            if not self._has_schema(name):
                raise error(NotFound, f"Not found: Dataset {self.project}:{name}", "notFound")
            tables = sorted({t for t, *_ in self._columns(name)})
        return [
            TableListItem({"tableReference": {"projectId": self.project, "datasetId": name, "tableId": t}})
            for t in tables
        ]

    def get_job(self, job_id: str, **_) -> Job:
        return self.jobs[job_id]

    # -- load jobs ----------------------------------------------------------------------------

    def load_table_from_file(self, file, destination, job_id: str | None = None, job_config=None, **_) -> Job:
        with tempfile.NamedTemporaryFile() as copy:
            copy.write(file.read())
            copy.flush()
            return self._load([copy.name], destination, job_id, job_config)

    def load_table_from_uri(self, uris, destination, job_id: str | None = None, job_config=None, **_) -> Job:
        import fsspec

        with tempfile.TemporaryDirectory() as folder:
            paths = []
            for i, uri in enumerate([uris] if isinstance(uris, str) else uris):
                paths.append(f"{folder}/{i}")
                with fsspec.open(uri, "rb", token="anon") as remote, open(paths[-1], "wb") as local:
                    local.write(remote.read())
            return self._load(paths, destination, job_id, job_config)

    def _load(self, paths: list[str], destination, job_id: str | None, job_config) -> Job:
        """Parquet files, or newline-delimited JSON read with the table's column types."""
        ref = TableReference.from_string(str(destination))
        target = f'"{self.project}"."{ref.dataset_id}"."{ref.table_id}"'
        job = Job(job_id or uuid.uuid4().hex)
        with self.lock:
            columns = self._columns(ref.dataset_id, ref.table_id)
            if not columns:
                raise error(NotFound, f"Not found: Table {self.project}:{ref.dataset_id}.{ref.table_id}", "notFound")
            files = "[" + ", ".join(f"'{p}'" for p in paths) + "]"
            if str(job_config.source_format) == "PARQUET":
                reader = f"read_parquet({files})"
            elif str(job_config.source_format) == "NEWLINE_DELIMITED_JSON":
                types = "{" + ", ".join(f"'{c}': '{t}'" for _, c, t, *_ in columns) + "}"
                gzipped = all(Path(p).read_bytes()[:2] == b"\x1f\x8b" for p in paths)
                reader = (
                    f"read_json({files}, format = 'newline_delimited', columns = {types}, "
                    f"compression = '{'gzip' if gzipped else 'none'}')"
                )
            else:
                raise error(BadRequest, f"the stand-in does not load {job_config.source_format}", "invalid")
            cursor = self.db.cursor()
            try:
                cursor.execute("begin")
                if str(job_config.write_disposition) == "WRITE_TRUNCATE":
                    cursor.execute(f"delete from {target}")
                job.output_rows = cursor.execute(f"insert into {target} by name select * from {reader}").fetchone()[0]
                cursor.execute("commit")
            except duckdb.Error as exc:
                cursor.execute("rollback")
                job.output_rows, job.error_result = None, {"reason": "invalid", "message": str(exc)}
            finally:
                cursor.close()
            self.jobs[job.job_id] = job
        return job

    # -- queries ------------------------------------------------------------------------------

    def query(self, sql: str, job_config=None, job_id: str | None = None, **_) -> Job:
        job = Job(job_id or uuid.uuid4().hex)
        with self.lock:
            self.statements.append(sql)
            cursor, session = self._cursor(job_config)
            if job_config is not None and job_config.create_session:
                session = uuid.uuid4().hex
                self.sessions[session] = cursor
                job.session_info = SessionInfo(session)
            try:
                job.rows = self._script(cursor, sql, job_config, session)
            finally:
                if session is None:
                    cursor.close()
            job.rows.job_id, job.rows.project, job.rows.location = job.job_id, self.project, self.location
            self.jobs[job.job_id] = job
        return job

    def query_and_wait(self, sql: str, job_config=None, **kwargs) -> Rows:
        return self.query(sql, job_config=job_config, **kwargs).result()

    def _cursor(self, job_config) -> tuple[duckdb.DuckDBPyConnection, str | None]:
        """The session's connection, or a new one, using the job's default dataset."""
        properties = {p.key: p.value for p in (getattr(job_config, "connection_properties", None) or [])}
        session = properties.get("session_id")
        if session is not None:
            return self.sessions[session], session
        cursor = self.db.cursor()
        default = getattr(job_config, "default_dataset", None)
        if default is not None and self._has_schema(default.dataset_id):
            cursor.execute(f'use "{self.project}"."{default.dataset_id}"')
        return cursor, None

    def _script(self, cursor: duckdb.DuckDBPyConnection, sql: str, job_config, session: str | None) -> Rows:
        values = [p.value for p in (getattr(job_config, "query_parameters", None) or [])]
        rows = Rows([], [])
        for statement in sqlglot.parse(sql, read="bigquery"):
            if statement is None:
                continue
            if isinstance(statement, exp.Command) and statement.sql().upper().startswith("CALL BQ.ABORT_SESSION"):
                self.sessions.pop(session, None)
                continue
            if statement.sql(dialect="bigquery").upper().startswith("DECLARE "):
                continue  # a script variable: dlt declares one even when it has no table to truncate
            used = len(list(statement.find_all(exp.Placeholder)))
            arguments, values = values[:used], values[used:]
            try:
                cursor.execute(self.to_duckdb(statement), arguments)
            except duckdb.CatalogException as exc:
                raise error(NotFound, f"Not found: {exc}", "notFound") from None
            except duckdb.Error as exc:
                raise error(BadRequest, str(exc).splitlines()[0], "invalidQuery") from None
            result = cursor.fetchall() if cursor.description else []
            if isinstance(statement, (exp.Insert, exp.Update, exp.Delete, exp.Merge)):
                rows = Rows([], [], num_dml_affected_rows=result[0][0] if result else 0)
            elif isinstance(statement, (exp.Select, exp.Union, exp.With, exp.Subquery)):
                rows = Rows(
                    result, [SchemaField(name, bigquery_type(str(kind))) for name, kind, *_ in cursor.description]
                )
        return rows

    def to_duckdb(self, statement: exp.Expression) -> str:
        """BigQuery's meaning, in DuckDB's words: NUMERIC is (38, 9); INFORMATION_SCHEMA.COLUMNS
        is answered from DuckDB's catalog with BigQuery's type names."""

        def rewrite(node: exp.Expression) -> exp.Expression:
            if isinstance(node, exp.DataType) and node.this == exp.DataType.Type.DECIMAL and not node.expressions:
                return exp.DataType.build("DECIMAL(38, 9)")
            if isinstance(node, exp.Table) and node.name.upper() == "INFORMATION_SCHEMA.COLUMNS":
                return self._columns_relation(node.db).as_(node.alias_or_name.split(".")[-1])
            return node

        return statement.transform(rewrite).sql(dialect="duckdb")

    def _columns_relation(self, dataset: str) -> exp.Subquery:
        names = "table_name, column_name, data_type, is_nullable, numeric_precision, numeric_scale, ordinal_position"
        rows = [(t, c, bigquery_type(k), n, p, s, o) for t, c, k, n, p, s, o in self._columns(dataset)]
        if not rows:
            return sqlglot.parse_one(f"(select {', '.join(f'null as {n}' for n in names.split(', '))} limit 0)")
        values = ", ".join("(" + ", ".join(exp.convert(v).sql() for v in row) + ")" for row in rows)
        return sqlglot.parse_one(f"(select * from (values {values}) as c({names}))")
