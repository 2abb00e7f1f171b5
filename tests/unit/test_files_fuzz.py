"""A property-based fuzzer over landed files (issue: files as other tools write them). Random CSV
and JSON files - header case and spacing, column order, byte-order marks, CRLF/LF/CR, quoting and
fields spanning lines, gzip/zstd, JSON arrays, lines or pretty documents - holding random values
of every declared type, edge values and garbage, in batches with unreadable files. For every
file: each good value arrives exactly, each bad row is quarantined naming exactly its bad
columns, rows read = loaded + quarantined, no exception, and a file's rows are the same in a
batch as alone. RIPPLE_FUZZ_EXAMPLES sets the examples (60 in make test, thousands in soak)."""

from __future__ import annotations

import math
import os

import pyarrow.compute as pc
from fuzz_files import CSV_SOURCE, EXAMPLES, JSON_SOURCE, csv_files, garbage_files, json_files
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from landed_files import typed_rows

SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    derandomize="RIPPLE_FUZZ_EXAMPLES" not in os.environ,  # make test: the same examples every run
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def same(actual, expected) -> bool:
    if isinstance(expected, float) and math.isnan(expected):
        return isinstance(actual, float) and math.isnan(actual)
    return actual == expected and type(actual) is type(expected) or (actual == expected and actual is not None)


def canonical(rows) -> list[dict]:
    """Rows comparable with ==: NaN equals NaN here."""
    return [
        {k: "NaN" if isinstance(v, float) and math.isnan(v) else v for k, v in row.items()}
        for row in rows.drop_columns(["_raw_record"]).to_pylist()
    ]


def of_file(rows, name: str):
    return rows.filter(pc.equal(rows["_source_file"], f"fuzz/{name}")).sort_by("_source_line")


def check_file(rows, fuzz) -> None:
    mine = of_file(rows, fuzz.name).to_pylist()
    if fuzz.garbage:
        assert len(mine) == 1 and mine[0]["_source_line"] == 0 and mine[0]["_reject_reason"], mine
        return
    assert len(mine) == len(fuzz.rows), (fuzz.name, mine)  # rows read = loaded + quarantined, none lost or made up
    for got, cells in zip(mine, fuzz.rows):
        bad = {name: cell for name, cell in cells.items() if not cell.good}
        if not bad:
            assert got["_reject_reason"] is None, (got, cells)
            for name, cell in cells.items():
                assert same(got[name], cell.expected), (name, cell, got[name])
        else:
            reasons = got["_reject_reason"]
            assert reasons is not None, (got, cells)
            named = {reason.split(":", 1)[0] for reason in reasons.split("; ")}
            assert named == set(bad), (reasons, bad)
            for name, cell in bad.items():
                assert f"{name}: '{cell.text}' {cell.expected}" in reasons, (reasons, cell)


def check_batch(source, files) -> None:
    batch = {f"fuzz/{f.name}": f.content for f in files}
    rows = typed_rows(source, batch)
    for fuzz in files:
        check_file(rows, fuzz)
        alone = typed_rows(source, {f"fuzz/{fuzz.name}": fuzz.content})
        mine = of_file(rows, fuzz.name)
        assert canonical(mine) == canonical(alone)


def named(strategy, stem):
    return st.lists(st.integers(0, 99), min_size=1, max_size=3, unique=True).flatmap(
        lambda ns: st.tuples(*[strategy(f"{stem}{n}") for n in ns])
    )


@SETTINGS
@given(files=named(lambda name: csv_files(name + ".csv"), "f"), junk=st.lists(garbage_files, max_size=1))
def test_every_csv_value_loads_exactly_or_its_row_is_quarantined_with_the_reason(files, junk):
    check_batch(CSV_SOURCE, [*files, *(j.__class__(f"{j.name}.csv", j.content, [], True) for j in junk)])


@SETTINGS
@given(files=named(lambda name: json_files(name + ".json"), "f"), junk=st.lists(garbage_files, max_size=1))
def test_every_json_value_loads_exactly_or_its_row_is_quarantined_with_the_reason(files, junk):
    check_batch(JSON_SOURCE, [*files, *(j.__class__(f"{j.name}.json", j.content, [], True) for j in junk)])
