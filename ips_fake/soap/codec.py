"""XML ⇄ core model for the job operations: the only place wire names meet the core.

Decoding assumes the element already passed schema validation; what the schema cannot
say (one payload, a parsable date) is checked here and raised as :class:`IpsFault`.

``PAYLOAD_ELEMENTS`` (submitJob's payload elements and the kind each makes) is the core's
table, :data:`ips_fake.core.model.PAYLOAD_ELEMENTS`, still importable from here.
"""

from __future__ import annotations

import copy
import functools
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from lxml import etree

from ips_fake.core.errors import invalid_parameter, missing_parameter
from ips_fake.core.handles import HandleStyle, company_handle, job_handle, run_handle
from ips_fake.core.model import PAYLOAD_ELEMENTS as PAYLOAD_ELEMENTS
from ips_fake.core.model import (
    ActiveJobInfo,
    AssetJobLogInfo,
    EmailSetting,
    JobKind,
    JobLogDetail,
    JobLogInfo,
    JobPayload,
    OptionTree,
    ScheduledJobInfo,
    SubmitJobRequest,
    TaskInfo,
    WorkItem,
)
from ips_fake.soap.structure import ShapeCache, ShapeKey, Structure, conform

MAX_UNLISTED_URLS = 1000
"""An uploadUrlsJob that gives ``numUrls`` but no ``urlArray`` works on at most this many
placeholder items (a schema-valid count of two billion must not exhaust the fake)."""

ECHO_DEFAULTS: dict[str, dict[str, object]] = {
    "UploadUrlsJob": {
        "preservePublishState": "false",
        "preserveCrop": "true",
        "photoshopOptions": {"process": "None"},
        "postScriptOptions": {
            "process": "None",
            "resolution": "72.0",
            "colorspace": "Auto",
            "alpha": "false",
            "extractSearchWords": "false",
        },
        "pdfOptions": {
            "process": "render",
            "resolution": "72.0",
            "colorspace": "Auto",
            "pdfCatalog": "true",
            "extractSearchWords": "false",
            "extractLinks": "true",
        },
        "illustratorOptions": {
            "process": "None",
            "resolution": "72.0",
            "colorspace": "Auto",
            "alpha": "false",
        },
        "colorManagementOptions": {"colorManagement": "Default"},
        "autoSetCreationOptions": {},
        "postJobOnlyIfFiles": "false",
        "mediaOptions": {},
        "inDesignOptions": {"process": "None"},
    },
    "ImageServingPublishJob": {"httpCompletionUrl": ""},
}
"""What IPS echoes for options a job left out, by type and child (spec/versions.md, "Server
defaults in the job echo", from real 2010-01-31 answers; illustratorOptions inferred). Each
version's answers get the ones its schema has (:func:`ips_fake.soap.structure.conform`)."""

#: EmailSetting by its wire value (a dict lookup costs less than the Enum's call).
_EMAIL_SETTINGS = {setting.value: setting for setting in EmailSetting}

_HANDLE_ARRAYS = {
    JobKind.EXPORT: "assetHandleArray",
    JobKind.REPROCESS_ASSETS: "assetHandleArray",
    JobKind.AUTOMATED_SET_GENERATION: "assetHandleArray",
    JobKind.RIP_PDFS: "pdfHandleArray",
}


def local_name(element: etree._Element) -> str:
    """The element's name without its namespace."""
    tag = element.tag
    if isinstance(tag, str):  # "{namespace}name" or "name"
        return tag.rpartition("}")[2]
    return etree.QName(element).localname


@functools.lru_cache(maxsize=256)
def _empty_root(tag: str, namespace: str) -> etree._Element:
    """An empty root element ``tag`` declaring ``namespace`` as the default, to copy (a copy
    costs less than building one): kept for the few roots answers start from (an
    ``<op>Return``, a listing item's holder) in each version's namespace. Never changed."""
    return etree.Element(tag, nsmap={None: namespace})  # type: ignore[dict-item]


class Reader:
    """Typed access to the children of a validated ``<op>Param`` element."""

    def __init__(self, element: etree._Element) -> None:
        self.element = element
        children: dict[str, etree._Element] = {}
        names: list[str] = []
        for child in element:
            tag = child.tag
            if isinstance(tag, str):
                name = tag.rpartition("}")[2]
                names.append(name)
                if name not in children:
                    children[name] = child
        #: the first element child of each local name
        self.children = children
        #: the local names of the element children, in document order, repeats kept
        self.names = names

    def text(self, name: str) -> str | None:
        """The text of child ``name`` ('' when empty), or None when absent."""
        child = self.children.get(name)
        if child is None:
            return None
        return child.text or ""

    def required(self, name: str) -> str:
        """The text of a required child, or a missing-parameter fault."""
        value = self.text(name)
        if value is None:
            raise missing_parameter(f"{name} is required")
        return value

    def boolean(self, name: str) -> bool | None:
        """An xsd:boolean child."""
        value = self.text(name)
        return None if value is None else value.strip() in ("true", "1")

    def integer(self, name: str) -> int | None:
        """An xsd:int child."""
        value = self.text(name)
        return None if value is None else int(value.strip())

    def date_time(self, name: str) -> datetime | None:
        """An xsd:dateTime child as a datetime (aware when the text has an offset)."""
        value = self.text(name)
        if value is None:
            return None
        return parse_date_time(name, value)

    def strings(self, name: str) -> list[str] | None:
        """The ``items`` of a StringArray / HandleArray child."""
        child = self.children.get(name)
        if child is None:
            return None
        return [item.text or "" for item in child if isinstance(item.tag, str)]


def parse_date_time(name: str, text: str) -> datetime:
    """Parse an xsd:dateTime lexical value, faulting (30001, naming ``name``) when Python
    cannot represent it (year 0, 24:00:00, more than microsecond precision is cut)."""
    value = text.strip()
    head, dot, rest = value.partition(".")
    if dot:
        digits = ""
        while rest and rest[0].isdigit():
            digits, rest = digits + rest[0], rest[1:]
        value = f"{head}.{(digits + '000000')[:6]}{rest}"
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        raise invalid_parameter(f"{name} {text!r} is not a dateTime this server can use") from None


def format_date_time(instant: datetime) -> str:
    """xsd:dateTime with milliseconds and an explicit offset."""
    return instant.isoformat(timespec="milliseconds")


def option_tree(element: etree._Element) -> OptionTree:
    """An element's children as an ordered (name, text-or-subtree) tuple."""
    entries: list[tuple[str, str | OptionTree]] = []
    for child in element:
        tag = child.tag
        if not isinstance(tag, str):
            continue
        name = tag.rpartition("}")[2]
        if len(child) and any(isinstance(grandchild.tag, str) for grandchild in child):
            entries.append((name, option_tree(child)))
        else:
            entries.append((name, child.text or ""))
    return tuple(entries)


def decode_payload(reader: Reader) -> JobPayload:
    """The one job payload of a submitJobParam."""
    names = [name for name in reader.names if name in PAYLOAD_ELEMENTS]
    if not names:
        raise missing_parameter(
            "submitJob needs exactly one job payload (one of " + ", ".join(PAYLOAD_ELEMENTS) + ")"
        )
    if len(names) > 1:
        raise invalid_parameter(
            "submitJob takes exactly one job payload; this request has " + " and ".join(names)
        )
    element_name = names[0]
    kind = PAYLOAD_ELEMENTS[element_name]
    element = reader.children[element_name]
    payload_reader = Reader(element)
    setting = payload_reader.text("emailSetting")
    items: tuple[WorkItem, ...] = ()
    if kind is JobKind.UPLOAD_URLS:
        url_array = payload_reader.children.get("urlArray")
        urls = (
            [Reader(item) for item in url_array if isinstance(item.tag, str)]
            if url_array is not None
            else []
        )
        items = tuple(
            WorkItem(url.text("destPath") or url.text("sourceUrl") or f"url-{index}")
            for index, url in enumerate(urls, start=1)
        )
        if not items:
            # numUrls alone (no urlArray): that many placeholder items, within reason
            count_urls = min(max(payload_reader.integer("numUrls") or 0, 0), MAX_UNLISTED_URLS)
            items = tuple(WorkItem(f"url-{index}") for index in range(1, count_urls + 1))
    elif kind in _HANDLE_ARRAYS:
        handles = payload_reader.strings(_HANDLE_ARRAYS[kind]) or []
        items = tuple(WorkItem(handle, asset_handle=handle) for handle in handles)
    return JobPayload(
        kind=kind,
        element=element_name,
        options=option_tree(element),
        email_setting=_EMAIL_SETTINGS.get(setting) or EmailSetting(setting) if setting else None,
        publish_type=payload_reader.text("publishType"),
        items=items,
        server_dir=payload_reader.text("serverDir"),
    )


def decode_submit_job(element: etree._Element) -> SubmitJobRequest:
    """submitJobParam → SubmitJobRequest."""
    reader = Reader(element)
    return SubmitJobRequest(
        company_handle=reader.required("companyHandle"),
        job_name=reader.required("jobName"),
        payload=decode_payload(reader),
        user_handle=reader.text("userHandle"),
        locale=reader.text("locale"),
        exec_time=reader.date_time("execTime"),
        exec_schedule=reader.text("execSchedule"),
        description=reader.text("description"),
    )


@dataclass(frozen=True)
class Shaping:
    """How a :class:`Writer` shapes listing items as it writes them: with ``shape`` (the
    function the answer is shaped with, :func:`~ips_fake.soap.structure.conform`) to
    ``structure`` and ``defaults``, through ``cache``."""

    structure: Structure
    defaults: Mapping[str, Mapping[str, Any]]
    cache: ShapeCache
    shape: Callable[..., None] = conform


class Writer:
    """Builds response elements in one namespace and handle style."""

    def __init__(
        self,
        namespace: str,
        style: HandleStyle,
        base_url: str | Callable[[], str],
        *,
        shaping: Shaping | None = None,
    ) -> None:
        """``base_url``: the server's ``http://host:port/``, or a function giving it, called
        only when an answer holds a URL (reading it from the request costs per request).
        ``shaping``: when given, listing items (active and scheduled jobs, job logs without
        details) are written already shaped to its structure, through its cache; the
        answer's :func:`conform` must then be given :meth:`settled`."""
        self.namespace = namespace
        self.style = style
        self._base_url = base_url
        self.shaping = shaping
        self._settled: list[etree._Element] = []

    def settled(self) -> frozenset[int]:
        """The ``id`` of every item this writer added already shaped (see ``shaping``)."""
        return frozenset(id(item) for item in self._settled) if self._settled else frozenset()

    def _shaped_item(
        self,
        parent: etree._Element,
        owner: str,
        record: Hashable,
        write: Callable[[etree._Element], None],
    ) -> None:
        """Append the ``items`` element ``write`` makes for ``record`` (an ``owner``), copied
        from the shaping cache when it holds one."""
        shaping = self.shaping
        if shaping is None:
            write(parent)
            return

        def make() -> etree._Element:
            holder = self.element("jobArray")  # the item inherits the namespace, as in place
            write(holder)
            item = holder[0]
            shaping.shape(item, shaping.structure, shaping.defaults, owner)
            return item

        try:
            key = ShapeKey(owner, self.namespace, self.style, shaping.shape, record)
        except TypeError:  # a record holding a list: written as it is, not kept
            write(parent)
            return
        item = copy.copy(shaping.cache.shaped(key, make))  # lxml copies an element whole
        parent.append(item)
        self._settled.append(item)  # keeps the proxy, so its id names this element

    @property
    def base_url(self) -> str:
        """The server's base URL without its final ``/``."""
        base_url = self._base_url
        if not isinstance(base_url, str):
            base_url = self._base_url = base_url()
        return base_url.rstrip("/")

    def element(self, name: str, parent: etree._Element | None = None) -> etree._Element:
        """A new element ``name`` in the response namespace, appended to ``parent`` (without
        one: a root declaring the namespace as the default)."""
        tag = f"{{{self.namespace}}}{name}"
        if parent is None:
            return copy.copy(_empty_root(tag, self.namespace))
        return etree.SubElement(parent, tag)

    def add(self, parent: etree._Element, name: str, value: object) -> etree._Element | None:
        """Append ``<name>value</name>`` unless value is None."""
        if value is None:
            return None
        child = self.element(name, parent)
        child.text = self.lexical(value)
        return child

    @staticmethod
    def lexical(value: object) -> str:
        """The XSD lexical form of a Python value."""
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, datetime):
            return format_date_time(value)
        return str(value)

    def company(self, company_id: str) -> str:
        """A company handle in this style."""
        return company_handle(company_id, self.style)

    def options(self, parent: etree._Element, tree: OptionTree) -> None:
        """Append an option tree under ``parent``."""
        for name, value in tree:
            child = self.element(name, parent)
            if isinstance(value, str):
                # no empty text node: an element of an empty or element-only type sent as
                # <x/> must not come back holding character content
                child.text = value or None
            else:
                self.options(child, value)

    def payload(self, parent: etree._Element, payload: JobPayload) -> None:
        """Echo a job payload; an UploadUrlsJob that listed URLs comes back with an empty
        urlArray and numUrls counting them (one that only gave numUrls, as sent)."""
        holder = self.element(payload.element, parent)
        tree = payload.options
        if payload.kind is JobKind.UPLOAD_URLS and any(name == "urlArray" for name, _ in tree):
            echoed: list[tuple[str, str | OptionTree]] = []
            for name, value in tree:
                if name == "numUrls":
                    continue
                if name == "urlArray":
                    echoed.append(("urlArray", ()))
                    echoed.append(("numUrls", str(len(payload.items))))
                else:
                    echoed.append((name, value))
            tree = tuple(echoed)
        self.options(holder, tree)

    def scheduled_job(self, parent: etree._Element, job: ScheduledJobInfo) -> None:
        """A ScheduledJob ``items`` element."""
        self._shaped_item(parent, "ScheduledJob", job, lambda into: self._scheduled_job(into, job))

    def _scheduled_job(self, parent: etree._Element, job: ScheduledJobInfo) -> None:
        item = self.element("items", parent)
        self.add(item, "companyHandle", self.company(job.company_id))
        self.add(item, "jobHandle", job_handle(job.company_id, job.name, self.style))
        self.add(item, "name", job.name)
        self.add(item, "originalName", job.name)
        self.add(item, "type", job.kind.type_name)
        self.add(item, "submitUserEmail", job.submit_user_email)
        self.add(item, "locale", job.locale)
        self.add(item, "description", job.description)
        self.add(item, "execSchedule", job.exec_schedule)
        self.add(item, "nextFireTime", job.next_fire_time)
        self.add(item, "timeZone", job.time_zone)
        self.add(item, "triggerState", job.trigger_state.value)
        self.payload(item, job.payload)

    def task(self, parent: etree._Element, task: TaskInfo) -> None:
        """A TaskProgress ``items`` element."""
        item = self.element("items", parent)
        self.add(item, "taskType", task.task_type)
        self.add(item, "taskState", task.task_state)
        self.add(item, "numProcessed", task.num_processed)
        self.add(item, "numProcessing", task.num_processing)
        self.add(item, "numPending", task.num_pending)
        self.add(item, "progress", task.progress)
        self.add(item, "progressMessage", task.progress_message)
        self.add(item, "lastProgressUpdate", task.last_progress_update)
        items = self.element("taskItemProgressArray", item)
        for entry in task.items:
            child = self.element("items", items)
            self.add(child, "itemName", entry.item_name)
            self.add(child, "progress", entry.progress)
            self.add(child, "progressMessage", entry.progress_message)
            self.add(child, "lastProgressUpdate", entry.last_progress_update)

    def active_job(self, parent: etree._Element, job: ActiveJobInfo) -> None:
        """An ActiveJob ``items`` element."""
        self._shaped_item(parent, "ActiveJob", job, lambda into: self._active_job(into, job))

    def _active_job(self, parent: etree._Element, job: ActiveJobInfo) -> None:
        item = self.element("items", parent)
        self.add(item, "companyHandle", self.company(job.company_id))
        self.add(item, "jobHandle", run_handle(job.company_id, job.name, job.run_id, self.style))
        self.add(item, "name", job.name)
        self.add(item, "originalName", job.original_name)
        self.add(item, "type", job.kind.type_name)
        self.add(item, "state", job.state.value)
        self.add(item, "submitUserEmail", job.submit_user_email)
        self.add(item, "locale", job.locale)
        self.add(item, "description", job.description)
        self.add(item, "serverName", job.server_name)
        self.add(item, "startDate", job.start_date)
        self.add(item, "triggerTime", job.trigger_time)
        self.add(item, "totalSize", job.total_size)
        self.add(item, "progress", job.progress)
        self.add(item, "progressMessage", job.progress_message)
        self.add(item, "lastProgressUpdate", job.last_progress_update)
        tasks = self.element("taskProgressArray", item)
        for task in job.tasks:
            self.task(tasks, task)
        self.payload(item, job.payload)

    def detail(self, parent: etree._Element, detail: JobLogDetail) -> None:
        """A JobLogDetail ``items`` element."""
        item = self.element("items", parent)
        self.add(item, "logMessage", detail.log_message)
        self.add(item, "logType", detail.log_type)
        self.add(item, "dateCreated", detail.date_created)
        asset_name = detail.asset_name
        if detail.download_path is not None:
            asset_name = f"{self.base_url}{detail.download_path}"
        self.add(item, "assetName", asset_name)
        self.add(item, "assetType", detail.asset_type)
        self.add(item, "assetHandle", detail.asset_handle)

    def job_log(
        self,
        parent: etree._Element,
        log: JobLogInfo,
        details: Sequence[JobLogDetail] | None = None,
        total_rows: int | None = None,
    ) -> None:
        """A JobLog ``items`` element, with a page of details when given."""
        if details is None:
            self._shaped_item(parent, "JobLog", log, lambda into: self._job_log(into, log))
        else:
            self._job_log(parent, log, details, total_rows)

    def _job_log(
        self,
        parent: etree._Element,
        log: JobLogInfo,
        details: Sequence[JobLogDetail] | None = None,
        total_rows: int | None = None,
    ) -> None:
        item = self.element("items", parent)
        self.add(item, "companyHandle", self.company(log.company_id))
        self.add(
            item, "jobHandle", run_handle(log.company_id, log.job_name, log.run_id, self.style)
        )
        self.add(item, "jobName", log.job_name)
        self.add(item, "originalJobName", log.original_job_name)
        self.add(item, "submitUserEmail", log.submit_user_email)
        self.add(item, "logType", log.log_type)
        self.add(item, "jobSubType", log.job_sub_type)
        self.add(item, "startDate", log.start_date)
        self.add(item, "endDate", log.end_date)
        self.add(item, "description", log.description)
        for name, value in (
            ("fileSuccessCount", log.file_success_count),
            ("fileErrorCount", log.file_error_count),
            ("fileWarningCount", log.file_warning_count),
            ("fileDuplicateCount", log.file_duplicate_count),
            ("fileUpdateCount", log.file_update_count),
            ("totalFileCount", log.total_file_count),
            ("transferSuccessCount", log.transfer_success_count),
            ("transferErrorCount", log.transfer_error_count),
            ("transferWarningCount", log.transfer_warning_count),
            ("fatalError", log.fatal_error),
        ):
            self.add(item, name, value)
        if details is not None:
            self.add(
                item, "detailTotalRows", total_rows if total_rows is not None else len(details)
            )
            array = self.element("detailArray", item)
            for detail in details:
                self.detail(array, detail)

    def asset_job_log(self, parent: etree._Element, entry: AssetJobLogInfo) -> None:
        """An AssetJobLog ``items`` element."""
        item = self.element("items", parent)
        self.add(
            item,
            "jobHandle",
            run_handle(entry.company_id, entry.job_name, entry.run_id, self.style),
        )
        self.add(item, "jobName", entry.job_name)
        self.add(item, "logMessage", entry.log_message)
        self.add(item, "logType", entry.log_type)
        self.add(item, "submitUserEmail", entry.submit_user_email)
        self.add(item, "logDate", entry.log_date)
