"""The admin API under ``/_fake/``: JSON to read and move the clock, read state and the
outbox, script outcomes, add companies and users, and reset. Routes are listed in the
README; every answer is JSON, every error ``{"error": "..."}`` with a 4xx status.
"""

from __future__ import annotations

import dataclasses
import io
import json
import zipfile
from collections.abc import Callable
from datetime import datetime
from enum import Enum
from typing import Any

from werkzeug.exceptions import BadRequest, HTTPException, NotFound
from werkzeug.routing import Map, Rule
from werkzeug.wrappers import Request, Response

from ips_fake.core.clock import MovableClock
from ips_fake.core.service import EXPORT_PATH_PREFIX, IpsService
from ips_fake.soap.endpoint import Journal


def jsonable(value: Any) -> Any:
    """Plain JSON data from dataclasses, enums, datetimes, bytes and containers."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime):
        return value.isoformat(timespec="milliseconds")
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    if isinstance(value, dict):
        return {str(key): jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [jsonable(item) for item in value]
    return value


def json_response(data: Any, status: int = 200) -> Response:
    """A JSON response."""
    body = json.dumps(jsonable(data), ensure_ascii=False, sort_keys=True, indent=2)
    return Response(body, status=status, content_type="application/json; charset=utf-8")


def _body(request: Request) -> dict[str, Any]:
    if not request.get_data():
        return {}
    try:
        data = json.loads(request.get_data())
    except json.JSONDecodeError as error:
        raise BadRequest(f"the body is not JSON: {error}") from None
    if not isinstance(data, dict):
        raise BadRequest("the body must be a JSON object")
    return data


class AdminApi:
    """Routes of ``/_fake/`` over one service and journal."""

    def __init__(self, service: IpsService, journal: Journal) -> None:
        self.service = service
        self.journal = journal
        self.routes = Map(
            [
                Rule("/_fake/clock", methods=["GET"], endpoint="get_clock"),
                Rule("/_fake/clock", methods=["POST"], endpoint="move_clock"),
                Rule("/_fake/state", methods=["GET"], endpoint="state"),
                Rule("/_fake/scheduled-jobs", methods=["GET"], endpoint="scheduled_jobs"),
                Rule("/_fake/active-jobs", methods=["GET"], endpoint="active_jobs"),
                Rule("/_fake/job-logs", methods=["GET"], endpoint="job_logs"),
                Rule("/_fake/outbox", methods=["GET"], endpoint="outbox"),
                Rule("/_fake/outcomes", methods=["GET"], endpoint="get_outcomes"),
                Rule("/_fake/outcomes", methods=["POST"], endpoint="add_outcome"),
                Rule("/_fake/outcomes", methods=["DELETE"], endpoint="clear_outcomes"),
                Rule("/_fake/directory", methods=["GET"], endpoint="directory"),
                Rule("/_fake/directory/companies", methods=["POST"], endpoint="add_company"),
                Rule("/_fake/directory/users", methods=["POST"], endpoint="add_user"),
                Rule("/_fake/journal", methods=["GET"], endpoint="journal_entries"),
                Rule("/_fake/reset", methods=["POST"], endpoint="reset"),
                Rule(f"{EXPORT_PATH_PREFIX}<int:run_id>.zip", methods=["GET"], endpoint="export"),
            ]
        )

    def __call__(self, request: Request) -> Response:
        adapter = self.routes.bind_to_environ(request.environ)
        try:
            endpoint, values = adapter.match()
            handler: Callable[..., Response] = getattr(self, str(endpoint))
            return handler(request, **values)
        except HTTPException as error:
            return json_response({"error": error.description or error.name}, error.code or 400)
        except (ValueError, TypeError, KeyError) as error:
            return json_response({"error": str(error)}, 400)

    # -- clock ---------------------------------------------------------------------------------

    def _clock_state(self) -> dict[str, Any]:
        clock = self.service.clock
        return {
            "now": self.service.sync(),
            "mode": type(clock).__name__,
            "movable": isinstance(clock, MovableClock),
            "time_zone": self.service.settings.time_zone,
        }

    def get_clock(self, request: Request) -> Response:
        """GET /_fake/clock → {"now", "mode", "movable", "time_zone"}."""
        return json_response(self._clock_state())

    def move_clock(self, request: Request) -> Response:
        """POST /_fake/clock {"advance": seconds} or {"move_to": ISO-8601 with offset}."""
        body = _body(request)
        clock = self.service.clock
        if not isinstance(clock, MovableClock):
            raise BadRequest(f"the server runs on a {type(clock).__name__}, which cannot be moved")
        with self.service.lock:
            try:
                if "advance" in body:
                    clock.advance(float(body["advance"]))
                elif "move_to" in body:
                    clock.move_to(datetime.fromisoformat(str(body["move_to"])))
                else:
                    raise BadRequest(
                        'send {"advance": seconds} or {"move_to": "2026-01-05T10:00:00+00:00"}'
                    )
            except OverflowError:
                raise BadRequest(
                    f"the clock cannot move that far: {json.dumps(body)} is out of range"
                ) from None
            return json_response(self._clock_state())

    # -- state ---------------------------------------------------------------------------------

    def state(self, request: Request) -> Response:
        """GET /_fake/state → clock, directory, scheduled jobs, active jobs, logs, outbox."""
        return json_response(
            {
                "clock": self._clock_state(),
                "directory": self.service.directory.as_json_data(),
                "scheduled_jobs": self.service.all_scheduled_jobs(),
                "active_jobs": self.service.all_active_jobs(),
                "job_logs": self.service.all_job_logs(),
                "outbox": self.service.notifications(),
            }
        )

    def scheduled_jobs(self, request: Request) -> Response:
        """GET /_fake/scheduled-jobs."""
        return json_response(self.service.all_scheduled_jobs())

    def active_jobs(self, request: Request) -> Response:
        """GET /_fake/active-jobs."""
        return json_response(self.service.all_active_jobs())

    def job_logs(self, request: Request) -> Response:
        """GET /_fake/job-logs."""
        return json_response(self.service.all_job_logs())

    def outbox(self, request: Request) -> Response:
        """GET /_fake/outbox."""
        return json_response(self.service.notifications())

    # -- outcomes ------------------------------------------------------------------------------

    def get_outcomes(self, request: Request) -> Response:
        """GET /_fake/outcomes → the rules, oldest first."""
        return json_response(self.service.outcomes.rules)

    def add_outcome(self, request: Request) -> Response:
        """POST /_fake/outcomes {"outcome", "kind"?, "name_pattern"?, "seconds"?}."""
        from ips_fake.fake import outcome_rule

        body = _body(request)
        rule = outcome_rule(
            body.get("outcome", "success"),
            kind=body.get("kind") or None,
            name_pattern=body.get("name_pattern"),
            seconds=float(body["seconds"]) if body.get("seconds") is not None else None,
        )
        with self.service.lock:
            self.service.outcomes.add(rule)
        return json_response(rule, 201)

    def clear_outcomes(self, request: Request) -> Response:
        """DELETE /_fake/outcomes → every job succeeds again."""
        with self.service.lock:
            self.service.outcomes.clear()
        return json_response([])

    # -- directory -----------------------------------------------------------------------------

    def directory(self, request: Request) -> Response:
        """GET /_fake/directory."""
        return json_response(self.service.directory.as_json_data())

    def add_company(self, request: Request) -> Response:
        """POST /_fake/directory/companies {"id", "name"?}."""
        body = _body(request)
        with self.service.lock:
            company = self.service.directory.add_company(str(body["id"]), body.get("name"))
        return json_response(company, 201)

    def add_user(self, request: Request) -> Response:
        """POST /_fake/directory/users {"email", "password"?, "roles"?, "companies"?}."""
        body = _body(request)
        with self.service.lock:
            user = self.service.directory.add_user(
                str(body["email"]),
                str(body.get("password", "password")),
                roles=body.get("roles", ["IpsUser"]),
                companies=body.get("companies", []),
            )
        data = jsonable(user)
        data["handle"] = user.handle
        return json_response(data, 201)

    # -- journal, reset, exports ---------------------------------------------------------------

    def journal_entries(self, request: Request) -> Response:
        """GET /_fake/journal → every exchange (request and response bodies as text)."""
        return json_response(self.journal.exchanges())

    def reset(self, request: Request) -> Response:
        """POST /_fake/reset → starting directory, no jobs, logs, mail, outcomes or journal."""
        self.service.reset()
        self.journal.clear()
        return json_response({"reset": True})

    def export(self, request: Request, run_id: int) -> Response:
        """GET /_fake/exports/<run id>.zip → the export's archive."""
        archive = self.service.export_archive(run_id)
        log = self.service.job_log(run_id)
        if archive is None or log is None:
            raise NotFound(f"no finished export with run id {run_id}")
        run_name, handles = archive
        return Response(
            export_zip(run_name, handles, log.end_date),
            content_type="application/zip",
            headers={"Content-Disposition": f'attachment; filename="export-{run_id}.zip"'},
        )


def export_zip(run_name: str, handles: tuple[str, ...], stamp: datetime) -> bytes:
    """A small deterministic ZIP: a manifest listing the handles, and one file per handle."""
    buffer = io.BytesIO()
    date_time = (
        max(stamp.year, 1980),
        stamp.month,
        stamp.day,
        stamp.hour,
        stamp.minute,
        stamp.second,
    )
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        manifest = "\n".join(handles) + "\n"
        archive.writestr(zipfile.ZipInfo("manifest.txt", date_time), manifest)
        for index, handle in enumerate(handles, start=1):
            archive.writestr(
                zipfile.ZipInfo(f"assets/{index:04d}.txt", date_time),
                f"exported by {run_name}: {handle}\n",
            )
    return buffer.getvalue()
