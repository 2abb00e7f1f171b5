"""Run dbt (silver, gold, ops) against this deployment's warehouse."""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from typing import TYPE_CHECKING, Any

import duckdb

from ingest import runlog
from ingest.config import DBT_PROFILES_DIR, DBT_PROJECT_DIR, REPO_ROOT, Settings
from ingest.errors import RippleError
from ingest.progress import Task, track
from ingest.sources import load_sources
from ingest.warehouse import Warehouse, connect, exists

if TYPE_CHECKING:  # dbt takes seconds to import: only the commands that run it pay that
    from dbt_common.events.base_types import EventMsg


def dbt_env(settings: Settings) -> dict[str, str]:
    return {
        **os.environ,
        # the profile attaches the same lake (profiles/profiles.yml)
        "RIPPLE_LAKE_CATALOG": settings.lake.catalog,
        "RIPPLE_LAKE_DATA_PATH": settings.lake.data_path,
        "DBT_TARGET": settings.dbt_target,
        "RIPPLE_DUCKDB_THREADS": str(settings.duckdb_threads),
        "RIPPLE_DUCKDB_MEMORY": settings.duckdb_memory_limit,
        # dbt's artifacts and logs belong to the deployment, like everything else a run keeps
        "DBT_TARGET_PATH": str(settings.dbt_target_path),
        "DBT_LOG_PATH": str(settings.dbt_log_path),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }


DUCKDB_TARGETS = ("dev", "ci")


def require_duckdb_target(settings: Settings) -> None:
    """ripple's dbt runs build the DuckDB warehouse only; on BigQuery, dbt runs on its own."""
    if settings.dbt_target not in DUCKDB_TARGETS:
        setting = f"DBT_TARGET={settings.dbt_target}"
    elif settings.bigquery:
        setting = f"RIPPLE_DESTINATION={settings.destination}"
    else:
        return
    raise RippleError(
        f"{setting}: ripple builds the DuckDB warehouse "
        f"(targets {', '.join(DUCKDB_TARGETS)}); for BigQuery run dbt itself, e.g. "
        "DBT_TARGET=bigquery .venv/bin/dbt build --project-dir dbt_project --profiles-dir profiles "
        "(README: Scaling out)"
    )


@contextmanager
def dbt_environment(settings: Settings) -> Iterator[None]:
    """This process's environment as `dbt_env` gives it while dbt runs in it, then as it was."""
    saved = dict(os.environ)
    os.environ.update(dbt_env(settings))
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


# The parsed dbt project, per project state and --vars: a process that runs dbt again (a test
# session, a notebook, `verify` after a build) parses once. Parsing reads no data, so one parse
# serves every deployment; a changed project file changes the key.
_parsed: dict[tuple[str, str], Any] = {}


NODE_COMMANDS = ("build", "run", "test", "seed")  # dbt commands whose nodes are counted live


def counting(task: Task) -> Callable[[EventMsg], None]:
    """dbt's events as live progress: each node finished, of the total its start lines give
    ("1 of 13 START ..."), corrected by the end's "Done. ... TOTAL=11". Neither count before the
    run is exact: the one in "Concurrency: ..." leaves out unit tests, the start lines' count
    may hold nodes that never run. dbt calls this on its worker threads, and an exception here
    would fail the node: only fields every such event has are read."""

    def on_event(event: EventMsg) -> None:
        if event.info.name == "LogStartLine" and task.total != event.data.total:
            task.set_total(event.data.total)
        elif event.info.name == "NodeFinished":
            task.advance()
        elif event.info.name == "StatsLine":
            task.set_total(event.data.stats["total"])

    return on_event


def run_dbt(settings: Settings, *args: str, quiet: bool = False) -> None:
    """dbt in this process (dbtRunner): no second interpreter to start, dbt imported and the
    project parsed once per process, not once per command."""
    require_duckdb_target(settings)
    from dbt.cli.main import dbtRunner  # seconds to import: only the commands that run dbt pay it

    places = ["--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROFILES_DIR)]
    dbt_vars = args[args.index("--vars") : args.index("--vars") + 2] if "--vars" in args else ()
    key = (project_hash(settings), " ".join(dbt_vars))
    with dbt_environment(settings):
        if key not in _parsed:
            parsed = dbtRunner().invoke(["--quiet", "parse", *dbt_vars, *places])
            if not parsed.success:
                raise RippleError(f"dbt parse failed: {parsed.exception}; full log in {settings.dbt_log_path}/dbt.log")
            _parsed[key] = parsed.result
        command = ["--no-use-colors", *(["--quiet"] if quiet else []), *args, *places]
        with track(f"dbt {args[0]}", None, "nodes") if args[0] in NODE_COMMANDS else nullcontext() as task:
            result = dbtRunner(manifest=_parsed[key], callbacks=[counting(task)] if task else []).invoke(command)
            if not result.success:  # raised inside: a failed build's progress ends without its `done` line
                cause = f": {result.exception}" if result.exception else ""
                raise RippleError(
                    f"dbt {args[0]} failed{cause}; the output above names the model "
                    f"or test, full log in {settings.dbt_log_path}/dbt.log"
                )


def sources_without_data(settings: Settings) -> list[str]:
    """Bronze tables of built-in sources that nothing has loaded yet."""
    tables = sorted({s.table for s in load_sources(built_in_only=True).values()})
    if not exists(settings):
        return tables
    with connect(settings, read_only=True) as con:
        return [t for t in tables if not con.table_exists("bronze", t)]


def build(
    settings: Settings,
    full_refresh: bool = False,
    select: str | None = None,
    dbt_vars: dict | None = None,
    quiet: bool = False,
    progress=print,
) -> None:
    """dbt build, leaving out the models of sources that have no data yet. A build without full
    refresh or vars is skipped when neither bronze nor the dbt project changed since a complete
    build, or one of the same selection: what it would build is what they left."""
    require_duckdb_target(settings)
    selection = select or ""
    with connect(settings) as con:
        runlog.ensure_tables(con)  # ops tables the ops models read
        state = (project_hash(settings), bronze_state(con))
        if not (full_refresh or dbt_vars) and already_built(con, state, selection):
            progress("build: bronze and the dbt project are as the last build left them: nothing to build")
            return
    args = ["build"]
    if full_refresh:
        args.append("--full-refresh")
    if select:
        args += ["--select", *select.split()]
    if dbt_vars:
        args += ["--vars", json.dumps(dbt_vars)]
    missing = sources_without_data(settings)
    if missing:
        progress(
            f"build: no data yet for {', '.join(missing)}: their models are left out until `ripple ingest` loads them"
        )
        args += ["--exclude", *[f"source:*.{table}+" for table in missing]]
    started = runlog.now()
    with connect(settings) as con:
        before = con.current_snapshot()
    try:
        run_dbt(settings, *args, quiet=quiet)
    except RippleError:  # a failed build's changes are worth seeing too, when they can be recorded
        try:
            with connect(settings) as con:
                runlog.record_snapshots(con, runlog.new_run_id(started), "build", started, before)
        except (duckdb.Error, OSError, RippleError):  # e.g. the disk that failed the build is still full
            pass
        raise
    with connect(settings) as con:
        runlog.record_snapshots(con, runlog.new_run_id(started), "build", started, before)
    if not dbt_vars:  # vars change what a model builds: such a build proves nothing for the next
        with connect(settings) as con:
            record_build(con, state, selection)


def already_built(con: Warehouse, state: tuple[str, str], selection: str) -> bool:
    """Whether a complete build (selection '') or one of `selection` ran on this bronze and project."""
    return con.execute(
        "select count(*) > 0 from ops.builds where project_hash = ? and bronze_state = ? and selection in ('', ?)",
        [*state, selection],
    ).fetchone() == (True,)


def record_build(con: Warehouse, state: tuple[str, str], selection: str) -> None:
    """Remember this build of `selection` ('' for every model) on this bronze and project; builds of
    another bronze or project no longer count, and a complete build covers every selection."""
    con.execute("begin")
    con.execute(
        "delete from ops.builds where not (project_hash = ? and bronze_state = ?) or ? = '' or selection = ?",
        [*state, selection, selection],
    )
    con.execute("insert into ops.builds values (?, ?, ?, ?)", [*state, runlog.now(), selection])
    con.execute("commit")


def project_hash(settings: Settings) -> str:
    """The dbt project as it would build: its files, the profile and the target."""
    digest = hashlib.sha256(settings.dbt_target.encode())
    for path in sorted([*DBT_PROJECT_DIR.rglob("*"), *DBT_PROFILES_DIR.rglob("*")]):
        if path.is_file() and not {"target", "logs", "dbt_packages"} & set(path.relative_to(REPO_ROOT).parts):
            digest.update(str(path.relative_to(REPO_ROOT)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def bronze_state(con: Warehouse) -> str:
    """Rows and latest load of every bronze table: any load, correction, reset or deletion changes it."""
    state = {}
    for _, table, rows in con.table_counts(["bronze"]):
        latest = "max(_loaded_at)::varchar" if "_loaded_at" in con.columns("bronze", table) else "null"
        state[table] = [rows, (con.execute(f'select {latest} from bronze."{table}"').fetchone() or [None])[0]]
    return json.dumps(state, sort_keys=True)


def nodes_run(settings: Settings) -> int:
    """How many nodes the last dbt command ran (its run_results.json)."""
    results = settings.dbt_target_path / "run_results.json"
    return len(json.loads(results.read_text())["results"]) if results.exists() else 0


def run_operation(settings: Settings, macro: str, **macro_args: object) -> None:
    run_dbt(settings, "run-operation", macro, "--args", json.dumps(macro_args, default=str))
