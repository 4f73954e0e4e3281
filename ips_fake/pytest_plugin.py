"""The pytest plugin of ips-fake, registered through the ``pytest11`` entry point.

Fixtures:

- ``ips_fake``: an :class:`~ips_fake.testing.IpsFakeHandle` for one test, over the session's
  fake reset to its starting directory, an empty job store and the clock at its start.
  Bad requests and failures inside the fake are reported when the test tears down.
- ``ips_fake_client``: ``ips_fake.client()``, a zeep client logged in as the test's user.
- ``ips_fake_replay``: a :class:`~ips_fake.stub.ReplayServer` answering from the cassette
  named by ``@pytest.mark.ips_fake_replay("path/to/cassette.json")`` (``ips-fake serve
  --replay`` in the test's process).
- ``ips_fake_server``: the session's backend (one per xdist worker): a
  :class:`~ips_fake.testing.LocalFake` serving one IpsFake, or, with ``--ips-fake-url``, a
  :class:`~ips_fake.testing.RemoteFake`.

Configuration: the ``ips_fake_*`` ini options and ``--ips-fake-*`` flags below, and the
``@pytest.mark.ips_fake(...)`` marker for one test.

Importing this module imports nothing heavy (no lxml, werkzeug, xmlschema, zeep or
Hypothesis): :mod:`ips_fake.testing` loads when a fixture is first used, or at start-up when
``ips_fake_api_version`` names a version other than the default (to check it).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from ips_fake.stub import ReplayServer
    from ips_fake.testing import Backend, IpsFakeHandle, SessionOptions

_SESSION_OPTIONS = pytest.StashKey["SessionOptions"]()
_CLOCK_MODES = ("manual", "freezegun")
_TRANSPORTS = ("http", "inprocess")
_DEFAULT_API_VERSION = "2014-04-03"

#: (ini name, flag, help, default, choices): options that have both an ini name and a flag.
_OPTIONS: tuple[tuple[str, str, str, str, tuple[str, ...] | None], ...] = (
    (
        "ips_fake_url",
        "--ips-fake-url",
        "run the ips_fake fixtures against the server at URL (`ips-fake serve`, or a real IPS "
        "endpoint) instead of one in this process; tests that need in-process control skip",
        "",
        None,
    ),
    (
        "ips_fake_directory",
        "--ips-fake-directory",
        "directory file (JSON companies and users) of the session's fake; default: the "
        "built-in directory",
        "",
        None,
    ),
    (
        "ips_fake_clock",
        "--ips-fake-clock",
        "manual (default): the fake's time stands still until a test moves it; freezegun: "
        "the fake follows freezegun.freeze_time",
        "manual",
        _CLOCK_MODES,
    ),
    (
        "ips_fake_api_version",
        "--ips-fake-api-version",
        "API version ips_fake.client() and wsdl_url() use by default (label or date, "
        "e.g. 6.8 or 2014-04-03, the default)",
        _DEFAULT_API_VERSION,
        None,
    ),
    (
        "ips_fake_transport",
        "--ips-fake-transport",
        "http (default): clients talk to the session's server over loopback; inprocess: "
        "requests go straight to the WSGI app, with no socket",
        "http",
        _TRANSPORTS,
    ),
)

MARKER_HELP = (
    "ips_fake(clock=, start=, version=, transport=, user=, password=, allow_bad_requests=, "
    "directory=, time_zone=, seconds_per_item=): settings of the ips_fake fixture for this test"
)

REPLAY_MARKER_HELP = (
    "ips_fake_replay(cassette): the cassette file (relative to the project's root) the "
    "ips_fake_replay fixture serves"
)


def pytest_addoption(parser: pytest.Parser) -> None:
    """Register the ``--ips-fake-*`` flags and the ``ips_fake_*`` ini options."""
    group = parser.getgroup("ips_fake", "ips-fake (a fake Scene7 IPS job API)")
    for ini_name, flag, help_text, default, choices in _OPTIONS:
        group.addoption(flag, dest=ini_name, default=None, choices=choices, help=help_text)
        parser.addini(ini_name, help_text, default=default)
    parser.addini(
        "ips_fake_user", "default user of ips_fake.client()", default="ipsuser@example.com"
    )
    parser.addini("ips_fake_password", "password of ips_fake_user", default="password")
    group.addoption(
        "--ips-fake-admin-token",
        dest="ips_fake_admin_token",
        default=None,
        help="the admin token of the server at --ips-fake-url (its `ips-fake serve "
        "--admin-token`); default: the ips_fake_admin_token ini option, else "
        "$IPS_FAKE_ADMIN_TOKEN",
    )
    parser.addini(
        "ips_fake_admin_token",
        "the admin token of the server at ips_fake_url (default: $IPS_FAKE_ADMIN_TOKEN)",
        default="",
    )
    parser.addini("ips_fake_time_zone", "time zone of the session's fake", default="UTC")
    parser.addini(
        "ips_fake_log_retention",
        "job logs the in-process fake keeps per company, oldest dropped first (default 10000)",
        default="",
    )
    parser.addini(
        "ips_fake_validate_responses",
        "validate every response of the fake against the schema (a mismatch fails the test)",
        type="bool",
        default=False,
    )


def _setting(config: pytest.Config, name: str) -> str:
    """A flag's value if given, else the ini option's."""
    flag = config.getoption(name, default=None)
    return str(flag if flag is not None else config.getini(name)).strip()


def pytest_configure(config: pytest.Config) -> None:
    """Register the marker and check the ini values flags could not check."""
    config.addinivalue_line("markers", MARKER_HELP)
    config.addinivalue_line("markers", REPLAY_MARKER_HELP)
    for name, choices in (("ips_fake_clock", _CLOCK_MODES), ("ips_fake_transport", _TRANSPORTS)):
        value = _setting(config, name)
        if value not in choices:
            raise pytest.UsageError(f"{name} must be one of {', '.join(choices)}; got {value!r}")
    directory = _directory_path(config)
    if directory is not None and not directory.is_file():
        raise pytest.UsageError(f"ips_fake_directory: no directory file at {directory}")
    version = _setting(config, "ips_fake_api_version")
    if version != _DEFAULT_API_VERSION:
        # only a project that chose a version pays for loading the schema table here
        from ips_fake.testing import api_version

        try:
            api_version(version)
        except ValueError as error:
            raise pytest.UsageError(f"ips_fake_api_version: {error}") from None
    workers = getattr(config.option, "numprocesses", None)
    if _setting(config, "ips_fake_url") and workers not in (None, 0):
        raise pytest.UsageError(
            "--ips-fake-url: every xdist worker would drive (and reset) the same server; "
            "run these tests without -n, or start one `ips-fake serve` per run"
        )


def pytest_report_header(config: pytest.Config) -> str | None:
    """Say where the fixtures' fake is when it is not in this process."""
    url = _setting(config, "ips_fake_url")
    return f"ips-fake: fixtures use the server at {url}" if url else None


def _directory_path(config: pytest.Config) -> Path | None:
    flag = config.getoption("ips_fake_directory", default=None)
    if flag:
        return Path(flag).resolve()
    value = str(config.getini("ips_fake_directory")).strip()
    if not value:
        return None
    base = config.inipath.parent if config.inipath else config.rootpath
    return (base / value).resolve()


def session_options(config: pytest.Config) -> SessionOptions:
    """The session-wide settings the flags and ini options give (read once per session)."""
    if _SESSION_OPTIONS not in config.stash:
        config.stash[_SESSION_OPTIONS] = _read_session_options(config)
    return config.stash[_SESSION_OPTIONS]


def _read_session_options(config: pytest.Config) -> SessionOptions:
    from ips_fake.testing import SessionOptions

    url = _setting(config, "ips_fake_url") or None
    return SessionOptions(
        url=url,
        directory=_directory_path(config),
        clock=_setting(config, "ips_fake_clock"),
        version=_setting(config, "ips_fake_api_version"),
        # against another process only HTTP can reach the fake
        transport="http" if url else _setting(config, "ips_fake_transport"),
        user=str(config.getini("ips_fake_user")),
        password=str(config.getini("ips_fake_password")),
        time_zone=str(config.getini("ips_fake_time_zone")),
        **_log_retention(config),
        validate_responses=bool(config.getini("ips_fake_validate_responses")),
        admin_token=_setting(config, "ips_fake_admin_token")
        or os.environ.get("IPS_FAKE_ADMIN_TOKEN")
        or None,
    )


def _log_retention(config: pytest.Config) -> dict[str, int]:
    """``log_retention`` for the session options when the ini option sets it."""
    text = str(config.getini("ips_fake_log_retention")).strip()
    if not text:
        return {}
    try:
        value = int(text)
    except ValueError:
        raise pytest.UsageError(f"ips_fake_log_retention {text!r} is not a whole number") from None
    if value < 1:
        raise pytest.UsageError(f"ips_fake_log_retention must be at least 1, got {value}")
    return {"log_retention": value}


def marker_settings(node: pytest.Item) -> dict[str, Any]:
    """The keywords of every ``ips_fake`` marker on a test, the closest winning."""
    merged: dict[str, Any] = {}
    for marker in reversed(list(node.iter_markers("ips_fake"))):
        if marker.args:
            raise TypeError(
                "@pytest.mark.ips_fake takes keywords only, e.g. "
                "@pytest.mark.ips_fake(clock='freezegun')"
            )
        merged.update(marker.kwargs)
    directory = merged.get("directory")
    if isinstance(directory, str | Path) and not Path(directory).is_absolute():
        # like the ini option: a relative directory file is found from the project's root
        merged["directory"] = (node.config.rootpath / directory).resolve()
    return merged


@pytest.fixture(scope="session")
def ips_fake_server(pytestconfig: pytest.Config) -> Iterator[Backend]:
    """The session's fake (one per xdist worker), shared by every test and reset before each.

    Without ``--ips-fake-url``: a :class:`~ips_fake.testing.LocalFake`, one IpsFake on a
    resettable clock, served over HTTP by one FakeServer on 127.0.0.1 (started on first use)
    and in-process. With it: a :class:`~ips_fake.testing.RemoteFake` for that server.

    Example::

        def test_port(ips_fake_server):
            assert ips_fake_server.base_url("http").startswith("http://127.0.0.1:")
    """
    from ips_fake.testing import open_backend

    backend = open_backend(session_options(pytestconfig))
    yield backend
    backend.close()


@pytest.fixture
def ips_fake(request: pytest.FixtureRequest, ips_fake_server: Backend) -> Iterator[IpsFakeHandle]:
    """A fake IPS for this test: the starting directory, no jobs, the clock at 2026-01-05
    09:00 UTC (or following freezegun), whatever ran before.

    Gives URLs (``url``, ``wsdl_url()``), clients (``client()``, ``transport()``,
    ``requests_session()``), the clock (``now()``, ``advance()``, ``move_to()``), the
    directory (``add_company()``, ``add_user()``, ``login(role)``), scripted outcomes
    (``script()``), the state (``scheduled_jobs``, ``active_jobs``, ``job_logs``), the
    ``outbox`` and the request ``journal``. A request the fake could not parse or had to
    refuse for a schema violation, and any failure inside the fake, fails the test at
    teardown; see ``allow_bad_requests`` and ``expect_bad_requests()``.

    Example::

        def test_publish(ips_fake):
            ips_fake.client().service.submitJob(
                companyHandle="c|47", jobName="nightly",
                imageServingPublishJob={"publishType": "Full", "emailSetting": "All"})
            ips_fake.advance(minutes=5)
            assert [log.job_name for log in ips_fake.job_logs] == ["nightly"]
    """
    from ips_fake.testing import FixtureSettings, IpsFakeHandle

    try:
        settings = FixtureSettings.resolve(
            session_options(request.config), marker_settings(request.node)
        )
    except (TypeError, ValueError) as error:
        mistake = str(error)
    else:
        mistake = ""
    if mistake:
        # a mistake in the test's marker: say which, without the plugin's traceback
        pytest.fail(mistake, pytrace=False)
    handle = IpsFakeHandle.open(ips_fake_server, settings)
    yield handle
    failure = handle.close()
    if failure:
        pytest.fail(failure, pytrace=False)


@pytest.fixture
def ips_fake_client(ips_fake: IpsFakeHandle) -> Any:
    """``ips_fake.client()``: a zeep client for the test's API version and transport, logged in
    as the test's user (ipsuser@example.com unless configured).

    Example::

        def test_no_jobs_yet(ips_fake_client):
            assert not ips_fake_client.service.getActiveJobs(companyHandle="c|47")
    """
    return ips_fake.client()


@pytest.fixture
def ips_fake_replay(request: pytest.FixtureRequest) -> Iterator[ReplayServer]:
    """A stub on 127.0.0.1 answering recorded requests with the recorded answers of the
    cassette named by the test's ``@pytest.mark.ips_fake_replay(path)`` marker; a request the
    cassette does not hold gets ipsApiFault 30000 naming the closest recorded one.

    Example::

        @pytest.mark.ips_fake_replay("fixtures/cassettes/nightly.json")
        def test_nightly(ips_fake_replay):
            client = zeep.Client(ips_fake_replay.wsdl_url())
    """
    from ips_fake.recording import CassetteError
    from ips_fake.stub import ReplayServer

    marker = request.node.get_closest_marker("ips_fake_replay")
    if marker is None or len(marker.args) != 1:
        pytest.fail(
            'the ips_fake_replay fixture needs @pytest.mark.ips_fake_replay("cassette.json")',
            pytrace=False,
        )
    path = Path(marker.args[0])
    if not path.is_absolute():
        path = request.config.rootpath / path
    try:
        served = ReplayServer.from_file(path)
    except (OSError, CassetteError) as error:
        pytest.fail(f"ips_fake_replay: cannot read {path}: {error}", pytrace=False)
    with served:
        yield served


#: The namespace of IPS's fault elements (``ipsApiFault``, ``authenticationFault``...).
_FAULT_NAMESPACE = "{http://www.scene7.com/IpsApi/xsd}"


def ips_fault_summary(error: BaseException) -> str | None:
    """``ipsApiFault 30001: jobHandle 'nope' names no job`` for a ``zeep.exceptions.Fault``
    whose detail holds an IPS fault, else None. Reads the detail without importing zeep."""
    kind = type(error)
    if kind.__name__ != "Fault" or not kind.__module__.startswith("zeep"):
        return None
    detail = getattr(error, "detail", None)
    if detail is None or not hasattr(detail, "iter"):
        return None
    for element in detail.iter():
        tag = element.tag if isinstance(element.tag, str) else ""
        if not tag.startswith(_FAULT_NAMESPACE) or not tag.endswith("Fault"):
            continue
        fields = {
            child.tag.removeprefix(_FAULT_NAMESPACE): (child.text or "").strip()
            for child in element
            if isinstance(child.tag, str)
        }
        if "code" in fields or "reason" in fields:
            name = tag.removeprefix(_FAULT_NAMESPACE)
            return f"{name} {fields.get('code', '?')}: {fields.get('reason', '')}".rstrip(": ")
    return None


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    """A zeep Fault that escapes a test shows IPS's fault element, code and reason in the
    failure (``zeep.exceptions.Fault: ipsApiFault 30001: jobHandle 'nope' names no job``)
    instead of the bare ``ipsApiFault``."""
    if call.excinfo is not None:
        error = call.excinfo.value
        summary = ips_fault_summary(error)
        if summary is not None and error.args[:1] != (summary,):
            error.args = (summary, *error.args[1:])
    return (yield)
