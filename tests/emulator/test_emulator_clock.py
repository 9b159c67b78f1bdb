"""ManualClock: time that moves only when told to."""

from __future__ import annotations

import threading

import pytest

from aoai_deploy.emulator import ManualClock


def test_sleep_advances_at_once():
    clock = ManualClock(start=100)
    clock.sleep(2.5)
    assert clock.now() == 102.5
    assert clock() == 102.5


def test_default_start_is_an_epoch_time():
    assert ManualClock().now() > 1_600_000_000


def test_time_never_goes_backwards():
    with pytest.raises(ValueError, match="backwards"):
        ManualClock().advance(-1)


def test_concurrent_sleeps_all_count():
    clock = ManualClock(start=0)
    threads = [
        threading.Thread(target=lambda: [clock.sleep(0.5) for _ in range(100)]) for _ in range(8)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(5)
    assert clock.now() == 400
