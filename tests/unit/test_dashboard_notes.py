"""Each dashboard page says in plain words when there is nothing to show instead of failing, and
reads while a run holds a write open (Streamlit's AppTest runs the page without a browser)."""

import subprocess
import sys

import pytest
from streamlit.testing.v1 import AppTest

from ingest.config import load_settings
from ingest.warehouse import connect

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
    for variable in ("RIPPLE_LAKE_CATALOG", "RIPPLE_LAKE_DATA_PATH"):
        monkeypatch.delenv(variable, raising=False)
    return tmp_path


@pytest.mark.parametrize("view", VIEWS)
def test_a_page_over_no_warehouse_says_how_to_fill_it(data_dir, view):
    page = run_page(view)
    assert not page.exception
    assert [note.value for note in page.info] == [
        f"Nothing to show yet: there is no warehouse at {data_dir / 'lake.sqlite'} yet. Run `make demo` "
        f"(or `ripple ingest` and `ripple build`) to fill the warehouse at DuckLake {data_dir / 'lake.sqlite'} "
        f"(data in {data_dir / 'lake'}/)."
    ]


def test_a_source_not_built_yet_is_named(data_dir):
    with connect(load_settings()) as con:
        con.execute("create schema gold")
    page = run_page("sales")
    assert not page.exception
    assert page.info[0].value.startswith("Nothing to show yet: the warehouse has no table sales_daily yet.")


def test_a_source_whose_tables_are_empty_says_so(data_dir):
    with connect(load_settings()) as con:
        con.execute("create schema gold; create table gold.daily_ops_metrics (business_date date)")
    page = run_page("ops_tickets")
    assert not page.exception
    assert [note.value for note in page.info] == [
        "No tickets yet. It appears here once `ripple ingest` and `ripple build` have loaded some."
    ]


def test_a_page_reads_while_a_run_holds_a_write_open(data_dir):
    with connect(load_settings()) as con:
        con.execute("create schema gold; create table gold.daily_ops_metrics (business_date date)")
    writer = (
        "import time; from ingest.config import load_settings; from ingest.lake import open_lake; "
        "c = open_lake(load_settings()); "
        "c.execute(\"begin; insert into gold.daily_ops_metrics values (date '2023-01-01')\"); "
        "print(1, flush=True); time.sleep(60)"
    )
    holder = subprocess.Popen([sys.executable, "-c", writer], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "1"
        page = run_page("ops_tickets")
    finally:
        holder.kill()
        holder.wait()
    assert not page.exception and not page.warning
    assert [note.value for note in page.info] == [  # the last committed snapshot: the uncommitted row is not seen
        "No tickets yet. It appears here once `ripple ingest` and `ripple build` have loaded some."
    ]
