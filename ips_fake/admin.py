"""The admin API under ``/_fake/``: JSON to read and move the clock, read state and the
outbox, script outcomes, add companies and users, and reset. Routes are listed in the
README; every answer is JSON, every error ``{"error": "..."}`` with a 4xx status (a bug in
the fake: 500, still JSON, never a traceback).

Protections (docs/admin-api.md): a Host that is not a loopback name, the in-process
transport's host or an allowed name → 403 (DNS rebinding); a write whose Origin is not the
server's own → 403; a write that is not ``Content-Type: application/json`` → 415; with a
token configured, a call without it → 401 (export archives excepted, like IPS's download
links); passwords shown as ``***`` unless ``?reveal=passwords``.
"""

from __future__ import annotations

import dataclasses
import hmac
import io
import ipaddress
import json
import math
import re
import zipfile
import zlib
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from enum import Enum
from typing import Any

from lxml import etree
from werkzeug.exceptions import (
    BadRequest,
    Conflict,
    Forbidden,
    HTTPException,
    NotFound,
    RequestEntityTooLarge,
    Unauthorized,
    UnsupportedMediaType,
)
from werkzeug.routing import Map, Rule
from werkzeug.wrappers import Request, Response

from ips_fake.core.clock import Clock, ManualClock, MovableClock
from ips_fake.core.handles import company_id_of
from ips_fake.core.model import Outcome
from ips_fake.core.outcomes import OutcomeRule, outcome_rule
from ips_fake.core.service import EXPORT_PATH_PREFIX, IpsService
from ips_fake.soap.codec import PAYLOAD_ELEMENTS
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


#: Each job kind's submitJob payload element (``JobKind.UPLOAD_URLS`` → ``uploadUrlsJob``).
PAYLOAD_ELEMENT_OF_KIND = {kind: element for element, kind in PAYLOAD_ELEMENTS.items()}
#: The outcomes ``POST /_fake/outcomes`` takes.
OUTCOME_NAMES = tuple(outcome.value for outcome in Outcome)


def clock_mode(clock: Clock) -> str:
    """The clock's mode in the words of ``ips-fake serve --clock`` and the plugin:
    ``manual`` for a clock moved only through the admin API, ``real`` for the wall clock,
    ``freezegun`` for one that follows freezegun, and the class name for any other clock."""
    from ips_fake.clocks import FreezegunClock, WallClock

    if isinstance(clock, ManualClock):
        return "manual"
    if isinstance(clock, WallClock):
        return "real"
    if isinstance(clock, FreezegunClock):
        return "freezegun"
    return type(clock).__name__


def json_response(data: Any, status: int = 200) -> Response:
    """A JSON response."""
    body = json.dumps(jsonable(data), ensure_ascii=False, sort_keys=True, indent=2)
    return Response(body, status=status, content_type="application/json; charset=utf-8")


#: The host of the in-process transport's URLs (:data:`ips_fake.transport.INPROCESS_BASE_URL`).
INPROCESS_HOST = "ips-fake.invalid"
#: Names every admin request may use as its Host, besides 127.0.0.0/8 and ::1.
LOOPBACK_NAMES = frozenset({"localhost", INPROCESS_HOST})
#: The largest admin request body (bytes); a larger one gets 413.
MAX_ADMIN_BODY = 1024 * 1024
#: How deep a JSON body may nest; deeper gets 400 (no admin route takes more than 3).
MAX_JSON_DEPTH = 32
#: The query that shows passwords instead of ``***``.
REVEAL_PASSWORDS = "passwords"
MASK = "***"
#: Header names that carry the admin token (``Authorization: Bearer <token>`` also works).
TOKEN_HEADER = "X-Ips-Fake-Token"
#: The cookie the dashboard keeps the token in (same-site only, out of scripts' reach).
TOKEN_COOKIE = "ips_fake_admin_token"
_WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# any prefix (non-ASCII ones too); greedy, so a CDATA holding a closing tag is masked whole
_PASSWORD_ELEMENT = re.compile(
    rb"(<(?P<tag>(?:[^\s<>/:!?\"'=]+:)?(?:password|AuthPassword|accessToken|samlResponse))"
    rb"(?:\s[^>]*)?>)(.*)(</(?P=tag)\s*>)",
    re.DOTALL,
)
_SECRET_NAMES = frozenset({"password", "AuthPassword", "accessToken", "samlResponse"})


def host_name(host: str) -> str:
    """The name part of a Host header, lower-cased: ``[::1]:8080`` → ``::1``,
    ``LocalHost:80`` → ``localhost``, ``example.com.`` → ``example.com``."""
    text = host.strip().lower()
    if text.startswith("["):
        return text[1:].split("]", 1)[0]
    if text.count(":") == 1:
        text = text.split(":", 1)[0]
    return text.rstrip(".")


def is_loopback_host(name: str) -> bool:
    """Whether ``name`` (from :func:`host_name`) is localhost, 127.0.0.0/8, ::1 or the
    in-process transport's host."""
    if name in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def mask_passwords(body: bytes) -> bytes:
    """A SOAP request with the content of every ``password``, ``accessToken`` and
    ``samlResponse`` element (in any namespace, with any prefix) and of the legacy
    ``AuthPassword`` header replaced by ``***``. A well-formed body is masked through its
    parsed tree (CDATA, comments and entities inside the element included); any other with a
    pattern that masks from the first opening tag to the last closing one."""
    if not _PROLOG_MARKUP.search(body[:4096]):
        try:
            root = etree.fromstring(body, _MASKING_PARSER)
        except etree.XMLSyntaxError:
            root = None
        if root is not None:
            for element in root.iter("*"):
                if etree.QName(element).localname in _SECRET_NAMES:
                    for child in list(element):
                        element.remove(child)
                    element.text = MASK
            return bytes(etree.tostring(root, encoding="UTF-8", xml_declaration=False))
    return _PASSWORD_ELEMENT.sub(lambda m: m.group(1) + MASK.encode() + m.group(4), body)


# a DOCTYPE (or anything like one) is never handed to a parser: those bodies use the pattern
_PROLOG_MARKUP = re.compile(rb"<!(?!--)")
_MASKING_PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False
)


def readable_request(body: bytes) -> bytes:
    """A journalled request body as text for the journal route: gzip/deflate bodies
    decompressed (at most 16 times :data:`MAX_ADMIN_BODY` bytes), passwords masked; a body that is
    still not UTF-8 is replaced by a note, so no secret leaks in a form masking cannot read."""
    text = body
    if not _is_utf8(text):
        for wbits in (31, 15, -15):
            try:
                inflater = zlib.decompressobj(wbits)
                text = inflater.decompress(body, 16 * MAX_ADMIN_BODY)
                break
            except zlib.error:
                continue
    if not _is_utf8(text) or b"\x00" in text:  # e.g. UTF-16 without a byte order mark
        return f"<{len(body)} bytes that are not UTF-8 text: not shown>".encode()
    return mask_passwords(text)


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _depth_ok(text: bytes) -> bool:
    """Whether JSON text nests at most :data:`MAX_JSON_DEPTH` deep (a cheap bracket count that
    strings may fool only towards refusing)."""
    depth = 0
    for byte in text:
        if byte in b"[{":
            depth += 1
            if depth > MAX_JSON_DEPTH:
                return False
        elif byte in b"]}":
            depth -= 1
    return True


def _body(request: Request) -> dict[str, Any]:
    """The request's JSON object; 413, 400 (not JSON, not an object, too deep) otherwise."""
    length = request.content_length
    if length is not None and length > MAX_ADMIN_BODY:
        raise RequestEntityTooLarge(
            f"admin request bodies are at most {MAX_ADMIN_BODY} bytes; this one says {length}"
        )
    raw = request.stream.read(MAX_ADMIN_BODY + 1)
    if len(raw) > MAX_ADMIN_BODY:
        raise RequestEntityTooLarge(f"admin request bodies are at most {MAX_ADMIN_BODY} bytes")
    if not raw.strip():
        return {}
    if not _depth_ok(raw):
        raise BadRequest(f"the body nests deeper than {MAX_JSON_DEPTH} levels")
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError) as error:  # JSONDecodeError, bad UTF-8, huge ints
        raise BadRequest(f"the body is not JSON: {error}") from None
    if not isinstance(data, dict):
        raise BadRequest("the body must be a JSON object")
    return data


def _only(body: Mapping[str, Any], allowed: Iterable[str], route: str) -> None:
    unknown = sorted(set(body) - set(allowed))
    if unknown:
        raise BadRequest(
            f"{route} takes {', '.join(repr(key) for key in allowed)}; unknown key(s): "
            f"{', '.join(repr(key) for key in unknown)}"
        )


def _number(body: Mapping[str, Any], key: str) -> float | None:
    """``body[key]`` as a finite number (JSON true/false are not numbers), or None if absent."""
    value = body.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise BadRequest(f"{key!r} must be a number, got {json.dumps(value)}")
    if not math.isfinite(value):
        raise BadRequest(f"{key!r} must be a finite number, got {value}")
    return float(value)


def _text(body: Mapping[str, Any], key: str, *, required: bool = False) -> str | None:
    """``body[key]`` as a string, or None if absent (400 when ``required``)."""
    value = body.get(key)
    if value is None:
        if required:
            raise BadRequest(f"{key!r} is required")
        return None
    if not isinstance(value, str):
        raise BadRequest(f"{key!r} must be a string, got {json.dumps(value)}")
    return value


def _rule_data(rule: OutcomeRule) -> dict[str, Any]:
    """An outcome rule as JSON, its kind named by its submitJob payload element."""
    data: dict[str, Any] = jsonable(rule)
    if rule.kind is not None:
        data["kind"] = PAYLOAD_ELEMENT_OF_KIND.get(rule.kind, rule.kind.value)
    return data


def _masked_directory(data: dict[str, Any]) -> dict[str, Any]:
    return {
        **data,
        "users": [{**user, "password": MASK} for user in data.get("users", [])],
    }


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
            if request.method in _WRITE_METHODS and request.method != "DELETE":
                self._require_json(request)
            handler: Callable[..., Response] = getattr(self, str(endpoint))
            return handler(request, **values)
        except HTTPException as error:
            response = json_response(
                {"error": error.description or error.name}, error.code or 400
            )
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
        if request.method in _WRITE_METHODS and origin is not None:
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
        body = _body(request)
        _only(body, ("advance", "move_to"), "POST /_fake/clock")
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
                step = _number(body, "advance")
                if step is None:
                    raise BadRequest("'advance' must be a number of seconds, got null")
                clock.advance(step)
            else:
                text = _text(body, "move_to", required=True)
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
        return json_response([_rule_data(rule) for rule in self.service.outcomes.rules])

    def add_outcome(self, request: Request) -> Response:
        """POST /_fake/outcomes {"outcome", "kind"?, "name_pattern"?, "seconds"?}."""
        body = _body(request)
        _only(body, ("outcome", "kind", "name_pattern", "seconds"), "POST /_fake/outcomes")
        outcome = _text(body, "outcome") or "success"
        if outcome not in OUTCOME_NAMES:
            raise BadRequest(
                f"'outcome' {outcome!r} is not one of {', '.join(map(repr, OUTCOME_NAMES))}"
            )
        kind = _text(body, "kind") or None
        rule = outcome_rule(
            outcome,
            kind=kind,
            name_pattern=_text(body, "name_pattern"),
            seconds=_number(body, "seconds"),
        )
        with self.service.lock:
            self.service.outcomes.add(rule)
        answer = _rule_data(rule)
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
        return data if self._reveals_passwords(request) else _masked_directory(data)

    def directory(self, request: Request) -> Response:
        """GET /_fake/directory (passwords ``***`` unless ``?reveal=passwords``)."""
        return json_response(self._directory_data(request))

    def add_company(self, request: Request) -> Response:
        """POST /_fake/directory/companies {"id", "name"?}."""
        body = _body(request)
        _only(body, ("id", "name"), "POST /_fake/directory/companies")
        company_id = body.get("id")
        if isinstance(company_id, bool) or not isinstance(company_id, str | int):
            raise BadRequest('\'id\' is required: a company id such as "49" or "c|49"')
        name = _text(body, "name")
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
        body = _body(request)
        _only(body, ("email", "password", "roles", "companies"), "POST /_fake/directory/users")
        email = _text(body, "email", required=True)
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
                _text(body, "password") or "password",
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
