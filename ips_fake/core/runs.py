"""Runs and the work model: how long a run takes, how its progress moves; the log it leaves is
built by :mod:`ips_fake.core.joblogs`.

A run is ``New`` for :data:`NEW_SECONDS`, then ``Running`` while it works through its items
at a steady pace (``seconds_per_item`` each, or the total a scripted outcome sets), then
finishes: it writes its job log and leaves the active list. Pauses stretch the timeline;
a stop turns it ``Stopping`` for :data:`STOP_SECONDS` and cancels the items not yet done.

Time inside a run is kept as *active seconds* (time spent working). ``segments`` maps
active seconds back to wall time: each entry is ``(wall time, active seconds)`` at which
the run (re)started working; a pause closes the last segment, a resume opens a new one.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from functools import lru_cache
from typing import NamedTuple, Protocol

from ips_fake.core.compaction import RareField

# the log tables and asset_type_of lived here; re-exported for code importing them from here
from ips_fake.core.joblogs import JOB_SUB_TYPES as JOB_SUB_TYPES
from ips_fake.core.joblogs import LOG_TYPES as LOG_TYPES
from ips_fake.core.joblogs import LoggedJob, build_log, item_line
from ips_fake.core.joblogs import LogTypes as LogTypes
from ips_fake.core.joblogs import asset_type_of as asset_type_of
from ips_fake.core.messages import localized
from ips_fake.core.model import (
    EmailSetting,
    JobKind,
    JobLogInfo,
    JobPayload,
    Outcome,
    RunState,
    TaskInfo,
    TaskItemInfo,
    WorkItem,
)

#: How long a run shows ``New`` before it starts working.
NEW_SECONDS = 1.0
_NEW_DELTA = timedelta(seconds=NEW_SECONDS)
#: How long a stopped run shows ``Stopping`` before it is done.
STOP_SECONDS = 1.0
#: Default simulated time per work item.
DEFAULT_SECONDS_PER_ITEM = 2.0
#: How many items a job with no explicit item list works through.
FIXED_ITEM_COUNT = 3


@lru_cache(maxsize=256)
def _fixed_items(folder: str | None, stem: str = "") -> tuple[WorkItem, ...]:
    """The made-up items of a job that lists none (shared: items are immutable): images in
    ``folder`` for an upload of a directory, else ``{stem}-item-N``."""
    if folder is not None:
        return tuple(WorkItem(f"{folder}/image-{n}.jpg") for n in range(1, FIXED_ITEM_COUNT + 1))
    return tuple(WorkItem(f"{stem}-item-{n}") for n in range(1, FIXED_ITEM_COUNT + 1))


def work_items_of(job: JobOfRun) -> tuple[WorkItem, ...]:
    """The items a run of ``job`` works through (:func:`payload_work_items` of its payload)."""
    return payload_work_items(job.payload)


def payload_work_items(payload: JobPayload) -> tuple[WorkItem, ...]:
    """The items a run of a job of ``payload`` works through: the payload's, else
    :data:`FIXED_ITEM_COUNT` made-up ones (images in the server directory of an upload of a
    directory, ``<JobType>-item-N`` otherwise)."""
    if payload.items:
        return payload.items
    if payload.kind is JobKind.UPLOAD_DIRECTORY:
        return _fixed_items(payload.server_dir.rstrip("/") if payload.server_dir else "upload")
    return _fixed_items(None, payload.kind.type_name)


class JobOfRun(LoggedJob, Protocol):
    """What a run reads of the job it belongs to: what its log reads
    (:class:`~ips_fake.core.joblogs.LoggedJob`) and more. :class:`ips_fake.core.jobs.ScheduledJob`
    is one; this module does not import it, so jobs depend on runs and not back."""

    @property
    def key(self) -> tuple[str, str]: ...
    @property
    def notify_email(self) -> str: ...
    @property
    def email_setting(self) -> EmailSetting: ...
    @property
    def runs(self) -> tuple[Run, ...]: ...


class RunView(NamedTuple):
    """What getActiveJobs shows of a run at one instant (:meth:`Run.view`)."""

    state: RunState
    #: Whole-percent progress (0 while the run waits).
    progress: int
    progress_message: str
    last_progress_update: datetime
    task: TaskInfo


class Run:
    """One execution of a scheduled job (an ActiveJob while it lasts, then the compact record
    its job log is built from on demand: :attr:`ended_at` set; nothing else changes). Its items
    are rebuilt from the job's packed payload when asked (:attr:`items`).

    A kept run stays in memory until retention drops it, so it is small: the fields most runs
    leave at their default (never paused, stopped, scripted or exported) are
    :class:`~ips_fake.core.compaction.RareField` s."""

    __slots__ = (
        "_rare",
        "finish_serial",
        "first_asset",
        "item_count",
        "job",
        "name",
        "outcome",
        "run_id",
        "seconds_per_item",
        "started_at",
        "trigger_time",
    )

    #: The run's work items (:func:`work_items_of` its job) when its maker had them at hand
    #: (then :attr:`item_count` is their count), until :meth:`release_items` lets them go;
    #: None otherwise. Read :attr:`items`.
    held_items: RareField[tuple[WorkItem, ...] | None] = RareField(None)
    #: The run's total active seconds when a scripted outcome sets them.
    total_seconds_override: RareField[float | None] = RareField(None)
    #: The segments after the first (one per resume); see :attr:`segments`.
    resumed_segments: RareField[tuple[tuple[datetime, float], ...]] = RareField(())
    paused_at: RareField[datetime | None] = RareField(None)
    stop_requested_at: RareField[datetime | None] = RareField(None)
    version = RareField(0)
    #: Where the finished export's archive is served (``/_fake/exports/<run id>.zip``).
    download_path: RareField[str | None] = RareField(None)
    #: Whether an item names an asset given in the job (an export's, a reprocess's...):
    #: the service indexes such runs for getAssetJobLogs without rebuilding every run's
    #: items.
    names_assets = RareField(False)
    #: When the run ended, when that is not :meth:`finish_time` (see :attr:`ended_at`).
    _ended_elsewhen: RareField[datetime | None] = RareField(None)

    def __init__(
        self,
        run_id: int,
        job: JobOfRun,
        name: str,
        trigger_time: datetime,
        held_items: tuple[WorkItem, ...] | None,
        outcome: Outcome,
        seconds_per_item: float,
        total_seconds_override: float | None = None,
        *,
        item_count: int = 0,
    ) -> None:
        self._rare: dict[str, object] | None = None
        self.run_id = run_id
        self.job = job
        self.name = name
        self.trigger_time = trigger_time
        self.outcome = outcome
        self.seconds_per_item = seconds_per_item
        self.started_at: datetime | None = None
        #: The asset serial of the first item's handle for jobs that create assets
        #: (uploads); item ``i`` gets ``a|<company>|<first_asset + i>|1``. 0 when the run
        #: creates none.
        self.first_asset = 0
        #: Order in which runs finished (per server), for merging logs of several runs.
        self.finish_serial = 0
        #: How many items the run works through (``len(items)``).
        self.item_count = item_count if held_items is None else len(held_items)
        self.held_items = held_items
        self.total_seconds_override = total_seconds_override
        if held_items is not None:
            self.names_assets = any(item.asset_handle for item in held_items)

    def __repr__(self) -> str:
        return f"Run({self.run_id}, {self.name!r})"

    @property
    def ended_at(self) -> datetime | None:
        """When the run ended; None until it has (its :attr:`finish_serial` is set with it).

        A run ends at its :meth:`finish_time` (the simulation ends it when that comes), so
        a kept run holds no instant of its own for it: it is worked out when asked."""
        if not self.finish_serial:
            return None
        elsewhen = self._ended_elsewhen
        return elsewhen if elsewhen is not None else self.finish_time()

    @ended_at.setter
    def ended_at(self, at: datetime) -> None:
        """Record that the run ended at ``at`` (set :attr:`finish_serial` with it)."""
        due = self.finish_time()
        same = due is not None and at == due and at.tzinfo is due.tzinfo and at.fold == due.fold
        self._ended_elsewhen = None if same else at

    @property
    def items(self) -> tuple[WorkItem, ...]:
        """The run's work items (rebuilt from the job's payload once the run let them go)."""
        held = self.held_items
        return held if held is not None else work_items_of(self.job)

    def release_items(self) -> None:
        """Let go of the items (a finished run keeps its log's compact form only)."""
        self.held_items = None

    def asset_handle_of(self, index: int, items: tuple[WorkItem, ...] | None = None) -> str | None:
        """The handle of item ``index``'s asset: created by this run, or given in the job
        (``items`` are the run's items when the caller has them at hand)."""
        if self.first_asset:
            return f"a|{self.job.company_id}|{self.first_asset + index}|1"
        return (items if items is not None else self.items)[index].asset_handle

    @property
    def stopped(self) -> bool:
        """Whether the run was (or is being) stopped."""
        return self.stop_requested_at is not None

    def tally(self, end: datetime) -> tuple[int, int, int, int, bool]:
        """(success, errors, warnings, duplicates, fatal) of the log the run leaves at
        ``end``: the counts without building the log."""
        done = self.items_done(end)
        outcome = self.outcome
        if outcome is Outcome.FAIL:
            return 0, done, 0, 0, not self.stopped
        if outcome is Outcome.DUPLICATES:
            return 0, 0, 0, done, False
        return done, 0, done if outcome is Outcome.WARN else 0, 0, False

    def log(self, client_name: str) -> JobLogInfo:
        """The job log of a finished run (built anew on each call)."""
        assert self.ended_at is not None, "the run has not finished"
        return self.build_log(
            self.ended_at,
            client_name=client_name,
            stopped=self.stopped,
            download_path=self.download_path,
        )

    # -- the work model ------------------------------------------------------------------------

    @property
    def effective_item_count(self) -> int:
        """Items the run gets through before it ends (a failing run aborts after the first)."""
        if self.outcome is Outcome.FAIL:
            return min(1, self.item_count)
        return self.item_count

    @property
    def work_seconds(self) -> float:
        """Active seconds the run needs to finish."""
        # here and below: no rare field set (most runs) is the short way
        if self._rare is not None and self.total_seconds_override is not None:
            return self.total_seconds_override
        return self.seconds_per_item * max(self.effective_item_count, 1)

    def start(self, at: datetime) -> None:
        """Leave the waiting queue: ``New`` now, working after :data:`NEW_SECONDS`."""
        self.started_at = at

    @property
    def segments(self) -> tuple[tuple[datetime, float], ...]:
        """``(wall time, active seconds)`` at which the run (re)started working: the first
        :data:`NEW_SECONDS` after its start, then one per resume; () while it waits."""
        if self.started_at is None:
            return ()
        return ((self.started_at + _NEW_DELTA, 0.0), *self.resumed_segments)

    def _last_segment(self) -> tuple[datetime, float] | None:
        """The segment the run works in now (or last worked in), None while it waits."""
        if self._rare is not None and self.resumed_segments:
            return self.resumed_segments[-1]
        if self.started_at is None:
            return None
        return self.started_at + _NEW_DELTA, 0.0

    @property
    def is_waiting(self) -> bool:
        """Whether the run waits for an earlier run of the same job."""
        return self.started_at is None

    def active_seconds(self, now: datetime) -> float:
        """Seconds of work done by ``now``."""
        last = self._last_segment()
        if last is None:
            return 0.0
        wall, active = last
        end = now
        if self._rare is not None:
            for cut in (self.paused_at, self.stop_requested_at):
                if cut is not None and cut < end:
                    end = cut
        worked = max(0.0, (end - wall).total_seconds())
        return min(self.work_seconds, active + worked)

    def items_done(self, now: datetime) -> int:
        """How many items are finished by ``now``."""
        return self._done_after(self.active_seconds(now))

    def _done_after(self, active: float) -> int:
        """How many items are finished after ``active`` seconds of work."""
        count = self.effective_item_count
        work = self.work_seconds
        if work <= 0:
            return count
        return min(count, math.floor(active * count / work + 1e-9))

    def wall_time_of(self, active: float) -> datetime:
        """The wall time at which the run had worked ``active`` seconds. Work done exactly
        when a pause began belongs to the segment before the pause, not to the resume."""
        assert self.started_at is not None, "the run has not started"
        chosen = (self.started_at + _NEW_DELTA, 0.0)
        for segment in self.resumed_segments if self._rare is not None else ():
            if segment[1] < active:
                chosen = segment
        wall, offset = chosen
        return wall + timedelta(seconds=active - offset)

    def finish_time(self) -> datetime | None:
        """When the run will finish, or None while it is paused or waiting."""
        rare = self._rare is not None
        if rare and self.stop_requested_at is not None:
            return self.stop_requested_at + timedelta(seconds=STOP_SECONDS)
        last = self._last_segment()
        if (rare and self.paused_at is not None) or last is None:
            return None
        wall, active = last
        return wall + timedelta(seconds=self.work_seconds - active)

    def pause(self, now: datetime) -> None:
        """Hold progress from ``now``."""
        self.paused_at = now
        self.version += 1

    def resume(self, now: datetime) -> None:
        """Continue working from ``now``, keeping the work already done."""
        assert self.paused_at is not None
        last = self._last_segment()
        assert last is not None
        wall, _ = last
        done = self.active_seconds(now)
        # paused while still New: keep the rest of the New time
        restart = now + (wall - self.paused_at) if self.paused_at < wall else now
        self.resumed_segments = (*self.resumed_segments, (restart, done))
        self.paused_at = None
        self.version += 1

    def request_stop(self, now: datetime) -> None:
        """Turn ``Stopping``; the run ends :data:`STOP_SECONDS` later."""
        self.stop_requested_at = now
        self.version += 1

    # -- what a client sees --------------------------------------------------------------------

    def state(self, now: datetime) -> RunState:
        """The ActiveJob state at ``now``."""
        if self.started_at is None:
            return RunState.WAITING_COORDINATOR
        if self.stop_requested_at is not None:
            return RunState.STOPPING
        if now < self.started_at + _NEW_DELTA:
            return RunState.NEW
        return RunState.RUNNING

    def progress(self, now: datetime) -> int:
        """Whole-percent progress."""
        return self._progress_after(self.active_seconds(now))

    def _progress_after(self, active: float) -> int:
        work = self.work_seconds
        if work <= 0:
            return 100 if self.started_at is not None else 0
        return min(100, math.floor(100 * active / work + 1e-9))

    def last_progress_update(self, now: datetime) -> datetime:
        """When progress last changed: the last item finished, or the start."""
        return self._last_update_after(self.items_done(now))

    def _last_update_after(self, done: int) -> datetime:
        if done == 0 or self.started_at is None:
            return self.started_at or self.trigger_time
        count = self.effective_item_count
        return self.wall_time_of(self.work_seconds * done / count)

    def progress_message(self, now: datetime) -> str:
        """A human line about progress, in the job's language."""
        return self._message_at(self.state(now), self.items_done(now))

    def _message_at(self, state: RunState, done: int) -> str:
        locale = self.job.locale
        if self.started_at is None:
            return localized("waiting", locale, job=self.job.name)
        if state is RunState.NEW:
            return localized("queued", locale)
        return localized("progress", locale, done=done, total=self.item_count)

    def view(self, now: datetime, items: tuple[WorkItem, ...] | None = None) -> RunView:
        """What getActiveJobs shows of the run at ``now`` (the work done computed once);
        ``items`` are the run's items when the caller has them at hand."""
        state = self.state(now)
        active = self.active_seconds(now)
        done = self._done_after(active)
        updated = self._last_update_after(done)
        # through the public method, which the run's job and its task both show
        message = self.progress_message(now)
        return RunView(
            state,
            self._progress_after(active) if self.started_at is not None else 0,
            message,
            updated,
            self._task_at(state, active, done, updated, message, items),
        )

    def task(self, now: datetime) -> TaskInfo:
        """The run's single task, with one entry per item."""
        active = self.active_seconds(now)
        done = self._done_after(active)
        updated = self._last_update_after(done)
        return self._task_at(self.state(now), active, done, updated, self.progress_message(now))

    def _task_at(
        self,
        state: RunState,
        active: float,
        done: int,
        updated: datetime,
        message: str,
        items_at_hand: tuple[WorkItem, ...] | None = None,
    ) -> TaskInfo:
        count = self.item_count
        processing = 1 if state is RunState.RUNNING and done < self.effective_item_count else 0
        task_state = {
            RunState.NEW: "New",
            RunState.RUNNING: "Processing",
            RunState.STOPPING: "Stopping",
            RunState.WAITING_COORDINATOR: "New",
        }.get(state, "Unknown")
        work = self.work_seconds
        per_item_seconds = work / max(self.effective_item_count, 1)
        items = []
        for index, item in enumerate(items_at_hand if items_at_hand is not None else self.items):
            if index < done:
                fraction = 1.0
            elif index == done and processing and per_item_seconds > 0:
                # + 0.0: a fraction a hair below zero rounds to -0.0, which IPS never writes
                fraction = round((active - index * per_item_seconds) / per_item_seconds, 3) + 0.0
            else:
                fraction = 0.0
            items.append(
                TaskItemInfo(
                    item_name=item.name,
                    progress=fraction,
                    progress_message=self._item_message(
                        item.name, index, done, 0.0 < fraction < 1.0
                    ),
                    last_progress_update=updated
                    if index < done
                    else (self.started_at or self.trigger_time),
                )
            )
        return TaskInfo(
            task_type=self.job.kind.type_name,
            task_state=task_state,
            num_processed=done,
            num_processing=processing,
            num_pending=max(0, count - done - processing),
            # the work done so far, the half-done item included: the job's progress / 100
            progress=self._work_fraction(active),
            progress_message=message,
            last_progress_update=updated,
            items=tuple(items),
        )

    def _work_fraction(self, active: float) -> float:
        """The share of the run's work done after ``active`` seconds, 0.0-1.0 to three
        places."""
        work = self.work_seconds
        if work <= 0:
            return 1.0 if self.started_at is not None and self.item_count else 0.0
        return round(min(1.0, active / work), 3) + 0.0  # never -0.0

    def _item_message(self, item: str, index: int, done: int, under_way: bool) -> str:
        if index < done:
            return self._item_line(item)[0]
        return localized("processing" if under_way else "queued", self.job.locale)

    def _item_line(self, item: str) -> tuple[str, str]:
        """(message, log type) of the finished item named ``item`` under this run's outcome."""
        return item_line(self.job.kind, self.job.locale, self.outcome, item)

    # -- the log -------------------------------------------------------------------------------

    def build_log(
        self,
        end: datetime,
        *,
        client_name: str,
        stopped: bool,
        download_path: str | None,
    ) -> JobLogInfo:
        """The JobLog this run leaves when it ends at ``end`` (built by
        :func:`ips_fake.core.joblogs.build_log`)."""
        return build_log(
            self, end, client_name=client_name, stopped=stopped, download_path=download_path
        )
