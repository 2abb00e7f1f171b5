"""An iterator that must make progress (ingest/deadline.py): items pass through, errors keep their
type, and an item that does not come in time raises the caller's error instead of waiting."""

from __future__ import annotations

import threading
import time

import pytest

from ingest import deadline


class Late(Exception):
    pass


def test_items_and_errors_pass_through():
    def items():
        yield 1
        yield 2
        raise KeyError("broken")

    received = []
    with pytest.raises(KeyError, match="broken"):
        for item in deadline.bounded(items(), 5, Late):
            received.append(item)
    assert received == [1, 2]
    assert not deadline.abandoned()


def test_an_item_that_does_not_come_in_time_raises_and_the_producer_is_abandoned():
    release = threading.Event()

    def items():
        yield "first"
        release.wait()  # blocked, as a client waiting on a frozen server
        yield "never seen"

    received = []
    started = time.monotonic()
    with pytest.raises(Late):
        for item in deadline.bounded(items(), 0.3, Late):
            received.append(item)
    assert received == ["first"] and time.monotonic() - started < 3
    assert deadline.abandoned()
    release.set()
    time.sleep(0.3)
    assert not deadline.abandoned()
