"""A fake you drive: one protocol for its clock, directory, outcomes, state and journal.

:class:`FakeControl` is what the facade (:class:`~ips_fake.fake.IpsFake`, the in-process
implementation), the pytest plugin's handle and the command line drive. :class:`HttpFake` is
the same surface over the admin API of an ``ips-fake serve`` (docs/admin-api.md), and it
answers with the **same types** as the in-process fake: dataclasses, enums and datetimes, a
journal whose ``params`` hold a :class:`~ips_fake.core.model.SubmitJobRequest` and datetimes
where the local one does.

Example::

    from ips_fake import IpsFake
    from ips_fake.control import FakeControl, HttpFake

    def nightly_fails(fake: FakeControl) -> None:
        fake.script("fail", name_pattern="nightly-*")
        fake.advance(minutes=5)

    nightly_fails(IpsFake())                              # in this process
    nightly_fails(HttpFake("http://127.0.0.1:8080"))      # an ips-fake serve --clock manual
"""

from __future__ import annotations

import dataclasses
import json
import urllib.error
import urllib.request
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any, Protocol, runtime_checkable
from urllib.parse import urlsplit

from ips_fake.core.directory import Company, Role, User
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
from ips_fake.jsonvalues import from_json
from ips_fake.soap.endpoint import Exchange

__all__ = [
    "AdminApiError",
    "ClockNotMovable",
    "FakeControl",
    "HttpFake",
    "error_reason",
    "typed_params",
]

#: Host names that are this machine: reached directly, whatever proxy the environment sets.
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
#: How long one admin API call may take, in seconds.
ADMIN_TIMEOUT = 10.0


@runtime_checkable
class FakeControl(Protocol):
    """Driving a fake IPS: its clock, directory, scripted outcomes, state and journal.

    Every implementation returns the same types; errors: ``ValueError`` for a value the fake
    refuses (an existing company or user, a bad outcome or job kind), and a clock that cannot
    be moved by hand says so (``TypeError`` in process, :class:`ClockNotMovable` over HTTP).
    """

    def now(self) -> datetime:
        """The fake's time, every trigger and run end due by then applied."""
        ...

    def advance(self, seconds: float = 0.0, **delta: float) -> datetime:
        """Move the clock forward by ``seconds`` plus any ``timedelta`` keywords; every due
        fire and run end happens, in time order. Returns the new time."""
        ...

    def move_to(self, instant: datetime) -> datetime:
        """Jump the clock forward to the timezone-aware ``instant``."""
        ...

    def directory_data(self) -> dict[str, Any]:
        """Companies and users as directory-file data (``{"companies": [...], "users": [...]}``,
        passwords included)."""
        ...

    def add_company(self, company_id: str, name: str | None = None) -> Company:
        """Add a company (``"49"`` or ``"c|49"``); ValueError when it exists."""
        ...

    def add_user(
        self,
        email: str,
        password: str = "password",
        *,
        roles: Iterable[str] = ("IpsUser",),
        companies: Iterable[str] | str = ("47",),
    ) -> User:
        """Add a user (``companies="all"`` for every company); ValueError when it exists."""
        ...

    def script(
        self,
        outcome: str | Outcome = Outcome.SUCCESS,
        *,
        kind: str | JobKind | None = None,
        name_pattern: str | None = None,
        seconds: float | None = None,
    ) -> OutcomeRule:
        """Say how matching jobs end (see :func:`~ips_fake.core.outcomes.outcome_rule`)."""
        ...

    @property
    def scheduled_jobs(self) -> list[ScheduledJobInfo]:
        """Jobs that can still fire, all companies."""
        ...

    @property
    def active_jobs(self) -> list[ActiveJobInfo]:
        """Runs not yet finished, all companies, waiting ones included."""
        ...

    @property
    def job_logs(self) -> list[JobLogInfo]:
        """Every job log, in the order runs finished."""
        ...

    @property
    def outbox(self) -> list[Notification]:
        """Notification e-mails, oldest first."""
        ...

    @property
    def journal(self) -> list[Exchange]:
        """Every SOAP exchange, oldest first."""
        ...

    def reset(self) -> None:
        """Back to the starting directory with no jobs, logs, mail, outcomes or journal."""
        ...


class AdminApiError(RuntimeError):
    """The admin API answered with an error: ``status`` (HTTP) and ``reason`` (its text)."""

    def __init__(self, message: str, status: int, reason: str) -> None:
        super().__init__(message)
        self.status = status
        self.reason = reason


class ClockNotMovable(AdminApiError):
    """The served fake runs on a clock that cannot be moved by hand (not ``--clock manual``)."""


def error_reason(error: urllib.error.HTTPError) -> str:
    """The ``error`` text of an admin API error answer (else the HTTP reason)."""
    try:
        return str(json.loads(error.read()).get("error", error.reason))
    except (ValueError, AttributeError):
        return str(error.reason)


def _is_date_param(name: str, value: object) -> bool:
    """Whether a journal param is an xsd:dateTime the local journal holds as a datetime
    (``startDate``, ``endDate``, ...: the operations' date params all end in ``Date``)."""
    return name.endswith("Date") and isinstance(value, str)


def typed_params(exchange: Exchange) -> Exchange:
    """``exchange`` read from JSON, with its params as the local journal holds them: a
    submitJob's request a :class:`SubmitJobRequest`, date params datetimes."""
    params = dict(exchange.params)
    request = params.get("request")
    if exchange.operation == "submitJob" and isinstance(request, dict):
        params["request"] = from_json(SubmitJobRequest, request)
    for name, value in params.items():
        if _is_date_param(name, value):
            params[name] = datetime.fromisoformat(value)
    if params == exchange.params:
        return exchange
    return dataclasses.replace(exchange, params=params)


class HttpFake:
    """An ``ips-fake serve`` driven through its ``/_fake/`` admin API: a :class:`FakeControl`
    over HTTP. ``url`` is the server's origin or any URL under it (a service or WSDL URL);
    ``admin_token`` the server's ``--admin-token``. A loopback server is reached without any
    proxy the environment sets.

    Raises ValueError when the server refuses a value (400, 409), :class:`ClockNotMovable`
    when its clock cannot be moved, :class:`AdminApiError` for any other error answer, and
    ``urllib.error.URLError`` / ``OSError`` when it cannot be reached.

    Example::

        fake = HttpFake("http://127.0.0.1:8080", admin_token="s3cret")
        fake.advance(minutes=5)
        fake.job_logs[0].job_name
    """

    def __init__(
        self, url: str, admin_token: str | None = None, *, timeout: float = ADMIN_TIMEOUT
    ) -> None:
        parts = urlsplit(url)
        path = parts.path
        if "/scene7/" in path:
            path = path[: path.index("/scene7/")]
        self.origin = f"{parts.scheme}://{parts.netloc}{path.rstrip('/')}"
        self.admin_token = admin_token or None
        self.timeout = timeout
        self.is_loopback = parts.hostname in LOOPBACK_HOSTS
        handlers = [urllib.request.ProxyHandler({})] if self.is_loopback else []
        self._opener = urllib.request.build_opener(*handlers)

    def call(self, method: str, path: str, body: Any = None) -> Any:
        """One admin API call: ``body`` sent as JSON, the JSON answer decoded. Raises
        ``urllib.error.HTTPError`` for an error answer."""
        data = json.dumps(body).encode() if body is not None else None
        headers = {"Content-Type": "application/json"} if data is not None else {}
        if self.admin_token is not None:
            headers["Authorization"] = f"Bearer {self.admin_token}"
        request = urllib.request.Request(
            self.origin + path, data=data, method=method, headers=headers
        )
        with self._opener.open(request, timeout=self.timeout) as response:
            return json.loads(response.read() or b"null")

    def _admin(self, method: str, path: str, body: Any = None, *, what: str) -> Any:
        try:
            return self.call(method, path, body)
        except urllib.error.HTTPError as error:
            reason = error_reason(error)
            label = f"the ips-fake at {self.origin}"
            if "cannot be moved" in reason:
                raise ClockNotMovable(
                    f"{what}: {label} cannot move its clock ({reason}); start it with "
                    "`ips-fake serve --clock manual`",
                    error.code,
                    reason,
                ) from None
            if error.code in (400, 409):
                raise ValueError(f"{what}: {label} refused: {reason}") from None
            raise AdminApiError(
                f"{what}: {label} answered {error.code}: {reason}", error.code, reason
            ) from None

    def _list(self, kind: type[Any], path: str, what: str) -> list[Any]:
        return [from_json(kind, item) for item in self._admin("GET", path, what=what)]

    # -- clock ---------------------------------------------------------------------------------

    def now(self) -> datetime:
        """GET /_fake/clock."""
        state = self._admin("GET", "/_fake/clock", what="reading the clock")
        return datetime.fromisoformat(state["now"])

    def advance(self, seconds: float = 0.0, **delta: float) -> datetime:
        """POST /_fake/clock {"advance": seconds}."""
        step = timedelta(seconds=seconds, **delta).total_seconds()
        state = self._admin("POST", "/_fake/clock", {"advance": step}, what="moving the clock")
        return datetime.fromisoformat(state["now"])

    def move_to(self, instant: datetime) -> datetime:
        """POST /_fake/clock {"move_to": ISO}."""
        state = self._admin(
            "POST", "/_fake/clock", {"move_to": instant.isoformat()}, what="moving the clock"
        )
        return datetime.fromisoformat(state["now"])

    # -- directory -----------------------------------------------------------------------------

    def directory_data(self) -> dict[str, Any]:
        """GET /_fake/directory?reveal=passwords."""
        data: dict[str, Any] = self._admin(
            "GET", "/_fake/directory?reveal=passwords", what="reading the directory"
        )
        return data

    def add_company(self, company_id: str, name: str | None = None) -> Company:
        """POST /_fake/directory/companies."""
        data = self._admin(
            "POST",
            "/_fake/directory/companies",
            {"id": company_id, "name": name},
            what="adding a company",
        )
        return Company(str(data["id"]), str(data["name"]))

    def add_user(
        self,
        email: str,
        password: str = "password",
        *,
        roles: Iterable[str] = ("IpsUser",),
        companies: Iterable[str] | str = ("47",),
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

    # -- outcomes and state --------------------------------------------------------------------

    def script(
        self,
        outcome: str | Outcome = Outcome.SUCCESS,
        *,
        kind: str | JobKind | None = None,
        name_pattern: str | None = None,
        seconds: float | None = None,
    ) -> OutcomeRule:
        """POST /_fake/outcomes (the rule checked here first, as in process)."""
        rule = outcome_rule(outcome, kind=kind, name_pattern=name_pattern, seconds=seconds)
        body = {
            "outcome": rule.outcome.value,
            "kind": rule.kind.value if rule.kind else None,
            "name_pattern": rule.name_pattern,
            "seconds": rule.seconds,
        }
        data = self._admin("POST", "/_fake/outcomes", body, what="scripting outcomes")
        result: OutcomeRule = from_json(OutcomeRule, data)
        return result

    @property
    def scheduled_jobs(self) -> list[ScheduledJobInfo]:
        """GET /_fake/scheduled-jobs."""
        return self._list(ScheduledJobInfo, "/_fake/scheduled-jobs", "reading scheduled jobs")

    @property
    def active_jobs(self) -> list[ActiveJobInfo]:
        """GET /_fake/active-jobs."""
        return self._list(ActiveJobInfo, "/_fake/active-jobs", "reading active jobs")

    @property
    def job_logs(self) -> list[JobLogInfo]:
        """GET /_fake/job-logs."""
        return self._list(JobLogInfo, "/_fake/job-logs", "reading job logs")

    @property
    def outbox(self) -> list[Notification]:
        """GET /_fake/outbox."""
        return self._list(Notification, "/_fake/outbox", "reading the outbox")

    @property
    def journal(self) -> list[Exchange]:
        """GET /_fake/journal, params typed as the local journal has them
        (:func:`typed_params`)."""
        exchanges = self._list(Exchange, "/_fake/journal", "reading the request journal")
        return [typed_params(exchange) for exchange in exchanges]

    def reset(self) -> None:
        """POST /_fake/reset."""
        self._admin("POST", "/_fake/reset", {}, what="resetting the fake")
