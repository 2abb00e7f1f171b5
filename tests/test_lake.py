"""The DuckLake warehouse: readers holding it open never block a run and see each new snapshot on
their next query (local catalog, PostgreSQL catalog, s3:// data path); the README's snippets
work as written; `ripple sql` and `ripple maintain`."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest
from conftest import RIPPLE, day, free_port, read_lake, run_ripple, shifted_clock

README = Path(__file__).resolve().parent.parent / "README.md"
LATEST_DAY = "select max(business_date)::varchar from gold.daily_ops_metrics"


def readme_block(language: str, containing: str) -> str:
    """The README's querying section's code block of `language` that contains `containing`."""
    section = README.read_text().split("## Querying the warehouse\n", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(rf"```{language}\n(.*?)```", section, re.S)
    return next(b for b in blocks if containing in b)


def history_with_every_source(deployment) -> None:
    """Three days of tickets, the reference data and a few accounts: what `ripple daily` needs."""
    deployment.generate(day(1), day(3))
    deployment.ripple("generate", "reference")
    deployment.ripple("generate", "accounts", "--accounts", "20")
    deployment.ripple("ingest")
    deployment.ripple("build")


class LineReader:
    """A process that answers each line written to its stdin with output lines."""

    def __init__(self, command: list[str], **options):
        self.proc = subprocess.Popen(
            command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **options
        )

    def ask(self, text: str, lines: int) -> list[str]:
        assert self.proc.stdin and self.proc.stdout
        self.proc.stdin.write(text)
        self.proc.stdin.flush()
        return [self.proc.stdout.readline().rstrip("\n") for _ in range(lines)]

    def close(self) -> tuple[int, str]:
        assert self.proc.stdin and self.proc.stderr
        self.proc.stdin.close()
        code = self.proc.wait(timeout=60)
        return code, self.proc.stderr.read()


def ripple_sql_reader(env: dict | None = None) -> LineReader:
    return LineReader([RIPPLE, "sql", "--format", "csv"], env={**os.environ, **(env or {})})


def readme_python_reader(cwd: Path) -> LineReader:
    """The README's Python snippet, as written, then a loop answering one query per line: a
    notebook that keeps its connection open."""
    loop = (
        "\nimport sys\nprint('ready', flush=True)\nfor q in sys.stdin:\n    print(con.sql(q).fetchall(), flush=True)\n"
    )
    reader = LineReader([sys.executable, "-c", readme_block("python", "attach") + loop], cwd=cwd)
    assert reader.proc.stdout
    while reader.proc.stdout.readline().rstrip("\n") != "ready":  # past the snippet's own output
        pass
    return reader


def test_readers_holding_the_lake_open_never_block_a_daily_run_and_see_its_rows_on_their_next_query(deployment):
    history_with_every_source(deployment)
    notebook = readme_python_reader(deployment.data_dir.parent)  # the snippet reads `data/lake.sqlite`
    sql = ripple_sql_reader()
    try:
        assert notebook.ask(LATEST_DAY + "\n", 1) == [f"[('{day(3)}',)]"]
        assert sql.ask(LATEST_DAY + ";\n", 2)[1] == day(3)

        daily = run_ripple("daily")
        assert daily.returncode == 0, daily.stderr

        assert notebook.ask(LATEST_DAY + "\n", 1) == [f"[('{day(4)}',)]"]
        assert sql.ask(LATEST_DAY + ";\n", 2)[1] == day(4)
        tickets = deployment.query("select count(*) from bronze.tickets")[0][0]
        assert sql.ask("select count(*) as n from bronze.tickets;\n", 2) == ["n", str(tickets)]
    finally:
        notebook.close()
        code, errors = sql.close()
    assert (code, errors) == (0, "")


@pytest.fixture
def s3_server(monkeypatch):
    """A local S3 server (moto in server mode) on a free port with a bucket `lake`, and the
    credentials where ripple reads them (dlt's `sources.filesystem.credentials`)."""
    import boto3
    from moto.server import ThreadedMotoServer

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    try:
        s3 = boto3.client(
            "s3", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="k", aws_secret_access_key="s"
        )
        s3.create_bucket(Bucket="lake")
        for key, value in {
            "AWS_ACCESS_KEY_ID": "k",
            "AWS_SECRET_ACCESS_KEY": "s",
            "ENDPOINT_URL": endpoint,
            "REGION_NAME": "us-east-1",
        }.items():
            monkeypatch.setenv(f"SOURCES__FILESYSTEM__CREDENTIALS__{key}", value)
        yield s3
    finally:
        server.stop()


def postgres_catalog(postgres, monkeypatch) -> str:
    """A database of its own on the test PostgreSQL server as the lake's catalog; its URL."""
    database = f"lake_{uuid.uuid4().hex[:8]}"
    postgres.execute(f"create database {database}")
    url = postgres.url.rsplit("/", 1)[0] + f"/{database}"
    monkeypatch.setenv("RIPPLE_LAKE_CATALOG", url)
    return url


def test_readers_never_block_a_daily_run_on_a_postgres_catalog_with_s3_data(
    deployment, monkeypatch, postgres, s3_server
):
    """The lake as several machines share it: the catalog in PostgreSQL, the data files in a bucket."""
    catalog = postgres_catalog(postgres, monkeypatch)
    monkeypatch.setenv("RIPPLE_LAKE_DATA_PATH", "s3://lake/warehouse")
    history_with_every_source(deployment)
    sql = ripple_sql_reader()
    notebook = read_lake()  # a connection held open in this process too
    try:
        assert sql.ask(LATEST_DAY + ";\n", 2)[1] == day(3)
        assert notebook.execute(LATEST_DAY).fetchall() == [(day(3),)]
        daily = run_ripple("daily")
        assert daily.returncode == 0, daily.stderr
        assert sql.ask(LATEST_DAY + ";\n", 2)[1] == day(4)
        assert notebook.execute(LATEST_DAY).fetchall() == [(day(4),)]
    finally:
        notebook.close()
        code, errors = sql.close()
    assert (code, errors) == (0, "")
    assert not deployment.warehouse.exists()  # no SQLite catalog: PostgreSQL holds it
    import psycopg

    with psycopg.connect(catalog) as con:
        snapshots = con.execute("select count(*) from ducklake_snapshot").fetchone()
    assert snapshots and snapshots[0] > 1
    keys = [o["Key"] for o in s3_server.list_objects_v2(Bucket="lake", Prefix="warehouse/gold/")["Contents"]]
    assert any(k.startswith("warehouse/gold/fact_tickets/") and k.endswith(".parquet") for k in keys)
    assert not (deployment.data_dir / "lake").exists()  # every data file went to the bucket


def test_a_run_on_another_machine_sharing_the_postgres_catalog_holds_off_this_one(deployment, monkeypatch, postgres):
    import psycopg

    catalog = postgres_catalog(postgres, monkeypatch)
    deployment.generate(day(1))
    with psycopg.connect(catalog, autocommit=True) as other_machine:
        other_machine.execute("select pg_advisory_lock(hashtext('ripple warehouse'))")
        held = run_ripple("ingest", "tickets")
    assert held.returncode == 1
    assert (
        held.stderr.startswith("ripple: another run holds DuckLake postgresql://")
        and "PostgreSQL catalog" in held.stderr
    )
    with psycopg.connect(catalog) as con:  # nothing was created in the catalog
        assert con.execute("select count(*) from pg_tables where schemaname = 'public'").fetchone() == (0,)
    assert run_ripple("ingest", "tickets").returncode == 0  # the other run ended: this one goes ahead


def test_the_readme_cli_snippet_reads_the_lake_as_written(deployment, tmp_path):
    deployment.generate(day(1))
    deployment.ripple("ingest", "tickets")
    (tmp_path / ".venv").symlink_to(Path(sys.executable).parent.parent)  # the snippet runs .venv/bin/duckdb
    command = readme_block("sh", "bin/duckdb").strip()
    result = subprocess.run(
        ["bash", "-c", command + " -csv"],
        input="select count(*) as n from bronze.tickets;\n",
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["n", str(deployment.query("select count(*) from bronze.tickets")[0][0])]


def test_ripple_sql_prints_each_format_and_refuses_to_write(deployment):
    deployment.generate(day(1))
    deployment.ripple("ingest", "tickets")
    query = "select _business_date::varchar as d, count(*) as n from bronze.tickets group by 1"
    rows = deployment.query(query)
    (expected_day, expected_n) = (rows[0][0], rows[0][1])

    table = run_ripple("sql", query)
    assert table.returncode == 0 and table.stdout.splitlines() == [
        f"{'d'.ljust(10)} | {'n'.ljust(len(str(expected_n)))}",
        f"{'-' * 10}-+-{'-' * len(str(expected_n))}",
        f"{expected_day} | {expected_n}",
        "(1 rows)",
    ]
    assert run_ripple("sql", "--format", "csv", query).stdout == f"d,n\n{expected_day},{expected_n}\n"
    assert json.loads(run_ripple("sql", "--format", "json", query).stdout) == [{"d": expected_day, "n": expected_n}]

    write = run_ripple("sql", "delete from bronze.tickets")
    assert write.returncode == 1 and write.stdout == ""
    assert write.stderr.startswith("ripple: sql: ") and "read-only" in write.stderr
    assert len(write.stderr.strip().splitlines()) == 1
    assert deployment.query("select count(*) from bronze.tickets") == [(expected_n,)]


def test_maintain_merges_small_files_and_drops_expired_ones_keeping_every_row(deployment):
    for n in range(1, 5):  # one run a day: each adds small files and delete files
        deployment.generate(day(n))
        deployment.ripple("ingest", "tickets")
        deployment.ripple("build")
    before = deployment.snapshot(schemas=("bronze", "silver", "gold"))
    files_before = sorted((deployment.data_dir / "lake").rglob("*.parquet"))

    started = datetime.now(UTC)
    maintain = run_ripple("maintain", env=shifted_clock("+8d"))  # every snapshot of the runs is past 7 days
    assert maintain.returncode == 0, maintain.stderr
    assert re.fullmatch(
        r"maintain: \d+ snapshots expired \(older than 7 days\), \d+ unused files deleted, in [\d.]+ s\n",
        maintain.stdout,
    )
    files_after = sorted((deployment.data_dir / "lake").rglob("*.parquet"))
    assert len(files_after) < len(files_before)
    assert deployment.snapshot(schemas=("bronze", "silver", "gold")) == before
    # only the snapshots maintain itself committed (its merges) are kept
    assert deployment.query("select count(*) from ducklake_snapshots('lake') where snapshot_time < ?", [started]) == [
        (0,)
    ]
