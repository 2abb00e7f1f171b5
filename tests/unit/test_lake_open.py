"""Opening the lake (ingest/lake.py): a writer opens a catalog that holds its data path directly,
and one holding another data path is refused, never written to another folder."""

from __future__ import annotations

import pytest

from ingest.config import load_settings
from ingest.errors import RippleError
from ingest.lake import open_lake


def test_a_catalog_holding_another_data_path_is_refused_naming_both(tmp_path, monkeypatch):
    monkeypatch.setenv("RIPPLE_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("RIPPLE_LAKE_CATALOG", raising=False)
    monkeypatch.delenv("RIPPLE_LAKE_DATA_PATH", raising=False)
    con = open_lake(load_settings())  # creates the catalog
    con.execute("create table t as select 1 as x")
    con.close()
    again = open_lake(load_settings())  # opened directly: the catalog holds this data path
    assert again.execute("select x from t").fetchall() == [(1,)]
    again.close()
    monkeypatch.setenv("RIPPLE_LAKE_DATA_PATH", str(tmp_path / "elsewhere"))
    with pytest.raises(
        RippleError, match=rf"DATA_PATH parameter \"{tmp_path}/elsewhere/\" does not match .*{tmp_path}/lake/"
    ):
        open_lake(load_settings())
