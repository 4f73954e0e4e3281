"""One fake IPS server as a Python object: state, clock, WSGI app, journal and outbox.

Example::

    from ips_fake import IpsFake
    fake = IpsFake()
    app = fake.app                        # a WSGI app: serve it, or call it in-process
    fake.advance(minutes=5)               # move the clock; due jobs fire and finish
    fake.script("fail", kind="uploadUrlsJob")
    fake.outbox                           # notification e-mails, oldest first
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import Any

from ips_fake.core.clock import Clock, ManualClock, MovableClock
from ips_fake.core.directory import Company, Directory, User
from ips_fake.core.handles import company_id_of
from ips_fake.core.model import (
    ActiveJobInfo,
    JobKind,
    JobLogInfo,
    Notification,
    Outcome,
    ScheduledJobInfo,
    job_kind,
)
from ips_fake.core.outcomes import OutcomeRule, outcome_rule
from ips_fake.core.service import DEFAULT_LOG_RETENTION, IpsService, ServiceSettings
from ips_fake.soap.endpoint import Exchange
from ips_fake.wsgi import IpsFakeApp

#: ``job_kind`` and ``outcome_rule`` live in the core (``ips_fake.core.model``,
#: ``ips_fake.core.outcomes``) and stay importable from here.
__all__ = ["IpsFake", "job_kind", "outcome_rule"]


class IpsFake:
    """A complete fake IPS server in one object."""

    def __init__(
        self,
        directory: Directory | str | Path | None = None,
        clock: Clock | None = None,
        *,
        time_zone: str = "UTC",
        seconds_per_item: float = 2.0,
        validate_responses: bool = False,
        admin_token: str | None = None,
        admin_hosts: Iterable[str] = (),
        log_retention: int = DEFAULT_LOG_RETENTION,
    ) -> None:
        """``admin_token``: when set, every ``/_fake/`` call but export downloads must present
        it; ``admin_hosts``: Host names the admin API admits besides loopback ones (see
        docs/admin-api.md); ``log_retention``: job logs kept per company, with their details,
        export archives and e-mails, the oldest dropped first (ValueError below 1)."""
        if directory is None:
            directory = Directory.default()
        elif not isinstance(directory, Directory):
            directory = Directory.from_file(directory)
        self.clock: Clock = clock if clock is not None else ManualClock()
        self.service = IpsService(
            directory,
            self.clock,
            ServiceSettings(
                time_zone=time_zone,
                seconds_per_item=seconds_per_item,
                log_retention=log_retention,
            ),
        )
        self.app = IpsFakeApp(self.service, validate_responses=validate_responses)
        self.app.admin.token = admin_token or None
        for host in admin_hosts:
            self.app.admin.allow_host(host)

    # -- time ----------------------------------------------------------------------------------

    def now(self) -> datetime:
        """The fake's current time, in its time zone, every trigger and run end due by then
        applied (what ``GET /_fake/clock`` says of a served fake)."""
        return self.service.sync()

    def _movable(self) -> MovableClock:
        if not isinstance(self.clock, MovableClock):
            raise TypeError(
                f"this fake runs on a {type(self.clock).__name__}, which cannot be moved by hand; "
                "use the manual clock (the default) to call advance()/move_to()"
            )
        return self.clock

    def advance(self, seconds: float = 0.0, **delta: float) -> datetime:
        """Move the clock forward and let every due fire and run end happen, in time order."""
        now = self._movable().advance(seconds, **delta)
        self.service.catch_up()
        return now

    def move_to(self, instant: datetime) -> datetime:
        """Jump the clock to ``instant`` (forward only) and catch up."""
        now = self._movable().move_to(instant)
        self.service.catch_up()
        return now

    # -- directory -----------------------------------------------------------------------------

    @property
    def directory(self) -> Directory:
        """The companies and users the fake knows."""
        return self.service.directory

    def directory_data(self) -> dict[str, Any]:
        """Companies and users as directory-file data, passwords included."""
        with self.service.lock:
            return self.directory.as_json_data()

    def add_company(self, company_id: str, name: str | None = None) -> Company:
        """Add a company (``"49"`` or ``"c|49"``); ValueError if the directory has one with
        that id already (like the admin API's 409: an entry is never silently replaced)."""
        with self.service.lock:
            key = company_id_of(company_id)
            if key is not None and key in self.directory.companies:
                raise ValueError(f"company {key!r} already exists")
            return self.directory.add_company(company_id, name)

    def add_user(
        self,
        email: str,
        password: str = "password",
        *,
        roles: Iterable[str] = ("IpsUser",),
        companies: Iterable[str] | str = ("47",),
    ) -> User:
        """Add a user with roles and companies (``"all"`` for every company); ValueError if
        the directory has a user with that e-mail already (like the admin API's 409)."""
        with self.service.lock:
            if email.lower() in self.directory.users:
                raise ValueError(f"user {email!r} already exists")
            return self.directory.add_user(email, password, roles=roles, companies=companies)

    # -- outcomes, state, outbox ---------------------------------------------------------------

    def script(
        self,
        outcome: str | Outcome = Outcome.SUCCESS,
        *,
        kind: str | JobKind | None = None,
        name_pattern: str | None = None,
        seconds: float | None = None,
    ) -> OutcomeRule:
        """Say how matching jobs end: ``"success"``, ``"fail"``, ``"warn"`` or ``"duplicates"``,
        optionally taking ``seconds`` of work. Newer rules win over older ones."""
        rule = outcome_rule(outcome, kind=kind, name_pattern=name_pattern, seconds=seconds)
        with self.service.lock:
            return self.service.outcomes.add(rule)

    @property
    def scheduled_jobs(self) -> list[ScheduledJobInfo]:
        """Jobs that can still fire, all companies."""
        return self.service.all_scheduled_jobs()

    @property
    def active_jobs(self) -> list[ActiveJobInfo]:
        """Runs not yet finished, all companies, waiting ones included."""
        return self.service.all_active_jobs()

    @property
    def job_logs(self) -> list[JobLogInfo]:
        """Every job log, in the order runs finished."""
        return self.service.all_job_logs()

    @property
    def outbox(self) -> list[Notification]:
        """Notification e-mails the fake would have sent, oldest first."""
        return self.service.notifications()

    @property
    def journal(self) -> list[Exchange]:
        """Every SOAP exchange, oldest first."""
        return self.app.endpoint.journal.exchanges()

    @property
    def problems(self) -> list[Exchange]:
        """Exchanges that show a client bug (bad XML, schema violation) or a server bug."""
        return self.app.endpoint.journal.problems()

    def reset(self) -> None:
        """Back to the starting directory with no jobs, logs, mail, outcomes or journal, and a
        manual clock back where it started (any other clock is left alone)."""
        self.service.reset()
        self.app.endpoint.journal.clear()
