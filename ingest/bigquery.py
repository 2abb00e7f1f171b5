"""BigQuery as ripple's destination (`RIPPLE_DESTINATION=bigquery`): dlt's destination and
credentials, and a connection that runs ripple's own bookkeeping SQL there.

ripple's run log, watermarks and file fingerprints are written once, in DuckDB's SQL, against
the schemas `ops` and `bronze`. On BigQuery, `BigQueryConnection` translates each statement
with sqlglot, points `ops`/`bronze` at the datasets `<prefix>_ops`/`<prefix>_bronze`, and
sends `?` values as typed query parameters; statements between `begin` and `commit` go as one
multi-statement transaction. Only the subset of the DuckDB connection API ripple uses exists.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

import sqlglot
from sqlglot import exp

from ingest.config import BigQuerySettings
from ingest.errors import RippleError

SCOPES = ["https://www.googleapis.com/auth/cloud-platform"]
LAYERS = ("bronze", "ops")  # the schemas ripple's own SQL names


def credentials(bq: BigQuerySettings):
    """Google credentials from the key file, or the application-default ones (gcloud, the VM)."""
    import google.auth
    from google.auth.exceptions import DefaultCredentialsError
    from google.oauth2 import service_account

    if bq.auth == "keyfile":
        try:
            return service_account.Credentials.from_service_account_file(bq.keyfile, scopes=SCOPES)
        except (ValueError, KeyError) as exc:
            raise RippleError(f"RIPPLE_BQ_KEYFILE {bq.keyfile} is not a service account key: {exc}") from None
    try:
        return google.auth.default(scopes=SCOPES)[0]
    except DefaultCredentialsError:
        raise RippleError(
            "no Google application-default credentials: run `gcloud auth application-default "
            "login`, or set RIPPLE_BQ_AUTH=keyfile and RIPPLE_BQ_KEYFILE"
        ) from None


def dlt_destination(bq: BigQuerySettings):
    """dlt's bigquery destination, with the same credentials (the key file, or dlt finds the
    application-default ones itself)."""
    import dlt
    from dlt.common.configuration.specs import GcpServiceAccountCredentials

    if bq.auth != "keyfile":
        return dlt.destinations.bigquery(project_id=bq.project, location=bq.location)
    key = GcpServiceAccountCredentials()
    key.parse_native_representation(Path(bq.keyfile).read_text())
    return dlt.destinations.bigquery(credentials=key, project_id=bq.project, location=bq.location)


def dlt_staging(bq: BigQuerySettings):
    """Load files go to the bucket first, and BigQuery loads them from there (no upload per job)."""
    import dlt

    return dlt.destinations.filesystem(bucket_url=bq.staging_url) if bq.staging_url else None


# BigQuery parameter type of a Python value; the first match wins (a bool is an int, a
# datetime a date). Anything else, None included (a NULL string), goes as STRING.
PARAMETER_TYPES = ((bool, "BOOL"), (int, "INT64"), (float, "FLOAT64"), (datetime, "TIMESTAMP"), (date, "DATE"))


def parameter(value: Any) -> Any:
    from google.cloud.bigquery import ScalarQueryParameter

    kind = next((name for kind, name in PARAMETER_TYPES if isinstance(value, kind)), "STRING")
    return ScalarQueryParameter(None, kind, value)


class BigQueryConnection:
    def __init__(self, bq: BigQuerySettings):
        from google.cloud import bigquery

        self.bq = bq
        self.client = bigquery.Client(bq.project, credentials=credentials(bq), location=bq.location)
        self.rows: list[tuple] = []
        self.transaction: list[tuple[str, list]] | None = None  # statements held between begin and commit

    def __enter__(self) -> BigQueryConnection:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def close(self) -> None:
        self.client.close()

    def translate(self, sql: str) -> str:
        statements = [tree for tree in sqlglot.parse(sql, read="duckdb") if tree is not None]
        for tree in statements:
            for table in tree.find_all(exp.Table):
                if table.db in LAYERS:
                    table.set("db", exp.to_identifier(self.bq.dataset(table.db)))
                    table.set("catalog", exp.to_identifier(self.bq.project))
        return ";\n".join(tree.sql(dialect="bigquery") for tree in statements)

    def execute(self, sql: str, params: Sequence[Any] | None = None) -> BigQueryConnection:
        statement = sql.strip().lower()
        if statement == "begin":
            self.transaction = []
        elif statement == "commit":
            held, self.transaction = self.transaction or [], None
            if held:
                script = ";\n".join(["BEGIN TRANSACTION", *(s for s, _ in held), "COMMIT TRANSACTION"])
                self._run(script, [p for _, values in held for p in values])
        elif statement == "rollback":
            self.transaction = None
        elif statement.startswith("create schema if not exists "):
            self._create_dataset(statement.split()[-1])
        elif self.transaction is not None:
            self.transaction.append((self.translate(sql), list(params or [])))
        else:
            self._run(self.translate(sql), list(params or []))
        return self

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        """One job for all rows (BigQuery runs each statement as a job)."""
        self.execute("begin")
        for row in rows:
            self.execute(sql, row)
        self.execute("commit")

    def fetchone(self) -> tuple | None:
        return self.rows[0] if self.rows else None

    def fetchall(self) -> list[tuple]:
        return self.rows

    def table_exists(self, schema: str, table: str) -> bool:
        return bool(self.columns(schema, table))

    def columns(self, schema: str, table: str) -> list[str]:
        from google.api_core.exceptions import NotFound

        try:
            found = self._call(
                self.client.get_table, f"{self.bq.project}.{self.bq.dataset(schema)}.{table}", missing=NotFound
            )
        except NotFound:
            return []
        return [field.name for field in found.schema]

    def table_counts(self, schemas: Sequence[str]) -> list[tuple[str, str, int]]:
        from google.api_core.exceptions import NotFound

        counts = []
        for schema in schemas:
            dataset = f"{self.bq.project}.{self.bq.dataset(schema)}"
            try:
                tables = self._call(self.client.list_tables, dataset, missing=NotFound)
                names = sorted(t.table_id for t in self._call(list, tables, missing=NotFound))
            except NotFound:
                continue
            for table in (t for t in names if not t.startswith("_dlt")):
                rows = self._run(f"select count(*) from `{dataset}.{table}`", [])
                counts.append((schema, table, rows[0][0]))
        return counts

    def current_snapshot(self) -> None:
        return None  # BigQuery keeps no snapshots ripple can diff: `ripple changes` is the lake's

    def _create_dataset(self, layer: str) -> None:
        from google.cloud import bigquery

        dataset = bigquery.Dataset(f"{self.bq.project}.{self.bq.dataset(layer)}")
        dataset.location = self.bq.location
        self._call(self.client.create_dataset, dataset, exists_ok=True)

    def _run(self, sql: str, params: list) -> list[tuple]:
        from google.cloud import bigquery

        config = bigquery.QueryJobConfig(query_parameters=[parameter(p) for p in params])
        result = self._call(lambda: self.client.query(sql, job_config=config).result())
        self.rows = [tuple(row.values()) for row in result]
        return self.rows

    def _call(self, function, *args, missing: type[Exception] | None = None, **kwargs):
        """Google's errors as one line for the user; `missing` (NotFound) is left to the caller."""
        from google.api_core.exceptions import GoogleAPICallError
        from google.auth.exceptions import GoogleAuthError

        try:
            return function(*args, **kwargs)
        except (GoogleAPICallError, GoogleAuthError) as exc:
            if missing and isinstance(exc, missing):
                raise
            message = getattr(exc, "message", None) or str(exc)
            raise RippleError(f"BigQuery ({self.bq.project}): {message.splitlines()[0]}") from None
