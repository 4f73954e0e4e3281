"""Job logs: the log types each job kind writes and the JobLog a run leaves when it ends
(its item lines, the closing lines and the summary counts), built on demand from the run's
compact record.

:class:`ips_fake.core.runs.Run` builds its log through :func:`build_log`; this module sees a
run through :class:`LoggedRun` only, so it does not import :mod:`ips_fake.core.runs`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from ips_fake.core.messages import localized
from ips_fake.core.model import JobKind, JobLogDetail, JobLogInfo, JobPayload, Outcome, WorkItem


@dataclass(frozen=True)
class LogTypes:
    """The log type strings a job kind writes."""

    begin: str
    end: str
    success: str
    error: str
    warning: str


def _pattern(stem: str, item_stem: str | None = None) -> LogTypes:
    item = item_stem or stem
    return LogTypes(
        f"Begin{stem}", f"End{stem}", f"{item}Success", f"{item}Error", f"{item}Warning"
    )


#: Log types per job kind (documented ones from spec section 5; the rest follow their pattern).
LOG_TYPES: dict[JobKind, LogTypes] = {
    JobKind.IMAGE_SERVING_PUBLISH: _pattern("ImageServingPublish"),
    JobKind.IMAGE_RENDERING_PUBLISH: _pattern("ImageRenderingPublish"),
    JobKind.VIDEO_PUBLISH: _pattern("VideoPublish"),
    JobKind.SERVER_DIRECTORY_PUBLISH: _pattern("ServerDirectoryPublish"),
    JobKind.METADATA_PUBLISH: _pattern("MetadataPublish"),
    JobKind.UPLOAD_DIRECTORY: _pattern("Upload"),
    JobKind.UPLOAD_URLS: _pattern("UploadUrls", "Upload"),
    JobKind.OPTIMIZE_IMAGES: LogTypes(
        "BeginReoptimize", "EndReoptimize", "ReoptimizeSuccess", "ReoptimizeFailure", "FileUpdated"
    ),
    JobKind.RIP_PDFS: _pattern("PdfRip", "Upload"),
    JobKind.REPROCESS_ASSETS: LogTypes(
        "BeginReoptimize", "EndReoptimize", "ReoptimizeSuccess", "ReoptimizeFailure", "FileUpdated"
    ),
    JobKind.CREATE_VIDEO_SITEMAP: _pattern("VideoSitemap"),
    JobKind.EXPORT: _pattern("Export"),
    JobKind.AUTOMATED_SET_GENERATION: _pattern("AutomatedSetGeneration"),
    JobKind.UPLOAD_POST: _pattern("Upload"),
}

#: JobLog ``jobSubType`` of an image-serving publish, by publishType.
JOB_SUB_TYPES = {"Full": "full", "Incremental": "increment", "FullWithSearch": "fullwithsearch"}

_UPLOAD_KINDS = frozenset({JobKind.UPLOAD_DIRECTORY, JobKind.UPLOAD_URLS, JobKind.RIP_PDFS})


def asset_type_of(name: str) -> str:
    """A plausible IPS asset type from a file name's extension."""
    lowered = name.lower()
    if lowered.endswith(".pdf"):
        return "Pdf"
    if lowered.endswith((".mp4", ".mov", ".avi", ".flv")):
        return "Video"
    if lowered.endswith(".zip"):
        return "Zip"
    return "Image"


class LoggedJob(Protocol):
    """What a log reads of a run's job (:class:`ips_fake.core.runs.JobOfRun` has it)."""

    @property
    def company_id(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def kind(self) -> JobKind: ...
    @property
    def locale(self) -> str | None: ...
    @property
    def description(self) -> str | None: ...
    @property
    def submitter_email(self) -> str: ...
    @property
    def payload(self) -> JobPayload: ...


class LoggedRun(Protocol):
    """What a log reads of a run (:class:`ips_fake.core.runs.Run` has it)."""

    @property
    def run_id(self) -> int: ...
    @property
    def job(self) -> LoggedJob: ...
    @property
    def name(self) -> str: ...
    @property
    def trigger_time(self) -> datetime: ...
    @property
    def started_at(self) -> datetime | None: ...
    @property
    def outcome(self) -> Outcome: ...
    @property
    def item_count(self) -> int: ...
    @property
    def items(self) -> tuple[WorkItem, ...]: ...
    @property
    def effective_item_count(self) -> int: ...
    @property
    def work_seconds(self) -> float: ...
    def items_done(self, now: datetime) -> int: ...
    def wall_time_of(self, active: float) -> datetime: ...
    def asset_handle_of(
        self, index: int, items: tuple[WorkItem, ...] | None = None
    ) -> str | None: ...


def item_line(kind: JobKind, locale: str | None, outcome: Outcome, item: str) -> tuple[str, str]:
    """(message, log type) of the finished item named ``item`` of a ``kind`` job's run whose
    outcome is ``outcome``."""
    types = LOG_TYPES[kind]
    if outcome is Outcome.FAIL:
        return localized("item_error", locale, item=item), types.error
    if outcome is Outcome.WARN:
        return localized("item_warning", locale, item=item), types.warning
    if outcome is Outcome.DUPLICATES:
        return localized("item_duplicate", locale, item=item), "DuplicateSkipped"
    return localized("item_success", locale, item=item), types.success


def build_log(
    run: LoggedRun,
    end: datetime,
    *,
    client_name: str,
    stopped: bool,
    download_path: str | None,
) -> JobLogInfo:
    """The JobLog ``run`` leaves when it ends at ``end`` (:meth:`Run.build_log
    <ips_fake.core.runs.Run.build_log>`)."""
    job = run.job
    types = LOG_TYPES[job.kind]
    start = run.started_at or run.trigger_time
    done = run.items_done(end)
    details: list[JobLogDetail] = [
        JobLogDetail(job.name, "OriginalJobName", start),
        JobLogDetail(client_name, "JobClient", start),
        JobLogDetail(job.kind.type_name, "JobType", start),
        JobLogDetail(localized("begin", job.locale, job=run.name), types.begin, start),
    ]
    items = run.items
    counts = _done_item_lines(run, items, done, details)
    fatal = run.outcome is Outcome.FAIL and not stopped
    _closing_lines(run, items, details, end, done, stopped, fatal, download_path, counts)
    return _log_info(run, start, end, counts, fatal, tuple(details))


def _done_item_lines(
    run: LoggedRun, items: tuple[WorkItem, ...], done: int, details: list[JobLogDetail]
) -> tuple[int, int, int, int]:
    """Append a line per item done; return (success, errors, warnings, duplicates)."""
    success = errors = warnings = duplicates = 0
    for index in range(done):
        item = items[index]
        message, log_type = item_line(run.job.kind, run.job.locale, run.outcome, item.name)
        finished_at = run.wall_time_of(run.work_seconds * (index + 1) / run.effective_item_count)
        details.append(
            JobLogDetail(
                message,
                log_type,
                finished_at,
                asset_name=item.name,
                asset_type=asset_type_of(item.name),
                asset_handle=run.asset_handle_of(index, items),
            )
        )
        if run.outcome is Outcome.FAIL:
            errors += 1
        elif run.outcome is Outcome.DUPLICATES:
            duplicates += 1
        else:
            success += 1
            warnings += run.outcome is Outcome.WARN
    return success, errors, warnings, duplicates


def _closing_lines(
    run: LoggedRun,
    items: tuple[WorkItem, ...],
    details: list[JobLogDetail],
    end: datetime,
    done: int,
    stopped: bool,
    fatal: bool,
    download_path: str | None,
    counts: tuple[int, int, int, int],
) -> None:
    """Append the lines after the items': cancelled items and the stop, the fatal
    error, the export's archive, and the end line with the counts."""
    locale = run.job.locale
    types = LOG_TYPES[run.job.kind]
    if stopped:
        for item in items[done:]:
            details.append(
                JobLogDetail(
                    localized("item_cancel", locale, item=item.name),
                    "FileCancel",
                    end,
                    asset_name=item.name,
                    asset_type=asset_type_of(item.name),
                    asset_handle=item.asset_handle,
                )
            )
        details.append(JobLogDetail(localized("stopped", locale, job=run.name), types.end, end))
    elif fatal:
        details.append(JobLogDetail(localized("fatal", locale, job=run.name), "FatalError", end))
    if download_path is not None and not fatal and not stopped:
        details.append(
            JobLogDetail(
                localized("export_ready", locale),
                "FileEnd",
                end,
                asset_type="Zip",
                download_path=download_path,
            )
        )
    success, errors, warnings, _ = counts
    end_line = localized(
        "end", locale, job=run.name, success=success, errors=errors, warnings=warnings
    )
    details.append(JobLogDetail(end_line, types.end, end))


def _log_info(
    run: LoggedRun,
    start: datetime,
    end: datetime,
    counts: tuple[int, int, int, int],
    fatal: bool,
    details: tuple[JobLogDetail, ...],
) -> JobLogInfo:
    """The JobLog's summary fields around ``details``."""
    job = run.job
    success, errors, warnings, duplicates = counts
    uploads = job.kind in _UPLOAD_KINDS
    return JobLogInfo(
        company_id=job.company_id,
        run_id=run.run_id,
        job_name=run.name,
        original_job_name=job.name,
        submit_user_email=job.submitter_email,
        log_type="FatalError" if fatal else LOG_TYPES[job.kind].end,
        job_sub_type=JOB_SUB_TYPES.get(job.payload.publish_type or "", "")
        if job.kind is JobKind.IMAGE_SERVING_PUBLISH
        else "",
        start_date=start,
        end_date=end,
        description=job.description or "",
        file_success_count=success,
        file_error_count=errors,
        file_warning_count=warnings,
        file_duplicate_count=duplicates,
        file_update_count=success
        if job.kind in (JobKind.REPROCESS_ASSETS, JobKind.OPTIMIZE_IMAGES)
        else 0,
        total_file_count=run.item_count,
        transfer_success_count=success if uploads else 0,
        transfer_error_count=errors if uploads else 0,
        transfer_warning_count=warnings if uploads else 0,
        fatal_error=fatal,
        details=details,
        locale=job.locale,
    )
