"""Identifiers, globs and values from configuration, the command line or a file's header
cannot inject SQL or reach outside the landing zone: each is refused with a one-line error
naming it, or carried as plain data; the warehouse is left as it was."""

from __future__ import annotations

import subprocess

import pytest
from conftest import day, declare_sources
from conftest import run_ripple as ripple

DROP = "x; drop table bronze.tickets; --"

VALID_FILE_SOURCE = {
    "kind": '"csv"',
    "location": '"extra/*.csv"',
    "table": '"extra"',
    "primary_key": '["id"]',
    "columns": '[{ name = "id", type = "VARCHAR" }]',
}
VALID_TABLE_SOURCE = {
    "kind": '"table"',
    "source_table": '"public.orders"',
    "cursor": '"updated_at"',
    "primary_key": '["id"]',
    "connection": '"RIPPLE_SOURCE_URL"',
}

# Every hostile setting is refused by the declaration schema (tests/unit/test_sources.py);
# end to end, one shows that each command refuses it in one line and changes nothing.
HOSTILE_SETTING = ("primary_key", f'["id", "{DROP}"]', "primary_key[2]")


@pytest.fixture
def loaded(deployment):
    deployment.generate(day(1), day(2))
    deployment.ripple("ingest", "tickets")
    return deployment.snapshot(schemas=("bronze", "ops"))


def refused_in_one_line(result: subprocess.CompletedProcess, *words: str) -> None:
    assert result.returncode != 0, result.stdout
    lines = result.stderr.strip().splitlines()
    assert lines and lines[-1].startswith("ripple"), lines  # ours "ripple: ...", argparse's "ripple ingest: error: ..."
    assert "Traceback" not in result.stderr
    assert all(word in result.stderr for word in words), (words, result.stderr)


def test_a_hostile_setting_in_sources_toml_is_refused_by_every_command_and_nothing_changes(
    loaded, deployment, monkeypatch, tmp_path
):
    setting, value, named = HOSTILE_SETTING
    spec = {**VALID_FILE_SOURCE, setting: value}
    declare_sources(monkeypatch, tmp_path, "[hostile]\n" + "\n".join(f"{k} = {v}" for k, v in spec.items()))
    for command in (["ingest", "hostile"], ["ingest"], ["status"]):
        refused_in_one_line(ripple(*command), "source 'hostile'", named)
    assert deployment.snapshot(schemas=("bronze", "ops")) == loaded


def test_hostile_command_line_values_are_refused_and_nothing_changes(loaded, deployment, monkeypatch, tmp_path):
    declare_sources(
        monkeypatch, tmp_path, "[orders]\n" + "\n".join(f"{k} = {v}" for k, v in VALID_TABLE_SOURCE.items())
    )
    refused_in_one_line(ripple("ingest", "tickets", "--files", "../../*"), "--files", "landing zone")
    refused_in_one_line(ripple("ingest", "tickets", "--date", f"{day(1)}'; {DROP}"), "--date")
    refused_in_one_line(ripple("reset", "tickets", "--date", f"{day(1)}' or 1=1; --"), "--date")
    refused_in_one_line(ripple("watermark", "set", "orders", f"2024-01-01'; {DROP}"), "not a valid timestamp")
    refused_in_one_line(ripple("ingest", DROP), "unknown source")
    assert deployment.snapshot(schemas=("bronze", "ops")) == loaded


def test_a_hostile_csv_header_is_data_not_sql(loaded, deployment):
    hostile = deployment.ticket_file(day(3))
    good = deployment.ticket_file(day(2)).read_text().splitlines()
    header = good[0] + ',"note""); drop table bronze.tickets; --"'
    hostile.write_text("\n".join([header] + [line + ",x" for line in good[1:]]) + "\n")
    deployment.ripple("ingest", "tickets")
    assert deployment.query("select count(*) from bronze.tickets where _source_file like ?", [f"%{day(3)}%"]) == [
        (len(good) - 1,)
    ]
    columns = [
        c
        for (c,) in deployment.query(
            "select column_name from information_schema.columns where table_name = 'tickets' and column_name like 'note%'"
        )
    ]
    assert len(columns) == 1 and "drop" in columns[0]  # a strange column name, loaded as text and reported as drift
    assert deployment.query("select count(*) from bronze.tickets") == [(len(loaded["bronze.tickets"]) + len(good) - 1,)]
