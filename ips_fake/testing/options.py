"""Session options and per-test fixture settings: what the ini options, flags and the
``@pytest.mark.ips_fake`` marker say, checked."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from ips_fake.core.directory import Directory
from ips_fake.core.service import DEFAULT_LOG_RETENTION
from ips_fake.soap.schema import ApiVersion, find_version

CLOCK_MODES = ("manual", "freezegun")
"""``manual``: the fake's time stands still until the test moves it. ``freezegun``: the fake
reads the time freezegun says, in every thread."""

TRANSPORTS = ("http", "inprocess")
"""``http``: requests go over loopback to the session's server. ``inprocess``: they are
handed straight to the WSGI app, with no socket."""

DEFAULT_API_VERSION = "2014-04-03"
DEFAULT_USER = "ipsuser@example.com"
DEFAULT_PASSWORD = "password"


class ClockModeError(TypeError):
    """The test asked to move a clock that follows freezegun: move freezegun instead."""


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
