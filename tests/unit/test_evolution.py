"""Source type changes against bronze column types (ingest/evolution.py): widen, leave, or refuse."""

from __future__ import annotations

import pytest

from ingest import evolution


@pytest.mark.parametrize(
    ("old", "new", "widened_to"),
    [
        pytest.param("DECIMAL(10,2)", "DECIMAL(12,4)", "DECIMAL(12,4)", id="numeric widened"),
        pytest.param("DECIMAL(10,2)", "DECIMAL(10,4)", "DECIMAL(12,4)", id="more scale, same width"),
        pytest.param("DECIMAL(12,4)", "DECIMAL(10,2)", None, id="numeric narrowed: fits"),
        pytest.param("INTEGER", "BIGINT", "BIGINT", id="integer widened"),
        pytest.param("BIGINT", "INTEGER", None, id="integer narrowed: fits"),
        pytest.param("INTEGER", "DECIMAL(12,2)", "DECIMAL(12,2)", id="integer to numeric"),
        pytest.param("INTEGER", "VARCHAR", "VARCHAR", id="integer to text"),
        pytest.param("VARCHAR", "INTEGER", None, id="text keeps integers"),
        pytest.param(
            "TIMESTAMP", "TIMESTAMP WITH TIME ZONE", "TIMESTAMP WITH TIME ZONE", id="timestamp to timestamptz"
        ),
        pytest.param("TIMESTAMP WITH TIME ZONE", "TIMESTAMP", None, id="naive into zoned: UTC"),
        pytest.param("FLOAT", "DOUBLE", "DOUBLE", id="float widened"),
        pytest.param("INTEGER[]", "VARCHAR[]", None, id="lists: left to the loader"),
    ],
)
def test_a_type_change_widens_bronze_or_needs_nothing(old, new, widened_to):
    change = evolution.widening("c", old, new)
    assert (change.new if change else None) == widened_to


def test_timestamps_become_zoned_as_utc():
    change = evolution.widening("at", "TIMESTAMP", "TIMESTAMP WITH TIME ZONE")
    assert change is not None
    assert change.sql("bronze.t") == (
        'alter table bronze.t alter column "at" set data type TIMESTAMP WITH TIME ZONE using timezone(\'UTC\', "at")'
    )


@pytest.mark.parametrize(
    ("old", "new"),
    [("DECIMAL(10,2)", "DOUBLE"), ("BOOLEAN", "INTEGER"), ("DATE", "INTEGER"), ("HUGEINT", "DECIMAL(38,10)")],
)
def test_a_change_that_would_lose_values_is_refused_naming_it(old, new):
    with pytest.raises(evolution.Incompatible, match=f"^c changed from {old.replace('(', '.').replace(')', '.')} to "):
        evolution.widening("c", old, new)
