"""The IPS job service: one method per operation, over one lock, driven by an injected clock.

Example::

    service = IpsService(Directory.default(), ManualClock())
    user = service.directory.authenticate("ipsuser@example.com", "password")
    job = service.submit_job(user, SubmitJobRequest("47", "My Test Job", payload))
    service.clock.advance(minutes=1)
    service.get_job_logs(user, "47")

Every public method first brings the simulation up to the clock's time (fires due
triggers and ends due runs, in time order), then answers. Nothing here knows about SOAP.
"""

from __future__ import annotations

import re
import threading
import time
from array import array
from bisect import bisect_right
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from functools import lru_cache
from heapq import merge
from itertools import islice
from typing import Any
from zoneinfo import ZoneInfo

from ips_fake.core.clock import HORIZON, Clock, ManualClock, past_horizon
from ips_fake.core.cron import CronSyntaxError, QuartzSchedule, has_fixed_offset
from ips_fake.core.directory import Company, Directory, User
from ips_fake.core.errors import FaultCode, IpsFault, invalid_parameter, missing_parameter
from ips_fake.core.handles import job_handle, parse_handle, run_handle, run_name
from ips_fake.core.jobs import ScheduledJob, Timeline
from ips_fake.core.messages import localized
from ips_fake.core.model import (
    ActiveJobInfo,
    AssetJobLogInfo,
    EmailSetting,
    JobKind,
    JobLogDetail,
    JobLogInfo,
    JobLogPage,
    Notification,
    Outcome,
    ScheduledJobInfo,
    SubmitJobRequest,
    TriggerState,
    WorkItem,
)
from ips_fake.core.outcomes import OutcomeScript
from ips_fake.core.runs import DEFAULT_SECONDS_PER_ITEM, FIXED_ITEM_COUNT, NEW_SECONDS, Run

LOCALE_PATTERN = re.compile(r"[a-z]{2}(-[A-Z]{2})?")
MAX_RECORDS_PER_PAGE = 1000
EXPORT_PATH_PREFIX = "/_fake/exports/"
#: Job logs kept per company unless configured otherwise.
DEFAULT_LOG_RETENTION = 10_000
#: Fires and run ends :meth:`IpsService.catch_up` applies per hold of the lock (a few ms).
SLICE_EVENTS = 500
#: How long :meth:`IpsService.catch_up` leaves the lock free between slices, so a waiting
#: caller gets it (Python's locks are not fair). This paces the work; it reads no time.
SLICE_PAUSE_SECONDS = 0.0005
#: Subtracted from an instant to make "strictly after" searches include it.
_JUST_BEFORE = timedelta(microseconds=1)
_ONE_SECOND = timedelta(seconds=1)
#: Job kinds whose runs create assets (each run takes asset serials): never applied in bulk.
_ASSET_CREATING_KINDS = (JobKind.UPLOAD_URLS, JobKind.UPLOAD_DIRECTORY, JobKind.RIP_PDFS)
#: Fewer whole cycles than this in reach and a fire is applied the ordinary way.
BULK_MIN_CYCLES = 2
#: Most runs one bulk step of :meth:`IpsService.catch_up` builds under the lock.
BULK_MAX_BUILT = 20_000
#: The last fire time Quartz schedules reach (end of :data:`cron.MAX_YEAR`), as a wall time.
_LAST_WALL_FIRE = datetime(2099, 12, 31, 23, 59, 59)

JOB_LOG_SORT_KEYS: dict[str, Callable[[JobLogInfo], object]] = {
    "JobName": lambda log: log.job_name,
    "LogType": lambda log: log.log_type,
    "StartDate": lambda log: log.start_date,
    "CompanyName": lambda log: log.company_id,
    "UserId": lambda log: log.submit_user_email,
    "Email": lambda log: log.submit_user_email,
    "FileErrorCount": lambda log: log.file_error_count,
    "FileWarningCount": lambda log: log.file_warning_count,
    "FileSuccessCount": lambda log: log.file_success_count,
}
DETAIL_SORT_KEYS: dict[str, Callable[[JobLogDetail], object]] = {
    "Date": lambda detail: detail.date_created,
    "LogType": lambda detail: detail.log_type,
}


@dataclass(frozen=True)
class ServiceSettings:
    """Knobs of one fake server that are not state."""

    server_name: str = "ips-fake-1"
    time_zone: str = "UTC"
    seconds_per_item: float = DEFAULT_SECONDS_PER_ITEM
    client_name: str = "IPS API"
    #: Job logs kept per company (with their details, export archives and e-mails); the
    #: oldest are dropped first. At least 1.
    log_retention: int = DEFAULT_LOG_RETENTION

    def __post_init__(self) -> None:
        if self.log_retention < 1:
            raise ValueError(f"log_retention must be at least 1, got {self.log_retention}")


class IpsService:
    """All state of one fake IPS server, and the eleven job operations over it."""

    #: Whether a long stretch of a lone schedule's fire-run-finish cycles is applied in bulk
    #: (see :meth:`_bulk_cycles`); False applies every fire one by one. Both give the same
    #: state; the switch exists so tests can compare them.
    bulk_cycles: bool = True

    def __init__(
        self,
        directory: Directory,
        clock: Clock,
        settings: ServiceSettings | None = None,
    ) -> None:
        self.clock = clock
        self.settings = settings or ServiceSettings()
        self.zone: tzinfo = ZoneInfo(self.settings.time_zone)
        self.lock = threading.RLock()
        self.outcomes = OutcomeScript()
        self._initial_directory = directory.as_json_data()
        self.directory = directory
        self._clear_state()

    # -- state ---------------------------------------------------------------------------------

    def _clear_state(self) -> None:
        # every submitted job not deleted, by (company, name); handles are read back into this
        self._jobs: dict[tuple[str, str], ScheduledJob] = {}
        # jobs getScheduledJobs lists (not Complete, not deleted), per company in serial order
        self._listed_jobs: dict[str, dict[int, ScheduledJob]] = {}
        self._runs: dict[int, Run] = {}
        # unfinished runs per company, in run id order (getActiveJobs reads one company's)
        self._runs_by_company: dict[str, dict[int, Run]] = {}
        # run id of every unfinished or kept run, per company by run name (the run's own
        # string): both handle styles are read back through it, and run names stay unique
        self._run_names: dict[str, dict[str, int]] = {}
        # finished runs kept (the compact form of their logs), by run id and per company in
        # the order they finished; logs are built from them when asked
        self._finished: dict[int, Run] = {}
        self._logs: dict[str, dict[int, Run]] = {}
        # kept runs per (company, job name): the run itself while it is the only one (most
        # jobs run once), else by run id
        self._logs_by_original: dict[tuple[str, str], Run | dict[int, Run]] = {}
        # kept runs whose items name an asset given in the job (export, reprocess, ...)
        self._asset_runs: dict[tuple[str, str], dict[int, Run]] = {}
        # runs that created assets, by the serial of their first asset (ascending)
        self._asset_firsts: array[int] = array("q")
        self._asset_run_ids: array[int] = array("q")
        self._outbox: dict[str, deque[tuple[int, Notification]]] = {}
        self._mail_serial = 0
        self._finish_serial = 0
        self._timeline = Timeline()
        # the instant up to which every fire and run end is applied; another thread's
        # catch_up (self._mover) may hold it behind the clock between its slices
        self._sim_now = self._local(self.clock.now())
        self._mover: int | None = None
        self._skipped_fires = 0
        # jobs whose timeline entry jumps past fires during a run (see _skip_to_run_end)
        self._skipping: dict[int, ScheduledJob] = {}
        self._job_serial = 0
        self._run_serial = 0
        self._asset_serial = 0

    def reset(self) -> None:
        """Back to the configured directory, no jobs, no logs, empty outbox, default outcomes,
        counters from the start, and a :class:`ManualClock` back at its start (so one example
        can run twice against one server). Any other clock (wall, freezegun) is untouched."""
        with self.lock:
            if isinstance(self.clock, ManualClock):
                self.clock.restart()
            self.directory = Directory.from_json_data(self._initial_directory)
            self.outcomes.clear()
            self._clear_state()

    def sync(self) -> datetime:
        """Fire every trigger and end every run due by the clock's time, in time order; return
        the clock's time in the server's zone (every instant the service stores is in it).

        While another thread catches up with :meth:`catch_up`, this applies nothing and
        returns the instant that thread has reached: the caller sees the simulation as it
        stood at that instant, with every fire and run end up to it applied and none after."""
        with self.lock:
            if self._mover is not None and self._mover != threading.get_ident():
                return self._sim_now
            now = self._local(self.clock.now())
            self._apply(now, None)
            self._sim_now = now
            return now

    def catch_up(self) -> datetime:
        """Like :meth:`sync`, for a long clock move: applies what is due in slices of at most
        :data:`SLICE_EVENTS` fires and run ends (never splitting one instant), releasing the
        lock between slices so other callers are answered meanwhile (they see the simulation
        at the instant the slice reached). Call it without holding :attr:`lock`. Returns the
        clock's time in the server's zone, like :meth:`sync`."""
        me = threading.get_ident()
        try:
            while True:
                with self.lock:
                    if self._mover is not None and self._mover != me:
                        return self._sim_now
                    now = self._local(self.clock.now())
                    reached = self._apply(now, SLICE_EVENTS)
                    if reached is None:
                        self._sim_now = now
                        return now
                    self._mover = me
                    self._sim_now = reached
                time.sleep(SLICE_PAUSE_SECONDS)
        finally:
            with self.lock:
                if self._mover == me:
                    self._mover = None

    def _apply(self, until: datetime, limit: int | None) -> datetime | None:
        """Apply due fires and run ends up to ``until`` in time order. With a ``limit``, stop
        after that many once the next entry is at a later instant than the last one applied,
        and return that instant; None when everything due is applied."""
        timeline = self._timeline
        count = 0
        last: datetime | None = None
        while (due := timeline.pop_due(until)) is not None:
            at, kind, target = due
            if kind == "fire":
                assert isinstance(target, ScheduledJob)
                budget = None if limit is None else max(limit - count, 0)
                bulk = self._bulk_cycles(target, at, until, budget) if self.bulk_cycles else None
                if bulk is not None:
                    at, events = bulk
                    count += events - 1
                else:
                    self._fire(target, at)
            else:
                assert isinstance(target, Run)
                self._finish(target, at)
            count += 1
            last = at
            if limit is not None and count >= limit:
                following = timeline.next_due()
                if following is not None and following <= until and following > at:
                    return last
        return None

    # -- helpers -------------------------------------------------------------------------------

    def _begin(self, user: User, operation: str) -> datetime:
        self.directory.authorize(user, operation)
        return self.sync()

    def _local(self, instant: datetime) -> datetime:
        return instant.astimezone(self.zone)

    def _in_zone(self, instant: datetime | None, element: str) -> datetime | None:
        """A request's dateTime in the server's zone; one without an offset is read in it.
        One that cannot be represented there (``9999-12-31T23:59:59-14:00`` is in year 10000
        in UTC) is an ipsApiFault 30001 naming ``element``."""
        if instant is None:
            return None
        try:
            if instant.tzinfo is None:
                instant = instant.replace(tzinfo=self.zone)
                instant.utcoffset()  # a zone's offset at the calendar's very ends may overflow
                return instant
            return self._local(instant)
        except OverflowError:
            raise invalid_parameter(
                f"{element} {instant.isoformat()} cannot be represented in the server's time "
                f"zone {self.settings.time_zone}: it falls outside the calendar (years 1-9999)"
            ) from None

    def _unlist(self, job: ScheduledJob) -> None:
        listed = self._listed_jobs.get(job.company_id)
        if listed is not None:
            listed.pop(job.serial, None)

    def _complete(self, job: ScheduledJob) -> None:
        """The trigger will never fire again: ``Complete``, no longer listed."""
        job.trigger_state = TriggerState.COMPLETE
        job.next_fire = None
        self._unlist(job)

    def _company(self, user: User, company_handle: str | None) -> Company:
        if company_handle is None or not company_handle.strip():
            raise missing_parameter("companyHandle is required")
        return self.directory.company_for(user, company_handle)

    def _scope(self, user: User, company_handle: str | None) -> list[str]:
        if company_handle:
            return [self._company(user, company_handle).id]
        return [company.id for company in self.directory.companies_of(user)]

    def _visible(self, user: User, company: Company | None, owner_id: str, handle: str) -> bool:
        """Whether the caller may see a job or run of ``owner_id``. One of a company the
        caller may not use is invisible: the caller gets exactly what a handle naming nothing
        gets (30001 "names no job"), so no answer tells whether another company has a job of
        that name. One of the caller's own companies that is not ``companyHandle``'s is
        named as such (30001)."""
        if not user.belongs_to(owner_id):
            return False
        if company is not None and company.id != owner_id:
            raise invalid_parameter(
                f"jobHandle {handle!r} belongs to company {owner_id}, not to companyHandle "
                f"{company.id}"
            )
        return True

    def _find_job(self, user: User, company: Company | None, handle: str) -> ScheduledJob | None:
        job = self._job_named(handle)
        if job is not None and not self._visible(user, company, job.company_id, handle):
            return None
        return job

    def _job_named(self, handle: str) -> ScheduledJob | None:
        """The job (not deleted) ``handle`` names, in either style, or None."""
        parsed = parse_handle(handle)
        if parsed is None or parsed.kind != "job":
            return None
        job = self._jobs.get((parsed.company_id, parsed.name))
        if job is None or job_handle(job.company_id, job.name, parsed.style) != handle:
            return None
        return job

    def _run_named(self, handle: str) -> Run | None:
        """The unfinished or kept run ``handle`` names, in either style, or None."""
        parsed = parse_handle(handle)
        if parsed is None or parsed.kind != "run":
            return None
        run_id = self._run_names.get(parsed.company_id, {}).get(parsed.name)
        if run_id is None:
            return None
        run = self._runs.get(run_id) or self._finished.get(run_id)
        if run is None or run_handle(run.job.company_id, run.name, run_id, parsed.style) != handle:
            return None
        return run

    def _find_run(self, user: User, company: Company | None, handle: str) -> int | None:
        run = self._run_named(handle)
        if run is None or not self._visible(user, company, run.job.company_id, handle):
            return None
        return run.run_id

    def _unknown_handle(self, handle: str) -> IpsFault:
        return invalid_parameter(f"jobHandle {handle!r} names no job")

    # -- submitJob / executeJob ----------------------------------------------------------------

    def submit_job(self, user: User, request: SubmitJobRequest) -> ScheduledJobInfo:
        """submitJob: create a scheduled job; it fires now, at ``exec_time``, or on a schedule."""
        with self.lock:
            now = self._begin(user, "submitJob")
            company = self._company(user, request.company_handle)
            name = request.job_name
            if not name.strip():
                raise missing_parameter("jobName must not be empty")
            if "|" in name:
                raise invalid_parameter(
                    f"jobName {name!r} contains '|', which separates the parts of a job "
                    "handle: choose a name without it"
                )
            if request.exec_time is not None and request.exec_schedule is not None:
                raise invalid_parameter(
                    "give at most one of execTime and execSchedule; this request has both"
                )
            if request.locale is not None and not LOCALE_PATTERN.fullmatch(request.locale):
                raise invalid_parameter(
                    f"locale {request.locale!r} is not ll or ll-CC (e.g. 'en' or 'en-US')"
                )
            notify_email = user.email
            if request.user_handle is not None:
                recipient = self.directory.find_user(request.user_handle)
                if recipient is None:
                    raise IpsFault(
                        FaultCode.INVALID_REQUEST_USER,
                        f"userHandle {request.user_handle!r} names no user",
                    )
                if not recipient.belongs_to(company.id):
                    raise IpsFault(
                        FaultCode.ILLEGAL_REQUEST_USER,
                        f"userHandle {request.user_handle!r} is not a user of company {company.id}",
                    )
                notify_email = recipient.email
            exec_time = self._in_zone(request.exec_time, "execTime")
            if exec_time is not None and exec_time > HORIZON:
                raise invalid_parameter(past_horizon("execTime", exec_time))
            schedule = None
            if request.exec_schedule is not None:
                try:
                    schedule = QuartzSchedule.parse(request.exec_schedule)
                except CronSyntaxError as error:
                    raise invalid_parameter(
                        f"execSchedule {request.exec_schedule!r}: {error}"
                    ) from None
            existing = self._jobs.get((company.id, name))
            if existing is not None and existing.is_listed:
                raise IpsFault(
                    FaultCode.GENERAL_FAILURE,
                    f"job name {name!r} is already in use in company {company.id}",
                )
            if schedule is not None:
                first_fire = schedule.next_fire_after(now)
                if first_fire is None:
                    raise invalid_parameter(
                        f"execSchedule {request.exec_schedule!r} never fires after "
                        f"{now.isoformat()}"
                    )
            else:
                first_fire = max(exec_time or now, now)
            self._job_serial += 1
            job = ScheduledJob.of(
                self._job_serial,
                company.id,
                name,
                request.payload,
                submitter_email=user.email,
                notify_email=notify_email,
                locale=request.locale,
                description=request.description,
                exec_time=exec_time,
                schedule=schedule,
                time_zone=self.settings.time_zone,
            )
            if existing is not None:
                existing.deleted = True
                self._unlist(existing)
            self._jobs[(company.id, name)] = job
            self._listed_jobs.setdefault(company.id, {})[job.serial] = job
            job.next_fire = first_fire
            self._timeline.push(first_fire, "fire", job)
            info = self._scheduled_info(job)
            self.sync()
            return info

    def execute_job(self, user: User, company_handle: str, handle: str) -> None:
        """executeJob: start a run of a scheduled job now; its schedule is untouched."""
        with self.lock:
            now = self._begin(user, "executeJob")
            company = self._company(user, company_handle)
            job = self._find_job(user, company, handle)
            if job is None or job.deleted:
                if self._find_run(user, company, handle) is not None:
                    raise invalid_parameter(
                        f"jobHandle {handle!r} names a run; executeJob takes a scheduled "
                        "job's handle"
                    )
                raise self._unknown_handle(handle)
            self._start_run(job, now)

    # -- firing, running, finishing ------------------------------------------------------------

    def _fire(self, job: ScheduledJob, at: datetime) -> None:
        if job.skipping_since is not None:
            self._count_skipped(job, job.skipping_since, at)
            job.skipping_since = None
            del self._skipping[job.serial]
        if job.deleted:
            return
        if job.trigger_state is TriggerState.PAUSED:
            if job.schedule is None:
                job.missed_while_paused = True
                job.next_fire = None
            else:
                self._schedule_next(job, at)
            return
        if job.schedule is not None and job.runs:
            # Quartz runs IPS's jobs non-concurrently: a recurring fire that comes while a
            # run of the job is unfinished is skipped (and counted), never queued.
            job.skipped_fires += 1
            self._skipped_fires += 1
            self._skip_to_run_end(job, at)
            return
        self._start_run(job, at)
        if job.schedule is None:
            self._complete(job)
        else:
            self._schedule_next(job, at)

    def _bulk_cycles(
        self, job: ScheduledJob, at: datetime, until: datetime, budget: int | None
    ) -> tuple[datetime, int] | None:
        """Apply, in one step, the fire-run-finish cycles of ``job`` from its fire at ``at``
        that end by ``until`` and before any other pending entry; return the instant the last
        of them ends (the state is then exactly what applying each fire, skipped fire and run
        end one by one leaves) and the events that step weighs (two per run built), or None
        when this fire is to be applied the ordinary way.

        With a ``budget`` (events left in :meth:`catch_up`'s slice), the step covers as many
        cycles as fit in it, or all of them when they outnumber what retention keeps and
        that is at most :data:`BULK_MAX_BUILT` (the lock is then held for building that many
        runs, a fraction of a second).

        It applies when the job is alone in that stretch (no other entry due in it), fires on
        schedule with no run in progress, sends no e-mail, creates no assets, and its zone has
        one UTC offset; and when its cycles are arithmetic: every fire starts a run (runs end
        within the shortest gap between fires) or every second fires (``* * * * * ?``: a run
        of D seconds starts every ceil(D) seconds, the fires in between skipped). Only the
        runs whose logs retention keeps are built; the others are counted (run ids, finish
        order and skipped fires move on as if they had been)."""
        schedule = job.schedule
        if (
            schedule is None
            or job.runs
            or job.deleted
            or job.trigger_state is not TriggerState.NORMAL
            or self._email_setting_of(job) is not EmailSetting.NONE
            or job.kind in _ASSET_CREATING_KINDS
            or not has_fixed_offset(at.tzinfo)
        ):
            return None
        if job.skipping_since is not None:
            # as :meth:`_fire` first does: the fires skipped since the last start are counted
            self._count_skipped(job, job.skipping_since, at)
            job.skipping_since = None
            del self._skipping[job.serial]
        rule = self.outcomes.choose(job.kind, job.name)
        items = self._work_items(job)
        probe = Run(
            0, job, "", at, items, rule.outcome, self.settings.seconds_per_item, rule.seconds
        )
        duration = timedelta(seconds=NEW_SECONDS) + timedelta(seconds=probe.work_seconds - 0.0)
        other = self._timeline.next_due()
        # the last instant a cycle may end at: by ``until``, strictly before ``other``
        end_limit = until if other is None else min(until, other - _JUST_BEFORE)
        wall = at.replace(tzinfo=None)
        zone = at.tzinfo
        period: timedelta | None = None
        if duration <= schedule.shortest_gap_seconds() * _ONE_SECOND:
            last_start = (end_limit - duration).replace(tzinfo=None)
            cycles = schedule.count_wall_fires(wall, min(last_start, _LAST_WALL_FIRE))
        elif schedule.fires_every_second:
            period = -(-duration // _ONE_SECOND) * _ONE_SECOND
            last_start = min((end_limit - duration).replace(tzinfo=None), _LAST_WALL_FIRE - period)
            cycles = (last_start - wall) // period + 1 if last_start >= wall else 0
        else:
            return None
        retention = self.settings.log_retention
        if budget is not None and not (cycles > retention and retention <= BULK_MAX_BUILT):
            cycles = min(cycles, budget // 2)
        if cycles < BULK_MIN_CYCLES:
            return None
        built = min(cycles, retention)
        first_built = cycles - built
        wall_fires: Iterator[datetime] | None = None
        if period is not None:
            start = at + first_built * period
        else:
            found = schedule.nth_wall_fire(wall, first_built)
            assert found is not None
            wall_fires = schedule.wall_fires_from(found)
            start = next(wall_fires).replace(tzinfo=zone)
        run_base = self._run_serial
        finish_base = self._finish_serial
        self._run_serial += cycles
        self._finish_serial += cycles
        fire = start
        end = at
        for index in range(first_built, cycles):
            run = self._built_run(
                job, index + run_base + 1, fire, items, rule.outcome, rule.seconds
            )
            end = run.ended_at = fire + duration
            run.finish_serial = finish_base + index + 1
            self._keep(run)
            if index + 1 < cycles:
                if wall_fires is not None:
                    fire = next(wall_fires).replace(tzinfo=zone)
                else:
                    assert period is not None
                    fire = fire + period
        if period is not None:
            # fires strictly between two cycles' starts are skipped: all of them for the
            # cycles before the last; of the last, the first is counted when it comes and,
            # with more to come before the next start, the rest as time passes them
            between = period // _ONE_SECOND - 1
            skipped = (cycles - 1) * between + min(between, 1)
            job.skipped_fires += skipped
            self._skipped_fires += skipped
            last_fire = fire
            resume = last_fire + period
            if between >= 2:
                job.skipping_since = last_fire + _ONE_SECOND
                self._skipping[job.serial] = job
            job.next_fire = resume
            self._timeline.push(resume, "fire", job)
        else:
            self._schedule_next(job, fire)
        return end, 2 * built

    def _built_run(
        self,
        job: ScheduledJob,
        run_id: int,
        fire: datetime,
        items: tuple[WorkItem, ...],
        outcome: Outcome,
        seconds: float | None,
    ) -> Run:
        """A run of ``job`` fired at ``fire``, named and registered as :meth:`_start_run`
        does, started; the caller ends it."""
        name = self._unique_run_name(job, fire)
        self._run_names.setdefault(job.company_id, {})[name] = run_id
        run = Run(run_id, job, name, fire, items, outcome, self.settings.seconds_per_item, seconds)
        run.start(fire)
        if job.kind is JobKind.EXPORT:
            run.download_path = f"{EXPORT_PATH_PREFIX}{run_id}.zip"
        return run

    def _unique_run_name(self, job: ScheduledJob, at: datetime) -> str:
        """The name of a run of ``job`` starting at ``at``: the start's local time, moved on a
        millisecond at a time while an unfinished or kept run of the company has the name."""
        stamp = self._local(at)
        name = run_name(job.name, stamp)
        taken = self._run_names.get(job.company_id, {})
        while name in taken:
            stamp += timedelta(milliseconds=1)
            name = run_name(job.name, stamp)
        return name

    def _skip_to_run_end(self, job: ScheduledJob, at: datetime) -> None:
        """After a fire skipped at ``at``, move the job's entry straight to its first fire at
        or after the end of its run, when that end is known (one run, with a pending end);
        the fires in between are skipped without an entry each, and counted as time passes
        them (:meth:`_skipped_by`). Otherwise the next fire gets an entry as usual."""
        assert job.schedule is not None
        end = self._timeline.due_of(job.runs[0]) if len(job.runs) == 1 else None
        if end is not None:
            following = job.schedule.next_fire_after(at)
            if following is not None and following < end:
                resume = job.schedule.next_fire_after(end - _JUST_BEFORE)
                if resume is not None:
                    job.skipping_since = at
                    self._skipping[job.serial] = job
                    job.next_fire = resume
                    self._timeline.push(resume, "fire", job)
                    return
        self._schedule_next(job, at)

    def _count_skipped(self, job: ScheduledJob, after: datetime, before: datetime) -> None:
        assert job.schedule is not None
        count = job.schedule.count_fires_between(after, before)
        job.skipped_fires += count
        self._skipped_fires += count

    def _skipped_by(self, job: ScheduledJob, now: datetime) -> int:
        """Fires of ``job`` skipped up to ``now`` (inclusive) that are not counted yet."""
        since = job.skipping_since
        if since is None or job.schedule is None or now <= since:
            return 0
        return job.schedule.count_fires_between(since, now + _JUST_BEFORE)

    def _settle(self, job: ScheduledJob, now: datetime) -> None:
        """Count the skipped fires up to ``now`` and give the job an entry at its next fire
        after ``now``: before anything changes its run's end or its trigger."""
        since = job.skipping_since
        if since is None:
            return
        assert job.schedule is not None
        self._count_skipped(job, since, now + _JUST_BEFORE)
        job.skipping_since = None
        del self._skipping[job.serial]
        self._schedule_next(job, max(now, since))

    def _schedule_next(self, job: ScheduledJob, after: datetime) -> None:
        assert job.schedule is not None
        job.next_fire = job.schedule.next_fire_after(after)
        if job.next_fire is None:
            self._complete(job)
        else:
            self._timeline.push(job.next_fire, "fire", job)

    def _work_items(self, job: ScheduledJob) -> tuple[WorkItem, ...]:
        payload = job.payload
        if payload.items:
            return payload.items
        if payload.kind is JobKind.UPLOAD_DIRECTORY:
            return _fixed_items(payload.server_dir.rstrip("/") if payload.server_dir else "upload")
        return _fixed_items(None, job.kind.type_name)

    def _start_run(self, job: ScheduledJob, at: datetime) -> Run:
        self._run_serial += 1
        name = self._unique_run_name(job, at)
        self._run_names.setdefault(job.company_id, {})[name] = self._run_serial
        rule = self.outcomes.choose(job.kind, job.name)
        run = Run(
            run_id=self._run_serial,
            job=job,
            name=name,
            trigger_time=at,
            items=self._work_items(job),
            outcome=rule.outcome,
            seconds_per_item=self.settings.seconds_per_item,
            total_seconds_override=rule.seconds,
        )
        self._runs[run.run_id] = run
        self._runs_by_company.setdefault(job.company_id, {})[run.run_id] = run
        job.runs.append(run)
        if len(job.runs) == 1:
            self._begin_work(run, at)
        return run

    def _begin_work(self, run: Run, at: datetime) -> None:
        run.start(at)
        if run.items and run.job.kind in (
            JobKind.UPLOAD_URLS,
            JobKind.UPLOAD_DIRECTORY,
            JobKind.RIP_PDFS,
        ):
            run.first_asset = self._asset_serial + 1
            self._asset_serial += len(run.items)
            self._asset_firsts.append(run.first_asset)
            self._asset_run_ids.append(run.run_id)
        self._push_finish(run)
        if self._email_setting(run) is EmailSetting.ALL:
            self._mail(run, at, "mail_start_subject", "mail_start_body", reason="start")

    def _push_finish(self, run: Run) -> None:
        finish = run.finish_time()
        if finish is not None:
            self._timeline.push(finish, "finish", run)

    def _finish(self, run: Run, at: datetime) -> None:
        if run.job.kind is JobKind.EXPORT:
            run.download_path = f"{EXPORT_PATH_PREFIX}{run.run_id}.zip"
        run.ended_at = at
        self._finish_serial += 1
        run.finish_serial = self._finish_serial
        self._keep(run)
        del self._runs[run.run_id]
        del self._runs_by_company[run.job.company_id][run.run_id]
        job = run.job
        job.runs.remove(run)
        self._notify_end(run, at)
        if job.runs and job.runs[0].is_waiting:
            self._begin_work(job.runs[0], at)

    def _keep(self, run: Run) -> None:
        """Keep a finished run (its log's compact form); past the company's retention bound,
        forget its oldest kept run."""
        company_id = run.job.company_id
        self._finished[run.run_id] = run
        kept = self._logs.setdefault(company_id, {})
        kept[run.run_id] = run
        key = (company_id, run.job.name)
        indexed = self._logs_by_original.get(key)
        if indexed is None:
            self._logs_by_original[key] = run
        elif isinstance(indexed, Run):
            self._logs_by_original[key] = {indexed.run_id: indexed, run.run_id: run}
        else:
            indexed[run.run_id] = run
        for item in run.items:
            if item.asset_handle:
                self._asset_runs.setdefault((company_id, item.asset_handle), {})[run.run_id] = run
        if len(kept) > self.settings.log_retention:
            self._forget(kept[next(iter(kept))])

    def _forget(self, run: Run) -> None:
        """Drop a kept run: its handle then names nothing, its archive is gone."""
        company_id = run.job.company_id
        del self._finished[run.run_id]
        del self._logs[company_id][run.run_id]
        key = (company_id, run.job.name)
        by_original = self._logs_by_original[key]
        if isinstance(by_original, Run):
            del self._logs_by_original[key]
        else:
            del by_original[run.run_id]
            if len(by_original) == 1:
                self._logs_by_original[key] = next(iter(by_original.values()))
        for item in run.items:
            if item.asset_handle:
                asset_key = (company_id, item.asset_handle)
                runs = self._asset_runs.get(asset_key)
                if runs is not None:
                    runs.pop(run.run_id, None)
                    if not runs:
                        del self._asset_runs[asset_key]
        names = self._run_names.get(company_id)
        if names is not None:
            names.pop(run.name, None)

    def _kept_of(self, company_id: str, job_name: str) -> list[Run]:
        """The kept runs of one job name in a company, in the order they finished."""
        indexed = self._logs_by_original.get((company_id, job_name))
        if indexed is None:
            return []
        return [indexed] if isinstance(indexed, Run) else list(indexed.values())

    def _log(self, run: Run) -> JobLogInfo:
        return run.log(self.settings.client_name)

    def _logs_of(self, runs: Iterable[Run]) -> list[JobLogInfo]:
        client_name = self.settings.client_name
        return [run.log(client_name) for run in runs]

    def _email_setting(self, run: Run) -> EmailSetting:
        return self._email_setting_of(run.job)

    @staticmethod
    def _email_setting_of(job: ScheduledJob) -> EmailSetting:
        return job.email_setting

    def _notify_end(self, run: Run, at: datetime) -> None:
        setting = self._email_setting(run)
        if setting is EmailSetting.NONE:
            return
        success, errors, warnings, duplicates, fatal = run.tally(at)
        failed = fatal or errors > 0
        warned = warnings > 0
        wanted = {
            EmailSetting.ALL: True,
            EmailSetting.JOB_COMPLETION: True,
            EmailSetting.ERROR: failed,
            EmailSetting.ERROR_AND_WARNING: failed or warned,
            EmailSetting.NONE: False,
        }[setting]
        if wanted:
            subject = "mail_fail_subject" if failed else "mail_end_subject"
            counts = (success, errors, warnings, duplicates)
            self._mail(run, at, subject, "mail_body", reason="end", counts=counts)

    def _mail(
        self,
        run: Run,
        at: datetime,
        subject_key: str,
        body_key: str,
        *,
        reason: str,
        counts: tuple[int, int, int, int] = (0, 0, 0, 0),
    ) -> None:
        locale = run.job.locale or "en-US"
        success, errors, warnings, duplicates = counts
        self._mail_serial += 1
        outbox = self._outbox.setdefault(run.job.company_id, deque())
        if len(outbox) >= self.settings.log_retention:
            outbox.popleft()
        outbox.append(
            (
                self._mail_serial,
                Notification(
                    to=run.job.notify_email,
                    subject=localized(subject_key, locale, job=run.job.name),
                    body=localized(
                        body_key,
                        locale,
                        run=run.name,
                        success=success,
                        errors=errors,
                        warnings=warnings,
                        duplicates=duplicates,
                    ),
                    locale=locale,
                    company_id=run.job.company_id,
                    job_name=run.job.name,
                    run_name=run.name,
                    run_id=run.run_id,
                    sent_at=at,
                    reason=reason,
                ),
            )
        )

    # -- snapshots -----------------------------------------------------------------------------

    def _scheduled_info(self, job: ScheduledJob) -> ScheduledJobInfo:
        return ScheduledJobInfo(
            company_id=job.company_id,
            name=job.name,
            kind=job.kind,
            submit_user_email=job.submitter_email,
            locale=job.locale,
            description=job.description,
            exec_schedule=job.schedule.expression if job.schedule else None,
            next_fire_time=self._next_fire_shown(job),
            time_zone=job.time_zone,
            trigger_state=job.trigger_state,
            payload=job.payload,
            skipped_fires=job.skipped_fires + self._skipped_by(job, self._sim_now),
        )

    def _next_fire_shown(self, job: ScheduledJob) -> datetime | None:
        """The job's next fire as of the simulation's instant (an entry moved past skipped
        fires is not it)."""
        if job.skipping_since is None or job.schedule is None:
            return job.next_fire
        return job.schedule.next_fire_after(max(self._sim_now, job.skipping_since))

    def _active_info(self, run: Run, now: datetime) -> ActiveJobInfo:
        job = run.job
        return ActiveJobInfo(
            company_id=job.company_id,
            run_id=run.run_id,
            name=run.name,
            original_name=job.name,
            kind=job.kind,
            state=run.state(now),
            submit_user_email=job.submitter_email,
            locale=job.locale,
            description=job.description,
            server_name=self.settings.server_name,
            start_date=self._local(run.started_at or run.trigger_time),
            trigger_time=self._local(run.trigger_time),
            total_size=len(run.items),
            progress=run.progress(now) if not run.is_waiting else 0,
            progress_message=run.progress_message(now),
            last_progress_update=self._local(run.last_progress_update(now)),
            tasks=(run.task(now),),
            payload=job.payload,
        )

    # -- queries -------------------------------------------------------------------------------

    def get_active_jobs(
        self,
        user: User,
        company_handle: str | None = None,
        handle: str | None = None,
        original_name: str | None = None,
        include_waiting: bool = False,
    ) -> list[ActiveJobInfo]:
        """getActiveJobs: runs not yet finished, oldest first."""
        with self.lock:
            now = self._begin(user, "getActiveJobs")
            company = self._company(user, company_handle) if company_handle else None
            scope_ids = self._scope(user, company_handle)
            scope = set(scope_ids)
            runs: Iterable[Run]
            if handle is None:
                runs = sorted(
                    (
                        run
                        for company_id in scope_ids
                        for run in self._runs_by_company.get(company_id, {}).values()
                    ),
                    key=lambda run: run.run_id,
                )
            else:
                job = self._find_job(user, company, handle)
                if job is not None:
                    runs = sorted(job.runs, key=lambda run: run.run_id)
                else:
                    run_id = self._find_run(user, company, handle)
                    if run_id is None:
                        raise self._unknown_handle(handle)
                    runs = [self._runs[run_id]] if run_id in self._runs else []
            result = []
            for run in runs:
                if run.job.company_id not in scope:
                    continue
                if original_name is not None and run.job.name != original_name:
                    continue
                if run.is_waiting and not include_waiting:
                    continue
                result.append(self._active_info(run, now))
            return result

    def get_scheduled_jobs(
        self,
        user: User,
        company_handle: str | None = None,
        handle: str | None = None,
        original_name: str | None = None,
    ) -> list[ScheduledJobInfo]:
        """getScheduledJobs: jobs that can still fire, in submission order."""
        with self.lock:
            self._begin(user, "getScheduledJobs")
            company = self._company(user, company_handle) if company_handle else None
            scope = set(self._scope(user, company_handle))
            if handle is not None:
                job = self._find_job(user, company, handle)
                if job is None:
                    if self._find_run(user, company, handle) is None:
                        raise self._unknown_handle(handle)
                    return []
                candidates: Iterable[ScheduledJob] = [job]
            elif original_name is not None:
                candidates = [
                    job
                    for key in scope
                    if (job := self._jobs.get((key, original_name))) is not None
                ]
            else:
                candidates = sorted(
                    (job for key in scope for job in self._listed_jobs.get(key, {}).values()),
                    key=lambda job: job.serial,
                )
            return [
                self._scheduled_info(job)
                for job in candidates
                if job.is_listed
                and job.company_id in scope
                and (original_name is None or job.name == original_name)
            ]

    # -- control -------------------------------------------------------------------------------

    def _target(
        self, user: User, operation: str, company_handle: str, handle: str
    ) -> tuple[datetime, ScheduledJob | None, Run | None]:
        now = self._begin(user, operation)
        company = self._company(user, company_handle)
        job = self._find_job(user, company, handle)
        if job is not None and not job.deleted:
            return now, job, None
        run_id = self._find_run(user, company, handle)
        if run_id is None:
            raise self._unknown_handle(handle)
        run = self._runs.get(run_id)
        if run is None:
            raise invalid_parameter(f"jobHandle {handle!r} names a run that has already finished")
        return now, None, run

    def stop_job(self, user: User, company_handle: str, handle: str) -> None:
        """stopJob: a run turns Stopping, then Done with a log saying it was stopped. On a
        scheduled job, stops its current runs."""
        with self.lock:
            now, job, run = self._target(user, "stopJob", company_handle, handle)
            runs = [run] if run is not None else list(job.runs) if job is not None else []
            live = [r for r in runs if r.stop_requested_at is None]
            if not live:
                raise invalid_parameter(f"jobHandle {handle!r} has no run to stop")
            for each in live:
                self._stop(each, now)

    def _stop(self, run: Run, now: datetime) -> None:
        self._settle(run.job, now)
        if run.is_waiting:
            run.job.runs.remove(run)
            run.start(now)
            run.job.runs.append(run)
        run.request_stop(now)
        self._push_finish(run)

    def pause_job(self, user: User, company_handle: str, handle: str) -> None:
        """pauseJob: a scheduled job stops firing; a run holds its progress."""
        with self.lock:
            now, job, run = self._target(user, "pauseJob", company_handle, handle)
            if job is not None:
                if job.trigger_state is not TriggerState.NORMAL:
                    raise invalid_parameter(
                        f"jobHandle {handle!r} cannot be paused: its trigger is "
                        f"{job.trigger_state.value}"
                    )
                self._settle(job, now)
                job.trigger_state = TriggerState.PAUSED
                return
            assert run is not None
            if run.paused_at is not None or run.stop_requested_at is not None or run.is_waiting:
                state = "paused" if run.paused_at is not None else run.state(now).value
                raise invalid_parameter(f"jobHandle {handle!r} cannot be paused: it is {state}")
            self._settle(run.job, now)
            run.pause(now)
            self._timeline.discard(run)

    def resume_job(self, user: User, company_handle: str, handle: str) -> None:
        """resumeJob: undo pauseJob. A one-off fire missed while paused happens now."""
        with self.lock:
            now, job, run = self._target(user, "resumeJob", company_handle, handle)
            if job is not None:
                if job.trigger_state is not TriggerState.PAUSED:
                    raise invalid_parameter(f"jobHandle {handle!r} is not paused")
                job.trigger_state = TriggerState.NORMAL
                if job.missed_while_paused:
                    job.missed_while_paused = False
                    job.next_fire = now
                    self._timeline.push(now, "fire", job)
                    self.sync()
                return
            assert run is not None
            if run.paused_at is None:
                raise invalid_parameter(f"jobHandle {handle!r} is not paused")
            run.resume(now)
            self._push_finish(run)

    def delete_job(self, user: User, company_handle: str, handle: str) -> None:
        """deleteJob: remove a scheduled job (no more fires) and stop its runs; on a run,
        stop it."""
        with self.lock:
            now, job, run = self._target(user, "deleteJob", company_handle, handle)
            if run is not None:
                if run.stop_requested_at is None:
                    self._stop(run, now)
                return
            assert job is not None
            self._settle(job, now)
            job.deleted = True
            job.version += 1
            job.next_fire = None
            self._timeline.discard(job)
            self._unlist(job)
            if self._jobs.get((job.company_id, job.name)) is job:
                del self._jobs[(job.company_id, job.name)]
            for each in list(job.runs):
                if each.stop_requested_at is None:
                    self._stop(each, now)

    # -- logs ----------------------------------------------------------------------------------

    def get_job_logs(
        self,
        user: User,
        company_handle: str | None = None,
        user_handle: str | None = None,
        sort_by: str | None = None,
        sort_direction: str | None = None,
        start_date: datetime | None = None,
        end_date: datetime | None = None,
        num_rows: int | None = None,
    ) -> list[JobLogInfo]:
        """getJobLogs: finished runs' logs (without details), newest first unless sorted.
        Dates without an offset are read in the server's zone, like execTime."""
        with self.lock:
            self._begin(user, "getJobLogs")
            scope = self._scope(user, company_handle)
            submitter = None
            if user_handle is not None:
                found = self.directory.find_user(user_handle)
                if found is None:
                    raise IpsFault(
                        FaultCode.INVALID_REQUEST_USER, f"userHandle {user_handle!r} names no user"
                    )
                submitter = found.email
            if num_rows is not None and num_rows < 0:
                raise invalid_parameter(f"numRows must not be negative, got {num_rows}")
            start_date = self._in_zone(start_date, "startDate")
            end_date = self._in_zone(end_date, "endDate")
            runs = [run for company_id in scope for run in self._logs.get(company_id, {}).values()]
            logs = [
                log
                for log in self._logs_of(
                    run for run in runs if submitter is None or run.job.submitter_email == submitter
                )
                if (start_date is None or log.start_date >= start_date)
                and (end_date is None or log.start_date <= end_date)
            ]
            key = JOB_LOG_SORT_KEYS[sort_by or "StartDate"]
            descending = (sort_direction or "Descending") == "Descending"
            logs.sort(key=lambda log: log.run_id, reverse=descending)
            logs.sort(key=key, reverse=descending)  # type: ignore[arg-type]
            if num_rows is not None:
                logs = logs[:num_rows]
            return logs

    def get_job_log_details(
        self,
        user: User,
        company_handle: str,
        handle: str | None = None,
        original_name: str | None = None,
        log_types: Iterable[str] | None = None,
        records_per_page: int | None = None,
        results_page: int | None = None,
        sort_by: str | None = None,
        sort_direction: str | None = None,
    ) -> list[JobLogPage]:
        """getJobLogDetails: logs of one run (run handle), of one job (scheduled handle or
        originalName), or of the company, each with one page of detail lines."""
        with self.lock:
            self._begin(user, "getJobLogDetails")
            company = self._company(user, company_handle)
            per_page = MAX_RECORDS_PER_PAGE if records_per_page is None else records_per_page
            if per_page < 1:
                raise invalid_parameter(f"recordsPerPage must be at least 1, got {per_page}")
            per_page = min(per_page, MAX_RECORDS_PER_PAGE)
            page = 1 if results_page is None else results_page
            if page < 1:
                raise invalid_parameter(f"resultsPage must be at least 1, got {page}")
            logs: list[JobLogInfo]
            if handle is not None:
                job = self._find_job(user, company, handle)
                if job is not None:
                    logs = self._logs_of(self._kept_of(job.company_id, job.name))
                else:
                    run_id = self._find_run(user, company, handle)
                    if run_id is None:
                        raise self._unknown_handle(handle)
                    found = self._finished.get(run_id)
                    logs = [self._log(found)] if found is not None else []
            elif original_name is not None:
                logs = self._logs_of(self._kept_of(company.id, original_name))
            else:
                logs = self._logs_of(self._logs.get(company.id, {}).values())
            if original_name is not None:
                logs = [log for log in logs if log.original_job_name == original_name]
            wanted = set(log_types) if log_types else None
            key = DETAIL_SORT_KEYS[sort_by or "Date"]
            descending = sort_direction == "Descending"
            pages = []
            for log in logs:
                details = [d for d in log.details if wanted is None or d.log_type in wanted]
                details.sort(key=key, reverse=descending)  # type: ignore[arg-type]
                start = (page - 1) * per_page
                pages.append(
                    JobLogPage(log, tuple(details[start : start + per_page]), len(details))
                )
            return pages

    def get_asset_job_logs(
        self, user: User, company_handle: str, asset: str
    ) -> list[AssetJobLogInfo]:
        """getAssetJobLogs: every log line about one asset, oldest first."""
        with self.lock:
            self._begin(user, "getAssetJobLogs")
            company = self._company(user, company_handle)
            if not asset.strip():
                raise missing_parameter("assetHandle must not be empty")
            runs = dict(self._asset_runs.get((company.id, asset), {}))
            creator = self._asset_creator(company.id, asset)
            if creator is not None:
                runs[creator.run_id] = creator
            result: list[AssetJobLogInfo] = []
            for run in sorted(runs.values(), key=lambda run: run.finish_serial):
                log = self._log(run)
                result.extend(
                    AssetJobLogInfo(
                        company_id=log.company_id,
                        run_id=log.run_id,
                        job_name=log.job_name,
                        log_message=detail.log_message,
                        log_type=detail.log_type,
                        submit_user_email=log.submit_user_email,
                        log_date=detail.date_created,
                    )
                    for detail in log.details
                    if detail.asset_handle == asset
                )
            return result

    def _asset_creator(self, company_id: str, asset: str) -> Run | None:
        """The kept run that created ``asset`` (``a|<company>|<n>|1``), or None."""
        parts = asset.split("|")
        if len(parts) != 4 or parts[0] != "a" or parts[1] != company_id or parts[3] != "1":
            return None
        if not (parts[2].isascii() and parts[2].isdigit()):
            return None
        serial = int(parts[2])
        index = bisect_right(self._asset_firsts, serial) - 1
        if index < 0:
            return None
        run = self._finished.get(self._asset_run_ids[index])
        if run is None or run.job.company_id != company_id:
            return None
        return run if serial < run.first_asset + len(run.items) else None

    # -- for the edges: admin API, pytest plugin, export downloads -----------------------------

    def export_archive(self, run_id: int) -> tuple[str, tuple[str, ...]] | None:
        """(run name, exported handles) of a finished export, or None."""
        with self.lock:
            run = self._finished.get(run_id)
            if run is None or run.download_path is None or run.stopped:
                return None
            if run.tally(run.ended_at or run.trigger_time)[4]:
                return None  # a failed export leaves no archive
            return run.name, tuple(item.asset_handle or item.name for item in run.items)

    def job_log(self, run_id: int) -> JobLogInfo | None:
        """The log a finished run left, or None."""
        with self.lock:
            run = self._finished.get(run_id)
            return self._log(run) if run is not None else None

    def all_scheduled_jobs(self) -> list[ScheduledJobInfo]:
        """Every job that can still fire, across companies (no authorization)."""
        with self.lock:
            self.sync()
            jobs = sorted(self._jobs.values(), key=lambda job: job.serial)
            return [self._scheduled_info(job) for job in jobs if job.is_listed]

    def all_active_jobs(self) -> list[ActiveJobInfo]:
        """Every unfinished run, waiting ones included (no authorization)."""
        with self.lock:
            now = self.sync()
            return [self._active_info(run, now) for run in self._runs.values()]

    def all_job_logs(self) -> list[JobLogInfo]:
        """Every job log in the order runs finished (no authorization)."""
        with self.lock:
            self.sync()
            runs = sorted(self._finished.values(), key=lambda run: (run.ended_at, run.run_id))
            return self._logs_of(runs)

    def notifications(self) -> list[Notification]:
        """The outbox, oldest first."""
        with self.lock:
            self.sync()
            return [mail for _, mail in merge(*self._outbox.values(), key=lambda entry: entry[0])]

    @property
    def outbox(self) -> list[Notification]:
        """The outbox, oldest first (a copy; use :meth:`notifications` from other threads)."""
        return [mail for _, mail in merge(*self._outbox.values(), key=lambda entry: entry[0])]

    def skipped_fire_count(self) -> int:
        """Recurring fires skipped, across jobs (deleted ones included), because a run of
        their job was unfinished (Quartz's non-concurrent jobs)."""
        with self.lock:
            self.sync()
            now = self._sim_now
            return self._skipped_fires + sum(
                self._skipped_by(job, now) for job in self._skipping.values()
            )

    def pending_fire_count(self) -> int:
        """Entries in the timeline (for diagnostics)."""
        return len(self._timeline)

    # -- bounded views (the dashboard, ips_fake.dashboard) ----------------------------------------
    # Each costs O(limit) without a name filter and one pass over the company's entries with
    # one; none builds a snapshot it does not return.

    def recent_scheduled_jobs(
        self, limit: int, *, company_id: str | None = None, name: str | None = None
    ) -> tuple[list[ScheduledJobInfo], int]:
        """The newest ``limit`` jobs that can still fire, newest first, of one company and/or
        whose name contains ``name`` (case-insensitive) when given; and how many match."""
        with self.lock:
            self.sync()
            groups = _groups(self._listed_jobs, company_id)
            jobs, count = _newest(groups, limit, name, lambda job: job.name)
            jobs.sort(key=lambda job: job.serial, reverse=True)
            return [self._scheduled_info(job) for job in jobs[:limit]], count

    def recent_active_jobs(
        self, limit: int, *, company_id: str | None = None, name: str | None = None
    ) -> tuple[list[ActiveJobInfo], int]:
        """The newest ``limit`` unfinished runs (waiting ones included), newest first, filtered
        like :meth:`recent_scheduled_jobs` by the job's name; and how many match."""
        with self.lock:
            now = self.sync()
            groups = _groups(self._runs_by_company, company_id)
            runs, count = _newest(groups, limit, name, lambda run: run.job.name)
            runs.sort(key=lambda run: run.run_id, reverse=True)
            return [self._active_info(run, now) for run in runs[:limit]], count

    def recent_job_logs(
        self, limit: int, *, company_id: str | None = None, name: str | None = None
    ) -> tuple[list[JobLogInfo], int]:
        """The ``limit`` logs of the runs that finished last, newest first, filtered like
        :meth:`recent_scheduled_jobs` by the job's name; and how many match."""
        with self.lock:
            self.sync()
            groups = _groups(self._logs, company_id)
            # each company's kept runs are in the order they finished
            runs, count = _newest(groups, limit, name, lambda run: run.job.name)
            runs.sort(key=lambda run: (run.ended_at, run.finish_serial, run.run_id), reverse=True)
            return self._logs_of(runs[:limit]), count

    def recent_notifications(
        self, limit: int, *, company_id: str | None = None, name: str | None = None
    ) -> tuple[list[Notification], int]:
        """The ``limit`` newest mails of the outbox, newest first, filtered like
        :meth:`recent_scheduled_jobs` by the job's name; and how many match."""
        with self.lock:
            self.sync()
            groups = _groups(self._outbox, company_id)
            mails, count = _newest(groups, limit, name, lambda entry: entry[1].job_name)
            mails.sort(key=lambda entry: entry[0], reverse=True)
            return [mail for _, mail in mails[:limit]], count


def _groups(by_company: dict[str, Any], company_id: str | None) -> list[Any]:
    """The per-company collections to look at: one company's, or every company's."""
    if company_id is None:
        return list(by_company.values())
    found = by_company.get(company_id)
    return [found] if found is not None else []


def _newest(
    groups: list[Any], limit: int, name: str | None, name_of: Callable[[Any], str]
) -> tuple[list[Any], int]:
    """Up to ``limit`` newest entries of each group (each oldest first, a dict's values or a
    sequence) whose name contains ``name`` (case-insensitive), and how many match in all."""
    taken: list[Any] = []
    count = 0
    for group in groups:
        entries = group.values() if isinstance(group, dict) else group
        if name is None:
            count += len(entries)
            taken.extend(islice(reversed(entries), limit))
            continue
        wanted = name.casefold()
        matching = [entry for entry in entries if wanted in name_of(entry).casefold()]
        count += len(matching)
        taken.extend(matching[-limit:])
    return taken, count


@lru_cache(maxsize=256)
def _fixed_items(folder: str | None, stem: str = "") -> tuple[WorkItem, ...]:
    """The made-up items of a job that lists none (shared: items are immutable): images in
    ``folder`` for an upload of a directory, else ``{stem}-item-N``."""
    if folder is not None:
        return tuple(WorkItem(f"{folder}/image-{n}.jpg") for n in range(1, FIXED_ITEM_COUNT + 1))
    return tuple(WorkItem(f"{stem}-item-{n}") for n in range(1, FIXED_ITEM_COUNT + 1))
