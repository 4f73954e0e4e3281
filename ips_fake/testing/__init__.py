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

from ips_fake.jsonvalues import from_json
from ips_fake.testing.backends import (
    Backend,
    LocalFake,
    RemoteFake,
    SessionClock,
    open_backend,
)
from ips_fake.testing.handle import SERVICE_NAME, SOAP_PORTS, IpsFakeHandle
from ips_fake.testing.options import (
    CLOCK_MODES,
    DEDICATED_KEYS,
    DEFAULT_API_VERSION,
    DEFAULT_PASSWORD,
    DEFAULT_USER,
    MARKER_KEYS,
    TRANSPORTS,
    ClockModeError,
    FixtureSettings,
    Login,
    SessionOptions,
    api_version,
)
from ips_fake.testing.reporting import is_client_side, problem_report

__all__ = [
    "CLOCK_MODES",
    "DEDICATED_KEYS",
    "DEFAULT_API_VERSION",
    "DEFAULT_PASSWORD",
    "DEFAULT_USER",
    "MARKER_KEYS",
    "SERVICE_NAME",
    "SOAP_PORTS",
    "TRANSPORTS",
    "Backend",
    "ClockModeError",
    "FixtureSettings",
    "IpsFakeHandle",
    "LocalFake",
    "Login",
    "RemoteFake",
    "SessionClock",
    "SessionOptions",
    "api_version",
    "from_json",
    "is_client_side",
    "open_backend",
    "problem_report",
]
