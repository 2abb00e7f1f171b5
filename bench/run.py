"""`make bench [SCALE=1]`: how close ripple is to the machine's limit, in one run.

Each stage runs ripple and a native baseline (DuckDB doing the same job by itself) as
separate processes on the same data, and reports rows, seconds, rows/s, peak memory (max RSS
of the process tree) and the ratio ripple / baseline. Nothing here is a test: no time is
asserted. Results go to stdout and bench/results.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from importlib.metadata import version
from pathlib import Path

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


def measure(cmd: list[str], env: dict | None = None, cwd: Path = ROOT) -> tuple[float, float]:
    """Run a command; return (seconds, peak RSS in MiB of it and its children)."""
    started = time.perf_counter()
    proc = subprocess.Popen(
        cmd, env={**os.environ, **(env or {})}, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"bench: {' '.join(cmd)} failed:\n{proc.stderr.read().decode()[-2000:]}")
    return seconds, usage.ru_maxrss / 1024


def python(code: str, env: dict | None = None) -> tuple[float, float]:
    return measure([sys.executable, "-c", code], env)


def ripple(*args: str, env: dict) -> tuple[float, float]:
    return measure([str(BIN / "ripple"), *args], env)


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


def result(
    stage: str, rows: int, ripple_run: tuple[float, float], native_run: tuple[float, float], native: str, target: str
) -> dict:
    seconds, peak = ripple_run
    native_seconds, native_peak = native_run
    return {
        "stage": stage,
        "rows": rows,
        "seconds": round(seconds, 2),
        "rows_per_s": round(rows / seconds),
        "peak_mb": round(peak),
        "baseline": native,
        "baseline_seconds": round(native_seconds, 2),
        "baseline_peak_mb": round(native_peak),
        "ratio": round(seconds / native_seconds, 2),
        "target": target,
    }


def deployment(root: Path, name: str) -> dict:
    data = root / name
    data.mkdir()
    return {
        "RIPPLE_DATA_DIR": str(data),
        "DBT_TARGET": "dev",
        "RIPPLE_DUCKDB_THREADS": THREADS,
        "RIPPLE_DUCKDB_MEMORY": MEMORY,
    }


def csv_stage(root: Path, scale: float) -> dict:
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
    return result("CSV files -> bronze", days * per_day, ours, native, "DuckDB read_csv into a table", "ratio <= 2")


def postgres_stage(root: Path, scale: float) -> dict:
    """A Postgres table -> bronze: `ripple ingest` vs DuckDB's postgres scanner, both reading a
    server of the bench's own (the tests' embedded PostgreSQL: nothing installed on the machine)."""
    sys.path.insert(0, str(ROOT / "tests"))
    from postgres_server import PostgresServer

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
    return result("Postgres table -> bronze", rows, ours, native, "DuckDB postgres scanner into a table", "ratio <= 2")


def daily_stage(root: Path, scale: float) -> dict:
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
    out = result(
        "daily run (ingest + build), 10x vs 1x history",
        0,
        timings["10x"],
        timings["1x"],
        "the same daily run with 1x history",
        "ratio <= 1.3",
    )
    out["rows_per_s"] = None
    return out


def summary_stage(root: Path, scale: float) -> dict:
    """One mixed monthly batch through the summary vs a full rebuild, in the same warehouse."""
    env = deployment(root, "summary")
    data_dir = Path(env["RIPPLE_DATA_DIR"])
    accounts = max(1000, int(200_000 * scale))
    history = f"""
        create schema bronze;
        create table bronze.accounts_all as
        with acct as (
            select a as cons_acct_key, (hash(a) % 30)::int as opened, 1000 + (hash(a * 7) % 50) * 1000 as credit_limit_am
            from range(1, {accounts + 1}) t(a)
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
    batch = """
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
               0::bigint, 'open', timestamptz '2026-02-01 06:00:00', now()
        from (select * from forward union all select * from corrections union all select * from new_accounts)
    """
    python(duck(data_dir, history))
    dbt = [
        str(BIN / "dbt"),
        "--no-use-colors",
        "--quiet",
        "run",
        "--select",
        "+latest_summary",
        "--project-dir",
        str(ROOT / "dbt_project"),
        "--profiles-dir",
        str(ROOT / "profiles"),
    ]
    dbt_env = {
        **env,
        "DBT_TARGET_PATH": str(root / "summary_target"),
        "DBT_LOG_PATH": str(root / "summary_logs"),
    }
    initial = measure(dbt + ["--full-refresh"], dbt_env)
    python(duck(data_dir, batch))
    from ingest.config import load_settings
    from ingest.lake import open_lake

    os.environ["RIPPLE_DATA_DIR"] = str(data_dir)
    with open_lake(load_settings(), read_only=True) as con:
        batch_rows = con.execute(
            "select count(*) from bronze.accounts_all where base_ts = timestamptz '2026-02-01 06:00:00'"
        ).fetchone()[0]
        history_rows = con.execute("select count(*) from bronze.accounts_all").fetchone()[0] - batch_rows
    incremental = measure(dbt, dbt_env)
    rebuild = measure(dbt + ["--full-refresh"], dbt_env)
    out = result(
        f"summary: one mixed batch ({accounts:,} accounts, {history_rows:,} account-months)",
        batch_rows,
        incremental,
        rebuild,
        "full rebuild of the same summary",
        "incremental well below rebuild",
    )
    out["initial_build_seconds"] = round(initial[0], 2)
    return out


def demo_stage(root: Path, scale: float) -> dict:
    env = deployment(root, "demo")
    seconds, peak = measure(["make", "demo"], env)
    return {
        "stage": "make demo end to end (venv ready)",
        "rows": None,
        "seconds": round(seconds, 2),
        "rows_per_s": None,
        "peak_mb": round(peak),
        "baseline": None,
        "ratio": None,
        "target": None,
    }


STAGES = {
    "csv": csv_stage,
    "postgres": postgres_stage,
    "daily": daily_stage,
    "summary": summary_stage,
    "demo": demo_stage,
}


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
            results.append(STAGES[name](root, args.scale))
    finally:
        shutil.rmtree(root, ignore_errors=True)
    header = f"{'stage':<62} {'rows':>11} {'seconds':>8} {'rows/s':>10} {'peak MB':>8} {'baseline s':>10} {'ratio':>6}  target"
    print("\n" + header + "\n" + "-" * len(header))
    for r in results:

        def fmt(v, spec):
            return format(v, spec) if v is not None else "-"

        print(
            f"{r['stage']:<62} {fmt(r['rows'], ',d'):>11} {r['seconds']:>8.2f} {fmt(r['rows_per_s'], ',d'):>10} "
            f"{r['peak_mb']:>8} {fmt(r.get('baseline_seconds'), '.2f'):>10} {fmt(r['ratio'], '.2f'):>6}  {r['target'] or ''}"
        )
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
