from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest

from ips_fake.core.clock import DEFAULT_START, ManualClock, MovableClock


def test_manual_clock_stands_still_until_moved() -> None:
    clock = ManualClock()
    assert clock.now() == DEFAULT_START
    assert clock.now() == DEFAULT_START
    assert clock.advance(90) == DEFAULT_START + timedelta(seconds=90)
    assert clock.advance(minutes=1, hours=1) == DEFAULT_START + timedelta(seconds=90, minutes=61)
    target = datetime(2027, 1, 1, tzinfo=UTC)
    assert clock.move_to(target) == target
    assert isinstance(clock, MovableClock)


def test_manual_clock_refuses_to_go_back_or_lose_its_zone() -> None:
    clock = ManualClock()
    with pytest.raises(ValueError, match="forward"):
        clock.advance(-1)
    with pytest.raises(ValueError, match="forward"):
        clock.move_to(DEFAULT_START - timedelta(seconds=1))
    with pytest.raises(ValueError, match="timezone-aware"):
        clock.move_to(datetime(2030, 1, 1))
    with pytest.raises(ValueError, match="timezone-aware"):
        ManualClock(datetime(2030, 1, 1))


def test_concurrent_advances_all_count() -> None:
    clock = ManualClock()
    threads = [
        threading.Thread(target=lambda: [clock.advance(1) for _ in range(100)]) for _ in range(4)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert clock.now() == DEFAULT_START + timedelta(seconds=400)
