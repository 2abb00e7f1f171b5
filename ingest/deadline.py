"""An iterator that must make progress: each item has to arrive within a time limit.

A database that stops answering (a frozen server, a network partition) leaves its client
blocked inside a C call that neither DuckDB's interrupt nor a Python signal reaches. So the
items are produced in a daemon thread and waited for here; when one does not come in time the
consumer raises and goes on (other sources, the build, releasing the lock), leaving the stuck
thread behind, which dies with the process.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterator
from typing import TypeVar

T = TypeVar("T")
_DONE = object()
_producers: list[threading.Thread] = []


def abandoned() -> bool:
    """Whether a producer thread given up on is still blocked (the process must then leave with
    os._exit: a normal exit would tear down the database client under it and abort)."""
    return any(t.is_alive() for t in _producers)


def bounded(items: Iterator[T], seconds: float, timed_out: Callable[[], Exception]) -> Iterator[T]:
    """The items of `items`, or `timed_out()` raised when one takes longer than `seconds`."""
    handoff: queue.Queue = queue.Queue(maxsize=1)
    stop = threading.Event()

    def produce() -> None:
        try:
            for item in items:
                while not stop.is_set():
                    try:
                        handoff.put(item, timeout=0.1)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
            handoff.put(_DONE)
        except BaseException as exc:  # handed to the consumer, which raises it
            handoff.put(exc)

    producer = threading.Thread(target=produce, name="ripple-extract", daemon=True)
    producer.start()
    _producers.append(producer)
    try:
        while True:
            try:
                item = handoff.get(timeout=seconds)
            except queue.Empty:
                raise timed_out() from None
            if item is _DONE:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        producer.join(timeout=1)  # it ends at once unless it is blocked in the database client
        if not producer.is_alive():
            _producers.remove(producer)
