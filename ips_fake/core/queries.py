"""The read side of :class:`ips_fake.core.service.IpsService`: finding jobs and runs by
handle, the snapshots answers carry (scheduled and active jobs, logs), the views the admin API,
the pytest plugin and the dashboard read (every job, log and mail; the newest few), and the
sort keys of the log tables.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Iterable
from datetime import datetime
from heapq import merge
from itertools import islice
from typing import Any

from ips_fake.core.directory import Company, User
from ips_fake.core.errors import IpsFault, invalid_parameter
from ips_fake.core.handles import job_handle, parse_handle, run_handle
from ips_fake.core.jobs import ScheduledJob
from ips_fake.core.model import (
    ActiveJobInfo,
    JobLogDetail,
    JobLogInfo,
    JobPayload,
    Notification,
    ScheduledJobInfo,
)
from ips_fake.core.runs import Run, payload_work_items
from ips_fake.core.simulation import Simulation

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


class ServiceQueries(Simulation):
    """Lookups by handle, snapshots, and the views of every job, log and mail."""

    # -- finding jobs and runs -----------------------------------------------------------------

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
        company_id = parsed.company_id
        run = self._unfinished_run(run_id, company_id) or self._kept_run(run_id, company_id)
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

    def _log(self, run: Run) -> JobLogInfo:
        return run.log(self.settings.client_name)

    def _logs_of(self, runs: Iterable[Run]) -> list[JobLogInfo]:
        client_name = self.settings.client_name
        return [run.log(client_name) for run in runs]

    def _scheduled_info(
        self, job: ScheduledJob, payload: JobPayload | None = None
    ) -> ScheduledJobInfo:
        """The job as getScheduledJobs shows it; ``payload`` is its payload when the caller
        has it at hand (else it is unpacked)."""
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
            payload=payload if payload is not None else job.payload,
            skipped_fires=job.skipped_fires + self._skipped_by(job, self._sim_now),
        )

    def _next_fire_shown(self, job: ScheduledJob) -> datetime | None:
        """The job's next fire as of the simulation's instant (an entry moved past skipped
        fires is not it)."""
        if job.skipping_since is None or job.schedule is None:
            return job.next_fire
        return job.schedule.next_fire_after(max(self._sim_now, job.skipping_since))

    def _active_info(self, run: Run, now: datetime) -> ActiveJobInfo:
        """The run as getActiveJobs shows it at ``now``. A run's snapshot changes only when
        the instant does or the run does (started, paused, resumed, stopped: each bumps its
        :attr:`~ips_fake.core.runs.Run.version` or sets its start), so the last one shown is
        kept per unfinished run and given again while neither moved: polling a still clock
        costs a lookup per run instead of working out its progress and task items."""
        made_of = (now, now.fold, run.version, run.started_at, self.settings, self.zone)
        shown = self._active_views.get(run.run_id)
        if shown is not None and shown[0] == made_of:
            return shown[1]
        info = self._new_active_info(run, now)
        self._active_views[run.run_id] = (made_of, info)
        return info

    def _new_active_info(self, run: Run, now: datetime) -> ActiveJobInfo:
        """The run as getActiveJobs shows it at ``now``, worked out anew."""
        job = run.job
        payload = self._active_payloads.get(run.run_id)
        if payload is None:
            # unpacked once per unfinished run, dropped when it finishes
            payload = self._active_payloads[run.run_id] = job.payload
        held = run.held_items
        view = run.view(now, held if held is not None else payload_work_items(payload))
        return ActiveJobInfo(
            company_id=job.company_id,
            run_id=run.run_id,
            name=run.name,
            original_name=job.name,
            kind=job.kind,
            state=view.state,
            submit_user_email=job.submitter_email,
            locale=job.locale,
            description=job.description,
            server_name=self.settings.server_name,
            start_date=self._local(run.started_at or run.trigger_time),
            trigger_time=self._local(run.trigger_time),
            total_size=run.item_count,
            progress=view.progress,
            progress_message=view.progress_message,
            last_progress_update=self._local(view.last_progress_update),
            tasks=(view.task,),
            payload=payload,
        )

    # -- queries -------------------------------------------------------------------------------

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
        run = self._kept_run(self._asset_run_ids[index], company_id)
        if run is None or run.job.company_id != company_id:
            return None
        return run if serial < run.first_asset + run.item_count else None

    # -- for the edges: admin API, pytest plugin, export downloads -----------------------------

    def export_archive(self, run_id: int) -> tuple[str, tuple[str, ...]] | None:
        """(run name, exported handles) of a finished export, or None."""
        with self.lock:
            run = self._kept_run(run_id)
            if run is None or run.download_path is None or run.stopped:
                return None
            if run.tally(run.ended_at or run.trigger_time)[4]:
                return None  # a failed export leaves no archive
            return run.name, tuple(item.asset_handle or item.name for item in run.items)

    def job_log(self, run_id: int) -> JobLogInfo | None:
        """The log a finished run left, or None."""
        with self.lock:
            run = self._kept_run(run_id)
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
            # each company's runs are in run id order
            runs = merge(
                *(unfinished.values() for unfinished in self._runs_by_company.values()),
                key=lambda run: run.run_id,
            )
            return [self._active_info(run, now) for run in runs]

    def all_job_logs(self) -> list[JobLogInfo]:
        """Every job log in the order runs finished (no authorization)."""
        with self.lock:
            self.sync()
            runs = sorted(
                (run for kept in self._logs.values() for run in kept.values()),
                key=lambda run: (run.ended_at, run.run_id),
            )
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
