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
from collections.abc import Iterable
from datetime import datetime
from zoneinfo import ZoneInfo

from ips_fake.core.clock import HORIZON, Clock, ManualClock, past_horizon
from ips_fake.core.compaction import compacted
from ips_fake.core.cron import CronSyntaxError, QuartzSchedule
from ips_fake.core.directory import Company, Directory, User
from ips_fake.core.errors import FaultCode, IpsFault, invalid_parameter, missing_parameter
from ips_fake.core.jobs import ScheduledJob
from ips_fake.core.model import (
    ActiveJobInfo,
    AssetJobLogInfo,
    JobLogInfo,
    JobLogPage,
    ScheduledJobInfo,
    SubmitJobRequest,
    TriggerState,
)
from ips_fake.core.outcomes import OutcomeScript
from ips_fake.core.queries import DETAIL_SORT_KEYS, JOB_LOG_SORT_KEYS, ServiceQueries
from ips_fake.core.runs import Run
from ips_fake.core.settings import DEFAULT_LOG_RETENTION, ServiceSettings
from ips_fake.core.simulation import (
    BULK_MAX_BUILT,
    BULK_MIN_CYCLES,
    EXPORT_PATH_PREFIX,
    SLICE_EVENTS,
    SLICE_PAUSE_SECONDS,
)

__all__ = [
    "BULK_MAX_BUILT",
    "BULK_MIN_CYCLES",
    "DEFAULT_LOG_RETENTION",
    "DETAIL_SORT_KEYS",
    "EXPORT_PATH_PREFIX",
    "JOB_LOG_SORT_KEYS",
    "LOCALE_PATTERN",
    "MAX_RECORDS_PER_PAGE",
    "SLICE_EVENTS",
    "SLICE_PAUSE_SECONDS",
    "IpsService",
    "ServiceSettings",
]

LOCALE_PATTERN = re.compile(r"[a-z]{2}(-[A-Z]{2})?")
MAX_RECORDS_PER_PAGE = 1000


class IpsService(ServiceQueries):
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
        self.zone = ZoneInfo(self.settings.time_zone)
        self.lock = threading.RLock()
        self.outcomes = OutcomeScript()
        self._initial_directory = directory.as_json_data()
        self.directory = directory
        self._clear_state()
        if isinstance(clock, ManualClock):
            # a move that would start too many runs one at a time is refused before it happens
            clock.add_move_check(self.check_move)

    # -- state ---------------------------------------------------------------------------------

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

    def _begin(self, user: User, operation: str) -> datetime:
        self.directory.authorize(user, operation)
        return self.sync()

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

    def _company(self, user: User, company_handle: str | None) -> Company:
        if company_handle is None or not company_handle.strip():
            raise missing_parameter("companyHandle is required")
        return self.directory.company_for(user, company_handle)

    def _scope(self, user: User, company_handle: str | None) -> list[str]:
        if company_handle:
            return [self._company(user, company_handle).id]
        return [company.id for company in self.directory.companies_of(user)]

    def submit_job(self, user: User, request: SubmitJobRequest) -> ScheduledJobInfo:
        """submitJob: create a scheduled job; it fires now, at ``exec_time``, or on a schedule.
        Returns the job as getScheduledJobs showed it before any fire."""
        info = self._submit(user, request, snapshot=True)[1]
        assert info is not None
        return info

    def submit_job_key(self, user: User, request: SubmitJobRequest) -> tuple[str, str]:
        """submitJob as its SOAP answer needs it: what :meth:`submit_job` does, returning the
        (company id, name) of the job made (its handle's parts) and no snapshot of it."""
        return self._submit(user, request, snapshot=False)[0].key

    def _submit(
        self, user: User, request: SubmitJobRequest, *, snapshot: bool
    ) -> tuple[ScheduledJob, ScheduledJobInfo | None]:
        """submitJob: the job made and, with ``snapshot``, the job as getScheduledJobs showed
        it before it fired."""
        with self.lock:
            now = self._begin(user, "submitJob")
            company = self._company(user, request.company_handle)
            name = request.job_name
            _check_request(request)
            notify_email = self._notify_email(user, company, request)
            exec_time = self._in_zone(request.exec_time, "execTime")
            if exec_time is not None and exec_time > HORIZON:
                raise invalid_parameter(past_horizon("execTime", exec_time))
            schedule = _parsed_schedule(request.exec_schedule)
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
            profile = self._job_profiles.profile(
                request.payload,
                submitter_email=user.email,
                notify_email=notify_email,
                locale=request.locale,
                description=request.description,
                time_zone=self.settings.time_zone,
            )
            job = ScheduledJob.of(
                self._job_serial, company.id, name, request.payload, profile, schedule
            )
            if existing is not None:
                existing.deleted = True
                self._unlist(existing)
            self._jobs[job.key] = job
            self._listed_jobs.setdefault(company.id, {})[job.serial] = job
            if schedule is not None:
                self._recurring_jobs[job.serial] = job
            job.next_fire = first_fire
            self._timeline.push(first_fire, "fire", job)
            info = self._scheduled_info(job, request.payload) if snapshot else None
            if first_fire <= now:
                self._payload_at_hand = (job, request.payload)
                try:
                    self._apply_due(now)  # it fires at once
                finally:
                    self._payload_at_hand = None
            return job, info

    def _notify_email(self, user: User, company: Company, request: SubmitJobRequest) -> str:
        """Whom the job's mails go to: ``userHandle``'s user (one of ``company``), else the
        caller. A user that is none, or not of ``company``, is an IpsFault (INVALID_REQUEST_USER,
        ILLEGAL_REQUEST_USER)."""
        if request.user_handle is None:
            return user.email
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
        return recipient.email

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
                    unfinished = self._unfinished_run(run_id)
                    runs = [unfinished] if unfinished is not None else []
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
        run = self._unfinished_run(run_id, company.id)
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
        self._settle(self._job_of(run), now)
        if run.is_waiting:
            job = self._job_of(run)
            run.start(now)
            job.runs = (*(each for each in job.runs if each is not run), run)
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
            self._settle(self._job_of(run), now)
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
            if self._jobs.get(job.key) is job:
                del self._jobs[job.key]
                self._jobs = compacted(self._jobs)
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
                    found = self._kept_run(run_id, company.id)
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


def _check_request(request: SubmitJobRequest) -> None:
    """submitJob's checks of the job name, the exclusive execTime/execSchedule and locale."""
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


def _parsed_schedule(expression: str | None) -> QuartzSchedule | None:
    """``execSchedule`` parsed, None when absent; ipsApiFault 30001 when it is no Quartz
    expression."""
    if expression is None:
        return None
    try:
        return QuartzSchedule.parse(expression)
    except CronSyntaxError as error:
        raise invalid_parameter(f"execSchedule {expression!r}: {error}") from None
