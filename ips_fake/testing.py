"""What the pytest plugin hands a test: :class:`IpsFakeHandle`, and the fakes behind it.

A session holds one *backend*: a :class:`LocalFake` (one :class:`~ips_fake.fake.IpsFake` on a
:class:`SessionClock`, served over HTTP on a background thread and in-process) or, with
``--ips-fake-url``, a :class:`RemoteFake` (an ``ips-fake serve`` driven through its admin API,
or a real IPS endpoint). Each test gets an :class:`IpsFakeHandle` over it, opened with the
directory and clock back at their start and closed with a report of every bad request.

The plugin imports this module only when a fixture is used. It can be used without pytest
fixtures too::

    backend = LocalFake.build(SessionOptions())
    handle = IpsFakeHandle.open(backend, FixtureSettings.resolve(SessionOptions(), {}))
    client = handle.client(transport="inprocess")
    client.service.submitJob(companyHandle="c|47", jobName="nightly",
                             imageServingPublishJob={"publishType": "Full"})
    handle.advance(minutes=5)
    assert handle.job_logs[0].job_name.startswith("nightly")
    assert handle.close() is None           # or the report of the bad requests
    backend.close()
"""

from __future__ import annotations

import dataclasses
import json
import sys
import types
import urllib.error
import urllib.request
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import Enum
from pathlib import Path
from typing import Any, ForwardRef, Union, get_args, get_origin, get_type_hints
from urllib.parse import urlsplit

import pytest

from ips_fake.clocks import FreezegunClock
from ips_fake.core.clock import DEFAULT_START, ManualClock
from ips_fake.core.directory import Company, Directory, Role, User
from ips_fake.core.model import (
    ActiveJobInfo,
    JobKind,
    JobLogInfo,
    Notification,
    Outcome,
    ScheduledJobInfo,
    SubmitJobRequest,
)
from ips_fake.core.outcomes import OutcomeRule, outcome_rule
from ips_fake.core.service import DEFAULT_LOG_RETENTION
from ips_fake.fake import IpsFake
from ips_fake.server import FakeServer
from ips_fake.soap.endpoint import Exchange
from ips_fake.soap.schema import ApiVersion, find_version
from ips_fake.wsgi import SERVICE_PATH, WSDL_FOLDER

__all__ = [
    "CLOCK_MODES",
    "TRANSPORTS",
    "ClockModeError",
    "FixtureSettings",
    "IpsFakeHandle",
    "LocalFake",
    "Login",
    "RemoteFake",
    "SessionClock",
    "SessionOptions",
    "api_version",
    "open_backend",
]

CLOCK_MODES = ("manual", "freezegun")
"""``manual``: the fake's time stands still until the test moves it. ``freezegun``: the fake
reads the time freezegun says, in every thread."""

TRANSPORTS = ("http", "inprocess")
"""``http``: requests go over loopback to the session's server. ``inprocess``: they are
handed straight to the WSGI app, with no socket."""

DEFAULT_API_VERSION = "2014-04-03"
DEFAULT_USER = "ipsuser@example.com"
DEFAULT_PASSWORD = "password"
SOAP_PORTS = {"1.1": "IpsApiSoapPort", "1.2": "IpsApiSoap12Port"}
SERVICE_NAME = "IpsApiService"
_CLIENT_SIDE = ("invalid request XML:", "schema violation:", "header not understood:")
_REQUEST_SHOWN = 4000
_ADMIN_TIMEOUT = 10.0
_LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


class ClockModeError(TypeError):
    """The test asked to move a clock that follows freezegun: move freezegun instead."""


# -- API versions ------------------------------------------------------------------------------


def api_version(name: str | ApiVersion | None = None) -> ApiVersion:
    """An API version by label (``"6.8"``, ``"pre-4.0"``), date (``"2014-04-03"``), WSDL file
    (``"IpsApi-2014-04-03.wsdl"``), schema namespace or alias (``"beta"``); None gives
    2014-04-03. Raises ValueError listing the known versions for any other name.

    Example::

        >>> api_version("6.8").wsdl_file
        'IpsApi-2014-04-03.wsdl'
    """
    if isinstance(name, ApiVersion):
        return name
    return find_version(name or DEFAULT_API_VERSION)


# -- settings ----------------------------------------------------------------------------------


def _choice(what: str, value: str, choices: tuple[str, ...]) -> str:
    if value not in choices:
        raise ValueError(f"{what} must be one of {', '.join(choices)}; got {value!r}")
    return value


@dataclass(frozen=True)
class SessionOptions:
    """What the ini options and command-line flags say, for the whole session.

    Example::

        SessionOptions(clock="freezegun", transport="inprocess", version="6.6")
    """

    url: str | None = None
    directory: Path | None = None
    clock: str = "manual"
    version: str = DEFAULT_API_VERSION
    transport: str = "http"
    user: str = DEFAULT_USER
    password: str = DEFAULT_PASSWORD
    time_zone: str = "UTC"
    validate_responses: bool = False
    #: The admin token of the ``ips-fake serve`` at ``url`` (its ``--admin-token``), if any.
    admin_token: str | None = None
    #: Job logs an in-process fake keeps per company (``ips_fake_log_retention``).
    log_retention: int = DEFAULT_LOG_RETENTION

    def __post_init__(self) -> None:
        _choice("the ips-fake clock", self.clock, CLOCK_MODES)
        _choice("the ips-fake transport", self.transport, TRANSPORTS)
        api_version(self.version)


#: Keys ``@pytest.mark.ips_fake(...)`` accepts.
MARKER_KEYS = (
    "clock",
    "start",
    "version",
    "transport",
    "user",
    "password",
    "allow_bad_requests",
    "directory",
    "time_zone",
    "seconds_per_item",
)
#: Marker keys that need a fake of the test's own (they are fixed when a fake is built).
DEDICATED_KEYS = ("directory", "time_zone", "seconds_per_item")


@dataclass(frozen=True)
class FixtureSettings:
    """The settings of one test: the session options overridden by its ``ips_fake`` marker."""

    clock: str
    version: ApiVersion
    transport: str
    user: str
    password: str
    allow_bad_requests: bool = False
    start: datetime | None = None
    directory: Path | Directory | None = None
    time_zone: str | None = None
    seconds_per_item: float | None = None
    session: SessionOptions = field(default_factory=SessionOptions)

    @classmethod
    def resolve(cls, options: SessionOptions, marker: Mapping[str, Any]) -> FixtureSettings:
        """Merge marker keywords over the session options, checking every value.

        Example::

            FixtureSettings.resolve(SessionOptions(), {"clock": "freezegun", "version": "4.5"})
        """
        unknown = sorted(set(marker) - set(MARKER_KEYS))
        if unknown:
            raise TypeError(
                f"@pytest.mark.ips_fake got unknown setting(s) {', '.join(unknown)}; "
                f"it accepts {', '.join(MARKER_KEYS)}"
            )
        start = marker.get("start")
        if isinstance(start, str):
            start = datetime.fromisoformat(start)
        if start is not None and (not isinstance(start, datetime) or start.tzinfo is None):
            raise ValueError(
                "@pytest.mark.ips_fake(start=...) needs a timezone-aware datetime or an ISO "
                f"string with an offset, e.g. '2026-03-02T08:00:00+00:00'; got {start!r}"
            )
        directory = marker.get("directory")
        if isinstance(directory, str):
            directory = Path(directory)
        seconds = marker.get("seconds_per_item")
        return cls(
            clock=_choice("ips_fake clock", str(marker.get("clock", options.clock)), CLOCK_MODES),
            version=api_version(marker.get("version", options.version)),
            transport=_choice(
                "ips_fake transport", str(marker.get("transport", options.transport)), TRANSPORTS
            ),
            user=str(marker.get("user", options.user)),
            password=str(marker.get("password", options.password)),
            allow_bad_requests=bool(marker.get("allow_bad_requests", False)),
            start=start,
            directory=directory,
            time_zone=marker.get("time_zone"),
            seconds_per_item=float(seconds) if seconds is not None else None,
            session=options,
        )

    @property
    def needs_own_fake(self) -> bool:
        """Whether a marker key fixes something the shared session fake cannot change."""
        return any(getattr(self, key) is not None for key in DEDICATED_KEYS)


@dataclass(frozen=True)
class Login:
    """Credentials to send in the ``authHeader``.

    Example::

        admin = ips_fake.login("IpsAdmin")
        client = ips_fake.client(user=admin)
    """

    email: str
    password: str


# -- the clock ---------------------------------------------------------------------------------


class SessionClock:
    """The clock of a session's fake: manual (standing still until moved, and put back to its
    start before every test) or following freezegun.

    Example::

        clock = SessionClock()
        clock.advance(minutes=5)
        clock.reset()                       # back to 2026-01-05 09:00 UTC
        clock.reset(mode="freezegun")       # now() is whatever freezegun says
    """

    def __init__(self, start: datetime = DEFAULT_START, mode: str = "manual") -> None:
        self._follow = FreezegunClock()
        self._manual_clock = ManualClock(start)
        self._mode = mode
        self.reset(start, mode)

    @property
    def mode(self) -> str:
        """``manual`` or ``freezegun``."""
        return self._mode

    def reset(self, start: datetime = DEFAULT_START, mode: str = "manual") -> None:
        """Put a manual clock back to ``start`` (it may go backwards here), or follow freezegun."""
        _choice("the clock mode", mode, CLOCK_MODES)
        self._manual_clock = ManualClock(start)  # checks that start is timezone-aware
        self._mode = mode

    def now(self) -> datetime:
        """The current instant."""
        if self._mode == "freezegun":
            return self._follow.now()
        return self._manual_clock.now()

    def _manual(self, what: str) -> ManualClock:
        if self._mode == "freezegun":
            raise ClockModeError(
                f"this test's fake follows freezegun, so {what}() cannot move it: move freezegun "
                "instead (frozen.tick(...) / frozen.move_to(...)), or use the manual clock"
            )
        return self._manual_clock

    def advance(self, seconds: float = 0.0, **delta: float) -> datetime:
        """Move forward by ``seconds`` plus any ``timedelta`` keywords (manual mode only)."""
        return self._manual("advance").advance(seconds, **delta)

    def move_to(self, instant: datetime) -> datetime:
        """Jump forward to ``instant`` (manual mode only)."""
        return self._manual("move_to").move_to(instant)


# -- backends ----------------------------------------------------------------------------------


class LocalFake:
    """One :class:`IpsFake` in this process: on a :class:`SessionClock`, served over HTTP by a
    :class:`FakeServer` started on first use, and in-process through the WSGI app.

    Example::

        backend = LocalFake.build(SessionOptions())
        backend.fake.advance(minutes=1)
        backend.base_url("http")            # starts the server: http://127.0.0.1:<port>
        backend.close()
    """

    is_local = True
    is_controllable = True

    def __init__(self, fake: IpsFake, clock: SessionClock) -> None:
        self.fake = fake
        self.clock = clock
        self._server: FakeServer | None = None
        self._transports: dict[str, Any] = {}
        self._documents: dict[str, Any] = {}

    @classmethod
    def build(
        cls,
        options: SessionOptions,
        *,
        directory: Path | Directory | None = None,
        time_zone: str | None = None,
        seconds_per_item: float | None = None,
    ) -> LocalFake:
        """A fake built from the session options (or the given overrides)."""
        clock = SessionClock()
        fake = IpsFake(
            directory if directory is not None else options.directory,
            clock,
            time_zone=time_zone or options.time_zone,
            seconds_per_item=seconds_per_item if seconds_per_item is not None else 2.0,
            validate_responses=options.validate_responses,
            log_retention=options.log_retention,
        )
        return cls(fake, clock)

    @property
    def label(self) -> str:
        """How messages name this fake."""
        return "the in-process ips-fake"

    @property
    def server(self) -> FakeServer:
        """The HTTP server, started on first use (one per session, per xdist worker)."""
        if self._server is None:
            self._server = FakeServer(self.fake).start()
        return self._server

    def base_url(self, transport: str) -> str:
        """``scheme://host:port`` under which ``transport`` reaches the fake."""
        if transport == "inprocess":
            from ips_fake.transport import INPROCESS_BASE_URL

            return INPROCESS_BASE_URL
        return self.server.base_url

    def zeep_transport(self, transport: str) -> Any:
        """A zeep transport for ``transport``, shared by every test of the session."""
        if transport not in self._transports:
            if transport == "inprocess":
                from ips_fake.transport import InProcessTransport

                self._transports[transport] = InProcessTransport(self.fake.app)
            else:
                self._transports[transport] = _loopback_transport()
        return self._transports[transport]

    def requests_session(self, transport: str) -> Any:
        """A new ``requests.Session`` for ``transport``."""
        if transport == "inprocess":
            from ips_fake.transport import in_process_session

            return in_process_session(self.fake.app)
        import requests

        session = requests.Session()
        session.trust_env = False  # loopback: no proxy may stand in between
        return session

    def wsdl_document(self, url: str, transport: str) -> Any:
        """The parsed zeep WSDL document at ``url``, parsed once per session."""
        if url not in self._documents:
            self._documents[url] = _load_wsdl(url, self.zeep_transport(transport))
        return self._documents[url]

    def begin_test(self, settings: FixtureSettings) -> None:
        """Back to the starting directory, no jobs, logs, mail, outcomes or journal, and the
        clock at its start (or following freezegun)."""
        self.fake.reset()
        self.clock.reset(settings.start or DEFAULT_START, settings.clock)

    # -- control -------------------------------------------------------------------------------

    def now(self) -> datetime:
        """The fake's time (due jobs have fired)."""
        return self.fake.service.sync()

    def advance(self, step: timedelta) -> datetime:
        """Move the clock forward by ``step``; due jobs fire and finish."""
        return self.fake.advance(step.total_seconds())

    def move_to(self, instant: datetime) -> datetime:
        """Jump the clock forward to ``instant``."""
        return self.fake.move_to(instant)

    def directory_data(self) -> dict[str, Any]:
        """Companies and users as directory-file data."""
        with self.fake.service.lock:
            return self.fake.directory.as_json_data()

    def add_company(self, company_id: str, name: str | None) -> Company:
        """Add a company."""
        return self.fake.add_company(company_id, name)

    def add_user(
        self, email: str, password: str, roles: Iterable[str], companies: Iterable[str] | str
    ) -> User:
        """Add a user."""
        return self.fake.add_user(email, password, roles=roles, companies=companies)

    def add_rule(self, rule: OutcomeRule) -> OutcomeRule:
        """Script an outcome."""
        return self.fake.script(
            rule.outcome, kind=rule.kind, name_pattern=rule.name_pattern, seconds=rule.seconds
        )

    def scheduled_jobs(self) -> list[ScheduledJobInfo]:
        """Jobs that can still fire."""
        return self.fake.scheduled_jobs

    def active_jobs(self) -> list[ActiveJobInfo]:
        """Unfinished runs."""
        return self.fake.active_jobs

    def job_logs(self) -> list[JobLogInfo]:
        """Every job log."""
        return self.fake.job_logs

    def outbox(self) -> list[Notification]:
        """Notification e-mails."""
        return self.fake.outbox

    def journal(self) -> list[Exchange]:
        """Every SOAP exchange since the test began."""
        return self.fake.journal

    def close(self) -> None:
        """Close the shared transports and stop the server."""
        for transport in self._transports.values():
            transport.session.close()
        self._transports.clear()
        if self._server is not None:
            self._server.stop()
            self._server = None


def _loopback_transport() -> Any:
    from zeep.transports import Transport

    transport = Transport()
    transport.session.trust_env = False  # loopback: no proxy may stand in between
    return transport


def _load_wsdl(url: str, transport: Any) -> Any:
    from zeep import Settings
    from zeep.wsdl import Document

    return Document(url, transport, settings=Settings())


class RemoteFake:
    """A server in another process: an ``ips-fake serve`` (driven through its ``/_fake/``
    admin API) or a real IPS endpoint (only SOAP calls; everything else skips the test).

    Example::

        backend = RemoteFake("http://127.0.0.1:8080", admin_token="s3cret")
        backend.is_controllable             # True when /_fake/clock answers
    """

    is_local = False

    def __init__(self, url: str, admin_token: str | None = None) -> None:
        self.url = url
        self.admin_token = admin_token or None
        parts = urlsplit(url)
        path = parts.path
        if "/scene7/" in path:
            path = path[: path.index("/scene7/")]
        self.origin = f"{parts.scheme}://{parts.netloc}{path.rstrip('/')}"
        self._transports: dict[str, Any] = {}
        self._documents: dict[str, Any] = {}
        # a server on this machine is reached directly, whatever proxy the environment sets
        self.is_loopback = parts.hostname in _LOOPBACK_HOSTS
        handlers = [urllib.request.ProxyHandler({})] if self.is_loopback else []
        self._opener = urllib.request.build_opener(*handlers)
        self.is_controllable = self._probe()

    @property
    def label(self) -> str:
        """How messages name this server."""
        kind = "ips-fake" if self.is_controllable else "IPS endpoint (no ips-fake admin API)"
        return f"the {kind} at {self.origin} (--ips-fake-url)"

    def _probe(self) -> bool:
        try:
            answer = self._call("GET", "/_fake/clock")
        except urllib.error.HTTPError as error:
            if error.code in (401, 403) and "admin" in _error_text(error):
                raise RuntimeError(
                    f"--ips-fake-url {self.url}: the ips-fake there refused its admin API "
                    f"({error.code}: {_error_text(error)}); give its token with "
                    "--ips-fake-admin-token, the ips_fake_admin_token ini option or "
                    "IPS_FAKE_ADMIN_TOKEN"
                ) from None
            return False
        except (urllib.error.URLError, OSError) as error:
            raise RuntimeError(
                f"--ips-fake-url {self.url}: cannot reach the server ({error}); start it with "
                "`ips-fake serve --clock manual` or fix the URL"
            ) from None
        except ValueError:
            return False
        return isinstance(answer, dict) and "now" in answer

    def _call(self, method: str, path: str, body: Any = None) -> Any:
        data = json.dumps(body).encode() if body is not None else None
        headers = {"Content-Type": "application/json"} if data is not None else {}
        if self.admin_token is not None:
            headers["Authorization"] = f"Bearer {self.admin_token}"
        request = urllib.request.Request(
            self.origin + path, data=data, method=method, headers=headers
        )
        with self._opener.open(request, timeout=_ADMIN_TIMEOUT) as response:
            return json.loads(response.read() or b"null")

    def _admin(self, method: str, path: str, body: Any = None, *, what: str) -> Any:
        if not self.is_controllable:
            pytest.skip(
                f"{what} needs an ips-fake admin API, and {self.label} has none: run this "
                "test without --ips-fake-url, or point it at `ips-fake serve --clock manual`"
            )
        try:
            return self._call(method, path, body)
        except urllib.error.HTTPError as error:
            reason = _error_text(error)
            if "cannot be moved" in reason:
                pytest.skip(
                    f"{what}: {self.label} cannot move its clock ({reason}); start it with "
                    "`ips-fake serve --clock manual`"
                )
            if error.code in (400, 409):
                raise ValueError(f"{what}: {self.label} refused: {reason}") from None
            raise RuntimeError(f"{what}: {self.label} answered {error.code}: {reason}") from None

    def base_url(self, transport: str) -> str:
        """The origin; the in-process transport skips the test (the fake is elsewhere)."""
        if transport == "inprocess":
            pytest.skip(
                f"the in-process transport needs the fake in this process; this run uses "
                f"{self.label}"
            )
        return self.origin

    def zeep_transport(self, transport: str) -> Any:
        """A zeep transport shared by every test of the session."""
        self.base_url(transport)
        if transport not in self._transports:
            from zeep.transports import Transport

            zeep_transport = Transport()
            zeep_transport.session.trust_env = not self.is_loopback
            self._transports[transport] = zeep_transport
        return self._transports[transport]

    def requests_session(self, transport: str) -> Any:
        """A new ``requests.Session``."""
        self.base_url(transport)
        import requests

        session = requests.Session()
        session.trust_env = not self.is_loopback
        return session

    def wsdl_document(self, url: str, transport: str) -> Any:
        """The parsed zeep WSDL document at ``url``, parsed once per session."""
        if url not in self._documents:
            self._documents[url] = _load_wsdl(url, self.zeep_transport(transport))
        return self._documents[url]

    def begin_test(self, settings: FixtureSettings) -> None:
        """Reset the remote fake; skip what another process's clock cannot do."""
        if settings.needs_own_fake:
            keys = ", ".join(k for k in DEDICATED_KEYS if getattr(settings, k) is not None)
            pytest.skip(
                f"@pytest.mark.ips_fake({keys}=...) needs a fake of the test's own; "
                f"this run uses {self.label}"
            )
        if settings.clock == "freezegun":
            pytest.skip(f"freezegun cannot move the clock of {self.label}")
        if not self.is_controllable:
            return
        self._call("POST", "/_fake/reset", {})
        if settings.start is not None:
            now = self.now()
            if now > settings.start:
                pytest.skip(
                    f"this test starts its clock at {settings.start.isoformat()}, but "
                    f"{self.label} is already at {now.isoformat()} and clocks only move forward"
                )
            self.move_to(settings.start)

    # -- control -------------------------------------------------------------------------------

    def now(self) -> datetime:
        """The server's time."""
        state = self._admin("GET", "/_fake/clock", what="reading the clock")
        return datetime.fromisoformat(state["now"])

    def advance(self, step: timedelta) -> datetime:
        """POST /_fake/clock {"advance": seconds}."""
        state = self._admin(
            "POST", "/_fake/clock", {"advance": step.total_seconds()}, what="moving the clock"
        )
        return datetime.fromisoformat(state["now"])

    def move_to(self, instant: datetime) -> datetime:
        """POST /_fake/clock {"move_to": ISO}."""
        state = self._admin(
            "POST", "/_fake/clock", {"move_to": instant.isoformat()}, what="moving the clock"
        )
        return datetime.fromisoformat(state["now"])

    def directory_data(self) -> dict[str, Any]:
        """GET /_fake/directory?reveal=passwords (``login(role)`` needs the passwords)."""
        data: dict[str, Any] = self._admin(
            "GET", "/_fake/directory?reveal=passwords", what="reading the directory"
        )
        return data

    def add_company(self, company_id: str, name: str | None) -> Company:
        """POST /_fake/directory/companies."""
        data = self._admin(
            "POST",
            "/_fake/directory/companies",
            {"id": company_id, "name": name},
            what="adding a company",
        )
        return Company(str(data["id"]), str(data["name"]))

    def add_user(
        self, email: str, password: str, roles: Iterable[str], companies: Iterable[str] | str
    ) -> User:
        """POST /_fake/directory/users."""
        data = self._admin(
            "POST",
            "/_fake/directory/users",
            {
                "email": email,
                "password": password,
                "roles": list(roles),
                "companies": companies if isinstance(companies, str) else list(companies),
            },
            what="adding a user",
        )
        return User(
            id=int(data["id"]),
            email=str(data["email"]),
            password=password,  # the answer shows it as *** unless asked to reveal it
            roles=frozenset(Role(role) for role in data["roles"]),
            companies=None if data["companies"] is None else frozenset(data["companies"]),
            disabled=bool(data.get("disabled", False)),
        )

    def add_rule(self, rule: OutcomeRule) -> OutcomeRule:
        """POST /_fake/outcomes."""
        body = {
            "outcome": rule.outcome.value,
            "kind": rule.kind.value if rule.kind else None,
            "name_pattern": rule.name_pattern,
            "seconds": rule.seconds,
        }
        data = self._admin("POST", "/_fake/outcomes", body, what="scripting outcomes")
        result: OutcomeRule = from_json(OutcomeRule, data)
        return result

    def _list(self, kind: type[Any], path: str, what: str) -> list[Any]:
        data = self._admin("GET", path, what=what)
        return [from_json(kind, item) for item in data]

    def scheduled_jobs(self) -> list[ScheduledJobInfo]:
        """GET /_fake/scheduled-jobs."""
        return self._list(ScheduledJobInfo, "/_fake/scheduled-jobs", "reading scheduled jobs")

    def active_jobs(self) -> list[ActiveJobInfo]:
        """GET /_fake/active-jobs."""
        return self._list(ActiveJobInfo, "/_fake/active-jobs", "reading active jobs")

    def job_logs(self) -> list[JobLogInfo]:
        """GET /_fake/job-logs."""
        return self._list(JobLogInfo, "/_fake/job-logs", "reading job logs")

    def outbox(self) -> list[Notification]:
        """GET /_fake/outbox."""
        return self._list(Notification, "/_fake/outbox", "reading the outbox")

    def journal(self) -> list[Exchange]:
        """GET /_fake/journal. A submitJob's ``params["request"]`` comes back as the
        :class:`SubmitJobRequest` a local journal holds; the other operations' ``params`` keep
        their JSON form (dates as ISO text)."""
        exchanges = self._list(Exchange, "/_fake/journal", "reading the request journal")
        return [_typed_params(exchange) for exchange in exchanges]

    def close(self) -> None:
        """Close the shared transports."""
        for transport in self._transports.values():
            transport.session.close()
        self._transports.clear()


def _typed_params(exchange: Exchange) -> Exchange:
    """``exchange`` with a submitJob's decoded request rebuilt as a SubmitJobRequest."""
    request = exchange.params.get("request")
    if exchange.operation != "submitJob" or not isinstance(request, dict):
        return exchange
    params = {**exchange.params, "request": from_json(SubmitJobRequest, request)}
    return dataclasses.replace(exchange, params=params)


def _error_text(error: urllib.error.HTTPError) -> str:
    try:
        return str(json.loads(error.read()).get("error", error.reason))
    except (ValueError, AttributeError):
        return str(error.reason)


Backend = LocalFake | RemoteFake


def open_backend(options: SessionOptions) -> Backend:
    """The session's backend: a :class:`RemoteFake` when ``options.url`` is set, else a
    :class:`LocalFake` built from the options."""
    if options.url:
        return RemoteFake(options.url, options.admin_token)
    return LocalFake.build(options)


# -- JSON back to the core's dataclasses ---------------------------------------------------------


def from_json(kind: Any, data: Any, namespace: Mapping[str, Any] | None = None) -> Any:
    """Rebuild a value of type ``kind`` (a dataclass, enum, datetime, tuple, union, ...) from the
    JSON the admin API wrote with :func:`ips_fake.admin.jsonable`.

    Example::

        from_json(Notification, requests.get(base + "/_fake/outbox").json()[0])
    """
    namespace = namespace or {}
    if isinstance(kind, ForwardRef):
        kind = namespace[kind.__forward_arg__]
    if isinstance(kind, str):
        kind = namespace[kind]
    origin = get_origin(kind)
    arguments = get_args(kind)
    if kind is Any:
        return data
    if origin in (Union, types.UnionType):
        if data is None and type(None) in arguments:
            return None
        for member in arguments:
            if member is type(None):
                continue
            try:
                return from_json(member, data, namespace)
            except (TypeError, ValueError, KeyError):
                continue
        raise TypeError(f"{data!r} is none of {kind}")
    if origin in (tuple, list, frozenset, set):
        if not isinstance(data, list):
            raise TypeError(f"expected a JSON array for {kind}, got {data!r}")
        if origin is tuple and not (len(arguments) == 2 and arguments[1] is Ellipsis):
            if len(arguments) != len(data):
                raise TypeError(f"expected {len(arguments)} items for {kind}, got {data!r}")
            return tuple(from_json(a, d, namespace) for a, d in zip(arguments, data, strict=True))
        items = [from_json(arguments[0], item, namespace) for item in data]
        return origin(items)
    if origin is dict:
        if not isinstance(data, dict):
            raise TypeError(f"expected a JSON object for {kind}, got {data!r}")
        return {key: from_json(arguments[1], value, namespace) for key, value in data.items()}
    if dataclasses.is_dataclass(kind) and isinstance(kind, type):
        if not isinstance(data, dict):
            raise TypeError(f"expected a JSON object for {kind.__name__}, got {data!r}")
        module_namespace = vars(sys.modules[kind.__module__])
        hints = get_type_hints(kind, globalns=module_namespace)
        values = {
            item.name: from_json(hints[item.name], data[item.name], module_namespace)
            for item in dataclasses.fields(kind)
            if item.init and item.name in data
        }
        return kind(**values)
    if isinstance(kind, type) and issubclass(kind, Enum):
        return kind(data)
    if kind is datetime:
        if not isinstance(data, str):
            raise TypeError(f"expected an ISO date-time, got {data!r}")
        return datetime.fromisoformat(data)
    if kind is bytes:
        if not isinstance(data, str):
            raise TypeError(f"expected text for bytes, got {data!r}")
        return data.encode("utf-8")
    if kind is float and isinstance(data, int | float) and not isinstance(data, bool):
        return float(data)
    if kind in (str, int, bool) and type(data) is kind:
        return data
    raise TypeError(f"cannot read {data!r} as {kind}")


# -- problems ----------------------------------------------------------------------------------


def is_client_side(problem: str) -> bool:
    """Whether a journal problem is the client's fault (bad XML, a schema violation) rather
    than the fake's (an exception, a response that does not validate)."""
    return problem.startswith(_CLIENT_SIDE) and "does not validate" not in problem


def problem_report(exchanges: list[Exchange]) -> str:
    """The failure message for exchanges with problems: operation, reason, request body."""
    client_side = [e for e in exchanges if e.problem and is_client_side(e.problem)]
    lines = [
        f"ips-fake: {len(exchanges)} request(s) in this test went wrong "
        f"({len(client_side)} bad request(s) the real IPS would reject too, "
        f"{len(exchanges) - len(client_side)} failure(s) inside ips-fake)."
    ]
    for exchange in exchanges:
        problem = exchange.problem or ""
        request = exchange.request.decode("utf-8", errors="replace")
        if len(request) > _REQUEST_SHOWN:
            request = request[:_REQUEST_SHOWN] + f"... ({len(exchange.request)} bytes in all)"
        lines += [
            "",
            f"--- request #{exchange.sequence}: operation {exchange.operation or '(unknown)'}, "
            f"caller {exchange.caller or '(none)'}, answered HTTP {exchange.status}"
            + (f" with fault {exchange.fault_code}" if exchange.fault_code else ""),
            f"reason: {problem}",
            "request body:",
            request,
        ]
    lines.append("")
    if client_side:
        lines.append(
            "If this test sends bad requests on purpose, mark it "
            "@pytest.mark.ips_fake(allow_bad_requests=True) or send them inside "
            "`with ips_fake.expect_bad_requests():`."
        )
    if len(client_side) < len(exchanges):
        lines.append(
            "A failure inside ips-fake is a bug in the fake: please report it with the request "
            "above."
        )
    return "\n".join(lines)


# -- the per-test handle -------------------------------------------------------------------------


class IpsFakeHandle:
    """What the ``ips_fake`` fixture gives a test: URLs, clients, the clock, the directory, the
    state, the outbox, scripted outcomes and the request journal of a fake IPS.

    Example::

        def test_nightly_publish(ips_fake):
            client = ips_fake.client()                  # zeep, logged in as ipsuser@example.com
            client.service.submitJob(companyHandle="c|47", jobName="nightly",
                                     imageServingPublishJob={"publishType": "Full",
                                                             "emailSetting": "All"})
            ips_fake.advance(minutes=5)
            assert ips_fake.job_logs[0].file_error_count == 0
            assert ips_fake.outbox[0].to == "ipsuser@example.com"
    """

    def __init__(self, backend: Backend, settings: FixtureSettings, *, owns_backend: bool) -> None:
        self.backend = backend
        self.settings = settings
        self._owns_backend = owns_backend
        self._forgiven: set[int] = set()
        self._sessions: list[Any] = []

    @classmethod
    def open(cls, session_backend: Backend, settings: FixtureSettings) -> IpsFakeHandle:
        """Begin a test: a fake of its own when its marker asks for one, else the session's,
        reset. May skip the test (``--ips-fake-url`` cannot honour every setting)."""
        backend: Backend = session_backend
        owns = False
        if settings.needs_own_fake and isinstance(session_backend, LocalFake):
            backend = LocalFake.build(
                settings.session,
                directory=settings.directory,
                time_zone=settings.time_zone,
                seconds_per_item=settings.seconds_per_item,
            )
            owns = True
        backend.begin_test(settings)
        return cls(backend, settings, owns_backend=owns)

    def close(self) -> str | None:
        """End the test: close its sessions (and its own fake), and return the report of the
        requests that went wrong, or None."""
        try:
            problems = [
                exchange
                for exchange in self._journal_if_kept()
                if exchange.problem and not self._is_forgiven(exchange)
            ]
        finally:
            for session in self._sessions:
                session.close()
            self._sessions.clear()
            if self._owns_backend:
                self.backend.close()
        return problem_report(problems) if problems else None

    def _journal_if_kept(self) -> list[Exchange]:
        if not self.backend.is_controllable:
            return []
        return self.backend.journal()

    def _is_forgiven(self, exchange: Exchange) -> bool:
        if not exchange.problem or not is_client_side(exchange.problem):
            return False
        return self.settings.allow_bad_requests or exchange.sequence in self._forgiven

    # -- where the fake is ---------------------------------------------------------------------

    def _transport(self, transport: str | None) -> str:
        return _choice("transport", transport or self.settings.transport, TRANSPORTS)

    def base_url(self, transport: str | None = None) -> str:
        """``scheme://host:port`` of the fake for ``transport`` (default: the test's).

        Over ``http`` that is the session server (``http://127.0.0.1:<port>``); ``inprocess``
        URLs use ``http://ips-fake.invalid``, which only the in-process transport serves.
        """
        return self.backend.base_url(self._transport(transport))

    @property
    def url(self) -> str:
        """The SOAP service URL for the test's transport (same as :attr:`service_url`)."""
        return self.service_url

    @property
    def service_url(self) -> str:
        """The SOAP service URL for the test's transport."""
        return self.base_url() + SERVICE_PATH

    def wsdl_url(
        self, version: str | ApiVersion | None = None, *, transport: str | None = None
    ) -> str:
        """The WSDL URL of an API version (default: the test's) for a transport.

        Example::

            ips_fake.wsdl_url()        # http://127.0.0.1:<port>/scene7/webservice/IpsApi-2014-04-03.wsdl
            ips_fake.wsdl_url("pre-4.0", transport="inprocess")
        """
        chosen = api_version(version) if version is not None else self.settings.version
        return self.base_url(transport) + WSDL_FOLDER + chosen.wsdl_file

    @property
    def fake(self) -> IpsFake:
        """The :class:`IpsFake` itself (skips the test under ``--ips-fake-url``)."""
        if not isinstance(self.backend, LocalFake):
            pytest.skip(
                f"this test reaches into the fake's objects; this run uses {self.backend.label}"
            )
        return self.backend.fake

    # -- clients -------------------------------------------------------------------------------

    def transport(self, kind: str | None = None) -> Any:
        """A zeep transport that reaches the fake over ``kind`` (default: the test's), for code
        under test that builds its own ``zeep.Client``::

            zeep.Client(ips_fake.wsdl_url(), transport=ips_fake.transport())
        """
        return self.backend.zeep_transport(self._transport(kind))

    def requests_session(self, transport: str | None = None) -> Any:
        """A ``requests.Session`` that reaches the fake over ``transport`` (closed at the end of
        the test); the in-process one refuses every other URL::

            ips_fake.requests_session().post(ips_fake.url, data=envelope,
                                             headers={"Content-Type": "text/xml"})
        """
        session = self.backend.requests_session(self._transport(transport))
        self._sessions.append(session)
        return session

    def client(
        self,
        version: str | ApiVersion | None = None,
        *,
        soap: str = "1.1",
        user: str | Login | None = None,
        password: str | None = None,
        transport: str | None = None,
        authenticate: bool = True,
    ) -> Any:
        """A ``zeep.Client`` bound to the fake, sending an ``authHeader`` on every call.

        ``version``: an API version label or date (default: the test's, normally 2014-04-03);
        ``soap``: ``"1.1"`` or ``"1.2"``; ``user``: an e-mail, a role name (``"IpsAdmin"``: see
        :meth:`login`) or a :class:`Login` (default: the test's user, ipsuser@example.com);
        ``transport``: ``"http"`` or ``"inprocess"``; ``authenticate=False`` sends no header.

        Example::

            admin = ips_fake.client(soap="1.2", user="IpsAdmin")
            admin.service.getActiveJobs(companyHandle="c|48")
        """
        try:
            import zeep
        except ModuleNotFoundError:
            from ips_fake.extras import missing_extra

            raise ModuleNotFoundError(
                missing_extra("ips_fake.client()", "zeep", "client")
            ) from None
        if soap not in SOAP_PORTS:
            raise ValueError(f"soap must be '1.1' or '1.2', got {soap!r}")
        kind = self._transport(transport)
        chosen = api_version(version) if version is not None else self.settings.version
        document = self.backend.wsdl_document(self.wsdl_url(chosen, transport=kind), kind)
        client = zeep.Client(
            document,
            transport=self.backend.zeep_transport(kind),
            service_name=SERVICE_NAME,
            port_name=SOAP_PORTS[soap],
        )
        if authenticate:
            login = self.login(user, password=password)
            header = client.get_element(f"{{{chosen.namespace}}}authHeader")
            client.set_default_soapheaders([header(user=login.email, password=login.password)])
        return client

    # -- directory -----------------------------------------------------------------------------

    @property
    def directory(self) -> dict[str, Any]:
        """Companies and users, as directory-file data:
        ``{"companies": [...], "users": [...]}``."""
        return self.backend.directory_data()

    def add_company(self, company_id: str, name: str | None = None) -> Company:
        """Add a company for this test (``"49"`` or ``"c|49"``)."""
        return self.backend.add_company(company_id, name)

    def add_user(
        self,
        email: str,
        password: str = DEFAULT_PASSWORD,
        *,
        roles: Iterable[str] = ("IpsUser",),
        companies: Iterable[str] | str = ("47",),
    ) -> User:
        """Add a user for this test (``companies="all"`` for every company).

        Example::

            ips_fake.add_user("qa@example.com", roles=["IpsCompanyAdmin"], companies=["48"])
        """
        return self.backend.add_user(email, password, roles, companies)

    def login(
        self, who: str | Login | None = None, *, password: str | None = None, company: str = "47"
    ) -> Login:
        """Credentials for ``who``: an e-mail address, or a role name (``"IpsAdmin"``,
        ``"IpsCompanyAdmin"``...) meaning a user of ``company`` holding that role, added to the
        directory when there is none. None means the test's user.

        Example::

            ips_fake.login("ImagePortalUser")   # Login('portaluser@example.com', 'password')
        """
        if isinstance(who, Login):
            return who
        name = who or self.settings.user
        if password is not None:
            return Login(name, password)
        if name.lower() == self.settings.user.lower():
            fallback = self.settings.password
        else:
            fallback = DEFAULT_PASSWORD
        if not self.backend.is_controllable:
            if name.lower() == self.settings.user.lower():
                return Login(name, fallback)
            pytest.skip(
                f"logging in as {name!r} needs the directory of an ips-fake; this run "
                f"uses {self.backend.label} (set ips_fake_user/ips_fake_password)"
            )
        users = self.directory["users"]
        role_names = {role.value for role in Role}
        if name not in role_names:
            known = next((u for u in users if u["email"].lower() == name.lower()), None)
            return Login(name, str(known["password"]) if known else fallback)
        company_id = company.removeprefix("c|")
        for user in users:
            in_company = user["companies"] == "all" or company_id in user["companies"]
            if name in user["roles"] and in_company and not user.get("disabled"):
                return Login(str(user["email"]), str(user["password"]))
        email = f"{name.lower()}.{company_id}@example.com"
        self.add_user(email, DEFAULT_PASSWORD, roles=[name], companies=[company_id])
        return Login(email, DEFAULT_PASSWORD)

    # -- clock ---------------------------------------------------------------------------------

    @property
    def clock_mode(self) -> str:
        """``manual`` or ``freezegun``."""
        return self.settings.clock

    def now(self) -> datetime:
        """The fake's current time."""
        return self.backend.now()

    def advance(self, seconds: float = 0.0, **delta: float) -> datetime:
        """Move the clock forward (``advance(90)``, ``advance(minutes=5)``); every trigger and
        run end that falls in the interval happens, in time order. Returns the new time."""
        step = timedelta(seconds=seconds, **delta)
        if step < timedelta(0):
            raise ValueError(
                f"a clock only moves forward; got a step of {step.total_seconds():g} seconds"
            )
        return self.backend.advance(step)

    def move_to(self, instant: datetime | str) -> datetime:
        """Jump the clock forward to ``instant`` (a timezone-aware datetime or ISO string)."""
        when = datetime.fromisoformat(instant) if isinstance(instant, str) else instant
        if when.tzinfo is None:
            raise ValueError("move_to needs a timezone-aware datetime, e.g. tzinfo=UTC")
        return self.backend.move_to(when)

    # -- outcomes ------------------------------------------------------------------------------

    def script(
        self,
        outcome: str | Outcome = Outcome.SUCCESS,
        *,
        kind: str | JobKind | None = None,
        name_pattern: str | None = None,
        seconds: float | None = None,
    ) -> OutcomeRule:
        """Say how matching jobs end for this test: ``"success"``, ``"fail"``, ``"warn"`` or
        ``"duplicates"``, optionally for one ``kind`` (``"uploadUrlsJob"``) or job names
        matching a glob, taking ``seconds`` of work. Newer rules win.

        Example::

            ips_fake.script("fail", kind="uploadUrlsJob", name_pattern="nightly-*")
        """
        rule = outcome_rule(outcome, kind=kind, name_pattern=name_pattern, seconds=seconds)
        return self.backend.add_rule(rule)

    # -- state ---------------------------------------------------------------------------------

    @property
    def scheduled_jobs(self) -> list[ScheduledJobInfo]:
        """Jobs that can still fire, all companies."""
        return self.backend.scheduled_jobs()

    @property
    def active_jobs(self) -> list[ActiveJobInfo]:
        """Unfinished runs, all companies, waiting ones included."""
        return self.backend.active_jobs()

    @property
    def job_logs(self) -> list[JobLogInfo]:
        """Every job log, in the order runs finished."""
        return self.backend.job_logs()

    @property
    def outbox(self) -> list[Notification]:
        """Notification e-mails the fake would have sent, oldest first."""
        return self.backend.outbox()

    @property
    def journal(self) -> list[Exchange]:
        """Every SOAP exchange of this test, oldest first: operation, decoded ``params``,
        ``caller``, status, fault and the request and response bytes."""
        return self.backend.journal()

    @property
    def problems(self) -> list[Exchange]:
        """Exchanges of this test that went wrong (bad request, or a failure in the fake)."""
        return [exchange for exchange in self.journal if exchange.problem]

    @contextmanager
    def expect_bad_requests(self) -> Iterator[list[Exchange]]:
        """Requests sent inside this block may be bad (malformed XML, schema violations)
        without failing the test; at least one must be. Failures inside the fake still fail.

        Example::

            with ips_fake.expect_bad_requests() as bad, pytest.raises(zeep.exceptions.Fault):
                send_broken_envelope()
            assert "jobName" in bad[0].problem
        """
        journal = self.journal
        first = journal[-1].sequence if journal else 0
        caught: list[Exchange] = []
        completed = False
        try:
            yield caught
            completed = True
        finally:
            caught.extend(
                exchange
                for exchange in self.journal
                if exchange.sequence > first
                and exchange.problem
                and is_client_side(exchange.problem)
            )
            self._forgiven.update(exchange.sequence for exchange in caught)
        if completed and not caught:
            raise AssertionError(
                "expected at least one bad request inside ips_fake.expect_bad_requests(), but "
                "every request in the block was well-formed and valid"
            )
