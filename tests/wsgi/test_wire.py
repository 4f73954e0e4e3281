"""The wire contract byte by byte: the seeds' example, dispatch, content types, gzip, the
three ways to authenticate, company handle styles, routes, and the response envelope."""

from __future__ import annotations

import base64
import gzip
import socket
import zlib

import pytest
import requests
from lxml import etree
from werkzeug.test import Client

from ips_fake.fake import IpsFake
from ips_fake.server import FakeServer
from ips_fake.soap.envelope import MAX_REQUEST_BYTES
from ips_fake.soap.schema import API_VERSIONS, ApiVersion
from tests.wsgi.soap_wire import (
    IMAGE_SERVING_PAYLOAD,
    SERVICE_PATH,
    SOAP11,
    SOAP12,
    UNVERSIONED,
    V2014,
    WSDL_NAMESPACE,
    assert_no_traceback,
    auth_header,
    body_element,
    envelope,
    param,
    post,
    wire_fault,
)

SEED_REQUEST = (
    '<submitJobParam xmlns="http://www.scene7.com/IpsApi/xsd">'
    "<companyHandle>47</companyHandle><jobName>My Test Job</jobName>"
    "<imageServingPublishJob><publishType>Full</publishType>"
    "<emailSetting>Error</emailSetting></imageServingPublishJob></submitJobParam>"
)


def submit(name: str, namespace: str = V2014, company: str = "c|47") -> str:
    return param(
        "submitJob",
        f"<companyHandle>{company}</companyHandle><jobName>{name}</jobName>"
        f"<execSchedule>0 0 0 * * ?</execSchedule>{IMAGE_SERVING_PAYLOAD}",
        namespace,
    )


def job_handle_of(data: bytes) -> str | None:
    return body_element(data).findtext("{*}jobHandle")


# -- the seeds' example ------------------------------------------------------------------------


def test_seed_example_in_the_legacy_namespace_returns_the_documented_bytes(raw: Client) -> None:
    response = post(raw, envelope(SEED_REQUEST))
    assert response.status_code == 200
    assert (
        b'<submitJobReturn xmlns="http://www.scene7.com/IpsApi/xsd">'
        b"<jobHandle>47|My Test Job|</jobHandle></submitJobReturn>"
    ) in response.get_data()

    execute = param(
        "executeJob",
        "<companyHandle>47</companyHandle><jobHandle>47|My Test Job|</jobHandle>",
        UNVERSIONED,
    )
    executed = post(raw, envelope(execute))
    assert executed.status_code == 200
    assert b'<executeJobReturn xmlns="http://www.scene7.com/IpsApi/xsd"/>' in executed.get_data()


def test_seed_example_in_the_2014_namespace_returns_a_modern_handle(raw: Client) -> None:
    request = SEED_REQUEST.replace(UNVERSIONED, V2014)
    response = post(raw, envelope(request))
    assert response.status_code == 200
    assert (
        b'<submitJobReturn xmlns="http://www.scene7.com/IpsApi/xsd/2014-04-03">'
        b"<jobHandle>j|47|My Test Job||</jobHandle></submitJobReturn>"
    ) in response.get_data()


def test_legacy_run_handles_have_the_pre_4_0_shape(fake: IpsFake, raw: Client) -> None:
    post(raw, envelope(SEED_REQUEST))
    listed = post(
        raw,
        envelope(param("getActiveJobs", "<companyHandle>47</companyHandle>", UNVERSIONED)),
    )
    data = listed.get_data()
    assert b"<companyHandle>47</companyHandle>" in data
    assert b"<jobHandle>47||My Test Job_2026-01-05-09:00:00.000</jobHandle>" in data
    fake.advance(minutes=1)
    assert fake.job_logs[0].job_name == "My Test Job_2026-01-05-09:00:00.000"


# -- the response envelope ---------------------------------------------------------------------


@pytest.mark.parametrize("version", API_VERSIONS, ids=lambda version: version.label)
def test_answers_in_the_request_namespace_with_prefix_soapenv(
    raw: Client, version: ApiVersion
) -> None:
    namespace = version.namespace
    response = post(raw, envelope(submit("Versioned", namespace)))
    assert response.status_code == 200
    data = response.get_data()
    assert data.startswith(b"<?xml version='1.0' encoding='UTF-8'?>\n<soapenv:Envelope ")
    assert f'xmlns:soapenv="{SOAP11}"'.encode() in data
    assert b"<soapenv:Body>" in data
    returned = body_element(data)
    assert returned.tag == f"{{{namespace}}}submitJobReturn"
    expected = "47|Versioned|" if namespace == UNVERSIONED else "j|47|Versioned||"
    assert returned.findtext(f"{{{namespace}}}jobHandle") == expected


def test_soap12_answers_in_a_soap12_envelope_prefixed_soapenv(raw: Client) -> None:
    response = post(raw, envelope(submit("Twelve"), soap="1.2"), soap="1.2")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/soap+xml")
    data = response.get_data()
    assert f'<soapenv:Envelope xmlns:soapenv="{SOAP12}">'.encode() in data
    assert job_handle_of(data) == "j|47|Twelve||"


@pytest.mark.parametrize("operation", ["stopJob", "pauseJob", "resumeJob", "deleteJob"])
def test_void_operations_answer_an_empty_return_element(
    fake: IpsFake, raw: Client, operation: str
) -> None:
    post(raw, envelope(submit("Control")))
    handle = "<companyHandle>c|47</companyHandle><jobHandle>j|47|Control||</jobHandle>"
    if operation == "resumeJob":
        post(raw, envelope(param("pauseJob", handle)))
    if operation == "stopJob":
        post(raw, envelope(param("executeJob", handle)))
    response = post(raw, envelope(param(operation, handle)))
    assert response.status_code == 200, response.get_data()
    assert f'<{operation}Return xmlns="{V2014}"/>'.encode() in response.get_data()


# -- dispatch: SOAPAction never decides, the body does ----------------------------------------


@pytest.mark.parametrize(
    "soap_action",
    [None, "", '""', "submitJob", '"submitJob"', "deleteJob", '"urn:nonsense"'],
    ids=["absent", "empty", "quoted-empty", "bare", "quoted", "another-operation", "nonsense"],
)
def test_the_body_decides_the_operation_whatever_soapaction_says(
    fake: IpsFake, raw: Client, soap_action: str | None
) -> None:
    headers = {} if soap_action is None else {"SOAPAction": soap_action}
    response = post(raw, envelope(submit("Dispatched")), headers=headers)
    assert response.status_code == 200
    assert job_handle_of(response.get_data()) == "j|47|Dispatched||"
    assert fake.journal[-1].operation == "submitJob"
    assert [job.name for job in fake.scheduled_jobs] == ["Dispatched"]


@pytest.mark.parametrize(
    "content_type",
    [
        'application/soap+xml; charset=UTF-8; action="submitJob"',
        'application/soap+xml; charset=UTF-8; action="deleteJob"',
        "application/soap+xml",
    ],
    ids=["action", "wrong-action", "no-action"],
)
def test_soap12_action_in_content_type_does_not_override_the_body(
    fake: IpsFake, raw: Client, content_type: str
) -> None:
    response = post(
        raw, envelope(submit("Action"), soap="1.2"), soap="1.2", content_type=content_type
    )
    assert response.status_code == 200
    assert job_handle_of(response.get_data()) == "j|47|Action||"
    assert fake.journal[-1].soap_version == "1.2"


def test_the_envelope_namespace_decides_the_soap_version_not_the_content_type(
    fake: IpsFake, raw: Client
) -> None:
    response = post(raw, envelope(submit("Mislabelled"), soap="1.2"), soap="1.1")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/soap+xml")
    assert f'xmlns:soapenv="{SOAP12}"'.encode() in response.get_data()


def test_any_request_prefixes_are_accepted(raw: Client) -> None:
    body = (
        f'<S:Envelope xmlns:S="{SOAP11}" xmlns:x="{V2014}" xmlns:a="{UNVERSIONED}">'
        "<S:Header><a:authHeader><a:user>ipsuser@example.com</a:user>"
        "<a:password>password</a:password></a:authHeader></S:Header>"
        "<S:Body><x:submitJobParam><x:companyHandle>c|47</x:companyHandle>"
        "<x:jobName>Prefixed</x:jobName><x:imageServingPublishJob>"
        "<x:publishType>Full</x:publishType><x:emailSetting>None</x:emailSetting>"
        "</x:imageServingPublishJob></x:submitJobParam></S:Body></S:Envelope>"
    ).encode()
    response = post(raw, body)
    assert response.status_code == 200
    assert job_handle_of(response.get_data()) == "j|47|Prefixed||"


# -- authentication ----------------------------------------------------------------------------


@pytest.mark.parametrize("namespace", [UNVERSIONED, V2014], ids=["unversioned", "versioned"])
def test_auth_header_in_either_namespace(fake: IpsFake, raw: Client, namespace: str) -> None:
    header = auth_header("companyadmin@example.com", namespace=namespace)
    response = post(raw, envelope(param("getScheduledJobs", ""), header=header))
    assert response.status_code == 200
    assert fake.journal[-1].caller == "companyadmin@example.com"


def test_auth_header_in_a_foreign_namespace_is_not_credentials(raw: Client) -> None:
    header = auth_header(namespace="http://www.scene7.com/IpsApi/xsd/2008-01-15")
    response = post(raw, envelope(param("getScheduledJobs", ""), header=header))
    assert response.status_code == 500
    assert wire_fault(response.get_data()).code == 10000


def basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def test_http_basic_auth(fake: IpsFake, raw: Client) -> None:
    response = post(
        raw,
        envelope(submit("Basic"), header=""),
        headers={"Authorization": basic("contrib@example.com", "password")},
    )
    assert response.status_code == 200
    assert job_handle_of(response.get_data()) == "j|47|Basic||"
    assert fake.scheduled_jobs[0].submit_user_email == "contrib@example.com"


def test_http_basic_auth_with_a_wrong_password_is_10001(raw: Client) -> None:
    response = post(
        raw,
        envelope(submit("Basic"), header=""),
        headers={"Authorization": basic("contrib@example.com", "nope")},
    )
    fault = wire_fault(response.get_data())
    assert (fault.kind, fault.code) == ("authenticationFault", 10001)
    assert "contrib@example.com" in fault.reason


def test_auth_header_wins_over_http_basic(fake: IpsFake, raw: Client) -> None:
    response = post(
        raw,
        envelope(submit("Both"), header=auth_header("contrib@example.com")),
        headers={"Authorization": basic("ipsuser@example.com", "password")},
    )
    assert response.status_code == 200
    assert fake.journal[-1].caller == "contrib@example.com"


def test_legacy_auth_user_and_password_headers(fake: IpsFake, raw: Client) -> None:
    header = (
        f'<AuthUser xmlns="{WSDL_NAMESPACE}">trialadmin@example.com</AuthUser>'
        f'<AuthPassword xmlns="{WSDL_NAMESPACE}">password</AuthPassword>'
    )
    response = post(raw, envelope(submit("Legacy"), header=header))
    assert response.status_code == 200
    assert fake.scheduled_jobs[0].submit_user_email == "trialadmin@example.com"

    wrong = header.replace(">password<", ">guess<")
    fault = wire_fault(post(raw, envelope(submit("Legacy2"), header=wrong)).get_data())
    assert fault.code == 10001


# -- company handles ---------------------------------------------------------------------------


@pytest.mark.parametrize(("submitted_as", "listed_as"), [("47", "c|47"), ("c|47", "47")])
def test_company_handle_47_and_c_47_are_one_company(
    raw: Client, submitted_as: str, listed_as: str
) -> None:
    post(raw, envelope(submit("Same company", company=submitted_as)))
    listed = post(
        raw,
        envelope(param("getScheduledJobs", f"<companyHandle>{listed_as}</companyHandle>")),
    )
    returned = body_element(listed.get_data())
    names = [item.findtext(f"{{{V2014}}}name") for item in returned.iter(f"{{{V2014}}}items")]
    assert names == ["Same company"]
    again = post(raw, envelope(submit("Same company", company=listed_as)))
    fault = wire_fault(again.get_data())
    assert fault.code == 30000
    assert "Same company" in fault.reason


# -- routes ------------------------------------------------------------------------------------


def test_get_on_the_service_path_is_405_with_allow(raw: Client) -> None:
    response = raw.get(SERVICE_PATH)
    assert response.status_code == 405
    assert response.headers["Allow"] == "GET, POST"
    assert b"POST SOAP requests here" in response.get_data()


@pytest.mark.parametrize("method", ["PUT", "DELETE"])
def test_other_methods_on_the_service_path_are_405(raw: Client, method: str) -> None:
    assert raw.open(SERVICE_PATH, method=method).status_code == 405


@pytest.mark.parametrize(
    "path",
    ["/", "/scene7/services/Other", "/scene7/webservice/IpsApi-1999-01-01.wsdl", "/x.wsdl"],
)
def test_unknown_paths_are_404(raw: Client, path: str) -> None:
    response = raw.get(path)
    assert response.status_code == 404
    assert f"not found: {path}".encode() in response.get_data()
    assert raw.post(path, data=envelope(submit("Lost"))).status_code == 404


# -- over a real socket ------------------------------------------------------------------------


def loopback_post(server: FakeServer, body: bytes, headers: dict[str, str]) -> requests.Response:
    response = requests.post(server.service_url, data=body, headers=headers, timeout=10)
    assert_no_traceback(response.content)
    return response


def unique(name: str, server: FakeServer) -> str:
    return f"{name} {len(server.fake.journal)}"


def test_loopback_soap11_with_quoted_soapaction(loopback_server: FakeServer) -> None:
    name = unique("Loopback", loopback_server)
    response = loopback_post(
        loopback_server,
        envelope(submit(name)),
        {"Content-Type": "text/xml; charset=UTF-8", "SOAPAction": '"submitJob"'},
    )
    assert response.status_code == 200
    assert job_handle_of(response.content) == f"j|47|{name}||"


def test_loopback_soap12_with_action_in_content_type(loopback_server: FakeServer) -> None:
    name = unique("Loopback12", loopback_server)
    response = loopback_post(
        loopback_server,
        envelope(submit(name), soap="1.2"),
        {"Content-Type": 'application/soap+xml; charset=UTF-8; action="submitJob"'},
    )
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/soap+xml; charset=UTF-8"
    assert job_handle_of(response.content) == f"j|47|{name}||"


def test_loopback_gzip_response_when_accepted(loopback_server: FakeServer) -> None:
    body = envelope(param("getScheduledJobs", "<companyHandle>c|47</companyHandle>"))
    with requests.post(
        loopback_server.service_url,
        data=body,
        headers={"Content-Type": "text/xml; charset=UTF-8", "Accept-Encoding": "gzip"},
        timeout=10,
        stream=True,
    ) as response:
        compressed = response.raw.read(decode_content=False)
    assert response.status_code == 200
    assert response.headers["Content-Encoding"] == "gzip"
    plain = gzip.decompress(compressed)
    assert body_element(plain).tag == f"{{{V2014}}}getScheduledJobsReturn"


def test_loopback_no_gzip_without_accept_encoding(loopback_server: FakeServer) -> None:
    body = envelope(param("getScheduledJobs", "<companyHandle>c|47</companyHandle>"))
    response = loopback_post(
        loopback_server, body, {"Content-Type": "text/xml", "Accept-Encoding": "identity"}
    )
    assert "Content-Encoding" not in response.headers
    assert response.content.startswith(b"<?xml")


def test_loopback_gzip_response_false_in_auth_header_turns_gzip_off(
    loopback_server: FakeServer,
) -> None:
    header = auth_header(extra="<gzipResponse>false</gzipResponse>")
    body = envelope(param("getScheduledJobs", "<companyHandle>c|47</companyHandle>"), header=header)
    response = loopback_post(
        loopback_server, body, {"Content-Type": "text/xml", "Accept-Encoding": "gzip"}
    )
    assert response.status_code == 200
    assert "Content-Encoding" not in response.headers
    assert response.content.startswith(b"<?xml")


def test_loopback_gzip_compressed_request(loopback_server: FakeServer) -> None:
    name = unique("Gzipped request", loopback_server)
    response = loopback_post(
        loopback_server,
        gzip.compress(envelope(submit(name))),
        {"Content-Type": "text/xml; charset=UTF-8", "Content-Encoding": "gzip"},
    )
    assert response.status_code == 200, response.content
    assert job_handle_of(response.content) == f"j|47|{name}||"


def test_loopback_fault_http_status_code_from_auth_header(loopback_server: FakeServer) -> None:
    header = auth_header(password="wrong", extra="<faultHttpStatusCode>200</faultHttpStatusCode>")
    response = loopback_post(
        loopback_server,
        envelope(param("getScheduledJobs", ""), header=header),
        {"Content-Type": "text/xml"},
    )
    assert response.status_code == 200
    assert wire_fault(response.content).code == 10001


def test_gzipped_fault_is_still_a_fault(raw: Client) -> None:
    response = post(
        raw, envelope(param("getScheduledJobs", ""), header=""), headers={"Accept-Encoding": "gzip"}
    )
    assert response.status_code == 500
    assert response.headers["Content-Encoding"] == "gzip"
    fault = wire_fault(gzip.decompress(response.get_data()))
    assert fault.code == 10000


def test_element_tree_of_every_response_parses(fake: IpsFake, raw: Client) -> None:
    post(raw, envelope(submit("Parse")))
    post(raw, envelope(param("getScheduledJobs", ""), header=""))
    for exchange in fake.journal:
        root = etree.fromstring(exchange.response)
        assert etree.QName(root).localname == "Envelope"
        assert root.prefix == "soapenv"


def test_fake_server_on_a_taken_port_raises_oserror_naming_it() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(OSError, match=f"cannot listen on 127.0.0.1 port {port}"):
            FakeServer(IpsFake(), port=port)


def test_fake_server_serves_on_the_port_it_reports() -> None:
    with FakeServer(IpsFake()) as server:
        response = requests.get(server.wsdl_url("IpsApi.wsdl"), timeout=10)
        assert response.status_code == 200
        assert f'location="{server.service_url}"'.encode() in response.content
        assert server.base_url.startswith("http://127.0.0.1:")


def test_deflate_compressed_request(raw: Client) -> None:
    response = post(
        raw, zlib.compress(envelope(submit("Deflated"))), headers={"Content-Encoding": "deflate"}
    )
    assert response.status_code == 200
    assert job_handle_of(response.get_data()) == "j|47|Deflated||"


def test_gzip_request_that_inflates_past_the_size_limit_is_refused(raw: Client) -> None:
    bomb = gzip.compress(b" " * (MAX_REQUEST_BYTES + 1024), compresslevel=9)
    assert len(bomb) < 100_000
    response = post(raw, bomb, headers={"Content-Encoding": "gzip"})
    fault = wire_fault(response.get_data())
    assert fault.code == 30003
    assert f"larger than {MAX_REQUEST_BYTES} bytes" in fault.reason
