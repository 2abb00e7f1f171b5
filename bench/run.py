"""`make bench [SCALE=1]`: how close ripple is to the machine's limit and to its goals, in one run.

Each row times ripple as separate processes, most of them against a reference doing the same
job on the same data in the same run (DuckDB by itself: a table load, a hand-written SQL job),
and reports rows, seconds, rows/s, peak memory (max RSS of the process tree), the ratio ripple /
reference, the row's goal (issue 20) and whether it is met. Nothing here is a test: no time is
asserted; the one check is that the hand-written summary equals ripple's, so that the two are
compared on the same result. Results go to stdout and bench/results.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shlex
import shutil
import subprocess
import sys
import tempfile
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from importlib.metadata import version
from itertools import takewhile
from pathlib import Path
from unittest import mock

import yaml  # type: ignore[import-untyped]  # PyYAML ships no types; its stubs are not in the lock

from ingest.commands.summary import MODELS
from ingest.config import load_settings
from ingest.lake import open_lake

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
THREADS = os.environ.get("RIPPLE_DUCKDB_THREADS", "2")
MEMORY = os.environ.get("RIPPLE_DUCKDB_MEMORY", "8GB")
TICKET_TYPES = {  # as declared in ingest/sources.toml
    "ticket_id": "VARCHAR",
    "created_at": "TIMESTAMP",
    "updated_at": "TIMESTAMP",
    "status": "VARCHAR",
    "priority": "VARCHAR",
    "category": "VARCHAR",
    "channel": "VARCHAR",
    "agent_id": "VARCHAR",
    "agent_name": "VARCHAR",
    "customer_id": "VARCHAR",
    "subject": "VARCHAR",
    "first_response_at": "TIMESTAMP",
    "resolved_at": "TIMESTAMP",
}
SUMMARY_VARS = yaml.safe_load((ROOT / "dbt_project" / "dbt_project.yml").read_text(encoding="utf-8"))["vars"]


@dataclass(frozen=True)
class Goal:
    """Upper bounds on a row's measures (issue 20), all of which must hold."""

    ratio: float | None = None
    seconds: float | None = None
    peak_mb: int | None = None

    def text(self) -> str:
        shown = {"ratio": "ratio <= {}", "seconds": "<= {} s", "peak_mb": "peak <= {} MB"}
        return ", ".join(shown[name].format(limit) for name, limit in asdict(self).items() if limit is not None)

    def met(self, row: dict) -> bool:
        return all(row[name] <= limit for name, limit in asdict(self).items() if limit is not None)


INGEST_GOAL = Goal(ratio=1.5)


# Runs the measured command and reports (seconds, peak RSS in MiB, exit code) of it and its
# children. A small process of its own starts it, not this one: Linux keeps a process's
# high-water RSS across fork and exec, so a child of this process (which grows to gigabytes
# holding the summary's rows) would report this process's peak as its own.
TIMER = (
    "import json, os, subprocess, sys, time; started = time.perf_counter(); "
    "proc = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL); _, status, usage = os.wait4(proc.pid, 0); "
    "print(json.dumps([time.perf_counter() - started, usage.ru_maxrss / 1024, os.waitstatus_to_exitcode(status)]))"
)


def measure(cmd: list[str], env: dict | None = None, cwd: Path = ROOT) -> tuple[float, float]:
    """Run a command; return (seconds, peak RSS in MiB of it and its children)."""
    with tempfile.TemporaryFile() as errors:  # a file, not a pipe: a chatty command cannot fill it and block
        timed = subprocess.run(
            [sys.executable, "-S", "-c", TIMER, *cmd],
            env={**os.environ, **(env or {})},
            cwd=cwd,
            stdout=subprocess.PIPE,
            stderr=errors,
            check=False,
        )
        seconds, peak_mb, code = json.loads(timed.stdout)
        if code != 0:
            errors.seek(0)
            raise SystemExit(f"bench: {' '.join(cmd)} failed:\n{errors.read().decode()[-2000:]}")
    return seconds, peak_mb


def python(code: str, env: dict | None = None) -> tuple[float, float]:
    return measure([sys.executable, "-c", code], env)


def ripple(*args: str, env: dict) -> tuple[float, float]:
    return measure([str(BIN / "ripple"), *args], env)


def dbt(*args: str, env: dict) -> tuple[float, float]:
    """dbt's own CLI, as the README shows it, on a deployment's lake; its artifacts in a folder of their own."""
    dbt_dir = Path(env["RIPPLE_DATA_DIR"]) / "dbt"
    return measure(
        [str(BIN / "dbt"), *args, "--project-dir", str(ROOT / "dbt_project"), "--profiles-dir", str(ROOT / "profiles")],
        {**env, "DBT_TARGET_PATH": str(dbt_dir / "bench_target"), "DBT_LOG_PATH": str(dbt_dir / "bench_logs")},
    )


def duck(data_dir: Path, sql: str, extensions: tuple[str, ...] = ()) -> str:
    """Python code that runs `sql` in the DuckLake of a data dir (ripple's default layout: catalog
    `lake.sqlite`, data files in `lake/`) with the same settings ripple uses."""
    loads = "".join(f"c.execute('load {e}');" for e in ("ducklake", "sqlite_scanner", *extensions))
    data_dir.mkdir(parents=True, exist_ok=True)
    return (
        f"import duckdb, duckdb_ext, pathlib, sqlite3;"
        f"sqlite3.connect({str(data_dir / 'lake.sqlite')!r}).execute('pragma journal_mode=wal').connection.close();"
        f"ext = str(pathlib.Path(next(iter(duckdb_ext.__path__))) / 'extensions');"
        f"c = duckdb.connect(config={{'threads': {THREADS}, 'memory_limit': {MEMORY!r}, "
        f"'extension_directory': ext, 'autoinstall_known_extensions': False}});{loads}"
        f"c.execute(\"attach 'ducklake:sqlite:{data_dir / 'lake.sqlite'}' as lake (data_path '{data_dir / 'lake'}/')\");"
        f"c.execute('use lake');"
        f"c.execute({sql!r})"
    )


def query(data_dir: Path, sql: str) -> tuple:
    """One row read from the lake of a data dir, in this process (not measured)."""
    with mock.patch.dict(os.environ, {"RIPPLE_DATA_DIR": str(data_dir)}):
        con = open_lake(load_settings(), read_only=True)
    try:
        return con.execute(sql).fetchone() or ()
    finally:
        con.close()


def row(
    work: str,
    run: tuple[float, float],
    goal: Goal | None = None,
    rows: int | None = None,
    reference: str | None = None,
    reference_run: tuple[float, float] | None = None,
) -> dict:
    seconds, peak = run
    out = {
        "work": work,
        "rows": rows,
        "seconds": round(seconds, 2),
        "rows_per_s": round(rows / seconds) if rows else None,
        "peak_mb": round(peak),
        "reference": reference,
        "reference_seconds": round(reference_run[0], 2) if reference_run else None,
        "reference_peak_mb": round(reference_run[1]) if reference_run else None,
        "ratio": round(seconds / reference_run[0], 2) if reference_run else None,
        "goal": goal.text() if goal else None,
    }
    out["met"] = goal.met(out) if goal else None
    return out


def deployment(root: Path, name: str) -> dict:
    data = root / name
    data.mkdir()
    return {
        "RIPPLE_DATA_DIR": str(data),
        "DBT_TARGET": "dev",
        "RIPPLE_DUCKDB_THREADS": THREADS,
        "RIPPLE_DUCKDB_MEMORY": MEMORY,
    }


def csv_stage(root: Path, scale: float) -> list[dict]:
    """Ticket CSVs -> bronze: `ripple ingest tickets` vs DuckDB read_csv of the same files."""
    env = deployment(root, "csv")
    folder = Path(env["RIPPLE_DATA_DIR"]) / "landing" / "tickets"
    folder.mkdir(parents=True)
    days, per_day = 50, max(1000, int(40_000 * scale))
    import duckdb

    con = duckdb.connect()
    for d in range(days):
        day = (date(2023, 1, 1) + timedelta(days=d)).isoformat()

        def ts(offset, day=day):
            return f"strftime(date '{day}' + interval (i % 86000 + {offset}) second, '%Y-%m-%d %H:%M:%S')"

        con.execute(f"""copy (
            select 'TK-{day.replace("-", "")}-' || lpad(i::varchar, 6, '0') as ticket_id,
                   {ts(0)} as created_at, {ts(60)} as updated_at,
                   ['open', 'in_progress', 'pending', 'resolved', 'closed'][i % 5 + 1] as status,
                   'P' || (i % 4 + 1) as priority, ['billing', 'technical', 'account'][i % 3 + 1] as category,
                   ['email', 'chat', 'phone'][i % 3 + 1] as channel, 'AG' || lpad((i % 40)::varchar, 3, '0') as agent_id,
                   'Agent ' || (i % 40) as agent_name, 'CU' || lpad((i % 25000)::varchar, 6, '0') as customer_id,
                   'Order delayed' as subject, {ts(30)} as first_response_at,
                   case when i % 5 >= 3 then {ts(60)} end as resolved_at
            from range({per_day}) t(i)
        ) to '{folder}/tickets_{day}.csv' (header)""")
    ours = ripple("ingest", "tickets", env=env)
    columns = "{" + ", ".join(f"'{k}': '{v}'" for k, v in TICKET_TYPES.items()) + "}"
    native = python(
        duck(
            root / "csv_native",
            f"create table tickets as select * from read_csv('{folder}/*.csv', header = true, columns = {columns})",
        )
    )
    return [
        row(
            f"{days} ticket CSVs x {per_day:,} rows -> bronze",
            ours,
            INGEST_GOAL,
            rows=days * per_day,
            reference="DuckDB read_csv into a table",
            reference_run=native,
        )
    ]


def postgres_stage(root: Path, scale: float) -> list[dict]:
    """A Postgres table -> bronze: `ripple ingest` vs DuckDB's postgres scanner, both reading a
    server of the bench's own (the tests' embedded PostgreSQL: nothing installed on the machine)."""
    sys.path.insert(0, str(ROOT / "tests"))
    from postgres_server import PostgresServer  # type: ignore[import-not-found]  # tests/, put on the path above

    rows = max(10_000, int(2_000_000 * scale))
    with PostgresServer() as server:
        server.execute(f"""create table events as
            select g::bigint as event_id, (g % 50000)::bigint as account_id, (g % 1000 / 10.0)::numeric(12, 2) as amount,
                   (array['view', 'click', 'buy'])[g % 3 + 1] as kind, md5(g::text) as payload,
                   timestamptz '2024-01-01' + g * interval '1 second' as created_at
            from generate_series(1, {rows}) g;
            alter table events add primary key (event_id)""")
        env = deployment(root, "postgres")
        sources = root / "bench_sources.toml"
        sources.write_text(
            '[pg_events]\nkind = "table"\nsource_table = "public.events"\ncursor = "created_at"\nprimary_key = ["event_id"]\n'
        )
        env.update({"RIPPLE_SOURCES_FILE": str(sources), "RIPPLE_SOURCE_URL": server.url})
        ours = ripple("ingest", "pg_events", env=env)
        native = python(
            duck(
                root / "pg_native",
                f"attach '{server.url}' as pg (type postgres, read_only);"
                "create table events as select * from pg.public.events",
                ("postgres",),
            )
        )
    return [
        row(
            f"Postgres table, {rows:,} rows -> bronze",
            ours,
            INGEST_GOAL,
            rows=rows,
            reference="DuckDB postgres scanner into a table",
            reference_run=native,
        )
    ]


def daily_stage(root: Path, scale: float) -> list[dict]:
    """One new day (ingest + dbt build) with 1x and 10x the history already loaded."""
    timings = {}
    volume = str(max(100, int(1450 * scale)))
    for label, days in (("1x", 30), ("10x", 300)):
        env = deployment(root, f"daily_{label}")
        end = date(2023, 1, 1) + timedelta(days=days - 1)
        ripple("generate", "tickets", "--start", "2023-01-01", "--end", end.isoformat(), "--volume", volume, env=env)
        ripple("ingest", "tickets", env=env)
        ripple("build", env=env)
        runs = []
        for n in (1, 2):  # two new days; the faster of the two runs counts
            ripple("generate", "tickets", "--date", (end + timedelta(days=n)).isoformat(), "--volume", volume, env=env)
            ingest = ripple("ingest", "tickets", env=env)
            build = ripple("build", env=env)
            runs.append((ingest[0] + build[0], max(ingest[1], build[1])))
        timings[label] = min(runs)
    return [
        row(
            "daily run (ingest + build), 10x history",
            timings["10x"],
            Goal(ratio=1.3),
            reference="the same daily run with 1x history",
            reference_run=timings["1x"],
        )
    ]


# The summary stage's account history, written into bronze by DuckDB itself: 48 months
# (2022-01..2025-12), accounts opening over the first 30 months, ~2 % of months missing.
HISTORY = """
    create schema bronze;
    create table bronze.accounts_all as
    with acct as (
        select a as cons_acct_key, (hash(a) % 30)::int as opened, 1000 + (hash(a * 7) % 50) * 1000 as credit_limit_am
        from range(1, {accounts} + 1) t(a)
    )
    select cons_acct_key, strftime(date '2022-01-01' + to_months(m), '%Y-%m') as rpt_as_of_mo,
           ((hash(cons_acct_key, m) % 100000) / 100.0)::decimal(14, 2) as balance_am,
           credit_limit_am::decimal(14, 2) as credit_limit_am,
           ((hash(cons_acct_key, m, 1) % 1000) / 100.0)::decimal(14, 2) as past_due_am,
           ((hash(cons_acct_key, m, 2) % 50000) / 100.0)::decimal(14, 2) as payment_am,
           (hash(cons_acct_key, m, 3) % 4 * 30)::bigint as days_past_due, 'open' as account_status,
           (date '2022-02-01' + to_months(m))::timestamptz as base_ts,
           now() - interval 1 day as _loaded_at
    from acct, range(48) t(m)
    where m >= opened and hash(cons_acct_key, m, 9) % 50 <> 0
"""
# One monthly batch, every version stamped BATCH_TS: 2026-01 for the accounts that reported
# 2025-12, corrections of a past month (up to 36 back) for ~2 % of accounts, 1 % new accounts.
BATCH_TS = "timestamptz '2026-02-01 06:00:00'"
BATCH = f"""
    insert into bronze.accounts_all
    with latest as (select cons_acct_key, max(rpt_as_of_mo) as last_month, max(credit_limit_am) as credit_limit_am
                    from bronze.accounts_all group by cons_acct_key),
    forward as (select cons_acct_key, '2026-01' as rpt_as_of_mo, credit_limit_am from latest where last_month = '2025-12'),
    corrections as (
        select l.cons_acct_key, strftime(date '2025-12-01' - to_months((hash(l.cons_acct_key, 5) % 36)::int), '%Y-%m') as rpt_as_of_mo,
               l.credit_limit_am
        from latest l where hash(l.cons_acct_key, 4) % 100 < 2),
    new_accounts as (select m.max_key + a as cons_acct_key, '2026-01' as rpt_as_of_mo, 5000 as credit_limit_am
                     from (select max(cons_acct_key) as max_key, count(*) as n from latest) m, range(1, (m.n // 100) + 1) t(a))
    select cons_acct_key, rpt_as_of_mo, ((hash(cons_acct_key, 77) % 100000) / 100.0)::decimal(14, 2),
           credit_limit_am::decimal(14, 2), 0::decimal(14, 2), ((hash(cons_acct_key, 78) % 50000) / 100.0)::decimal(14, 2),
           0::bigint, 'open', {BATCH_TS}, now()
    from (select * from forward union all select * from corrections union all select * from new_accounts)
"""
HISTORIES = [f"{column}_history" for column in SUMMARY_VARS["summary_columns"]]
LENGTH = SUMMARY_VARS["summary_history_length"]
# The accounts the batch touches, each with its first month the batch changes.
TOUCHED = f"""
    select cons_acct_key, min(rpt_as_of_mo) as first_changed
    from bronze.accounts_all where base_ts = {BATCH_TS} group by cons_acct_key
"""
# The same rows of summary and latest_summary, computed as one would by hand in DuckDB (the
# window over a dense month spine of ../DESIGN.md "Measured here"): for each touched account,
# its latest version of every month from LENGTH - 1 months before its first changed month, one
# list() window per column, each row from the first changed month on kept. Into tables of its own.
HAND_SUMMARY = f"""
    create schema hand;
    create table hand.summary as
    with touched as ({TOUCHED}),
    months as (
        select accounts.*, cast(rpt_as_of_mo || '-01' as date) as month_date, touched.first_changed
        from bronze.accounts_all as accounts inner join touched using (cons_acct_key)
        where rpt_as_of_mo >= strftime(cast(first_changed || '-01' as date) - to_months({LENGTH - 1}), '%Y-%m')
        qualify row_number() over (partition by cons_acct_key, rpt_as_of_mo order by base_ts desc, _loaded_at desc) = 1
    ),
    spine as (
        select cons_acct_key, first_changed,
               cast(unnest(generate_series(min(month_date)::timestamp, max(month_date)::timestamp, interval 1 month)) as date)
                   as month_date
        from months group by cons_acct_key, first_changed
    ),
    windowed as (
        select spine.cons_acct_key, spine.first_changed, spine.month_date, months.rpt_as_of_mo,
               {", ".join(f"list(months.{h.removesuffix('_history')}) over recent as {h}" for h in HISTORIES)}
        from spine left join months using (cons_acct_key, month_date)
        window recent as (partition by spine.cons_acct_key order by spine.month_date desc
                          rows between current row and {LENGTH - 1} following)
    )
    select cons_acct_key, rpt_as_of_mo, month_date, {", ".join(f"list_resize({h}, {LENGTH}) as {h}" for h in HISTORIES)}
    from windowed where rpt_as_of_mo >= first_changed;
    create table hand.latest_summary as
    select * from hand.summary qualify row_number() over (partition by cons_acct_key order by month_date desc) = 1
"""


def compare_summaries(data_dir: Path) -> tuple[int, int]:
    """Stop the bench unless the hand-written job's rows equal ripple's for the touched accounts;
    return (rows of the batch, rows of the history before it)."""
    columns = ", ".join(["cons_acct_key", "rpt_as_of_mo", *HISTORIES])

    def differing(left: str, right: str) -> str:
        return (
            f"(select count(*) from (select {columns} from {left} except all select {columns} from {right}))"
            f" + (select count(*) from (select {columns} from {right} except all select {columns} from {left}))"
        )

    summary, latest, hand_rows, batch, history = query(
        data_dir,
        f"""
        with touched as ({TOUCHED}),
        ripple_summary as (select summary.* from gold.summary as summary inner join touched using (cons_acct_key)
                           where summary.rpt_as_of_mo >= touched.first_changed),
        ripple_latest as (select * from gold.latest_summary where cons_acct_key in (select cons_acct_key from touched))
        select {differing("ripple_summary", "hand.summary")}, {differing("ripple_latest", "hand.latest_summary")},
               (select count(*) from hand.summary),
               count(*) filter (where base_ts = {BATCH_TS}), count(*) filter (where base_ts <> {BATCH_TS})
        from bronze.accounts_all
        """,
    )
    if summary or latest or not hand_rows:
        raise SystemExit(
            f"bench: the hand-written summary job does not match ripple's: {summary:,} summary rows and "
            f"{latest:,} latest_summary rows differ ({hand_rows:,} rows computed by hand)"
        )
    return batch, history


def summary_stage(root: Path, scale: float) -> list[dict]:
    """The account summary in one warehouse: its full rebuild over 48 months of history (timed
    for its peak memory), then one mixed monthly batch through the same build `ripple summary`
    runs after its ingest vs a hand-written DuckDB job computing the same rows, then that build
    once more with nothing new."""
    env = deployment(root, "summary")
    data_dir = Path(env["RIPPLE_DATA_DIR"])
    accounts = max(1000, int(200_000 * scale))
    python(duck(data_dir, HISTORY.format(accounts=accounts)))
    rebuild = ripple("build", "--full-refresh", "--select", MODELS, env=env)
    python(duck(data_dir, BATCH))
    incremental = ripple("build", "--select", MODELS, env=env)
    hand = python(duck(data_dir, HAND_SUMMARY))
    batch_rows, history_rows = compare_summaries(data_dir)
    again = ripple("build", "--select", MODELS, env=env)
    return [
        row(
            f"summary: one mixed batch, {accounts:,} accounts x 48 months",
            incremental,
            Goal(ratio=1.0),
            rows=batch_rows,
            reference="a hand-written DuckDB SQL job, the same rows",
            reference_run=hand,
        ),
        row(
            f"summary full rebuild, {accounts:,} accounts x 48 months",
            rebuild,
            Goal(peak_mb=4096),
            rows=history_rows,
        ),
        # issue 20's "the same run with nothing new": skipped, as bronze and the project are as this selection's build left them
        row("summary: the same build again, nothing new", again, Goal(seconds=2)),
    ]


def demo_steps(scale: float) -> list[list[str]]:
    """The Makefile's demo target, command by command (`make -n` prints them and runs nothing).
    Below SCALE 1 its ticket history is shortened through the target's own DEMO_END."""

    def commands(*overrides: str) -> list[list[str]]:
        printed = subprocess.run(
            ["make", "--no-print-directory", "-n", "-o", ".venv/.installed", "demo", *overrides],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        return [shlex.split(line) for line in printed.splitlines()]

    steps = commands()
    if scale < 1:
        tickets = next(step for step in steps if step[1:3] == ["generate", "tickets"])
        start, end = (date.fromisoformat(tickets[tickets.index(flag) + 1]) for flag in ("--start", "--end"))
        steps = commands(f"DEMO_END={start + (end - start) * scale}")
    return steps


def demo_stage(root: Path, scale: float) -> list[dict]:
    """`make demo`'s steps one by one, then a build with nothing new on what it built: ripple's
    (skipped without starting dbt) and dbt's own CLI on every model (which shows dbt's fixed cost)."""
    env = deployment(root, "demo")
    steps = [
        (" ".join(takewhile(lambda a: not a.startswith("-"), step[1:])), measure(step, env))
        for step in demo_steps(scale)
    ]
    total = (sum(run[0] for _, run in steps), max(run[1] for _, run in steps))
    cut = "" if scale >= 1 else f", tickets cut to {scale:g} of the days"
    return [
        *(row(f"  demo: ripple {name}", run) for name, run in steps),
        row(f"make demo end to end (virtualenv ready{cut})", total, Goal(seconds=60, peak_mb=2048)),
        row("ripple build, nothing new (demo data)", ripple("build", env=env), Goal(seconds=2)),
        row("dbt build (dbt's CLI, every model), nothing new", dbt("build", env=env)),
    ]


STAGES = {
    "csv": csv_stage,
    "postgres": postgres_stage,
    "daily": daily_stage,
    "summary": summary_stage,
    "demo": demo_stage,
}


def print_table(results: list[dict]) -> None:
    def fmt(value, spec: str = "") -> str:
        return "-" if value is None else {True: "yes", False: "no"}.get(value, format(value, spec))

    header = (
        f"{'work':<56} {'rows':>10} {'seconds':>8} {'rows/s':>9} {'peak MB':>8} {'ref. s':>7} {'ratio':>6}"
        f"  {'goal':<22} {'met':<4} reference"
    )
    print("\n" + header + "\n" + "-" * len(header))
    for r in results:
        print(
            f"{r['work']:<56} {fmt(r['rows'], ',d'):>10} {r['seconds']:>8.2f} {fmt(r['rows_per_s'], ',d'):>9} "
            f"{r['peak_mb']:>8,d} {fmt(r['reference_seconds'], '.2f'):>7} {fmt(r['ratio'], '.2f'):>6}"
            f"  {fmt(r['goal']):<22} {fmt(r['met']):<4} {fmt(r['reference'])}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="multiplies every stage's data size (default 1)")
    parser.add_argument("--stages", nargs="+", choices=list(STAGES), default=list(STAGES))
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="ripple-bench-"))
    results = []
    try:
        for name in args.stages:
            print(f"bench: {name} ...", flush=True)
            results += STAGES[name](root, args.scale)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    print_table(results)
    report = {
        "scale": args.scale,
        "machine": {
            "cores": os.cpu_count(),
            "memory_gb": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
            "python": platform.python_version(),
        },
        "duckdb_settings": {"threads": int(THREADS), "memory_limit": MEMORY},
        "versions": {p: version(p) for p in ("duckdb", "dlt", "dbt-core", "dbt-duckdb", "pyarrow")},
        "results": results,
    }
    out = ROOT / "bench" / "results.json"
    out.write_text(json.dumps(report, indent=2) + "\n")
    print(f"\nwritten to {out}")


if __name__ == "__main__":
    main()
