from __future__ import annotations

from datetime import UTC, datetime, timedelta

import freezegun
import requests

from ips_fake.clocks import FreezegunClock, WallClock
from ips_fake.fake import IpsFake
from ips_fake.server import FakeServer


def test_freezegun_clock_follows_a_frozen_and_ticking_time() -> None:
    clock = FreezegunClock()
    with freezegun.freeze_time("2026-03-01 12:00:00") as frozen:
        assert clock.now() == datetime(2026, 3, 1, 12, tzinfo=UTC)
        frozen.tick(timedelta(hours=2))
        assert clock.now() == datetime(2026, 3, 1, 14, tzinfo=UTC)
        assert type(clock.now()) is datetime


def test_a_served_fake_moves_with_freezegun_in_its_server_thread() -> None:
    with freezegun.freeze_time("2026-03-01 12:00:00") as frozen:
        fake = IpsFake(clock=FreezegunClock())
        with FakeServer(fake) as server:
            first = requests.get(server.base_url + "/_fake/clock", timeout=10).json()["now"]
            frozen.tick(timedelta(days=1))
            second = requests.get(server.base_url + "/_fake/clock", timeout=10).json()["now"]
    assert first == "2026-03-01T12:00:00.000+00:00"
    assert second == "2026-03-02T12:00:00.000+00:00"


def test_wall_clock_is_aware_and_whole_milliseconds() -> None:
    now = WallClock().now()
    assert now.tzinfo is UTC
    assert now.microsecond % 1000 == 0
    assert abs(now - datetime.now(UTC)) < timedelta(minutes=1)
