"""Landing zone -> bronze: each file once, counts reconcile, bad rows quarantined, reruns change nothing."""

from __future__ import annotations

import gzip
import json
import os

import pytest
from conftest import day, declare_sources


def file_rows(path) -> int:
    with path.open(encoding="utf-8") as f:
        return sum(1 for _ in f) - 1  # minus the header


def bronze_rows_by_file(deployment) -> dict[str, int]:
    return dict(deployment.query("select _source_file, count(*) from bronze.tickets group by 1"))


def test_rows_in_each_file_equal_rows_in_bronze_for_that_file(deployment):
    deployment.generate(day(1), day(5))
    deployment.ripple("ingest", "tickets")
    by_file = bronze_rows_by_file(deployment)
    assert len(by_file) == 5
    for n in range(1, 6):
        path = deployment.ticket_file(day(n))
        assert by_file[f"tickets/{path.name}"] == file_rows(path) > 0
    assert deployment.query("select count(*) from bronze.tickets where _reject_reason is not null") == [(0,)]


def test_second_ingest_loads_nothing_and_new_files_are_picked_up_in_date_order(deployment, capsys):
    deployment.generate(day(1), day(3))
    deployment.ripple("ingest", "tickets")
    before = deployment.query("select * from bronze.tickets order by all")
    capsys.readouterr()
    deployment.ripple("ingest", "tickets")
    assert "nothing new" in capsys.readouterr().out
    assert deployment.query("select * from bronze.tickets order by all") == before

    deployment.generate(day(4), day(6))  # three days of downtime, then catch up
    deployment.hold_back(day(5))
    deployment.release(day(5))
    deployment.ripple("ingest", "tickets")
    out = capsys.readouterr().out
    positions = [out.index(f"tickets_{day(n)}.csv") for n in (4, 5, 6)]
    assert positions == sorted(positions)
    assert "tickets_" + day(1) not in out
    assert len(bronze_rows_by_file(deployment)) == 6


def test_ingest_of_a_date_reprocesses_it_idempotently(deployment):
    deployment.generate(day(1), day(4))
    deployment.ripple("ingest", "tickets")
    content = "select * exclude (_loaded_at) from bronze.tickets order by all"
    before = deployment.query(content)
    deployment.ripple("ingest", "tickets", "--date", day(2))
    deployment.ripple("ingest", "tickets", "--date", day(2))
    assert deployment.query(content) == before
    loads = dict(
        deployment.query("select _business_date::varchar, count(distinct _loaded_at) from bronze.tickets group by 1")
    )
    assert loads == {day(1): 1, day(2): 1, day(3): 1, day(4): 1}
    newest = deployment.query("select _business_date::varchar from bronze.tickets order by _loaded_at desc limit 1")
    assert newest == [(day(2),)]


def test_a_changed_file_replaces_its_rows(deployment):
    deployment.generate(day(1), day(2))
    deployment.ripple("ingest", "tickets")
    path = deployment.ticket_file(day(2))
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text("".join(lines[:11]), encoding="utf-8")  # header + 10 rows
    os.utime(path, (1_800_000_000, 1_800_000_000))
    deployment.ripple("ingest", "tickets")
    assert bronze_rows_by_file(deployment)[f"tickets/{path.name}"] == 10


def test_bad_rows_are_quarantined_with_reason_and_good_rows_load(deployment):
    deployment.generate(day(1))
    path = deployment.ticket_file(day(1))
    lines = path.read_text(encoding="utf-8").splitlines()
    good = lines[1].split(",")
    bad_time = good.copy()
    bad_time[2] = "2023-01-01 25:99:00"
    no_key = good.copy()
    no_key[0] = ""
    lines[2] = ",".join(bad_time)  # line 3
    lines[3] = ",".join(no_key)  # line 4
    lines[4] = "TK-broken,2023-01-01"  # line 5: two fields instead of 13
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")

    deployment.ripple("ingest", "tickets")
    quarantined = deployment.query(
        "select _source_line, _reject_reason, _raw_record from bronze.tickets "
        "where _reject_reason is not null order by 1"
    )
    assert [q[0] for q in quarantined] == [3, 4, 5]
    assert "updated_at: '2023-01-01 25:99:00' is not a valid timestamp" in quarantined[0][1]
    assert "25:99:00" in quarantined[0][2]
    assert quarantined[1][1] == "ticket_id: missing required value"
    assert quarantined[2][1] == "line 5: expected 13 fields, found 2"
    assert quarantined[2][2] == "TK-broken,2023-01-01"
    read = len(lines) - 1
    loaded = deployment.query("select count(*) from bronze.tickets where _reject_reason is null")[0][0]
    assert (read, loaded) == (read, read - 3)
    # good rows keep their own line numbers around the bad ones
    assert deployment.query(
        "select min(_source_line), max(_source_line) from bronze.tickets where _reject_reason is null"
    ) == [(2, read + 1)]


def test_a_file_missing_required_columns_is_rejected_whole_and_the_rest_loads(deployment, capsys):
    deployment.generate(day(1), day(2))
    path = deployment.ticket_file(day(1))
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("ticket_id,", "id,", 1), encoding="utf-8")
    deployment.ripple("ingest", "tickets")
    out = capsys.readouterr().out
    assert f"tickets/{path.name}: line 1 (header) lacks required column(s) ticket_id" in out
    rejected = deployment.query(
        "select _source_line, _reject_reason from bronze.tickets where _source_file = ?", [f"tickets/{path.name}"]
    )
    assert len(rejected) == 1 and rejected[0][0] == 0 and "ticket_id" in rejected[0][1]
    assert bronze_rows_by_file(deployment)[f"tickets/tickets_{day(2)}.csv"] == file_rows(deployment.ticket_file(day(2)))
    deployment.ripple("ingest", "tickets")  # a rejected file counts as loaded: not retried until it changes
    assert "nothing new" in capsys.readouterr().out


JSON_SOURCE = """
[payments]
kind = "json"
location = "payments/*.json"
table = "payments"
primary_key = ["payment_id"]
columns = [
    { name = "payment_id", type = "BIGINT", required = true },
    { name = "paid_at", type = "TIMESTAMP" },
    { name = "amount", type = "DECIMAL(10,2)" },
]
"""


@pytest.fixture
def payments(deployment, monkeypatch, tmp_path):
    declare_sources(monkeypatch, tmp_path, JSON_SOURCE)
    folder = deployment.data_dir / "landing" / "payments"
    folder.mkdir(parents=True)
    return folder


def test_single_file_by_glob(deployment, payments):
    for n in (1, 2):
        (payments / f"p{n}.json").write_text(json.dumps([{"payment_id": n}]), encoding="utf-8")
    deployment.ripple("ingest", "payments", "--files", "payments/p2.json")
    assert deployment.query("select payment_id from bronze.payments") == [(2,)]
    deployment.ripple("ingest", "payments")
    assert deployment.query("select payment_id from bronze.payments order by 1") == [(1,), (2,)]


def test_csv_columns_appearing_and_disappearing_load_and_are_recorded_as_drift(deployment, capsys):
    deployment.generate(day(1), day(3))
    two = deployment.ticket_file(day(2))
    lines = two.read_text(encoding="utf-8").splitlines()
    two.write_text(
        "\n".join([lines[0] + ",sentiment"] + [line + ",positive" for line in lines[1:]]) + "\n", encoding="utf-8"
    )
    three = deployment.ticket_file(day(3))
    header, *body = [line.split(",") for line in three.read_text(encoding="utf-8").splitlines()]
    drop = header.index("subject")
    three.write_text("\n".join(",".join(f[:drop] + f[drop + 1 :]) for f in [header] + body) + "\n", encoding="utf-8")

    deployment.ripple("ingest", "tickets")
    out = capsys.readouterr().out
    assert f"schema drift in tickets/{two.name}: added: sentiment" in out
    assert f"schema drift in tickets/{three.name}: removed: subject, sentiment" in out
    assert deployment.query("select distinct sentiment from bronze.tickets where _business_date = ?", [day(2)]) == [
        ("positive",)
    ]
    assert deployment.query(
        "select count(*) from bronze.tickets where _business_date = ? and subject is not null", [day(3)]
    ) == [(0,)]
    assert deployment.query("select count(*) from bronze.tickets where _reject_reason is not null") == [(0,)]
    versions = deployment.query(
        "select schema_version, count(*) from ops.schema_history where source_name = 'tickets' group by 1 order by 1"
    )
    assert versions == [(1, 13), (2, 14), (3, 12)]
    deployment.ripple("build")
    assert deployment.query("select schema_version, column_name, change from ops.schema_drift order by 1, 2") == [
        (2, "sentiment", "added"),
        (3, "sentiment", "removed"),
        (3, "subject", "removed"),
    ]


def test_the_same_bytes_landed_again_are_not_loaded_again(deployment, capsys):
    deployment.generate(day(1), day(2))
    deployment.ripple("ingest", "tickets")
    before = deployment.snapshot(schemas=("bronze",))
    path = deployment.ticket_file(day(2))
    content = path.read_bytes()
    path.unlink()
    path.write_bytes(content)  # a new file: new inode, change time and modification time
    os.utime(path, (2_000_000_000, 2_000_000_000))
    capsys.readouterr()
    deployment.ripple("ingest", "tickets")
    assert "nothing new" in capsys.readouterr().out
    assert deployment.snapshot(schemas=("bronze",)) == before


def test_a_file_changed_in_place_with_its_size_and_modification_time_kept_is_loaded_again(deployment):
    deployment.generate(day(1))
    deployment.ripple("ingest", "tickets")
    path = deployment.ticket_file(day(1))
    stat = path.stat()
    content = path.read_bytes()
    first_agent = content.split(b"\n")[1].split(b",")[8]  # agent_name of line 2
    changed = content.replace(first_agent, first_agent[::-1], 1)
    assert len(changed) == len(content) and changed != content
    path.write_bytes(changed)
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # what `cp -p` or `tar x` do
    deployment.ripple("ingest", "tickets")
    assert deployment.query("select agent_name from bronze.tickets where _source_line = 2") == [
        (first_agent[::-1].decode(),)
    ]


def test_a_header_only_file_is_recorded_as_loaded_and_replaces_the_rows_it_had(deployment, capsys):
    deployment.generate(day(1), day(2))
    deployment.ripple("ingest", "tickets")
    path = deployment.ticket_file(day(2))
    path.write_text(path.read_text(encoding="utf-8").splitlines()[0] + "\n", encoding="utf-8")
    deployment.ripple("ingest", "tickets")
    assert bronze_rows_by_file(deployment) == {
        f"tickets/tickets_{day(1)}.csv": file_rows(deployment.ticket_file(day(1)))
    }
    assert deployment.query("select source_name, path from ops.empty_files") == [("tickets", f"tickets/{path.name}")]
    capsys.readouterr()
    deployment.ripple("ingest", "tickets")
    assert "nothing new" in capsys.readouterr().out


def test_compressed_drops_load_like_their_plain_twins_and_a_date_far_ahead_is_rejected(deployment, capsys):
    deployment.generate(day(1), day(2))
    plain = deployment.ticket_file(day(2))
    (plain.parent / f"{plain.name}.gz").write_bytes(gzip.compress(plain.read_bytes()))
    (plain.parent / "tickets_2099-01-01.csv").write_bytes(plain.read_bytes())
    rows = file_rows(plain)
    plain.unlink()
    deployment.ripple("ingest", "tickets")
    assert "tickets/tickets_2099-01-01.csv: REJECTED: tickets/tickets_2099-01-01.csv: business date 2099-01-01 is" in (
        capsys.readouterr().out
    )
    assert deployment.query(
        "select _source_file, _business_date::varchar, count(*) from bronze.tickets where _reject_reason is null "
        "group by all order by 1"
    ) == [
        (f"tickets/tickets_{day(1)}.csv", day(1), file_rows(deployment.ticket_file(day(1)))),
        (f"tickets/tickets_{day(2)}.csv.gz", day(2), rows),
    ]
