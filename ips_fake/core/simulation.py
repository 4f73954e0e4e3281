"""The simulation behind :class:`ips_fake.core.service.IpsService`: the timeline of fires and
run ends, firing, starting and finishing runs, long stretches of one schedule applied in bulk,
log retention; the outbox is :class:`ips_fake.core.outbox.Outbox`'s.

:class:`Simulation` holds the state; the service's operations (``service.py``) and read-side
views (``queries.py``) build on it. Everything here runs under the service's lock.
"""

from __future__ import annotations

import threading
import time
from array import array
from collections.abc import Iterator
from datetime import datetime, timedelta, tzinfo

from ips_fake.core.clock import Clock
from ips_fake.core.compaction import compacted
from ips_fake.core.cron import QuartzSchedule, has_fixed_offset
from ips_fake.core.handles import run_name
from ips_fake.core.jobs import JobProfiles, ScheduledJob, Timeline
from ips_fake.core.model import (
    ActiveJobInfo,
    EmailSetting,
    JobKind,
    JobPayload,
    Outcome,
    TriggerState,
    WorkItem,
)
from ips_fake.core.moves import (
    ASSET_CREATING_KINDS,
    LAST_WALL_FIRE,
    MAX_ONE_BY_ONE_EVENTS,
    one_by_one_events,
    refusal,
)
from ips_fake.core.outbox import Outbox
from ips_fake.core.outcomes import OutcomeScript
from ips_fake.core.runs import NEW_SECONDS, Run, payload_work_items, work_items_of
from ips_fake.core.settings import ServiceSettings

EXPORT_PATH_PREFIX = "/_fake/exports/"
#: Fires and run ends :meth:`Simulation.catch_up` applies per hold of the lock (a few ms).
SLICE_EVENTS = 500
#: How long :meth:`Simulation.catch_up` leaves the lock free between slices, so a waiting
#: caller gets it (Python's locks are not fair). This paces the work; it reads no time.
SLICE_PAUSE_SECONDS = 0.0005
#: Subtracted from an instant to make "strictly after" searches include it.
_JUST_BEFORE = timedelta(microseconds=1)
_ONE_SECOND = timedelta(seconds=1)
#: Fewer whole cycles than this in reach and a fire is applied the ordinary way.
BULK_MIN_CYCLES = 2
#: Most runs one bulk step of :meth:`Simulation.catch_up` builds under the lock.
BULK_MAX_BUILT = 20_000


class Simulation(Outbox):
    """The state of one fake IPS server and the engine that moves it along the clock."""

    #: Whether a long stretch of a lone schedule's fire-run-finish cycles is applied in bulk
    #: (see :meth:`_bulk_cycles`); False applies every fire one by one. Both give the same
    #: state; the switch exists so tests can compare them.
    bulk_cycles: bool = True

    # set by the service's constructor
    clock: Clock
    settings: ServiceSettings
    zone: tzinfo
    lock: threading.RLock
    outcomes: OutcomeScript

    # -- state ---------------------------------------------------------------------------------

    def _clear_state(self) -> None:
        # every submitted job not deleted, by (company, name); handles are read back into this
        self._jobs: dict[tuple[str, str], ScheduledJob] = {}
        # what submitJob said of jobs besides name, payload and schedule, one object shared
        # by the jobs that said the same; and the payload packing vocabularies
        self._job_profiles = JobProfiles()
        # jobs getScheduledJobs lists (not Complete, not deleted), per company in serial order
        self._listed_jobs: dict[str, dict[int, ScheduledJob]] = {}
        # the listed jobs with a recurring schedule, by serial: the jobs a long clock move may
        # have to fire one at a time (check_move reads these, not every job)
        self._recurring_jobs: dict[int, ScheduledJob] = {}
        # the unpacked payloads of unfinished runs getActiveJobs has shown, by run id
        self._active_payloads: dict[int, JobPayload] = {}
        # (job, its payload) while submitJob applies what is due right after making the job:
        # a job that fires at once is not unpacked again to count its items (_work_items)
        self._payload_at_hand: tuple[ScheduledJob, JobPayload] | None = None
        # the last snapshot getActiveJobs showed of each unfinished run, by run id: (what it
        # was made of, the snapshot); dropped when the run finishes (ServiceQueries._active_info)
        self._active_views: dict[int, tuple[tuple[object, ...], ActiveJobInfo]] = {}
        # unfinished runs per company, in run id order (getActiveJobs reads one company's;
        # see _unfinished_run)
        self._runs_by_company: dict[str, dict[int, Run]] = {}
        # run id of every unfinished or kept run, per company by run name (the run's own
        # string): both handle styles are read back through it, and run names stay unique
        self._run_names: dict[str, dict[str, int]] = {}
        # finished runs kept (the compact form of their logs), per company by run id in the
        # order they finished; logs are built from them when asked (see _kept_run)
        self._logs: dict[str, dict[int, Run]] = {}
        # kept runs per (company, job name): the run itself while it is the only one (most
        # jobs run once), else by run id
        self._logs_by_original: dict[tuple[str, str], Run | dict[int, Run]] = {}
        # kept runs whose items name an asset given in the job (export, reprocess, ...)
        self._asset_runs: dict[tuple[str, str], dict[int, Run]] = {}
        # runs that created assets, by the serial of their first asset (ascending); entries
        # of runs retention dropped are swept once they are half of them
        self._asset_firsts: array[int] = array("q")
        self._asset_run_ids: array[int] = array("q")
        self._asset_entries_dropped = 0
        self._outbox = {}
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

    def _apply_due(self, now: datetime) -> None:
        """Apply what is due by ``now`` (an instant :meth:`sync` returned under the same hold
        of the lock), unless another thread's :meth:`catch_up` holds the simulation behind."""
        if self._mover is None or self._mover == threading.get_ident():
            self._apply(now, None)

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

    def check_move(self, start: datetime, end: datetime) -> None:
        """Refuse a clock move from ``start`` to ``end`` that would start more than
        :data:`~ips_fake.core.moves.MAX_ONE_BY_ONE_EVENTS` runs one at a time: raises
        :class:`~ips_fake.core.moves.MoveTooLong` (a ValueError) saying how to split it.
        Changes nothing. A :class:`~ips_fake.core.clock.ManualClock` calls it before it
        moves (see :meth:`~ips_fake.core.clock.ManualClock.add_move_check`)."""
        with self.lock:
            start, end = self._local(start), self._local(end)
            recurring = self._recurring_jobs
            if (end - start).total_seconds() * len(recurring) < MAX_ONE_BY_ONE_EVENTS:
                return  # not even a fire a second per recurring job could reach the bound
            events, worst = one_by_one_events(
                recurring.values(), start, end, self.zone, self._run_seconds
            )
            if events > MAX_ONE_BY_ONE_EVENTS:
                raise refusal(start, end, events, worst)

    def _run_seconds(self, job: ScheduledJob) -> float:
        """How long a run of ``job`` started now would last, its New time included."""
        rule = self.outcomes.choose(job.kind, job.name)
        probe = Run(
            0,
            job,
            "",
            self._sim_now,
            None,
            rule.outcome,
            self.settings.seconds_per_item,
            rule.seconds,
        )
        probe.item_count = len(work_items_of(job))
        return NEW_SECONDS + probe.work_seconds

    # -- helpers -------------------------------------------------------------------------------

    def _local(self, instant: datetime) -> datetime:
        return instant.astimezone(self.zone)

    def _unlist(self, job: ScheduledJob) -> None:
        listed = self._listed_jobs.get(job.company_id)
        if listed is not None:
            listed.pop(job.serial, None)
            self._listed_jobs[job.company_id] = compacted(listed)
        if self._recurring_jobs.pop(job.serial, None) is not None:
            self._recurring_jobs = compacted(self._recurring_jobs)

    def _complete(self, job: ScheduledJob) -> None:
        """The trigger will never fire again: ``Complete``, no longer listed."""
        job.trigger_state = TriggerState.COMPLETE
        job.next_fire = None
        self._unlist(job)

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
        if schedule is None or not self._bulk_applies(job, at):
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
        reach = self._bulk_reach(schedule, at, until, duration)
        if reach is None:
            return None
        cycles, period = reach
        retention = self.settings.log_retention
        if budget is not None and not (cycles > retention and retention <= BULK_MAX_BUILT):
            cycles = min(cycles, budget // 2)
        if cycles < BULK_MIN_CYCLES:
            return None
        built = min(cycles, retention)
        fires = self._cycle_fires(schedule, at, cycles - built, period)
        run_base = self._run_serial
        finish_base = self._finish_serial
        self._run_serial += cycles
        self._finish_serial += cycles
        fire = end = at
        for index in range(cycles - built, cycles):
            fire = next(fires)
            run = self._built_run(
                job, index + run_base + 1, fire, items, rule.outcome, rule.seconds
            )
            end = run.ended_at = fire + duration
            run.finish_serial = finish_base + index + 1
            self._keep(run)
        self._resume_after_cycles(job, fire, cycles, period)
        return end, 2 * built

    def _bulk_applies(self, job: ScheduledJob, at: datetime) -> bool:
        """Whether ``job``'s fire at ``at`` may start a bulk step (see :meth:`_bulk_cycles`)."""
        return not (
            job.runs
            or job.deleted
            or job.trigger_state is not TriggerState.NORMAL
            or self._email_setting_of(job) is not EmailSetting.NONE
            or job.kind in ASSET_CREATING_KINDS
            or not has_fixed_offset(at.tzinfo)
        )

    def _bulk_reach(
        self, schedule: QuartzSchedule, at: datetime, until: datetime, duration: timedelta
    ) -> tuple[int, timedelta | None] | None:
        """How many cycles of runs lasting ``duration`` from the fire at ``at`` end by
        ``until`` and before the next other entry, and the period between their starts when
        it is not the schedule's own (``* * * * * ?`` with runs over a second); None when
        the cycles are not arithmetic."""
        other = self._timeline.next_due()
        # the last instant a cycle may end at: by ``until``, strictly before ``other``
        end_limit = until if other is None else min(until, other - _JUST_BEFORE)
        wall = at.replace(tzinfo=None)
        if duration <= schedule.shortest_gap_seconds() * _ONE_SECOND:
            last_start = (end_limit - duration).replace(tzinfo=None)
            return schedule.count_wall_fires(wall, min(last_start, LAST_WALL_FIRE)), None
        if schedule.fires_every_second:
            period = -(-duration // _ONE_SECOND) * _ONE_SECOND
            last_start = min((end_limit - duration).replace(tzinfo=None), LAST_WALL_FIRE - period)
            cycles = (last_start - wall) // period + 1 if last_start >= wall else 0
            return cycles, period
        return None

    @staticmethod
    def _cycle_fires(
        schedule: QuartzSchedule, at: datetime, first: int, period: timedelta | None
    ) -> Iterator[datetime]:
        """The starts of the cycles from number ``first`` (0 is the fire at ``at``) on."""
        if period is not None:
            start = at + first * period
            while True:
                yield start
                start += period
        zone = at.tzinfo
        found = schedule.nth_wall_fire(at.replace(tzinfo=None), first)
        assert found is not None
        for wall_fire in schedule.wall_fires_from(found):
            yield wall_fire.replace(tzinfo=zone)

    def _resume_after_cycles(
        self, job: ScheduledJob, last_fire: datetime, cycles: int, period: timedelta | None
    ) -> None:
        """After a bulk step whose last cycle started at ``last_fire``: count the fires it
        skipped and give the job its entry at its next fire."""
        if period is None:
            self._schedule_next(job, last_fire)
            return
        # fires strictly between two cycles' starts are skipped: all of them for the
        # cycles before the last; of the last, the first is counted when it comes and,
        # with more to come before the next start, the rest as time passes them
        between = period // _ONE_SECOND - 1
        skipped = (cycles - 1) * between + min(between, 1)
        job.skipped_fires += skipped
        self._skipped_fires += skipped
        resume = last_fire + period
        if between >= 2:
            job.skipping_since = last_fire + _ONE_SECOND
            self._skipping[job.serial] = job
        job.next_fire = resume
        self._timeline.push(resume, "fire", job)

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

    @staticmethod
    def _job_of(run: Run) -> ScheduledJob:
        """The scheduled job ``run`` belongs to (every run the service starts has one)."""
        job = run.job
        assert isinstance(job, ScheduledJob)
        return job

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
        at_hand = self._payload_at_hand
        if at_hand is not None and at_hand[0] is job:
            return payload_work_items(at_hand[1])  # not unpacked again
        return work_items_of(job)

    def _start_run(self, job: ScheduledJob, at: datetime) -> Run:
        self._run_serial += 1
        name = self._unique_run_name(job, at)
        self._run_names.setdefault(job.company_id, {})[name] = self._run_serial
        rule = self.outcomes.choose(job.kind, job.name)
        # the items are not held: they are rebuilt from the job's packed payload when asked,
        # so a burst of runs leaves no high-water mark of items behind
        items = self._work_items(job)
        run = Run(
            run_id=self._run_serial,
            job=job,
            name=name,
            trigger_time=at,
            held_items=None,
            outcome=rule.outcome,
            seconds_per_item=self.settings.seconds_per_item,
            total_seconds_override=rule.seconds,
            item_count=len(items),
        )
        run.names_assets = any(item.asset_handle for item in items)
        self._runs_by_company.setdefault(job.company_id, {})[run.run_id] = run
        job.runs = (*job.runs, run)
        if len(job.runs) == 1:
            self._begin_work(run, at)
        return run

    def _begin_work(self, run: Run, at: datetime) -> None:
        run.start(at)
        if run.item_count and run.job.kind in (
            JobKind.UPLOAD_URLS,
            JobKind.UPLOAD_DIRECTORY,
            JobKind.RIP_PDFS,
        ):
            run.first_asset = self._asset_serial + 1
            self._asset_serial += run.item_count
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
        # these held every run in progress at once: once a burst has finished, their room
        # is given back
        if self._active_payloads.pop(run.run_id, None) is not None:
            self._active_payloads = compacted(self._active_payloads)
        if self._active_views.pop(run.run_id, None) is not None:
            self._active_views = compacted(self._active_views)
        company_runs = self._runs_by_company[run.job.company_id]
        del company_runs[run.run_id]
        self._runs_by_company[run.job.company_id] = compacted(company_runs)
        job = self._job_of(run)
        job.runs = tuple(each for each in job.runs if each is not run)
        self._notify_end(run, at)
        if job.runs and job.runs[0].is_waiting:
            self._begin_work(job.runs[0], at)

    def _keep(self, run: Run) -> None:
        """Keep a finished run (its log's compact form); past the company's retention bound,
        forget its oldest kept run."""
        company_id = run.job.company_id
        kept = self._logs.setdefault(company_id, {})
        kept[run.run_id] = run
        key = run.job.key
        indexed = self._logs_by_original.get(key)
        if indexed is None:
            self._logs_by_original[key] = run
        elif isinstance(indexed, Run):
            self._logs_by_original[key] = {indexed.run_id: indexed, run.run_id: run}
        else:
            indexed[run.run_id] = run
        for item in run.items if run.names_assets else ():
            if item.asset_handle:
                self._asset_runs.setdefault((company_id, item.asset_handle), {})[run.run_id] = run
        if len(kept) > self.settings.log_retention:
            self._forget(kept[next(iter(kept))])
        # the log is built from the job's packed payload from now on
        run.release_items()

    def _forget(self, run: Run) -> None:
        """Drop a kept run: its handle then names nothing, its archive is gone."""
        company_id = run.job.company_id
        del self._logs[company_id][run.run_id]
        key = run.job.key
        by_original = self._logs_by_original[key]
        if isinstance(by_original, Run):
            del self._logs_by_original[key]
        else:
            del by_original[run.run_id]
            if len(by_original) == 1:
                self._logs_by_original[key] = next(iter(by_original.values()))
        for item in run.items if run.names_assets else ():
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
        if run.first_asset:
            self._asset_entries_dropped += 1
            if self._asset_entries_dropped * 2 > len(self._asset_run_ids):
                self._sweep_asset_index()

    def _sweep_asset_index(self) -> None:
        """Drop the entries of runs neither unfinished nor kept from the index of runs that
        created assets (a serial in a dropped run's range then finds no run, as before)."""
        firsts, run_ids = array("q"), array("q")
        for first, run_id in zip(self._asset_firsts, self._asset_run_ids, strict=True):
            if self._unfinished_run(run_id) or self._kept_run(run_id):
                firsts.append(first)
                run_ids.append(run_id)
        self._asset_firsts, self._asset_run_ids = firsts, run_ids
        self._asset_entries_dropped = 0

    @staticmethod
    def _run_in(
        index: dict[str, dict[int, Run]], run_id: int, company_id: str | None
    ) -> Run | None:
        """Run ``run_id`` in a per-company ``index`` (of ``company_id`` when given, else of
        any company: one look-up per company), or None."""
        if company_id is not None:
            return index.get(company_id, {}).get(run_id)
        for runs in index.values():
            run = runs.get(run_id)
            if run is not None:
                return run
        return None

    def _unfinished_run(self, run_id: int, company_id: str | None = None) -> Run | None:
        """The unfinished run ``run_id`` (see :meth:`_run_in`), or None."""
        return self._run_in(self._runs_by_company, run_id, company_id)

    def _kept_run(self, run_id: int, company_id: str | None = None) -> Run | None:
        """The kept run ``run_id`` (see :meth:`_run_in`), or None."""
        return self._run_in(self._logs, run_id, company_id)

    def _kept_of(self, company_id: str, job_name: str) -> list[Run]:
        """The kept runs of one job name in a company, in the order they finished."""
        indexed = self._logs_by_original.get((company_id, job_name))
        if indexed is None:
            return []
        return [indexed] if isinstance(indexed, Run) else list(indexed.values())
