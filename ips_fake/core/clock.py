"""The one source of time for the core.

Core code never reads the wall clock: it asks a :class:`Clock`. The
:class:`ManualClock` stands still until told to move, which is what makes the fake
deterministic. Wall-clock and freezegun-following clocks live outside the core, in
:mod:`ips_fake.clocks`.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from typing import Protocol, runtime_checkable

#: Where a manual clock starts unless told otherwise: a fixed Monday morning.
DEFAULT_START = datetime(2026, 1, 5, 9, 0, 0, tzinfo=UTC)


@runtime_checkable
class Clock(Protocol):
    """Anything that can say what time it is, as a timezone-aware datetime."""

    def now(self) -> datetime:
        """The current instant (timezone-aware)."""
        ...


@runtime_checkable
class MovableClock(Clock, Protocol):
    """A clock a test can move."""

    def advance(self, seconds: float = 0.0, **delta: float) -> datetime:
        """Move forward; returns the new time."""
        ...

    def move_to(self, instant: datetime) -> datetime:
        """Jump to ``instant`` (never backwards); returns the new time."""
        ...


class ManualClock:
    """A frozen clock that moves only when told to.

    Example::

        clock = ManualClock()
        clock.advance(minutes=5)
        clock.move_to(datetime(2026, 1, 6, tzinfo=UTC))
    """

    def __init__(self, start: datetime = DEFAULT_START) -> None:
        if start.tzinfo is None:
            raise ValueError("a clock needs a timezone-aware start, e.g. datetime(..., tzinfo=UTC)")
        self._now = start
        self._lock = threading.Lock()

    def now(self) -> datetime:
        """The clock's current instant."""
        with self._lock:
            return self._now

    def advance(self, seconds: float = 0.0, **delta: float) -> datetime:
        """Move forward by ``seconds`` plus any ``timedelta`` keywords (minutes=, hours=, days=)."""
        step = timedelta(seconds=seconds, **delta)
        if step < timedelta(0):
            raise ValueError(f"a clock only moves forward; got a step of {step}")
        with self._lock:
            self._now = self._now + step
            return self._now

    def move_to(self, instant: datetime) -> datetime:
        """Jump to ``instant``; moving backwards raises ValueError."""
        if instant.tzinfo is None:
            raise ValueError("move_to needs a timezone-aware datetime")
        with self._lock:
            if instant < self._now:
                raise ValueError(
                    f"a clock only moves forward: {instant.isoformat()} is before "
                    f"{self._now.isoformat()}"
                )
            self._now = instant
            return self._now
