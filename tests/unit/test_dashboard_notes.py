"""Each dashboard page says in plain words when there is nothing to show, or when a run holds the
warehouse, instead of failing (Streamlit's AppTest runs the page without a browser)."""

import subprocess
import sys

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

VIEWS = ["ops_tickets", "sales", "accounts", "pipeline_health"]


def run_page(view: str) -> AppTest:
    app = AppTest.from_string(
        f"from dashboard.layout import guarded\nfrom dashboard.views import {view}\nguarded({view}.render)()",
        default_timeout=30,
    )
    return app.run()


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("RIPPLE_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("RIPPLE_WAREHOUSE", raising=False)
    return tmp_path


@pytest.mark.parametrize("view", VIEWS)
def test_a_page_over_no_warehouse_says_how_to_fill_it(data_dir, view):
    page = run_page(view)
    assert not page.exception
    assert [note.value for note in page.info] == [
        f"Nothing to show yet: there is no warehouse at {data_dir / 'warehouse.duckdb'} yet. Run `make demo` "
        f"(or `ripple ingest` and `ripple build`) to fill the warehouse at {data_dir / 'warehouse.duckdb'}."
    ]


def test_a_source_not_built_yet_is_named(data_dir):
    duckdb.connect(str(data_dir / "warehouse.duckdb")).execute("create schema gold").close()
    page = run_page("sales")
    assert not page.exception
    assert page.info[0].value.startswith("Nothing to show yet: the warehouse has no table sales_daily yet.")


def test_a_source_whose_tables_are_empty_says_so(data_dir):
    with duckdb.connect(str(data_dir / "warehouse.duckdb")) as con:
        con.execute("create schema gold; create table gold.daily_ops_metrics (business_date date)")
    page = run_page("ops_tickets")
    assert not page.exception
    assert [note.value for note in page.info] == [
        "No tickets yet. It appears here once `ripple ingest` and `ripple build` have loaded some."
    ]


def test_a_page_says_so_while_a_run_holds_the_warehouse(data_dir):
    warehouse = data_dir / "warehouse.duckdb"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            f"import duckdb, sys, time; c = duckdb.connect({str(warehouse)!r}); print(1, flush=True); time.sleep(60)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "1"
        page = run_page("ops_tickets")
    finally:
        holder.kill()
        holder.wait()
    assert not page.exception
    assert [note.value for note in page.warning] == [
        "A run is writing the warehouse right now. Refresh the page in a moment."
    ]
