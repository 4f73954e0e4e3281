"""Scheduled jobs: what submitJob creates (IPS's trigger), and the priority queue of fires."""

from __future__ import annotations

import heapq
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from ips_fake.core.cron import QuartzSchedule
from ips_fake.core.model import JobKind, JobPayload, TriggerState

if TYPE_CHECKING:
    from ips_fake.core.runs import Run


@dataclass(eq=False)
class ScheduledJob:
    """A submitted job: fires once (now or at ``exec_time``) or on a Quartz schedule."""

    serial: int
    company_id: str
    name: str
    payload: JobPayload
    submitter_email: str
    notify_email: str
    locale: str | None
    description: str | None
    exec_time: datetime | None
    schedule: QuartzSchedule | None
    time_zone: str
    trigger_state: TriggerState = TriggerState.NORMAL
    next_fire: datetime | None = None
    missed_while_paused: bool = False
    version: int = 0
    runs: list[Run] = field(default_factory=list)
    deleted: bool = False

    @property
    def kind(self) -> JobKind:
        """The job's payload kind."""
        return self.payload.kind

    @property
    def is_listed(self) -> bool:
        """Whether getScheduledJobs lists it (it can still fire)."""
        return not self.deleted and self.trigger_state is not TriggerState.COMPLETE


@dataclass(order=True, frozen=True)
class _Entry:
    at: datetime
    sequence: int
    kind: str = field(compare=False)
    target: object = field(compare=False)
    version: int = field(compare=False)


class Timeline:
    """Pending fires and run ends in time order; stale entries are skipped, not removed.

    Each entry remembers the version of its target when it was pushed; bumping the target's
    ``version`` (pause, stop, reschedule) makes old entries stale in O(1).
    """

    def __init__(self) -> None:
        self._heap: list[_Entry] = []
        self._sequence = 0

    def push(self, at: datetime, kind: str, target: ScheduledJob | Run) -> None:
        """Schedule ``kind`` ('fire' or 'finish') for ``target`` at ``at``."""
        self._sequence += 1
        heapq.heappush(self._heap, _Entry(at, self._sequence, kind, target, target.version))

    def pop_due(self, until: datetime) -> tuple[datetime, str, ScheduledJob | Run] | None:
        """The earliest live entry due at or before ``until``, removed; None when there is none."""
        while self._heap and self._heap[0].at <= until:
            entry = heapq.heappop(self._heap)
            target = entry.target
            assert isinstance(target, ScheduledJob) or hasattr(target, "run_id")
            if getattr(target, "version", None) != entry.version:
                continue
            return entry.at, entry.kind, target  # type: ignore[return-value]
        return None

    def __len__(self) -> int:
        return len(self._heap)

    def clear(self) -> None:
        """Drop every entry."""
        self._heap.clear()
        self._sequence = 0
