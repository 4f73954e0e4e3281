"""Clocks that read outside time: the wall clock, and one that follows freezegun.

These are the only places ips-fake reads real time; the core sees them through the
:class:`~ips_fake.core.clock.Clock` protocol.
"""

from __future__ import annotations

import datetime as _datetime_module
from datetime import UTC, datetime


class WallClock:
    """Real time, for a development server (``ips-fake serve --clock real``)."""

    def now(self) -> datetime:
        """The current UTC time, to the millisecond."""
        instant = _datetime_module.datetime.now(UTC)
        return instant.replace(microsecond=instant.microsecond // 1000 * 1000)


class FreezegunClock:
    """Whatever time freezegun says it is, in any thread; real time when nothing is frozen.

    Example::

        with freezegun.freeze_time("2026-03-01 12:00:00") as frozen:
            fake = IpsFake(clock=FreezegunClock())
            frozen.tick(3600)   # the fake moves with it
    """

    def now(self) -> datetime:
        """The (possibly frozen) current UTC time."""
        instant = _datetime_module.datetime.now(UTC)
        return datetime(
            instant.year,
            instant.month,
            instant.day,
            instant.hour,
            instant.minute,
            instant.second,
            instant.microsecond,
            tzinfo=UTC,
        )
