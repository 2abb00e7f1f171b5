"""Rows deleted in a source database (README: Crashes, reruns, bad input): found by the delete
check (`detect_deletes_every`, `ripple ingest SOURCE --detect-deletes`), marked in bronze, gone
from silver and gold as if never loaded, back when they come back; without the check, nothing
changes. Against SQLite (the accounts) and a real PostgreSQL server (the cadence)."""

from __future__ import annotations

import sqlite3

import pytest
from conftest import add_versions, declare_sources, run_ripple

ACCOUNT_MODELS = ("+latest_summary",)
GOLD = ("gold",)


def account_rows(source_db, where: str, params: list) -> list[tuple]:
    with sqlite3.connect(source_db) as con:
        return con.execute(f"select * from accounts_all where {where}", params).fetchall()


def delete_rows(source_db, where: str, params: list) -> None:
    with sqlite3.connect(source_db) as con:
        con.execute(f"delete from accounts_all where {where}", params)


def history(deployment, key: int, month: str) -> list:
    (found,) = deployment.query(
        "select balance_am_history from gold.summary where cons_acct_key = ? and rpt_as_of_mo = ?", [key, month]
    )
    return [None if v is None else float(v) for v in found[0]]


def test_deleted_account_versions_leave_gold_as_a_fresh_load_without_them_and_come_back(
    deployment, monkeypatch, tmp_path, capsys
):
    source_db = deployment.data_dir / "source.db"
    assert (
        run_ripple("generate", "accounts", "--accounts", "4", "--start", "2023-01", "--end", "2025-12").returncode == 0
    )
    add_versions(source_db, 2, "2024-06", {"2026-01-15 00:00:00": 123.0})  # a correction: the newer version wins
    deployment.ripple("ingest", "accounts_all")
    deployment.ripple("build", "--select", *ACCOUNT_MODELS)
    before = deployment.snapshot(schemas=GOLD, drop_columns=("_loaded_at",))
    assert history(deployment, 2, "2024-06")[0] == 123.0

    # account 2's correction, account 1's 2024-03 (a month in the middle), account 3's latest month
    (latest_of_3,) = account_rows(source_db, "cons_acct_key = 3 order by rpt_as_of_mo desc limit 1", [])
    gone = {
        "cons_acct_key = 2 and base_ts = '2026-01-15 00:00:00'": [],
        "cons_acct_key = 1 and rpt_as_of_mo = '2024-03'": [],
        "cons_acct_key = 3 and rpt_as_of_mo = ?": [latest_of_3[1]],
    }
    removed = [row for where, params in gone.items() for row in account_rows(source_db, where, params)]
    for where, params in gone.items():
        delete_rows(source_db, where, params)
    capsys.readouterr()
    deployment.ripple("ingest", "accounts_all", "--detect-deletes")
    assert f"accounts_all: loaded 0 rows, {len(removed)} marked deleted, watermark " in capsys.readouterr().out
    assert deployment.query(
        "select rows_deleted from ops.ingestion_metadata where source_name = 'accounts_all' order by load_seq"
    ) == [(None,), (len(removed),)]
    deployment.ripple("build", "--select", *ACCOUNT_MODELS)
    assert history(deployment, 2, "2024-06")[0] != 123.0  # the older version wins again
    assert history(deployment, 1, "2024-04")[1] is None  # the deleted month is a gap in the months after it
    assert deployment.query(
        "select count(*) from gold.summary where cons_acct_key = 1 and rpt_as_of_mo = '2024-03'"
    ) == [(0,)]
    [(latest_left,)] = deployment.query("select rpt_as_of_mo from gold.latest_summary where cons_acct_key = 3")
    assert latest_left < latest_of_3[1]  # back to the latest month left
    incremental = deployment.snapshot(schemas=GOLD, drop_columns=("_loaded_at",))
    deployment.assert_full_refresh_changes_nothing(schemas=GOLD, select=ACCOUNT_MODELS)

    # a fresh deployment loading the source as it is now builds the same gold
    monkeypatch.setenv("RIPPLE_SOURCE_URL", f"sqlite:///{source_db}")
    monkeypatch.setenv("RIPPLE_DATA_DIR", str(tmp_path / "fresh"))
    deployment.ripple("ingest", "accounts_all")
    deployment.ripple("build", "--select", *ACCOUNT_MODELS)
    assert deployment.snapshot(schemas=GOLD, drop_columns=("_loaded_at",)) == incremental
    monkeypatch.setenv("RIPPLE_DATA_DIR", str(deployment.data_dir))

    # the rows come back as they were: the one at the watermark is read again and loaded (bronze
    # has it deleted), the check unmarks the others, and gold is as before the deletes
    with sqlite3.connect(source_db) as con:
        con.executemany(f"insert into accounts_all values ({', '.join('?' * len(removed[0]))})", removed)
    deployment.ripple("ingest", "accounts_all", "--detect-deletes")
    shown = capsys.readouterr().out
    assert f"0 rows gone from it marked deleted, {len(removed) - 1} back in it unmarked\n" in shown
    assert "accounts_all: loaded 1 rows, 0 marked deleted, watermark 2026-01-15 00:00:00\n" in shown
    deployment.ripple("build", "--select", *ACCOUNT_MODELS)
    assert deployment.snapshot(schemas=GOLD, drop_columns=("_loaded_at",)) == before


@pytest.fixture
def items(postgres, pg_schema, deployment, monkeypatch, tmp_path):
    """One PostgreSQL table read by two sources: one checks for deletes every third run, one never."""
    postgres.execute(f"create table {pg_schema}.items (item_id int primary key, name text, updated_at timestamptz)")
    monkeypatch.setenv("RIPPLE_SOURCE_URL", postgres.url)
    declare_sources(
        monkeypatch,
        tmp_path,
        "".join(
            f'[{name}]\nkind = "table"\nsource_table = "{pg_schema}.items"\ncursor = "updated_at"\n'
            f'primary_key = ["item_id"]\n{setting}\n'
            for name, setting in (("items", "detect_deletes_every = 3"), ("items_unchecked", ""))
        ),
    )
    return pg_schema


def test_deletes_are_looked_for_every_nth_run_or_on_demand_and_a_row_back_loads_again(postgres, items, deployment):
    def ingest(*flags: str) -> None:
        deployment.ripple("ingest", "items", "items_unchecked", *flags)

    def deleted(table: str) -> list[tuple]:
        return deployment.query(f"select item_id from bronze.{table} where _deleted_at is not null order by 1")

    postgres.execute(
        f"insert into {items}.items select g, 'item ' || g, '2024-01-01 00:00+00' from generate_series(1, 4) g"
    )
    ingest()  # run 1
    postgres.execute(f"delete from {items}.items where item_id = 2")
    ingest()  # run 2: not yet
    assert deleted("items") == []
    ingest()  # run 3: checked
    assert deleted("items") == [(2,)]
    postgres.execute(f"delete from {items}.items where item_id = 3")
    ingest()  # run 4: not checked
    assert deleted("items") == [(2,)]
    assert deleted("items_unchecked") == []  # without the setting: both rows stay, as if still in the source
    ingest("--detect-deletes")  # on demand, both sources
    assert deleted("items") == [(2,), (3,)] == deleted("items_unchecked")
    assert deployment.query(
        "select source_name, list(rows_deleted order by load_seq) from ops.ingestion_metadata group by 1 order by 1"
    ) == [("items", [None, None, 1, None, 1]), ("items_unchecked", [None, None, None, None, 2])]

    # item 2 inserted again as it was, at the watermark: read again, and loaded since bronze has it deleted
    postgres.execute(f"insert into {items}.items values (2, 'item 2', '2024-01-01 00:00+00')")
    ingest()
    assert deleted("items") == [(3,)]
    assert deployment.query("select item_id, name from bronze.items where item_id = 2") == [(2, "item 2")]


def test_a_source_without_a_cursor_refuses_delete_detection(deployment, monkeypatch, tmp_path):
    refused = run_ripple("ingest", "tickets", "--detect-deletes")
    assert refused.returncode == 1 and "--detect-deletes needs incremental database sources" in refused.stderr
    declare_sources(
        monkeypatch,
        tmp_path,
        '[listing]\nkind = "query"\nquery = "select 1 as id"\nprimary_key = ["id"]\ndetect_deletes_every = 2\n',
    )
    refused = run_ripple("ingest", "listing")
    assert refused.returncode == 1
    assert refused.stderr == (
        "ripple: source 'listing': detect_deletes_every: a source without a cursor is replaced whole on every run, "
        "deletes included\n"
    )


def test_a_product_deleted_in_the_source_stays_in_dim_products_flagged(deployment):
    deployment.ripple("generate", "reference")
    deployment.ripple("ingest", "products")
    with sqlite3.connect(deployment.data_dir / "source.db") as con:
        con.execute("delete from products where product_id = 3")
    deployment.ripple("ingest", "products", "--detect-deletes")
    deployment.ripple("build", "--select", "+dim_products")
    # kept, so that past sales still name it; the others are not deleted
    assert deployment.query("select product_id from gold.dim_products where is_deleted") == [(3,)]
    assert deployment.query("select count(*) from gold.dim_products where not is_deleted") == [(20,)]
