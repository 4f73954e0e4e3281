"""The eleven job operations: decode a validated ``<op>Param``, call the service, encode
``<op>Return``. Decoding and calling are separate so the request journal can show the
decoded parameters even when the call faults.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from lxml import etree

from ips_fake.core.directory import User
from ips_fake.core.handles import job_handle
from ips_fake.core.service import IpsService
from ips_fake.soap.codec import Reader, Writer, decode_submit_job

Decoded = dict[str, Any]


@dataclass(frozen=True)
class CallContext:
    """What an operation needs besides its parameters."""

    service: IpsService
    user: User
    writer: Writer


@dataclass(frozen=True)
class Operation:
    """One IPS operation: its decoder and its call."""

    name: str
    decode: Callable[[etree._Element], Decoded]
    call: Callable[[CallContext, Decoded], etree._Element]


def _fields(**kinds: str) -> Callable[[etree._Element], Decoded]:
    """A decoder reading the named children as text/bool/int/date/strings."""

    def decode(element: etree._Element) -> Decoded:
        reader = Reader(element)
        readers: Mapping[str, Callable[[str], object]] = {
            "text": reader.text,
            "bool": reader.boolean,
            "int": reader.integer,
            "date": reader.date_time,
            "strings": reader.strings,
        }
        return {name: readers[kind](name) for name, kind in kinds.items()}

    return decode


def _void(ctx: CallContext, name: str) -> etree._Element:
    return ctx.writer.element(f"{name}Return")


def _submit_job(ctx: CallContext, params: Decoded) -> etree._Element:
    company_id, name = ctx.service.submit_job_key(ctx.user, params["request"])
    result = ctx.writer.element("submitJobReturn")
    ctx.writer.add(result, "jobHandle", job_handle(company_id, name, ctx.writer.style))
    return result


def _execute_job(ctx: CallContext, params: Decoded) -> etree._Element:
    ctx.service.execute_job(ctx.user, params["companyHandle"], params["jobHandle"])
    return _void(ctx, "executeJob")


def _control(name: str) -> Callable[[CallContext, Decoded], etree._Element]:
    def call(ctx: CallContext, params: Decoded) -> etree._Element:
        method = getattr(
            ctx.service,
            {
                "stopJob": "stop_job",
                "pauseJob": "pause_job",
                "resumeJob": "resume_job",
                "deleteJob": "delete_job",
            }[name],
        )
        method(ctx.user, params["companyHandle"], params["jobHandle"])
        return _void(ctx, name)

    return call


def _get_active_jobs(ctx: CallContext, params: Decoded) -> etree._Element:
    jobs = ctx.service.get_active_jobs(
        ctx.user,
        params["companyHandle"],
        params["jobHandle"],
        params["originalName"],
        bool(params["includeWaitingJobs"]),
    )
    result = ctx.writer.element("getActiveJobsReturn")
    array = ctx.writer.element("jobArray", result)
    for job in jobs:
        ctx.writer.active_job(array, job)
    return result


def _get_scheduled_jobs(ctx: CallContext, params: Decoded) -> etree._Element:
    jobs = ctx.service.get_scheduled_jobs(
        ctx.user, params["companyHandle"], params["jobHandle"], params["originalName"]
    )
    result = ctx.writer.element("getScheduledJobsReturn")
    array = ctx.writer.element("jobArray", result)
    for job in jobs:
        ctx.writer.scheduled_job(array, job)
    return result


def _get_job_logs(ctx: CallContext, params: Decoded) -> etree._Element:
    logs = ctx.service.get_job_logs(
        ctx.user,
        params["companyHandle"],
        params["userHandle"],
        params["sortBy"],
        params["sortDirection"],
        params["startDate"],
        params["endDate"],
        params["numRows"],
    )
    result = ctx.writer.element("getJobLogsReturn")
    array = ctx.writer.element("jobLogArray", result)
    for log in logs:
        ctx.writer.job_log(array, log)
    return result


def _get_job_log_details(ctx: CallContext, params: Decoded) -> etree._Element:
    pages = ctx.service.get_job_log_details(
        ctx.user,
        params["companyHandle"],
        params["jobHandle"],
        params["originalName"],
        params["logTypeArray"],
        params["recordsPerPage"],
        params["resultsPage"],
        params["sortBy"],
        params["sortDirection"],
    )
    result = ctx.writer.element("getJobLogDetailsReturn")
    array = ctx.writer.element("jobLogArray", result)
    for page in pages:
        ctx.writer.job_log(array, page.log, page.details, page.detail_total_rows)
    return result


def _get_asset_job_logs(ctx: CallContext, params: Decoded) -> etree._Element:
    entries = ctx.service.get_asset_job_logs(
        ctx.user, params["companyHandle"], params["assetHandle"]
    )
    result = ctx.writer.element("getAssetJobLogsReturn")
    array = ctx.writer.element("jobLogArray", result)
    for entry in entries:
        ctx.writer.asset_job_log(array, entry)
    return result


_HANDLE_PARAMS = _fields(companyHandle="text", jobHandle="text")

OPERATIONS: dict[str, Operation] = {
    op.name: op
    for op in (
        Operation(
            "submitJob", lambda element: {"request": decode_submit_job(element)}, _submit_job
        ),
        Operation("executeJob", _HANDLE_PARAMS, _execute_job),
        Operation(
            "getActiveJobs",
            _fields(
                companyHandle="text",
                jobHandle="text",
                originalName="text",
                includeWaitingJobs="bool",
            ),
            _get_active_jobs,
        ),
        Operation(
            "getScheduledJobs",
            _fields(companyHandle="text", jobHandle="text", originalName="text"),
            _get_scheduled_jobs,
        ),
        Operation("stopJob", _HANDLE_PARAMS, _control("stopJob")),
        Operation("pauseJob", _HANDLE_PARAMS, _control("pauseJob")),
        Operation("resumeJob", _HANDLE_PARAMS, _control("resumeJob")),
        Operation("deleteJob", _HANDLE_PARAMS, _control("deleteJob")),
        Operation(
            "getJobLogs",
            _fields(
                companyHandle="text",
                userHandle="text",
                sortBy="text",
                sortDirection="text",
                startDate="date",
                endDate="date",
                numRows="int",
            ),
            _get_job_logs,
        ),
        Operation(
            "getJobLogDetails",
            _fields(
                companyHandle="text",
                jobHandle="text",
                originalName="text",
                logTypeArray="strings",
                recordsPerPage="int",
                resultsPage="int",
                sortBy="text",
                sortDirection="text",
            ),
            _get_job_log_details,
        ),
        Operation(
            "getAssetJobLogs",
            _fields(companyHandle="text", assetHandle="text"),
            _get_asset_job_logs,
        ),
    )
}
