"""Fixtures of the wire tests: a fresh fake per test, raw and zeep clients over it in-process,
and one real loopback server per module for what must cross a socket."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import zeep
from werkzeug.test import Client

from ips_fake.fake import IpsFake
from ips_fake.server import FakeServer
from tests.wsgi.soap_wire import assert_no_traceback
from tests.zeep_clients import PORTS, ServiceFactory, in_process_client

SERVER_SIDE_PROBLEMS = ("response does not validate", "server error", " fault detail does not")
WSDL_2014 = "/scene7/webservice/IpsApi-2014-04-03.wsdl"


@pytest.fixture(autouse=True)
def _no_traceback_in_any_response(_fakes_answer_validly: list[IpsFake]) -> Iterator[None]:
    """Every SOAP response of every fake built in the test is free of Python tracebacks."""
    yield
    for built in _fakes_answer_validly:
        for exchange in built.journal:
            assert_no_traceback(exchange.response)
            assert "internal error" not in (exchange.fault_reason or ""), exchange.summary()


@pytest.fixture
def fake() -> IpsFake:
    """A fresh fake on the default directory and the manual clock (2026-01-05 09:00 UTC)."""
    return IpsFake()


@pytest.fixture
def raw(fake: IpsFake) -> Client:
    """werkzeug's test client on the fake's WSGI app."""
    return Client(fake.app)


@pytest.fixture
def zeep_wsdl() -> str:
    """Path of the WSDL the zeep fixtures load: 2014-04-03 unless a module overrides it."""
    return WSDL_2014


@pytest.fixture
def zeep_client(fake: IpsFake, zeep_wsdl: str) -> zeep.Client:
    """zeep built from the served ``zeep_wsdl``, in-process, authenticated as ipsuser."""
    return in_process_client(fake, zeep_wsdl)


@pytest.fixture(params=sorted(PORTS), ids=lambda version: f"soap{version}")
def soap_version(request: pytest.FixtureRequest) -> str:
    """``"1.1"`` or ``"1.2"``."""
    return str(request.param)


@pytest.fixture
def service(zeep_client: zeep.Client, soap_version: str) -> zeep.proxy.ServiceProxy:
    """The zeep service bound to the port of ``soap_version``."""
    return zeep_client.bind("IpsApiService", PORTS[soap_version])


@pytest.fixture
def service_as(fake: IpsFake, soap_version: str, zeep_wsdl: str) -> ServiceFactory:
    """Build a zeep service on ``soap_version``'s port that sends ``user``'s authHeader
    (none at all when ``user`` is None)."""

    def build(user: str | None, password: str | None = "password") -> zeep.proxy.ServiceProxy:
        client = in_process_client(fake, zeep_wsdl, user=user, password=password)
        return client.bind("IpsApiService", PORTS[soap_version])

    return build


@pytest.fixture(scope="module")
def loopback_server() -> Iterator[FakeServer]:
    """A real HTTP server on 127.0.0.1 for the module; its fake validates every response."""
    fake = IpsFake(validate_responses=True)
    with FakeServer(fake) as server:
        yield server
    for exchange in fake.journal:
        assert_no_traceback(exchange.response)
    problems = [
        exchange.summary() + "\n" + (exchange.problem or "")
        for exchange in fake.journal
        if exchange.problem and exchange.problem.startswith(SERVER_SIDE_PROBLEMS)
    ]
    assert not problems, "the fake answered wrongly:\n" + "\n".join(problems)
