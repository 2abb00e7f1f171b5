"""The parts of `ripple verify` (ingest/commands/verify.py) that need no warehouse: which entities a
sample holds (`sample_condition`), the grain each table is compared on (`tested_grains`), and the
`--sample` argument."""

from __future__ import annotations

import hashlib

import duckdb
import pytest

from ingest.cli import build_parser
from ingest.commands import verify  # not `import tested_grains`: pytest would collect it

KEYS = [*range(3000), *(f"T{n:07d}" for n in range(3000)), "P-17/2024-03-01"]


def sampled(percent: float) -> set:
    """The keys in the sample, as DuckDB picks them."""
    con = duckdb.connect()
    picked: set = set()
    for keys in ([k for k in KEYS if isinstance(k, int)], [k for k in KEYS if isinstance(k, str)]):
        con.execute("create or replace table keys as select unnest(?) as k", [keys])
        picked |= {
            k for (k,) in con.execute(f"select k from keys where {verify.sample_condition('k', percent)}").fetchall()
        }
    return picked


def md5_bucket(key) -> int:
    return int(hashlib.md5(str(key).encode()).hexdigest()[:8], 16) % 10_000


@pytest.mark.parametrize("percent", [0.01, 2.5, 10, 100])
def test_a_sample_is_the_keys_whose_md5_falls_in_its_buckets_whatever_the_key_type(percent):
    # md5 of the key's text: the same entities on every run, every DuckDB version, any database
    assert sampled(percent) == {k for k in KEYS if md5_bucket(k) < percent * 100}


def test_a_larger_sample_keeps_every_entity_of_a_smaller_one():
    five, ten = sampled(5), sampled(10)
    assert five < ten
    assert len(ten) == 583  # of 6,001 keys: about a tenth


def test_the_grain_is_the_fewest_columns_a_test_holds_unique_never_a_filtered_one():
    def check(model: str, name: str, column: str | None = None, columns=None, where: str | None = None) -> dict:
        """A test node of a manifest, as dbt writes it."""
        kwargs = {"combination_of_columns": columns} if columns else {}
        return {
            "attached_node": model,
            "column_name": column,
            "test_metadata": {"name": name, "kwargs": kwargs},
            "config": {"where": where},
        }

    nodes = {
        "model.ripple.product_sales_daily": {"config": {"unique_key": "business_date"}},
        "t1": check("model.ripple.product_sales_daily", "unique_combination_of_columns", columns=["product_id", "day"]),
        "t2": check("model.ripple.dim", "unique_combination_of_columns", columns=["id", "name"]),
        "t3": check("model.ripple.dim", "unique", column="id"),
        "t4": check("model.ripple.other", "unique", column="name", where="is_active"),
        "t5": check("model.ripple.other", "not_null", column="id"),
    }
    assert verify.tested_grains(nodes) == {
        "model.ripple.product_sales_daily": ["product_id", "day"],
        "model.ripple.dim": ["id"],
    }


@pytest.mark.parametrize("text", ["0", "100.5", "ten"])
def test_sample_takes_a_percent_from_0_01_to_100(text, capsys):
    with pytest.raises(SystemExit):
        build_parser().parse_args(["verify", "--sample", text])
    assert f"argument --sample: '{text}' is not a percent from 0.01 to 100" in capsys.readouterr().err
    assert build_parser().parse_args(["verify", "--sample", "0.5", "fact_tickets"]).sample == 0.5
