"""A Dagster step and ripple's lock (orchestration/lock.py): it waits for a run holding the lock,
and fails with ripple's reason when the wait is over."""

import threading
import time

import dagster as dg
import pytest

from ingest.config import load_settings
from ingest.lock import warehouse_lock
from orchestration.lock import held_lock


@pytest.fixture
def settings(tmp_path, monkeypatch):
    monkeypatch.setenv("RIPPLE_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("RIPPLE_WAREHOUSE", raising=False)
    return load_settings()


def test_a_step_waits_while_another_run_holds_the_lock_then_runs(settings):
    log: list[str] = []
    released_at: list[float] = []
    holding = threading.Event()

    def other_run() -> None:
        with warehouse_lock(settings, "daily"):
            holding.set()
            time.sleep(1.5)
            released_at.append(time.monotonic())

    other = threading.Thread(target=other_run)
    other.start()
    holding.wait()
    with held_lock(settings, "build (Dagster run 1234abcd)", log.append):
        acquired_at = time.monotonic()
    other.join()
    assert acquired_at >= released_at[0]
    assert len(log) == 1
    assert log[0].startswith(f"waiting for ripple's lock: another run holds {settings.warehouse} (`ripple daily`, pid ")


def test_a_step_that_waited_too_long_fails_with_ripples_reason(settings, monkeypatch):
    monkeypatch.setenv("RIPPLE_LOCK_WAIT", "1")
    step = held_lock(settings, "build (Dagster run 1234abcd)", lambda _: None)
    with warehouse_lock(settings, "daily"), pytest.raises(dg.Failure) as failure, step:
        pytest.fail("the step ran while another run held the lock")
    description = failure.value.description or ""
    assert description.startswith(f"another run holds {settings.warehouse} (`ripple daily`, pid ")
    assert description.endswith("nothing was changed, try again when it ends (waited 1 s, RIPPLE_LOCK_WAIT)")
    assert "\n" not in description
    assert not failure.value.allow_retries
