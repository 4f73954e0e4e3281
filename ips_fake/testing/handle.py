"""What the ``ips_fake`` fixture gives a test: :class:`IpsFakeHandle`."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

import pytest

from ips_fake.core.directory import Company, Role, User
from ips_fake.core.model import (
    ActiveJobInfo,
    JobKind,
    JobLogInfo,
    Notification,
    Outcome,
    ScheduledJobInfo,
)
from ips_fake.core.outcomes import OutcomeRule
from ips_fake.fake import IpsFake
from ips_fake.soap.endpoint import Exchange
from ips_fake.soap.schema import ApiVersion
from ips_fake.testing.backends import Backend, LocalFake, skip_when_not_movable
from ips_fake.testing.options import (
    DEFAULT_PASSWORD,
    TRANSPORTS,
    FixtureSettings,
    Login,
    _choice,
    api_version,
)
from ips_fake.testing.reporting import is_client_side, problem_report
from ips_fake.wsgi import SERVICE_PATH, WSDL_FOLDER

SOAP_PORTS = {"1.1": "IpsApiSoapPort", "1.2": "IpsApiSoap12Port"}
SERVICE_NAME = "IpsApiService"


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
        return self.backend.control("reading the request journal").journal

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
        return self.backend.control("reading the directory").directory_data()

    def add_company(self, company_id: str, name: str | None = None) -> Company:
        """Add a company for this test (``"49"`` or ``"c|49"``)."""
        return self.backend.control("adding a company").add_company(company_id, name)

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
        control = self.backend.control("adding a user")
        return control.add_user(email, password, roles=roles, companies=companies)

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
        return self.backend.control("reading the clock").now()

    def advance(self, seconds: float = 0.0, **delta: float) -> datetime:
        """Move the clock forward (``advance(90)``, ``advance(minutes=5)``); every trigger and
        run end that falls in the interval happens, in time order. Returns the new time."""
        step = timedelta(seconds=seconds, **delta)
        if step < timedelta(0):
            raise ValueError(
                f"a clock only moves forward; got a step of {step.total_seconds():g} seconds"
            )
        control = self.backend.control("moving the clock")
        with skip_when_not_movable(self.backend.label):
            return control.advance(step.total_seconds())

    def move_to(self, instant: datetime | str) -> datetime:
        """Jump the clock forward to ``instant`` (a timezone-aware datetime or ISO string)."""
        when = datetime.fromisoformat(instant) if isinstance(instant, str) else instant
        if when.tzinfo is None:
            raise ValueError("move_to needs a timezone-aware datetime, e.g. tzinfo=UTC")
        control = self.backend.control("moving the clock")
        with skip_when_not_movable(self.backend.label):
            return control.move_to(when)

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
        control = self.backend.control("scripting outcomes")
        return control.script(outcome, kind=kind, name_pattern=name_pattern, seconds=seconds)

    # -- state ---------------------------------------------------------------------------------

    @property
    def scheduled_jobs(self) -> list[ScheduledJobInfo]:
        """Jobs that can still fire, all companies."""
        return self.backend.control("reading scheduled jobs").scheduled_jobs

    @property
    def active_jobs(self) -> list[ActiveJobInfo]:
        """Unfinished runs, all companies, waiting ones included."""
        return self.backend.control("reading active jobs").active_jobs

    @property
    def job_logs(self) -> list[JobLogInfo]:
        """Every job log, in the order runs finished."""
        return self.backend.control("reading job logs").job_logs

    @property
    def outbox(self) -> list[Notification]:
        """Notification e-mails the fake would have sent, oldest first."""
        return self.backend.control("reading the outbox").outbox

    @property
    def journal(self) -> list[Exchange]:
        """Every SOAP exchange of this test, oldest first: operation, decoded ``params``,
        ``caller``, status, fault and the request and response bytes."""
        return self.backend.control("reading the request journal").journal

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
