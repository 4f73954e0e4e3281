"""The admin API's routes: :class:`AdminApi` and its protections in order (see
:mod:`ips_fake.admin`)."""

from __future__ import annotations

import dataclasses
import hmac
import json
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from werkzeug.exceptions import (
    BadRequest,
    Conflict,
    Forbidden,
    HTTPException,
    NotFound,
    Unauthorized,
    UnsupportedMediaType,
)
from werkzeug.routing import Map, Rule
from werkzeug.wrappers import Request, Response

from ips_fake.admin.bodies import json_body, number_field, only_keys, text_field
from ips_fake.admin.exports import export_zip
from ips_fake.admin.guards import (
    TOKEN_COOKIE,
    TOKEN_HEADER,
    WRITE_METHODS,
    host_name,
    is_loopback_host,
)
from ips_fake.admin.json_answers import json_response, jsonable
from ips_fake.admin.masking import MASK, REVEAL_PASSWORDS, masked_directory, readable_request
from ips_fake.admin.naming import OUTCOME_NAMES, clock_mode, rule_data
from ips_fake.core.clock import MovableClock
from ips_fake.core.handles import company_id_of
from ips_fake.core.outcomes import outcome_rule
from ips_fake.core.service import EXPORT_PATH_PREFIX, IpsService
from ips_fake.soap.endpoint import Journal


class AdminApi:
    """Routes of ``/_fake/`` over one service and journal."""

    def __init__(
        self,
        service: IpsService,
        journal: Journal,
        *,
        allowed_hosts: Iterable[str] = (),
        token: str | None = None,
    ) -> None:
        self.service = service
        self.journal = journal
        #: Host names admitted besides loopback ones (``ips-fake serve --host/--allow-host``).
        self.allowed_hosts: set[str] = {host_name(host) for host in allowed_hosts}
        #: When set, every admin call but export downloads must present it (401 otherwise).
        self.token = token or None
        #: Called after a clock move and a reset, which can free much memory at once
        #: (``ips-fake serve`` gives glibc's free heap back to the system there:
        #: :func:`ips_fake.server.release_free_heap`).
        self.release_memory: Callable[[], object] | None = None
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

    def allow_host(self, name: str) -> None:
        """Admit admin requests whose Host is ``name`` (a container or CI service name)."""
        self.allowed_hosts.add(host_name(name))

    def __call__(self, request: Request) -> Response:
        try:
            self._guard(request)
            adapter = self.routes.bind_to_environ(request.environ)
            endpoint, values = adapter.match()
            if request.method in WRITE_METHODS and request.method != "DELETE":
                self._require_json(request)
            handler: Callable[..., Response] = getattr(self, str(endpoint))
            return handler(request, **values)
        except HTTPException as error:
            response = json_response({"error": error.description or error.name}, error.code or 400)
            if isinstance(error, Unauthorized):
                response.headers["WWW-Authenticate"] = 'Bearer realm="ips-fake admin"'
            allowed = getattr(error, "valid_methods", None)
            if allowed:
                response.headers["Allow"] = ", ".join(allowed)
            return response
        except (ValueError, TypeError, KeyError) as error:
            return json_response({"error": str(error)}, 400)
        except Exception as error:  # a bug in the fake: say so, in JSON, without a traceback
            return json_response(
                {"error": f"internal error in ips-fake's admin API: {type(error).__name__}"}, 500
            )

    # -- protections ---------------------------------------------------------------------------

    def check_host(self, request: Request) -> None:
        """403 unless the request's Host is a loopback name or an allowed one."""
        name = host_name(request.host)
        if not (is_loopback_host(name) or name in self.allowed_hosts):
            raise Forbidden(
                f"the admin API answers only requests addressed to a loopback name (localhost, "
                f"127.0.0.1, [::1]) or an allowed host; this one's Host is {request.host!r}. "
                "Start the server with `ips-fake serve --allow-host NAME` to admit NAME"
            )

    def guard(self, request: Request) -> None:
        """Host (403), token (401) and Origin (403) checks, in that order (the dashboard's
        routes use them too)."""
        self._guard(request)

    def _guard(self, request: Request) -> None:
        """Host (403), token (401) and Origin (403) checks, in that order."""
        self.check_host(request)
        export = request.method == "GET" and request.path.startswith(EXPORT_PATH_PREFIX)
        if self.token is not None and not export and not self._has_token(request):
            raise Unauthorized(
                "this admin API needs its token: send 'Authorization: Bearer <token>' or "
                f"'{TOKEN_HEADER}: <token>' (the server's --admin-token / IPS_FAKE_ADMIN_TOKEN)"
            )
        origin = request.headers.get("Origin")
        if request.method in WRITE_METHODS and origin is not None:
            own = f"{request.scheme}://{request.host}".lower()
            if origin.strip().lower().rstrip("/") != own:
                raise Forbidden(
                    f"cross-origin admin writes are refused: Origin {origin!r} is not {own!r}"
                )

    def _has_token(self, request: Request) -> bool:
        assert self.token is not None
        expected = self.token.encode()
        presented = request.headers.get(TOKEN_HEADER, "")
        scheme, _, credential = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() == "bearer":
            presented = presented or credential.strip()
        # the dashboard's cookie: SameSite=Strict, so never sent by another site's page
        presented = presented or request.cookies.get(TOKEN_COOKIE, "")
        return hmac.compare_digest(presented.encode(), expected)

    def _require_json(self, request: Request) -> None:
        if request.mimetype != "application/json":
            raise UnsupportedMediaType(
                "admin writes must be sent as 'Content-Type: application/json' (e.g. "
                f"curl -H 'Content-Type: application/json'); this one is "
                f"{request.headers.get('Content-Type') or 'missing'!r}"
            )

    @staticmethod
    def _reveals_passwords(request: Request) -> bool:
        return REVEAL_PASSWORDS in request.args.getlist("reveal")

    # -- clock ---------------------------------------------------------------------------------

    def _clock_state(self) -> dict[str, Any]:
        clock = self.service.clock
        movable = isinstance(clock, MovableClock)
        return {
            "now": self.service.sync(),
            "mode": clock_mode(clock),
            "movable": movable,
            "time_zone": self.service.settings.time_zone,
        }

    def get_clock(self, request: Request) -> Response:
        """GET /_fake/clock → {"now", "mode", "movable", "time_zone"}."""
        return json_response(self._clock_state())

    def move_clock(self, request: Request) -> Response:
        """POST /_fake/clock {"advance": seconds} or {"move_to": ISO-8601 with offset} (one of
        them; a number, not a boolean; never past the horizon, 9000-01-01)."""
        body = json_body(request)
        only_keys(body, ("advance", "move_to"), "POST /_fake/clock")
        if len(body) != 1:
            raise BadRequest(
                'send exactly one of {"advance": seconds} or '
                '{"move_to": "2026-01-05T10:00:00+00:00"}'
            )
        clock = self.service.clock
        if not isinstance(clock, MovableClock):
            raise BadRequest(
                f"the server runs on the {clock_mode(clock)} clock, which cannot be moved: "
                "start it with `ips-fake serve --clock manual` to move time through /_fake/clock"
            )
        with self.service.lock:
            if "advance" in body:
                step = number_field(body, "advance")
                if step is None:
                    raise BadRequest("'advance' must be a number of seconds, got null")
                clock.advance(step)
            else:
                text = text_field(body, "move_to", required=True)
                assert text is not None
                try:
                    instant = datetime.fromisoformat(text)
                except ValueError:
                    raise BadRequest(
                        f"move_to {text!r} is not an ISO-8601 date-time such as "
                        "2026-01-05T10:00:00+00:00"
                    ) from None
                clock.move_to(instant)
        self.service.catch_up()  # in slices: other callers are answered during a long move
        if self.release_memory is not None:
            self.release_memory()
        return json_response(self._clock_state())

    # -- state ---------------------------------------------------------------------------------

    def state(self, request: Request) -> Response:
        """GET /_fake/state → clock, directory, scheduled jobs, active jobs, logs, outbox."""
        return json_response(
            {
                "clock": self._clock_state(),
                "directory": self._directory_data(request),
                "scheduled_jobs": self.service.all_scheduled_jobs(),
                "active_jobs": self.service.all_active_jobs(),
                "job_logs": self.service.all_job_logs(),
                "outbox": self.service.notifications(),
                "skipped_fires": self.service.skipped_fire_count(),
                "log_retention": self.service.settings.log_retention,
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
        """GET /_fake/outcomes → the rules, oldest first, each ``kind`` named by its
        submitJob payload element (``uploadUrlsJob``)."""
        return json_response([rule_data(rule) for rule in self.service.outcomes.rules])

    def add_outcome(self, request: Request) -> Response:
        """POST /_fake/outcomes {"outcome", "kind"?, "name_pattern"?, "seconds"?}."""
        body = json_body(request)
        only_keys(body, ("outcome", "kind", "name_pattern", "seconds"), "POST /_fake/outcomes")
        outcome = text_field(body, "outcome") or "success"
        if outcome not in OUTCOME_NAMES:
            raise BadRequest(
                f"'outcome' {outcome!r} is not one of {', '.join(map(repr, OUTCOME_NAMES))}"
            )
        kind = text_field(body, "kind") or None
        rule = outcome_rule(
            outcome,
            kind=kind,
            name_pattern=text_field(body, "name_pattern"),
            seconds=number_field(body, "seconds"),
        )
        with self.service.lock:
            self.service.outcomes.add(rule)
        answer = rule_data(rule)
        if kind is not None:
            answer["kind"] = kind  # what was sent (``uploadUrlsJob``), not the ActiveJob type
        return json_response(answer, 201)

    def clear_outcomes(self, request: Request) -> Response:
        """DELETE /_fake/outcomes → every job succeeds again."""
        with self.service.lock:
            self.service.outcomes.clear()
        return json_response([])

    # -- directory -----------------------------------------------------------------------------

    def _directory_data(self, request: Request) -> dict[str, Any]:
        with self.service.lock:
            data = self.service.directory.as_json_data()
        return data if self._reveals_passwords(request) else masked_directory(data)

    def directory(self, request: Request) -> Response:
        """GET /_fake/directory (passwords ``***`` unless ``?reveal=passwords``)."""
        return json_response(self._directory_data(request))

    def add_company(self, request: Request) -> Response:
        """POST /_fake/directory/companies {"id", "name"?}."""
        body = json_body(request)
        only_keys(body, ("id", "name"), "POST /_fake/directory/companies")
        company_id = body.get("id")
        if isinstance(company_id, bool) or not isinstance(company_id, str | int):
            raise BadRequest('\'id\' is required: a company id such as "49" or "c|49"')
        name = text_field(body, "name")
        with self.service.lock:
            directory = self.service.directory
            key = company_id_of(str(company_id))
            if key is not None and key in directory.companies:
                raise Conflict(
                    f"company {key!r} already exists ({directory.companies[key].name!r}); "
                    "the directory keeps it as it is (POST /_fake/reset goes back to the "
                    "starting directory)"
                )
            company = directory.add_company(str(company_id), name)
        return json_response(company, 201)

    def add_user(self, request: Request) -> Response:
        """POST /_fake/directory/users {"email", "password"?, "roles"?, "companies"?}."""
        body = json_body(request)
        only_keys(body, ("email", "password", "roles", "companies"), "POST /_fake/directory/users")
        email = text_field(body, "email", required=True)
        assert email is not None
        roles = body.get("roles", ["IpsUser"])
        companies = body.get("companies", [])
        if not isinstance(roles, list) or not all(isinstance(role, str) for role in roles):
            raise BadRequest(f"'roles' must be a list of role names, got {json.dumps(roles)}")
        if companies != "all" and not (
            isinstance(companies, list) and all(isinstance(c, str | int) for c in companies)
        ):
            raise BadRequest(
                f"'companies' must be a list of company ids or \"all\", got {json.dumps(companies)}"
            )
        with self.service.lock:
            if email.lower() in self.service.directory.users:
                raise Conflict(
                    f"user {email!r} already exists; the directory keeps it as it is, password "
                    "included (POST /_fake/reset goes back to the starting directory)"
                )
            user = self.service.directory.add_user(
                email,
                text_field(body, "password") or "password",
                roles=roles,
                companies=companies if companies == "all" else [str(c) for c in companies],
            )
        data = jsonable(user)
        data["handle"] = user.handle
        if not self._reveals_passwords(request):
            data["password"] = MASK
        return json_response(data, 201)

    # -- journal, reset, exports ---------------------------------------------------------------

    def journal_entries(self, request: Request) -> Response:
        """GET /_fake/journal → every exchange (request and response bodies as text; request
        passwords ``***`` unless ``?reveal=passwords``)."""
        exchanges = self.journal.exchanges()
        if not self._reveals_passwords(request):
            exchanges = [
                dataclasses.replace(exchange, request=readable_request(exchange.request))
                for exchange in exchanges
            ]
        return json_response(exchanges)

    def reset(self, request: Request) -> Response:
        """POST /_fake/reset → starting directory, no jobs, logs, mail, outcomes or journal."""
        self.service.reset()
        self.journal.clear()
        if self.release_memory is not None:
            self.release_memory()
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
