"""How the lake holds up under daily operation: N `ripple daily` runs, each on a clock one day
later than the one before (libfaketime, as tests/conftest.py `shifted_clock`), so
`ripple maintain`'s 7-day snapshot retention acts as it would in production.

Prints each run's time, then the data files per table (referenced by the catalog, and on disk)
and the last runs' time as a ratio to the first. Usage:
    .venv/bin/python bench/daily_maintenance.py [--runs 60] [--history-days 30] [--volume 300]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
sys.path.insert(0, str(ROOT / "tests"))


def ripple(env: dict, *args: str) -> float:
    started = time.perf_counter()
    result = subprocess.run([str(BIN / "ripple"), *args], env=env, capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"ripple {' '.join(args)} failed: {result.stderr[-2000:]}")
    return time.perf_counter() - started


def main() -> None:
    from conftest import shifted_clock

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=60)
    parser.add_argument("--history-days", type=int, default=30)
    parser.add_argument("--volume", type=int, default=300, help="tickets a day")
    args = parser.parse_args()
    data = Path(tempfile.mkdtemp(prefix="ripple_daily_")) / "data"
    env = {**os.environ, "RIPPLE_DATA_DIR": str(data), "DBT_TARGET": "ci"}
    end = f"2023-01-{args.history_days:02d}" if args.history_days <= 31 else "2023-01-31"
    ripple(env, "generate", "tickets", "--start", "2023-01-01", "--end", end, "--volume", str(args.volume))
    ripple(env, "generate", "reference")
    ripple(env, "generate", "accounts", "--accounts", "100")
    ripple(env, "ingest")
    ripple(env, "build")
    times = []
    for n in range(1, args.runs + 1):
        times.append(ripple({**env, **shifted_clock(f"+{n}d")}, "daily"))
        print(f"daily run {n}: {times[-1]:.1f} s", flush=True)

    on_disk = Counter(f"{p.parent.parent.name}.{p.parent.name}" for p in (data / "lake").rglob("*.parquet"))
    from ingest.config import load_settings
    from ingest.lake import open_lake

    os.environ["RIPPLE_DATA_DIR"] = str(data)
    con = open_lake(load_settings(), read_only=True)
    tables = con.execute(
        "select table_schema, table_name from information_schema.tables where table_catalog = 'lake' "
        "and table_type = 'BASE TABLE' and table_schema in ('bronze', 'silver', 'gold', 'ops') order by 1, 2"
    ).fetchall()
    print(f"\nafter {args.runs} daily runs: data files per table (referenced by the catalog / on disk)")
    for schema, table in tables:
        referenced = con.execute(
            "select count(*) from ducklake_list_files('lake', ?, schema => ?)", [table, schema]
        ).fetchone()
        print(f"  {schema}.{table:<40} {referenced[0] if referenced else 0:>4} / {on_disk[f'{schema}.{table}']:>4}")
    snapshots = con.execute("select count(*) from ducklake_snapshots('lake')").fetchone()
    print(f"snapshots kept: {snapshots[0] if snapshots else 0}")
    last = sum(times[-5:]) / len(times[-5:])
    print(f"daily run time: first {times[0]:.1f} s, mean of the last 5 {last:.1f} s, ratio {last / times[0]:.2f}")


if __name__ == "__main__":
    main()
