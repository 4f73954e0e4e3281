from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest

from ips_fake.core.clock import DEFAULT_START, HORIZON, ManualClock, MovableClock


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


# -- the horizon and restarting ------------------------------------------------------------------


@pytest.mark.parametrize(
    "instant",
    [
        datetime(9000, 1, 1, 0, 0, 1, tzinfo=UTC),
        datetime.fromisoformat("9999-12-31T23:59:58+00:00"),
        datetime.fromisoformat("9999-12-31T23:59:58-14:00"),
    ],
)
def test_the_clock_cannot_move_past_the_horizon(instant: datetime) -> None:
    clock = ManualClock()

    with pytest.raises(ValueError, match="past the fake's horizon 9000-01-01"):
        clock.move_to(instant)

    assert clock.now() == DEFAULT_START


@pytest.mark.parametrize(
    "step",
    [{"seconds": 1e300}, {"days": 3_000_000}, {"seconds": float("inf")}, {"seconds": float("nan")}],
)
def test_a_step_past_the_horizon_or_not_finite_is_refused(step: dict[str, float]) -> None:
    clock = ManualClock()

    with pytest.raises(ValueError, match=r"horizon|finite"):
        clock.advance(**step)

    assert clock.now() == DEFAULT_START


def test_the_clock_reaches_the_horizon_exactly_and_restarts() -> None:
    clock = ManualClock()

    assert clock.move_to(HORIZON) == HORIZON
    assert clock.restart() == DEFAULT_START == clock.now()
