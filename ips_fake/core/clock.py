"""The one source of time for the core.

Core code never reads the wall clock: it asks a :class:`Clock`. The
:class:`ManualClock` stands still until told to move, which is what makes the fake
deterministic. Wall-clock and freezegun-following clocks live outside the core, in
:mod:`ips_fake.clocks`.
"""

from __future__ import annotations

import math
import threading
import weakref
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Protocol, runtime_checkable

#: Where a manual clock starts unless told otherwise: a fixed Monday morning.
DEFAULT_START = datetime(2026, 1, 5, 9, 0, 0, tzinfo=UTC)

#: The fake's horizon: no clock move, execTime or schedule may pass it. It sits a millennium
#: short of the end of Python's calendar (9999-12-31), so every instant the fake computes
#: from one before it (a run's end, up to a 100-year scripted run, in any zone from -14:00 to
#: +14:00) can still be represented, and no request can strand the server past it.
HORIZON = datetime(9000, 1, 1, tzinfo=UTC)
#: A check a :class:`ManualClock` calls with (now, target) before it moves; raising refuses it.
MoveCheck = Callable[[datetime, datetime], None]


def past_horizon(what: str, instant: datetime) -> str:
    """The reason text for ``instant`` (named ``what``) lying past :data:`HORIZON`."""
    return (
        f"{what} {instant.isoformat()} is past the fake's horizon {HORIZON.isoformat()}: "
        "ips-fake keeps every instant before it"
    )


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
    """A frozen clock that moves only when told to, never past :data:`HORIZON`.

    Example::

        clock = ManualClock()
        clock.advance(minutes=5)
        clock.move_to(datetime(2026, 1, 6, tzinfo=UTC))
        clock.restart()                     # back to where it started
    """

    def __init__(self, start: datetime = DEFAULT_START) -> None:
        if start.tzinfo is None:
            raise ValueError("a clock needs a timezone-aware start, e.g. datetime(..., tzinfo=UTC)")
        if start > HORIZON:
            raise ValueError(past_horizon("the clock's start", start))
        self.start = start
        self._now = start
        self._lock = threading.Lock()
        self._move_checks: list[weakref.WeakMethod[MoveCheck]] = []

    def add_move_check(self, check: MoveCheck) -> None:
        """Call ``check(now, target)`` before every :meth:`advance` and :meth:`move_to`; an
        exception it raises refuses the move (the clock stays). ``check`` is a bound method,
        held weakly (a service that is gone no longer checks);
        :meth:`ips_fake.core.simulation.Simulation.check_move` is one."""
        self._move_checks.append(weakref.WeakMethod(check))

    def _check_move(self, target: datetime) -> None:
        now = self.now()
        for reference in list(self._move_checks):
            check = reference()
            if check is None:
                self._move_checks.remove(reference)
            else:
                check(now, target)

    def restart(self) -> datetime:
        """Put the clock back to its start (the one move that goes backwards); returns it."""
        with self._lock:
            self._now = self.start
            return self._now

    def now(self) -> datetime:
        """The clock's current instant."""
        with self._lock:
            return self._now

    def advance(self, seconds: float = 0.0, **delta: float) -> datetime:
        """Move forward by ``seconds`` plus any ``timedelta`` keywords (minutes=, hours=, days=).
        Raises ValueError for a backward step, one that is not a finite number, or one that
        would pass :data:`HORIZON`; the clock then stays where it was."""
        amounts = {"seconds": seconds, **delta}
        if not all(math.isfinite(amount) for amount in amounts.values()):
            raise ValueError(f"a clock step must be a finite number; got {amounts}")
        try:
            step = timedelta(**amounts)
        except OverflowError:
            raise ValueError(
                f"a step of {amounts} would pass the fake's horizon {HORIZON.isoformat()}"
            ) from None
        if step < timedelta(0):
            raise ValueError(
                f"a clock only moves forward; got a step of {step.total_seconds():g} seconds"
            )
        if step > HORIZON - self.now():
            raise ValueError(
                f"a step of {step} from {self.now().isoformat()} would pass the fake's horizon "
                f"{HORIZON.isoformat()}"
            )
        self._check_move(self.now() + step)
        with self._lock:
            if step > HORIZON - self._now:
                raise ValueError(
                    f"a step of {step} from {self._now.isoformat()} would pass the fake's horizon "
                    f"{HORIZON.isoformat()}"
                )
            self._now = self._now + step
            return self._now

    def move_to(self, instant: datetime) -> datetime:
        """Jump to ``instant``; moving backwards or past :data:`HORIZON` raises ValueError."""
        if instant.tzinfo is None:
            raise ValueError("move_to needs a timezone-aware datetime")
        if instant > HORIZON:
            raise ValueError(past_horizon("move_to", instant))
        if instant < self.now():
            raise ValueError(
                f"a clock only moves forward: {instant.isoformat()} is before "
                f"{self.now().isoformat()}"
            )
        self._check_move(instant)
        with self._lock:
            if instant < self._now:
                raise ValueError(
                    f"a clock only moves forward: {instant.isoformat()} is before "
                    f"{self._now.isoformat()}"
                )
            self._now = instant
            return self._now
