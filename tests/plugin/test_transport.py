"""The in-process transport: a requests adapter and a zeep transport over the WSGI app."""

from __future__ import annotations

import pytest
import requests
import zeep

from ips_fake.fake import IpsFake
from ips_fake.transport import (
    INPROCESS_BASE_URL,
    InProcessTransport,
    WsgiAdapter,
    in_process_session,
)

WSDL = INPROCESS_BASE_URL + "/scene7/webservice/IpsApi-2014-04-03.wsdl"


def test_a_zeep_client_over_the_in_process_transport_reaches_the_fake() -> None:
    fake = IpsFake()
    client = zeep.Client(WSDL, transport=InProcessTransport(fake.app))
    auth = client.get_element("ns0:authHeader")(user="ipsuser@example.com", password="password")

    handle = client.service.submitJob(
        companyHandle="c|47",
        jobName="in-process",
        imageServingPublishJob={"publishType": "Full", "emailSetting": "None"},
        _soapheaders=[auth],
    )

    assert handle == "j|47|in-process||"
    assert [run.original_name for run in fake.active_jobs] == ["in-process"]
    [exchange] = fake.journal
    assert (exchange.operation, exchange.caller, exchange.status) == (
        "submitJob",
        "ipsuser@example.com",
        200,
    )


def test_the_in_process_session_answers_its_base_url_and_admin_routes() -> None:
    fake = IpsFake()
    session = in_process_session(fake.app)

    moved = session.post(INPROCESS_BASE_URL + "/_fake/clock", json={"advance": 90})
    wsdl = session.get(INPROCESS_BASE_URL + "/scene7/services/IpsApiService?wsdl")

    assert moved.status_code == 200
    assert moved.json()["now"].startswith("2026-01-05T09:01:30")
    assert wsdl.status_code == 200
    assert b"http://ips-fake.invalid/scene7/services/IpsApiService" in wsdl.content
    assert wsdl.headers["Content-Type"].startswith("text/xml")


@pytest.mark.parametrize(
    "url", ["http://example.com/scene7/services/IpsApiService", "https://ips-fake.invalid/"]
)
def test_the_in_process_session_refuses_every_other_url(url: str) -> None:
    session = in_process_session(IpsFake().app)

    with pytest.raises(requests.ConnectionError, match=r"only serves http://ips-fake\.invalid"):
        session.get(url)


def test_the_adapter_passes_status_headers_and_gzip_bodies_through() -> None:
    fake = IpsFake()
    session = requests.Session()
    session.mount("http://fake.test/", WsgiAdapter(fake.app))

    missing = session.get("http://fake.test/nowhere")
    envelope = (
        b'<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/">'
        b"<soapenv:Body><nonsense/></soapenv:Body></soapenv:Envelope>"
    )
    fault = session.post(
        "http://fake.test/scene7/services/IpsApiService",
        data=envelope,
        headers={"Content-Type": "text/xml", "Accept-Encoding": "gzip"},
    )

    assert (missing.status_code, missing.text) == (404, "not found: /nowhere")
    assert fault.status_code == 500
    assert fault.headers["Content-Encoding"] == "gzip"
    assert b"nonsense" in fault.content  # decompressed by requests, as from a socket
    [exchange] = fake.journal
    assert exchange.request == envelope
    assert exchange.problem is not None
    assert exchange.problem.startswith("invalid request XML")
