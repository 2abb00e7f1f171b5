"""Extract a table or a named query from the operational database as Arrow batches.

PostgreSQL is read through DuckDB's postgres extension (binary COPY, the fastest path measured
here); the SQL runs in PostgreSQL itself. SQLite files are attached with DuckDB's sqlite
extension, which reads columns by their declared type (SQLite's own typing is per value); the
SQL runs in DuckDB over the attached file. Any other SQLAlchemy URL (MySQL, SQL Server...)
goes through connectorx. Every path goes straight to Arrow: no row becomes Python objects.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pyarrow as pa

from ingest import deadline
from ingest.config import Settings
from ingest.errors import MAX_RAW_CHARS, RippleError, SourceUnavailable
from ingest.sources import DatabaseSource

BATCH_ROWS = 250_000


def extension_directory() -> str:
    """DuckDB's core extensions ship as PyPI packages (duckdb-ext-*): load them from there, offline."""
    import duckdb_ext

    return str(Path(next(iter(duckdb_ext.__path__))) / "extensions")


def source_url_for(settings: Settings, variable: str = "RIPPLE_SOURCE_URL") -> str:
    """The operational database's URL: from the environment, or an SQLite file in the data dir."""
    url = os.environ.get(variable)
    if url:
        return url
    if variable == "RIPPLE_SOURCE_URL":
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{settings.data_dir / 'source.db'}"
    raise RippleError(f"environment variable {variable} (a source database URL) is not set")


def source_url(source: DatabaseSource, settings: Settings) -> str:
    return source_url_for(settings, source.connection)


def parse_url(url: str):
    """SQLAlchemy's URL parser (imported here: most ripple commands never need it)."""
    from sqlalchemy.engine import make_url

    return make_url(url)


def redacted(url: str) -> str:
    from sqlalchemy.exc import ArgumentError

    try:
        return parse_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "<unparseable URL>"


def extraction_sql(source: DatabaseSource, since: str | None, backend: str) -> str:
    """The SQL run on the source database. `since` is already validated and lookback-adjusted.

    Rows at the bound are read again (`>=`): the merge on the primary key makes that harmless,
    and a batch committed in two transactions with the same cursor value is not cut in half.
    Rows whose cursor cannot order them (NULL, and for timestamps 'infinity' and '-infinity')
    are read on every run: they never move the watermark, and are never left behind.
    """
    body = f"select * from {source.source_table}" if source.kind == "table" else f"select * from ({source.query}) as q"
    if source.cursor and since is not None:
        if source.cursor_type == "integer":
            literal = since
        elif backend == "postgresql":
            zoned = datetime.fromisoformat(since).tzinfo is not None
            literal = f"cast('{since}' as {'timestamptz' if zoned else 'timestamp'})"
        else:  # DuckDB over SQLite, and other databases, cast a string literal to the column's type
            literal = f"'{since}'"
        unordered = f"{source.cursor} is null"
        if source.cursor_type == "timestamp" and backend in ("postgresql", "sqlite"):  # both have isfinite()
            unordered += f" or not isfinite({source.cursor})"
        body += f" where {source.cursor} >= {literal} or {unordered}"
    return body


def keys_sql(source: DatabaseSource) -> str:
    """The SQL reading only the source's primary keys, every row: what delete detection compares."""
    keys = ", ".join(sql_identifier(k) for k in source.primary_key)
    if source.kind == "table":
        return f"select {keys} from {source.source_table}"
    return f"select {keys} from ({source.query}) as q"


def backend_of(source: DatabaseSource, url: str) -> str:
    from sqlalchemy.exc import ArgumentError

    try:
        return parse_url(url).get_backend_name()
    except ArgumentError:
        raise RippleError(f"{source.name}: {source.connection} is not a valid database URL") from None


@dataclass
class SourceClock:
    """The source database's own time when the extraction started, and (PostgreSQL) the start of
    the oldest transaction open then: what the next watermark may not pass."""

    started: datetime | None = None
    oldest_open: datetime | None = None


# Client sessions only: autovacuum and other background workers commit no rows of a source.
POSTGRES_CLOCK = (
    "select now(), (select min(xact_start) from pg_stat_activity "
    "where backend_type = 'client backend' and xact_start is not null and pid <> pg_backend_pid())"
)


def read_batches(
    source: DatabaseSource, url: str, sql: str, loaded_at: datetime, clock: SourceClock
) -> Iterator[pa.RecordBatch]:
    """The rows of `sql`, with `_loaded_at` added, as Arrow record batches; `clock` is set before
    the first batch. A source that sends nothing for `statement_timeout` seconds fails the run."""

    def timed_out() -> SourceUnavailable:  # a hung server may answer later: worth another try
        return SourceUnavailable(
            f"{source.name}: {redacted(url)} sent nothing for {source.statement_timeout} s (statement_timeout): "
            "the extraction was abandoned, the watermark not moved"
        )

    yield from deadline.bounded(_read_batches(source, url, sql, loaded_at, clock), source.statement_timeout, timed_out)


def _read_batches(
    source: DatabaseSource, url: str, sql: str, loaded_at: datetime, clock: SourceClock
) -> Iterator[pa.RecordBatch]:
    parsed = parse_url(url)
    try:
        backend = parsed.get_backend_name()
        if backend == "postgresql":
            yield from _postgres_batches(source, parsed, sql, loaded_at, clock)
        else:
            clock.started = datetime.now(UTC)
            if backend == "sqlite":
                yield from _sqlite_batches(parsed, sql, loaded_at)
            else:
                yield from _connectorx_batches(parsed, sql, loaded_at)
    except (duckdb.Error, RuntimeError, OSError) as exc:
        message = re.sub(r'at "host=[^"]*"', "at the source", str(exc)).replace(url, redacted(url))
        if parsed.password:
            message = message.replace(parsed.password, "***")
        raise SourceUnavailable(
            f"{source.name}: extraction from {redacted(url)} failed: {message.strip().splitlines()[0]}"
        ) from None


def _duckdb() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(
        config={"extension_directory": extension_directory(), "autoinstall_known_extensions": False, "threads": 2}
    )
    con.execute("set TimeZone = 'UTC'")  # source timestamps read the same whatever the host's zone
    return con


def _sqlite_batches(url, sql: str, loaded_at: datetime) -> Iterator[pa.RecordBatch]:
    if not url.database or not Path(url.database).exists():
        raise OSError(f"no SQLite database at {url.database}")
    con = _duckdb()
    try:
        con.execute("load sqlite")
        con.execute(f"attach '{url.database.replace(chr(39), chr(39) * 2)}' as source_db (type sqlite, read_only)")
        con.execute("use source_db")
        keep_sqlite_offsets(con)
        yield from con.execute(f"select *, ?::timestamptz as _loaded_at from ({sql})", [loaded_at]).fetch_record_batch(
            BATCH_ROWS
        )
    finally:
        con.close()


def keep_sqlite_offsets(con: duckdb.DuckDBPyConnection) -> None:
    """SQLite keeps timestamps as text, offsets included ('2024-01-01 10:00:00+02:00'); DuckDB's
    sqlite scanner drops the offset. Each table with a TIMESTAMP column is shadowed by a temp view
    (the query's table names find it first) reading that column's text as SQLite holds it and
    converting it to the UTC instant; text without an offset is UTC already, and a value that is
    not a timestamp text (a number) keeps the scanner's reading. A table without a rowid keeps it too."""
    columns: dict[str, list[str]] = {}
    for table, column in con.execute(
        "select table_name, column_name from duckdb_columns() "
        "where database_name = 'source_db' and data_type = 'TIMESTAMP' order by table_name, column_index"
    ).fetchall():
        columns.setdefault(table, []).append(column)
    for table, names in columns.items():
        quoted = [sql_identifier(n) for n in names]
        raw = f"select rowid as _ripple_rowid, {', '.join(quoted)} from {sql_identifier(table)}"
        replaced = ", ".join(f"coalesce(timezone('UTC', try_cast(r.{q} as timestamptz)), t.{q}) as {q}" for q in quoted)
        try:
            con.execute(
                f"create temp view {sql_identifier(table)} as select t.* replace ({replaced}) "
                f"from source_db.main.{sql_identifier(table)} as t "
                f"left join sqlite_query('source_db', '{raw.replace(chr(39), chr(39) * 2)}') as r "
                "on t.rowid = cast(r._ripple_rowid as bigint)"
            )
        except duckdb.Error:  # WITHOUT ROWID: read as the scanner reads it
            continue


def sql_identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _postgres_batches(
    source: DatabaseSource, url, sql: str, loaded_at: datetime, clock: SourceClock
) -> Iterator[pa.RecordBatch]:
    parts = {
        "host": url.host,
        "port": url.port,
        "user": url.username,
        "password": url.password,
        "dbname": url.database,
        "connect_timeout": source.connect_timeout,
        **url.query,
    }  # query parameters are libpq keywords (sslmode, options, a connect_timeout of the URL's own...)
    dsn = " ".join(f"{k}={libpq_quote(str(v))}" for k, v in parts.items() if v is not None)
    con = _duckdb()
    try:
        con.execute("load postgres")
        # ATTACH takes no parameters: the DSN goes in as a quoted literal
        con.execute(f"attach '{dsn.replace(chr(39), chr(39) * 2)}' as source_db (type postgres, read_only)")
        row = con.execute("select * from postgres_query('source_db', ?)", [POSTGRES_CLOCK]).fetchone()
        assert row is not None
        clock.started, clock.oldest_open = row
        shape = con.execute("select * from postgres_query('source_db', ?)", [f"select * from ({sql}) as q limit 0"])
        exact = exact_numbers_sql(sql, shape.arrow().schema)
        yield from con.execute(
            "select *, ?::timestamptz as _loaded_at from postgres_query('source_db', ?)", [loaded_at, exact]
        ).fetch_record_batch(BATCH_ROWS)
    finally:
        con.close()


REJECT_REASON = "_reject_reason"  # why a row is quarantined; NULL on the rows that load as they are
RAW_RECORD = "_raw_record"  # a quarantined row's values as the source holds them (JSON text)


def exact_numbers_sql(sql: str, schema: pa.Schema) -> str:
    """`sql` wrapped so that no PostgreSQL numeric NaN or Infinity turns into 0, which DuckDB's
    postgres scanner does with them. A numeric it reads as DOUBLE (unconstrained, or wider than
    38 digits) is sent as float8, which keeps NaN and ±Infinity. A numeric(p,s) (DECIMAL) cannot
    hold NaN (nor, in PostgreSQL, Infinity): a row with a NaN there is quarantined in-band, as a
    file's bad row is: the NaN becomes NULL, `_reject_reason` names the column, `_raw_record`
    keeps the row as PostgreSQL's JSON shows it (NaN as "NaN"). The two columns are there, NULL
    on good rows, whenever the source has a DECIMAL column. It all runs in PostgreSQL."""
    columns, nans, reasons = [], [], []
    for field in schema:
        name = sql_identifier(field.name)
        if pa.types.is_float64(field.type):
            columns.append(f"q.{name}::float8 as {name}")
        elif pa.types.is_decimal(field.type):
            numeric = f"numeric({field.type.precision},{field.type.scale})"
            reason = f"{field.name} is NaN in the source; {numeric} cannot hold NaN".replace("'", "''")
            columns.append(f"nullif(q.{name}, 'NaN')::{numeric} as {name}")
            nans.append(f"q.{name} = 'NaN'")
            reasons.append(f"case when q.{name} = 'NaN' then '{reason}' end")
        else:
            columns.append(f"q.{name}")
    if nans:
        columns.append(f"nullif(concat_ws('; ', {', '.join(reasons)}), '') as {REJECT_REASON}")
        columns.append(
            f"case when {' or '.join(nans)} then left(row_to_json(q)::text, {MAX_RAW_CHARS}) end as {RAW_RECORD}"
        )
    return f"select {', '.join(columns)} from ({sql}) as q"


def quarantined(batch: pa.RecordBatch) -> int:
    """The rows of `batch` flagged by `exact_numbers_sql`."""
    if REJECT_REASON not in batch.schema.names:
        return 0
    return batch.num_rows - batch.column(REJECT_REASON).null_count


def libpq_quote(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _connectorx_batches(url, sql: str, loaded_at: datetime) -> Iterator[pa.RecordBatch]:
    import connectorx

    plain = url.set(drivername=url.get_backend_name()).render_as_string(hide_password=False)
    table = connectorx.read_sql(plain, sql, return_type="arrow")
    table = table.append_column("_loaded_at", pa.array([loaded_at] * table.num_rows, pa.timestamp("us", "UTC")))
    yield from table.to_batches(BATCH_ROWS)
