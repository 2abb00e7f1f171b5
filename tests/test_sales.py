"""Restaurant sales: windowed and bulk order files, reference tables in the operational
database (a real PostgreSQL server and the SQLite default), sales marts."""

from __future__ import annotations

import shutil
import subprocess
from datetime import date
from decimal import Decimal

import pytest
from conftest import RIPPLE

from generator import reference, sales

D1, D2 = "2024-03-04", "2024-03-05"
SALES = ("sales_orders", "sales_order_items", "units", "products")


@pytest.fixture(params=["sqlite", "postgres"])
def operational_db(request, monkeypatch, deployment):
    """The operational database: the SQLite default, or a fresh schema on the PostgreSQL server."""
    if request.param == "postgres":
        schema = request.getfixturevalue("pg_schema")
        monkeypatch.setenv("RIPPLE_SOURCE_URL", request.getfixturevalue("postgres").schema_url(schema))
    else:
        monkeypatch.delenv("RIPPLE_SOURCE_URL", raising=False)
    return request.param


def expected_day(day: str, units: int = 50) -> tuple[int, Decimal]:
    """Orders and revenue of a whole day, straight from the generator: the oracle."""
    from ingest.config import load_settings
    from ingest.database import source_url_for

    unit_ids, products = reference.read_catalog(source_url_for(load_settings()))
    orders = [
        o
        for u in unit_ids[:units]
        for h, _ in sales.WINDOWS
        for o in sales.window_orders(date.fromisoformat(day), u, h, 42, products)
    ]
    revenue = sum(Decimal(o.row[7]) for o in orders if o.row[4] == "concluido")
    return len(orders), revenue


def test_reference_tables_load_incrementally_and_evolve(operational_db, deployment, capsys):
    deployment.ripple("generate", "reference")
    deployment.ripple("ingest", "units")
    deployment.ripple("ingest", "products")
    assert deployment.query("select count(*) from bronze.units") == [(50,)]
    assert deployment.query("select count(*) from bronze.products") == [(21,)]
    capsys.readouterr()
    deployment.ripple("generate", "reference", "--evolve")
    changes = [line for line in capsys.readouterr().out.splitlines() if ": price " in line]
    assert len(changes) == 3
    deployment.ripple("ingest", "units")
    deployment.ripple("ingest", "products")
    assert deployment.query("select count(*), count(distinct unit_id) from bronze.units") == [(51, 51)]
    assert deployment.query("select count(*), count(distinct product_id) from bronze.products") == [(21, 21)]
    changed_id = int(changes[0].split()[2])
    new_price = Decimal(changes[0].rsplit("-> ", 1)[1])
    assert deployment.query("select price::decimal(10,2) from bronze.products where product_id = ?", [changed_id]) == [
        (new_price,)
    ]


def test_bulk_and_windowed_generation_for_the_same_date_make_no_duplicates(operational_db, deployment):
    deployment.ripple("generate", "reference")
    deployment.ripple("generate", "sales", "--date", D1)
    # a 4-hour window export overlapping the bulk files of 12:00 and 14:00
    deployment.ripple("generate", "sales", "--date", D1, "--window-start", "12:00", "--window-end", "16:00")
    deployment.ripple("ingest", *SALES)
    deployment.ripple("build")
    orders, revenue = expected_day(D1)
    assert deployment.query("select count(*) - count(distinct id_pedido) from bronze.sales_orders") != [(0,)]
    assert deployment.query("select count(*), count(distinct order_id) from gold.fact_orders") == [(orders, orders)]
    assert deployment.query("select sum(orders), sum(revenue) from gold.sales_daily") == [(orders, revenue)]
    assert 750 <= orders <= 1200
    assert deployment.query("select sum(revenue) from gold.product_sales_daily") == [
        (revenue - deployment.query("select sum(delivery_fee) from gold.fact_orders where not is_cancelled")[0][0],)
    ]


def test_a_late_window_updates_that_unit_day_only_and_gold_equals_a_full_refresh(deployment):
    deployment.ripple("generate", "reference")
    deployment.ripple("generate", "sales", "--start", D1, "--end", D2, "--units", "5")
    late = deployment.landing.parent / "csv_sales" / "2024" / "03" / "04" / "unit_003" / "window_1800"
    held = deployment.data_dir / "held_window"
    shutil.move(late, held)
    deployment.ripple("ingest", *SALES)
    deployment.ripple("build")
    before = {
        t: deployment.query(f"select * from gold.{t} order by all")
        for t in ("sales_daily", "product_sales_daily", "fact_orders")
    }

    shutil.move(held, late)
    deployment.ripple("ingest", *SALES)
    deployment.ripple("build")
    after = {
        t: deployment.query(f"select * from gold.{t} order by all")
        for t in ("sales_daily", "product_sales_daily", "fact_orders")
    }
    changed = set(after["sales_daily"]) ^ set(before["sales_daily"])
    assert {(row[0], str(row[1])) for row in changed} == {(3, D1)}  # that unit-day, nothing else
    assert {str(row[1]) for row in set(after["product_sales_daily"]) ^ set(before["product_sales_daily"])} == {D1}
    new_orders = {row[0] for row in after["fact_orders"]} - {row[0] for row in before["fact_orders"]}
    assert new_orders and all(o.startswith("20240304-003-1800-") for o in new_orders)

    deployment.assert_full_refresh_changes_nothing()


def test_a_price_change_after_an_order_does_not_change_its_revenue(deployment, capsys):
    deployment.ripple("generate", "reference")
    deployment.ripple("generate", "sales", "--date", D1, "--units", "10")
    deployment.ripple("ingest", *SALES)
    deployment.ripple("build")
    revenue_d1 = deployment.query("select sum(revenue) from gold.sales_daily where business_date = ?", [D1])
    items_d1 = deployment.query("select * exclude (_loaded_at) from gold.fact_order_items order by all")

    capsys.readouterr()
    deployment.ripple("generate", "reference", "--evolve")
    change = next(line for line in capsys.readouterr().out.splitlines() if ": price " in line)
    product_id, new_price = int(change.split()[2]), Decimal(change.rsplit("-> ", 1)[1])
    deployment.ripple("generate", "sales", "--date", D2, "--units", "10")
    deployment.ripple("ingest", *SALES)
    deployment.ripple("build")
    assert deployment.query("select sum(revenue) from gold.sales_daily where business_date = ?", [D1]) == revenue_d1
    assert (
        deployment.query(
            "select * exclude (_loaded_at) from gold.fact_order_items where business_date = ? order by all", [D1]
        )
        == items_d1
    )
    assert deployment.query("select current_price from gold.dim_products where product_id = ?", [product_id]) == [
        (new_price,)
    ]
    prices_d2 = deployment.query(
        "select distinct unit_price from gold.fact_order_items where business_date = ? and product_id = ?",
        [D2, product_id],
    )
    assert prices_d2 in ([(new_price,)], [])  # orders after the change pay the new price


def test_generator_skips_windows_outside_business_hours_and_uploads_to_any_fsspec_url(deployment, tmp_path):
    deployment.ripple("generate", "reference")
    skipped = subprocess.run(
        [RIPPLE, "generate", "sales", "--date", D1, "--window-start", "22:00", "--window-end", "23:30"],
        capture_output=True,
        text=True,
    )
    assert skipped.returncode == 0 and "outside business hours" in skipped.stdout and "skipped" in skipped.stdout
    assert not (deployment.data_dir / "landing" / "csv_sales").exists()

    target = tmp_path / "bucket"
    deployment.ripple(
        "generate",
        "sales",
        "--date",
        D1,
        "--units",
        "2",
        "--window-start",
        "10:00",
        "--window-end",
        "12:00",
        "--upload",
        f"file://{target}",
    )
    uploaded = sorted(p.relative_to(target).as_posix() for p in target.rglob("*.csv"))
    assert uploaded == [
        f"csv_sales/2024/03/04/unit_00{u}/window_1000/{f}.csv" for u in (1, 2) for f in ("item_pedido", "pedido")
    ]

    blocker = tmp_path / "not_a_dir"
    blocker.write_text("a file where a folder should be")
    failed = subprocess.run(
        [
            RIPPLE,
            "generate",
            "sales",
            "--date",
            D1,
            "--units",
            "1",
            "--window-start",
            "10:00",
            "--window-end",
            "12:00",
            "--upload",
            f"file://{blocker}",
        ],
        capture_output=True,
        text=True,
    )
    assert failed.returncode == 1
    assert "upload of csv_sales/2024/03/04/unit_001/window_1000/" in failed.stderr and "failed" in failed.stderr
    assert "Traceback" not in failed.stderr
