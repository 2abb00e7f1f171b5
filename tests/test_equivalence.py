"""Property test: whatever order, lateness and repetition the inputs arrive in, and however the
runs interleave, every silver and gold table of tickets and sales equals a full rebuild on
the same bronze. One seed in `make test`; `make test-soak` runs more (RIPPLE_PROPERTY_SEEDS).

The account summary has its own property test with an oracle (tests/test_summary.py),
seeded the same way.
"""

from __future__ import annotations

import os
import random
import shutil
import time
from pathlib import Path

import pytest
from conftest import day

SEEDS = [1000 + n for n in range(int(os.environ.get("RIPPLE_PROPERTY_SEEDS", "1")))]
SALES_DAYS = ("2024-03-04", "2024-03-05")
SOURCES = ("tickets", "sales_orders", "sales_order_items", "units", "products")


def landed_files(landing: Path) -> list[Path]:
    return sorted(p.relative_to(landing) for p in landing.rglob("*.csv"))


def move(source_root: Path, target_root: Path, relative: Path) -> None:
    (target_root / relative).parent.mkdir(parents=True, exist_ok=True)
    shutil.move(source_root / relative, target_root / relative)


@pytest.mark.parametrize("seed", SEEDS)
def test_any_arrival_order_with_late_and_repeated_files_equals_a_full_rebuild(deployment, seed):
    rng = random.Random(seed)
    landing, held = deployment.data_dir / "landing", deployment.data_dir / "held"
    deployment.generate(day(1), day(10))
    deployment.ripple("generate", "reference", "--seed", str(seed))
    deployment.ripple(
        "generate", "sales", "--start", SALES_DAYS[0], "--end", SALES_DAYS[1], "--units", "3", "--seed", str(seed)
    )
    files = landed_files(landing)
    for relative in files:  # nothing has arrived yet
        move(landing, held, relative)
    rng.shuffle(files)
    cuts = sorted(rng.sample(range(1, len(files)), 3))  # four arrival batches
    batches = [files[a:b] for a, b in zip([0, *cuts], [*cuts, len(files)])]

    for number, batch in enumerate(batches):
        for relative in batch:
            move(held, landing, relative)
        # files that already arrived are dropped again (same content, new modification time)
        for relative in rng.sample([f for f in files if (landing / f).exists()], 2):
            os.utime(landing / relative, (time.time() + number + 1,) * 2)
        if number == 2:
            deployment.ripple("generate", "reference", "--evolve", "--seed", str(seed + number))
        deployment.ripple("ingest", *SOURCES)
        if rng.random() < 0.5:
            deployment.ripple("ingest", *SOURCES)  # run twice: nothing new
        deployment.ripple("build")
        if rng.random() < 0.3:
            deployment.ripple("build")

    assert deployment.query("select count(*) from gold.fact_tickets")[0][0] > 0
    assert deployment.query("select count(*) from gold.fact_order_items")[0][0] > 0
    deployment.assert_full_refresh_changes_nothing()
