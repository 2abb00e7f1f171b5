"""The test PostgreSQL server does what tests of outages rely on: stopped, it refuses
connections; frozen, a connection times out; thawed or restarted, it serves its data again."""

from __future__ import annotations

import time

import psutil
import psycopg
import pytest


def test_a_dedicated_server_can_be_stopped_restarted_frozen_and_thawed(make_postgres_server):
    server = make_postgres_server()
    server.execute("create table kept (x int); insert into kept values (1)")

    server.stop()
    with pytest.raises(psycopg.OperationalError, match="Connection refused"):
        psycopg.connect(server.url, connect_timeout=2)
    server.start()
    assert server.execute("select x from kept") == [(1,)]

    with psycopg.connect(server.url, autocommit=True) as session:  # a session open when the partition starts
        server.freeze()
        assert {p.status() for p in server.processes()} == {psutil.STATUS_STOPPED}
        started = time.monotonic()
        with pytest.raises(psycopg.OperationalError, match="timeout expired"):
            psycopg.connect(server.url, connect_timeout=2)  # libpq's shortest timeout
        assert time.monotonic() - started < 5
        server.thaw()
        assert session.execute("select x from kept").fetchall() == [(1,)]
    assert server.execute("select x from kept") == [(1,)]
