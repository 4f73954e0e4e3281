"""The fakes behind the fixtures: :class:`LocalFake` (one IpsFake in this process, on a
:class:`SessionClock`) and :class:`RemoteFake` (a server at ``--ips-fake-url``), each giving
a :class:`~ips_fake.control.FakeControl` to drive it."""

from __future__ import annotations

import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from ips_fake.clocks import FreezegunClock
from ips_fake.control import ClockNotMovable, FakeControl, HttpFake, error_reason
from ips_fake.core.clock import DEFAULT_START, ManualClock
from ips_fake.core.directory import Directory
from ips_fake.fake import IpsFake
from ips_fake.server import FakeServer
from ips_fake.testing.options import (
    CLOCK_MODES,
    DEDICATED_KEYS,
    ClockModeError,
    FixtureSettings,
    SessionOptions,
    _choice,
)


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


class _SharedClients:
    """The zeep transports and parsed WSDL documents a session's backend shares between its
    tests (parsing a WSDL takes far longer than a test)."""

    def __init__(self) -> None:
        self._transports: dict[str, Any] = {}
        self._documents: dict[str, Any] = {}

    def zeep_transport(self, transport: str) -> Any:
        """A zeep transport for ``transport``, shared by every test of the session."""
        raise NotImplementedError

    def wsdl_document(self, url: str, transport: str) -> Any:
        """The parsed zeep WSDL document at ``url``, parsed once per session."""
        if url not in self._documents:
            self._documents[url] = _load_wsdl(url, self.zeep_transport(transport))
        return self._documents[url]

    def _close_transports(self) -> None:
        for transport in self._transports.values():
            transport.session.close()
        self._transports.clear()


class LocalFake(_SharedClients):
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
        super().__init__()
        self.fake = fake
        self.clock = clock
        self._server: FakeServer | None = None

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

    def begin_test(self, settings: FixtureSettings) -> None:
        """Back to the starting directory, no jobs, logs, mail, outcomes or journal, and the
        clock at its start (or following freezegun)."""
        self.fake.reset()
        self.clock.reset(settings.start or DEFAULT_START, settings.clock)

    # -- control -------------------------------------------------------------------------------

    def control(self, what: str) -> FakeControl:
        """The fake itself: an :class:`IpsFake` is the in-process :class:`FakeControl`."""
        return self.fake

    def close(self) -> None:
        """Close the shared transports and stop the server."""
        self._close_transports()
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


class RemoteFake(_SharedClients):
    """A server in another process: an ``ips-fake serve`` (driven through its ``/_fake/``
    admin API) or a real IPS endpoint (only SOAP calls; everything else skips the test).

    Example::

        backend = RemoteFake("http://127.0.0.1:8080", admin_token="s3cret")
        backend.is_controllable             # True when /_fake/clock answers
    """

    is_local = False

    def __init__(self, url: str, admin_token: str | None = None) -> None:
        super().__init__()
        self.url = url
        self.http = HttpFake(url, admin_token)
        self.origin = self.http.origin
        self.admin_token = self.http.admin_token
        self.is_loopback = self.http.is_loopback
        self.is_controllable = self._probe()

    @property
    def label(self) -> str:
        """How messages name this server."""
        kind = "ips-fake" if self.is_controllable else "IPS endpoint (no ips-fake admin API)"
        return f"the {kind} at {self.origin} (--ips-fake-url)"

    def _probe(self) -> bool:
        try:
            answer = self.http.call("GET", "/_fake/clock")
        except urllib.error.HTTPError as error:
            if error.code in (401, 403) and "admin" in error_reason(error):
                raise RuntimeError(
                    f"--ips-fake-url {self.url}: the ips-fake there refused its admin API "
                    f"({error.code}: {error_reason(error)}); give its token with "
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

    def control(self, what: str) -> FakeControl:
        """The server's admin API as a :class:`FakeControl`; skips the test when the server
        has none (a real IPS endpoint)."""
        if not self.is_controllable:
            pytest.skip(
                f"{what} needs an ips-fake admin API, and {self.label} has none: run this "
                "test without --ips-fake-url, or point it at `ips-fake serve --clock manual`"
            )
        return self.http

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
        self.http.call("POST", "/_fake/reset", {})
        if settings.start is not None:
            now = self.http.now()
            if now > settings.start:
                pytest.skip(
                    f"this test starts its clock at {settings.start.isoformat()}, but "
                    f"{self.label} is already at {now.isoformat()} and clocks only move forward"
                )
            with skip_when_not_movable(self.label):
                self.http.move_to(settings.start)

    def close(self) -> None:
        """Close the shared transports."""
        self._close_transports()


@contextmanager
def skip_when_not_movable(label: str) -> Iterator[None]:
    """Skip the test when the fake's clock turns out not to move by hand."""
    try:
        yield
    except ClockNotMovable as error:
        advice = "; start it with `ips-fake serve --clock manual`"
        if "--clock manual" in error.reason:  # the reason gives the advice already
            advice = ""
        pytest.skip(f"moving the clock: {label} cannot move its clock ({error.reason}){advice}")


Backend = LocalFake | RemoteFake


def open_backend(options: SessionOptions) -> Backend:
    """The session's backend: a :class:`RemoteFake` when ``options.url`` is set, else a
    :class:`LocalFake` built from the options."""
    if options.url:
        return RemoteFake(options.url, options.admin_token)
    return LocalFake.build(options)
