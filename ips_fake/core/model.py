"""The core's vocabulary: job kinds, payloads, scheduled jobs, runs, job logs, notifications.

Everything here is plain data. Snapshots handed out of the service (``*Info`` classes) are
frozen, so the protocol layer can render them without holding the service lock.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum
from typing import Union

#: A payload's options exactly as sent, for echoing back: ordered (name, value) pairs where
#: a value is text or a nested tree. Names are the wire names; the core never looks inside
#: beyond what :class:`JobPayload` extracts.
OptionTree = tuple[tuple[str, Union[str, "OptionTree"]], ...]


class JobKind(Enum):
    """The thirteen job payloads submitJob accepts, plus the desktop upload seen in ActiveJob.

    The value is the job ``type`` string IPS reports (spec section 5; values marked inferred
    in docs/fidelity.md where IPS documents none).
    """

    IMAGE_SERVING_PUBLISH = "ImageServingPublish"
    IMAGE_RENDERING_PUBLISH = "ImageRenderingPublish"
    VIDEO_PUBLISH = "VideoPublish"
    SERVER_DIRECTORY_PUBLISH = "ServerDirectoryPublish"
    METADATA_PUBLISH = "MetadataPublish"
    UPLOAD_DIRECTORY = "UploadFromServerDirectory"
    UPLOAD_URLS = "UrlUpload"
    OPTIMIZE_IMAGES = "ImageOptimization"
    RIP_PDFS = "RipPdfs"
    REPROCESS_ASSETS = "ReprocessAssets"
    CREATE_VIDEO_SITEMAP = "CreateVideoSitemap"
    EXPORT = "Export"
    AUTOMATED_SET_GENERATION = "AutomatedSetGeneration"
    UPLOAD_POST = "UploadPost"

    @property
    def type_name(self) -> str:
        """The ``type`` string of ActiveJob / ScheduledJob."""
        return self.value


class EmailSetting(Enum):
    """When IPS mails job notifications."""

    ALL = "All"
    ERROR = "Error"
    ERROR_AND_WARNING = "ErrorAndWarning"
    JOB_COMPLETION = "JobCompletion"
    NONE = "None"


#: submitJob's payload element names in submitJobParam sequence order, with the kind each one
#: makes: the names tests, the admin API and outcome rules call job kinds by (spec section 5).
#: The codec reads this table (``ips_fake.soap.codec.PAYLOAD_ELEMENTS`` is the same object).
PAYLOAD_ELEMENTS: dict[str, JobKind] = {
    "imageServingPublishJob": JobKind.IMAGE_SERVING_PUBLISH,
    "imageRenderingPublishJob": JobKind.IMAGE_RENDERING_PUBLISH,
    "videoPublishJob": JobKind.VIDEO_PUBLISH,
    "serverDirectoryPublishJob": JobKind.SERVER_DIRECTORY_PUBLISH,
    "metadataPublishJob": JobKind.METADATA_PUBLISH,
    "uploadDirectoryJob": JobKind.UPLOAD_DIRECTORY,
    "uploadUrlsJob": JobKind.UPLOAD_URLS,
    "optimizeImagesJob": JobKind.OPTIMIZE_IMAGES,
    "ripPdfsJob": JobKind.RIP_PDFS,
    "reprocessAssetsJob": JobKind.REPROCESS_ASSETS,
    "createVideoSitemapJob": JobKind.CREATE_VIDEO_SITEMAP,
    "exportJob": JobKind.EXPORT,
    "automatedSetGenerationJob": JobKind.AUTOMATED_SET_GENERATION,
}


def job_kind(name: str | JobKind) -> JobKind:
    """A job kind from its payload element (``uploadUrlsJob``), its type (``UrlUpload``)
    or its enum name; raises ValueError for any other name."""
    if isinstance(name, JobKind):
        return name
    if name in PAYLOAD_ELEMENTS:
        return PAYLOAD_ELEMENTS[name]
    for kind in JobKind:
        if name in (kind.value, kind.name, kind.name.lower()):
            return kind
    known = ", ".join(PAYLOAD_ELEMENTS)
    raise ValueError(f"unknown job kind {name!r}; use a payload element name such as {known}")


class TriggerState(Enum):
    """Quartz trigger states reported by ScheduledJob."""

    NORMAL = "Normal"
    PAUSED = "Paused"
    BLOCKED = "Blocked"
    COMPLETE = "Complete"
    ERROR = "Error"
    NONE = "None"


class RunState(Enum):
    """ActiveJob states."""

    UNKNOWN = "Unknown"
    NEW = "New"
    WAITING_CLIENT = "WaitingClient"
    WAITING_COORDINATOR = "WaitingCoordinator"
    RUNNING = "Running"
    STOPPING = "Stopping"
    DONE = "Done"


class Outcome(Enum):
    """What a run does with its items; scripted per job kind or name pattern."""

    SUCCESS = "success"
    FAIL = "fail"
    WARN = "warn"
    DUPLICATES = "duplicates"


@dataclass(frozen=True, slots=True)
class WorkItem:
    """One unit of work in a run: a URL to fetch, an asset to export, a file to publish."""

    name: str
    asset_handle: str | None = None


@dataclass(frozen=True, slots=True)
class JobPayload:
    """What the core needs from a submitJob payload; ``options`` keeps the rest for echoing."""

    kind: JobKind
    element: str
    options: OptionTree
    email_setting: EmailSetting | None = None
    publish_type: str | None = None
    items: tuple[WorkItem, ...] = ()
    server_dir: str | None = None


@dataclass(frozen=True)
class SubmitJobRequest:
    """A submitJob call, decoded."""

    company_handle: str
    job_name: str
    payload: JobPayload
    user_handle: str | None = None
    locale: str | None = None
    exec_time: datetime | None = None
    exec_schedule: str | None = None
    description: str | None = None


@dataclass(frozen=True)
class TaskItemInfo:
    """Progress of one item inside a task."""

    item_name: str
    progress: float
    progress_message: str
    last_progress_update: datetime


@dataclass(frozen=True)
class TaskInfo:
    """Progress of a run's task (the fake models one task per run)."""

    task_type: str
    task_state: str
    num_processed: int
    num_processing: int
    num_pending: int
    progress: float
    progress_message: str
    last_progress_update: datetime
    items: tuple[TaskItemInfo, ...]


@dataclass(frozen=True)
class ScheduledJobInfo:
    """A snapshot of a scheduled job (IPS's ScheduledJob)."""

    company_id: str
    name: str
    kind: JobKind
    submit_user_email: str
    locale: str | None
    description: str | None
    exec_schedule: str | None
    next_fire_time: datetime | None
    time_zone: str
    trigger_state: TriggerState
    payload: JobPayload
    #: Fires of the schedule skipped because a run of the job was still unfinished (the
    #: fake's own count, shown by the admin API; not on the wire).
    skipped_fires: int = 0


@dataclass(frozen=True)
class ActiveJobInfo:
    """A snapshot of a run (IPS's ActiveJob)."""

    company_id: str
    run_id: int
    name: str
    original_name: str
    kind: JobKind
    state: RunState
    submit_user_email: str
    locale: str | None
    description: str | None
    server_name: str
    start_date: datetime
    trigger_time: datetime
    total_size: int
    progress: int
    progress_message: str
    last_progress_update: datetime
    tasks: tuple[TaskInfo, ...]
    payload: JobPayload

    def __hash__(self) -> int:
        """The hash of the fields, worked out once per snapshot: an answer's writer hashes
        each snapshot it shows (:class:`ips_fake.soap.structure.ShapeKey`), and getActiveJobs
        shows the same snapshot of a run again while the run and the clock stand still."""
        key = id(self)
        found = _ACTIVE_JOB_HASHES.get(key)
        if found is None:
            found = hash(tuple(getattr(self, name) for name in _ACTIVE_JOB_FIELDS))
            _ACTIVE_JOB_HASHES[key] = found
            # its entry goes as the snapshot does, before its id can name another object
            weakref.finalize(self, _ACTIVE_JOB_HASHES.pop, key, None).atexit = False
        return found


_ACTIVE_JOB_FIELDS = tuple(ActiveJobInfo.__dataclass_fields__)
#: The hash of each live ActiveJobInfo hashed so far, by its id: kept beside the snapshot
#: rather than in it, so that the snapshot's attributes are its fields alone.
_ACTIVE_JOB_HASHES: dict[int, int] = {}


@dataclass(frozen=True)
class JobLogDetail:
    """One line of a job log."""

    log_message: str
    log_type: str
    date_created: datetime
    asset_name: str | None = None
    asset_type: str | None = None
    asset_handle: str | None = None
    #: Set on an export's archive line: the path on the fake's own host serving the ZIP;
    #: the protocol layer turns it into an absolute URL in ``assetName``.
    download_path: str | None = None


@dataclass(frozen=True)
class JobLogInfo:
    """A finished run's log (IPS's JobLog), with all its detail lines."""

    company_id: str
    run_id: int
    job_name: str
    original_job_name: str
    submit_user_email: str
    log_type: str
    job_sub_type: str
    start_date: datetime
    end_date: datetime
    description: str
    file_success_count: int
    file_error_count: int
    file_warning_count: int
    file_duplicate_count: int
    file_update_count: int
    total_file_count: int
    transfer_success_count: int
    transfer_error_count: int
    transfer_warning_count: int
    fatal_error: bool
    details: tuple[JobLogDetail, ...]
    locale: str | None = None


@dataclass(frozen=True)
class JobLogPage:
    """A job log with one page of its (filtered, sorted) details, for getJobLogDetails."""

    log: JobLogInfo
    details: tuple[JobLogDetail, ...]
    detail_total_rows: int


@dataclass(frozen=True)
class AssetJobLogInfo:
    """A log line about one asset (IPS's AssetJobLog)."""

    company_id: str
    run_id: int
    job_name: str
    log_message: str
    log_type: str
    submit_user_email: str
    log_date: datetime


@dataclass(frozen=True)
class Notification:
    """A job notification e-mail, kept in the outbox instead of being sent."""

    to: str
    subject: str
    body: str
    locale: str
    company_id: str
    job_name: str
    run_name: str
    run_id: int
    sent_at: datetime
    reason: str = field(default="end")
