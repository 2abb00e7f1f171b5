"""Crash anywhere: SIGKILL `ripple ingest` or `ripple build` (with dbt, the whole process
group) at a seeded random moment, rerun normally, and the warehouse must equal an
uninterrupted run on the same inputs; the killed run must show as failed in the run log.

`make test` runs a few trials per source kind; RIPPLE_CRASH_TRIALS=20 runs 20 each.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest
from conftest import RIPPLE, read_lake

from ingest.errors import RippleError

TRIALS = int(os.environ.get("RIPPLE_CRASH_TRIALS", "1"))
LINEAGE = ("_loaded_at", "_file_changed_at")  # when a row was loaded, when its copy of the file was written
JSON_SOURCE = """
[payments]
kind = "json"
location = "payments/*.json"
primary_key = ["payment_id"]
columns = [{ name = "payment_id", type = "BIGINT", required = true }, { name = "amount", type = "DECIMAL(10,2)" }]
"""


class Deployment:
    def __init__(self, root: Path, env: dict):
        self.data = root
        self.env = {**os.environ, **env, "RIPPLE_DATA_DIR": str(root), "DBT_TARGET": "ci"}

    def run(self, *args: str) -> float:
        started = time.perf_counter()
        result = subprocess.run([RIPPLE, *args], env=self.env, capture_output=True, text=True, timeout=600)
        assert result.returncode == 0, f"ripple {' '.join(args)}: {result.stderr[-2000:]}"
        return time.perf_counter() - started

    def kill_during(self, delay: float, *args: str) -> bool:
        """Start the command, SIGKILL its process group after `delay` seconds; True if it was still running."""
        proc = subprocess.Popen(
            [RIPPLE, *args], env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
        )
        time.sleep(delay)
        killed = proc.poll() is None
        if killed:
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        return killed

    def lake_events(self) -> tuple[tuple[int, int], frozenset[Path]]:
        """What a lake write changes: the SQLite catalog's write-ahead log (every catalog commit
        writes it) and the set of Parquet data files (every table write adds some)."""
        try:
            stat = (self.data / "lake.sqlite-wal").stat()
            wal = (stat.st_size, stat.st_mtime_ns)
        except FileNotFoundError:
            wal = (0, 0)
        return wal, frozenset((self.data / "lake").rglob("*.parquet"))

    def kill_at(self, event: str, nth: int, *args: str) -> bool:
        """Start the command and SIGKILL its process group the moment the `nth` catalog commit
        ("catalog commit") or Parquet file ("parquet write") of the run shows; True if it did."""
        index = 0 if event == "catalog commit" else 1
        last = self.lake_events()[index]
        seen = 0
        proc = subprocess.Popen(
            [RIPPLE, *args], env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
        )
        while proc.poll() is None:
            now = self.lake_events()[index]
            if now != last:
                last, seen = now, seen + 1
                if seen == nth:
                    os.killpg(proc.pid, signal.SIGKILL)
                    proc.wait()
                    return True
        return False

    def snapshot(self) -> dict:
        result = {}
        with read_lake(self.env) as con:
            tables = con.execute(
                "select table_schema, table_name from information_schema.tables "
                "where table_schema in ('bronze', 'silver', 'gold') and table_type = 'BASE TABLE' "
                "and table_name not like '\\_dlt%' escape '\\'"
            ).fetchall()
            for schema, table in tables:
                columns = [
                    c
                    for (c,) in con.execute(
                        "select column_name from information_schema.columns where table_schema = ? and table_name = ? "
                        "order by ordinal_position",
                        [schema, table],
                    ).fetchall()
                    if c not in LINEAGE
                ]
                result[f"{schema}.{table}"] = con.execute(
                    f'select {", ".join(chr(34) + c + chr(34) for c in columns)} from "{schema}"."{table}" order by all'
                ).fetchall()
        return result

    def runs(self) -> list[tuple[str, str]]:
        with read_lake(self.env) as con:
            return con.execute(
                "select status, coalesce(error_message, '') from ops.ingestion_metadata order by started_at"
            ).fetchall()


def tickets_inputs(landing: Path) -> None:
    subprocess.run(
        [RIPPLE, "generate", "tickets", "--start", "2023-01-01", "--end", "2023-01-08", "--volume", "60"],
        env={**os.environ, "RIPPLE_DATA_DIR": str(landing.parent)},
        check=True,
        capture_output=True,
    )


def payments_inputs(landing: Path) -> None:
    folder = landing / "payments"
    folder.mkdir(parents=True)
    rng = random.Random(7)
    for n in range(40):
        rows = [{"payment_id": n * 1000 + i, "amount": round(rng.uniform(-5, 500), 2)} for i in range(500)]
        (folder / f"p{n:03d}.json").write_text("\n".join(json.dumps(r) for r in rows))


KINDS = {
    # kind: (source to ingest, builds dbt models)
    "csv": ("tickets", True),
    "json": ("payments", False),
    "postgres": ("accounts_all", True),
}


@pytest.fixture(scope="module")
def pg_accounts(postgres):
    """accounts_all in a schema of the worker's PostgreSQL server, shared by the postgres trials."""
    import uuid

    schema = f"ripple_crash_{uuid.uuid4().hex[:8]}"
    postgres.execute(f"create schema {schema}")
    url = postgres.schema_url(schema)
    subprocess.run(
        [RIPPLE, "generate", "accounts", "--accounts", "300", "--start", "2022-01", "--end", "2025-06"],
        env={**os.environ, "RIPPLE_SOURCE_URL": url},
        check=True,
        capture_output=True,
    )
    yield url
    postgres.execute(f"drop schema {schema} cascade")


@pytest.fixture(scope="module")
def inputs(tmp_path_factory):
    """One landing zone per kind, copied (with modification times) into every deployment."""
    root = tmp_path_factory.mktemp("crash_inputs")
    landing = root / "landing"
    landing.mkdir()
    tickets_inputs(landing)
    payments_inputs(landing)
    sources = root / "sources.toml"
    sources.write_text(JSON_SOURCE)
    return landing, sources


@pytest.fixture(scope="module")
def references(inputs, pg_accounts, tmp_path_factory):
    """An uninterrupted run per kind: its warehouse and how long ingest and build took."""
    refs = {}
    for kind, (source, builds) in KINDS.items():
        deployment = new_deployment(tmp_path_factory.mktemp(f"ref_{kind}"), inputs, pg_accounts)
        ingest = deployment.run("ingest", source)
        build = deployment.run("build") if builds else 0.0
        refs[kind] = (deployment.snapshot(), ingest, build)
    return refs


def new_deployment(root: Path, inputs, pg_url: str) -> Deployment:
    landing, sources = inputs
    shutil.copytree(landing, root / "landing", copy_function=shutil.copy2)
    return Deployment(root, {"RIPPLE_SOURCES_FILE": str(sources), "RIPPLE_SOURCE_URL": pg_url})


TRIAL_IDS = [
    (kind, step, seed)
    for kind in KINDS
    for step in ("ingest", "build")
    for seed in range(TRIALS)
    if step == "ingest" or KINDS[kind][1]
]


@pytest.mark.parametrize("kind,step,seed", TRIAL_IDS, ids=[f"{k}-{s}-{n}" for k, s, n in TRIAL_IDS])
def test_a_killed_run_then_a_normal_rerun_equals_an_uninterrupted_run(
    kind, step, seed, inputs, pg_accounts, references, tmp_path
):
    source, builds = KINDS[kind]
    expected, ingest_seconds, build_seconds = references[kind]
    deployment = new_deployment(tmp_path, inputs, pg_accounts)
    rng = random.Random(f"{kind}:{step}:{seed}")
    if step == "ingest":
        delay = rng.uniform(0.3, ingest_seconds)
        killed = deployment.kill_during(delay, "ingest", source)
        deployment.run("ingest", source)
    else:
        deployment.run("ingest", source)
        delay = rng.uniform(0.5, build_seconds)
        killed = deployment.kill_during(delay, "build")
    print(f"{kind}-{step}-{seed}: SIGKILL after {delay:.2f} s {'mid-run' if killed else '(it had already finished)'}")
    if builds:
        deployment.run("build")
    assert deployment.snapshot() == expected
    runs = deployment.runs()
    assert all(status in ("success", "failed") for status, _ in runs)  # nothing left `running`
    # a killed run that had started its record reads failed, saying it was stopped
    assert all("stopped before finishing" in error for status, error in runs if status == "failed")
    if step == "ingest" and killed and len(runs) == 2 and runs[0][0] == "failed":
        print(f"  the killed run is recorded as failed: {runs[0][1]}")
    assert runs[-1][0] == "success"


# the 1st, 3rd and 6th of each in `make test-soak`; in `make test` the catalog's first commit (it
# creates the catalog) and a Parquet write mid-run
LAKE_TRIALS = [(event, nth) for event in ("catalog commit", "parquet write") for nth in (1, 3, 6)]
if TRIALS == 1:
    LAKE_TRIALS = [("catalog commit", 1), ("parquet write", 3)]


@pytest.mark.parametrize("event,nth", LAKE_TRIALS, ids=[f"{e.replace(' ', '-')}-{n}" for e, n in LAKE_TRIALS])
def test_a_run_killed_during_a_catalog_commit_or_a_parquet_write_leaves_no_partial_data(
    event, nth, inputs, pg_accounts, references, tmp_path
):
    expected = references["csv"][0]
    deployment = new_deployment(tmp_path, inputs, pg_accounts)
    killed = deployment.kill_at(event, nth, "ingest", "tickets")
    print(f"{event} #{nth}: {'SIGKILL' if killed else 'the run finished first'}")
    lines = {
        f"tickets/{f.name}": len(f.read_text().splitlines()) - 1
        for f in (tmp_path / "landing" / "tickets").glob("*.csv")
    }
    try:
        reader = read_lake(deployment.env)  # what a reader sees right after the kill
    except RippleError as exc:  # killed while creating the catalog: its transaction rolled back, no lake yet
        assert "does not exist" in str(exc), exc
        loaded = []
    else:
        with reader as con:
            tables = {t for (t,) in con.execute("select table_name from information_schema.tables").fetchall()}
            loaded = (
                con.execute("select _source_file, count(*) from bronze.tickets group by 1").fetchall()
                if "tickets" in tables
                else []
            )
    assert all(rows == lines[file] for file, rows in loaded)  # each file whole, or not at all
    deployment.run("ingest", "tickets")
    deployment.run("build")
    assert deployment.snapshot() == expected
    assert deployment.runs()[-1][0] == "success"
