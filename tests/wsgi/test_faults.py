"""Every fault of spec section 3 on the wire: its element, code and reason, in SOAP 1.1 and
1.2 shape with the right HTTP status, and as zeep raises it."""

from __future__ import annotations

import gzip
from dataclasses import dataclass

import pytest
import zeep
import zeep.exceptions
from werkzeug.test import Client

from ips_fake.fake import IpsFake
from tests.wsgi.soap_wire import (
    IMAGE_SERVING_PAYLOAD,
    UNVERSIONED,
    V2014,
    auth_header,
    envelope,
    param,
    post,
    wire_fault,
    zeep_fault,
)
from tests.zeep_clients import ServiceFactory

COMPANY = "<companyHandle>c|47</companyHandle>"
EXISTING = "j|47|Existing||"
OTHERS = "j|48|Theirs||"


def submit(children: str, name: str = "Job", payload: str = IMAGE_SERVING_PAYLOAD) -> str:
    return param("submitJob", f"{COMPANY}<jobName>{name}</jobName>{children}{payload}")


def handle_param(operation: str, handle: str, company: str = "c|47") -> str:
    return param(
        operation, f"<companyHandle>{company}</companyHandle><jobHandle>{handle}</jobHandle>"
    )


@dataclass(frozen=True)
class FaultCase:
    """A request and the fault it must get."""

    body: str
    kind: str
    code: int
    names: tuple[str, ...]
    user: str = "ipsuser@example.com"
    password: str = "password"
    header: str | None = None

    def request(self, soap: str) -> bytes:
        header = self.header
        if header is None:
            header = auth_header(self.user, self.password)
        return envelope(self.body, header=header, soap=soap)


AUTHN = "authenticationFault"
AUTHZ = "authorizationFault"
IPS = "ipsApiFault"

FAULT_CASES: dict[str, FaultCase] = {
    "no credentials": FaultCase(
        param("getScheduledJobs", COMPANY), AUTHN, 10000, ("authHeader",), header=""
    ),
    "wrong password": FaultCase(
        param("getScheduledJobs", COMPANY),
        AUTHN,
        10001,
        ("wrong password", "ipsuser@example.com"),
        password="hunter2",
    ),
    "unknown user": FaultCase(
        param("getScheduledJobs", COMPANY),
        AUTHN,
        10002,
        ("nobody@example.com", "unknown"),
        user="nobody@example.com",
    ),
    "portal user may not stop jobs": FaultCase(
        handle_param("stopJob", EXISTING),
        AUTHZ,
        20003,
        ("portaluser@example.com", "ImagePortalUser", "stopJob"),
        user="portaluser@example.com",
    ),
    "trial site admin may not read log details": FaultCase(
        param("getJobLogDetails", COMPANY),
        AUTHZ,
        20003,
        ("trialadmin@example.com", "TrialSiteAdmin", "getJobLogDetails"),
        user="trialadmin@example.com",
    ),
    "company admin may not submit": FaultCase(
        submit(""),
        AUTHZ,
        20003,
        ("companyadmin@example.com", "IpsCompanyAdmin", "submitJob"),
        user="companyadmin@example.com",
    ),
    "unknown company": FaultCase(
        param("getScheduledJobs", "<companyHandle>c|99</companyHandle>"),
        AUTHZ,
        20000,
        ("companyHandle", "c|99"),
    ),
    "another company": FaultCase(
        param("getScheduledJobs", "<companyHandle>48</companyHandle>"),
        AUTHZ,
        20006,
        ("ipsuser@example.com", "'48'"),
    ),
    "another company's job handle": FaultCase(
        handle_param("deleteJob", OTHERS, company="c|48"),
        AUTHZ,
        20006,
        ("c|48",),
    ),
    "another company's job handle under one's own company": FaultCase(
        handle_param("deleteJob", OTHERS),
        IPS,
        30001,
        (f"jobHandle '{OTHERS}' names no job",),
    ),
    "submitJob without a payload": FaultCase(
        submit("", payload=""), IPS, 30002, ("exactly one job payload", "imageServingPublishJob")
    ),
    "submitJob with two payloads": FaultCase(
        submit(
            "",
            payload=IMAGE_SERVING_PAYLOAD
            + "<optimizeImagesJob><emailSetting>None</emailSetting></optimizeImagesJob>",
        ),
        IPS,
        30001,
        ("imageServingPublishJob and optimizeImagesJob",),
    ),
    "execTime together with execSchedule": FaultCase(
        submit("<execTime>2026-02-01T00:00:00Z</execTime><execSchedule>0 0 0 * * ?</execSchedule>"),
        IPS,
        30001,
        ("execTime", "execSchedule"),
    ),
    "bad locale": FaultCase(submit("<locale>english</locale>"), IPS, 30001, ("locale", "english")),
    "lower-case country in locale": FaultCase(
        submit("<locale>en-us</locale>"), IPS, 30001, ("locale", "en-us")
    ),
    "unknown job handle": FaultCase(
        handle_param("executeJob", "j|47|Nothing||"), IPS, 30001, ("jobHandle", "j|47|Nothing||")
    ),
    "job name already in use": FaultCase(
        submit("<execSchedule>0 0 0 * * ?</execSchedule>", name="Existing"),
        IPS,
        30000,
        ("job name", "Existing", "in use"),
    ),
    "non-integer numRows": FaultCase(
        param("getJobLogs", f"{COMPANY}<numRows>ten</numRows>"), IPS, 30001, ("numRows", "ten")
    ),
    "unknown sortBy value": FaultCase(
        param("getJobLogs", f"{COMPANY}<sortBy>Size</sortBy>"), IPS, 30001, ("sortBy", "Size")
    ),
    "bad execTime": FaultCase(
        submit("<execTime>tomorrow</execTime>"), IPS, 30001, ("execTime", "tomorrow")
    ),
    "empty execTime as PHP sends it": FaultCase(submit("<execTime/>"), IPS, 30001, ("execTime",)),
    "bad execSchedule": FaultCase(
        submit("<execSchedule>every day</execSchedule>"), IPS, 30001, ("execSchedule",)
    ),
    "missing jobHandle": FaultCase(param("executeJob", COMPANY), IPS, 30002, ("jobHandle",)),
    "missing jobName": FaultCase(
        param("submitJob", COMPANY + IMAGE_SERVING_PAYLOAD), IPS, 30002, ("jobName",)
    ),
    "missing emailSetting inside the payload": FaultCase(
        submit(
            "",
            payload="<imageServingPublishJob><publishType>Full</publishType>"
            "</imageServingPublishJob>",
        ),
        IPS,
        30002,
        ("emailSetting",),
    ),
    "missing companyHandle before jobName": FaultCase(
        param("submitJob", "<jobName>NoCompany</jobName>" + IMAGE_SERVING_PAYLOAD),
        IPS,
        30002,
        ("companyHandle",),
    ),
    "children out of order": FaultCase(
        param("submitJob", f"<jobName>Swapped</jobName>{COMPANY}{IMAGE_SERVING_PAYLOAD}"),
        IPS,
        30001,
        ("jobName",),
    ),
    "description after the payload": FaultCase(
        submit("", payload=IMAGE_SERVING_PAYLOAD + "<description>late</description>"),
        IPS,
        30001,
        ("description",),
    ),
    "optional userHandle after jobName": FaultCase(
        submit("<userHandle>ipsuser@example.com</userHandle>"),
        IPS,
        30001,
        ("userHandle",),
    ),
    "unknown element": FaultCase(
        param("stopJob", f"{COMPANY}<jobHandle>{EXISTING}</jobHandle><force>true</force>"),
        IPS,
        30001,
        ("force",),
    ),
    "unknown operation": FaultCase(
        param("launchRocket", COMPANY), IPS, 30003, ("launchRocketParam",)
    ),
    "body in no IPS namespace": FaultCase(
        param("stopJob", COMPANY, namespace="urn:not-ips"), IPS, 30003, ("urn:not-ips",)
    ),
}


def seeded_fake() -> IpsFake:
    """A fake with a job named Existing in company 47 and one named Theirs in company 48."""
    fake = IpsFake()
    client = Client(fake.app)
    scheduled = "<execSchedule>0 0 0 * * ?</execSchedule>"
    for company, name, user in (("47", "Existing", "ipsuser"), ("48", "Theirs", "other")):
        body = param(
            "submitJob",
            f"<companyHandle>{company}</companyHandle><jobName>{name}</jobName>"
            f"{scheduled}{IMAGE_SERVING_PAYLOAD}",
        )
        response = post(client, envelope(body, header=auth_header(f"{user}@example.com")))
        assert response.status_code == 200, response.get_data()
    return fake


@pytest.mark.parametrize("case_name", FAULT_CASES)
@pytest.mark.parametrize("soap", ["1.1", "1.2"], ids=["soap1.1", "soap1.2"])
def test_fault_on_the_wire(case_name: str, soap: str) -> None:
    case = FAULT_CASES[case_name]
    fake = seeded_fake()
    response = post(Client(fake.app), case.request(soap), soap=soap)

    assert response.status_code == 500
    expected_type = "text/xml" if soap == "1.1" else "application/soap+xml"
    assert response.headers["Content-Type"].startswith(expected_type)
    fault = wire_fault(response.get_data())
    assert (fault.kind, fault.code) == (case.kind, case.code), fault.reason
    for name in case.names:
        assert name in fault.reason
    client_side = case.kind != IPS
    if soap == "1.1":
        assert fault.fault_code == ("soapenv:Client" if client_side else "soapenv:Server")
    else:
        assert fault.fault_code == ("soapenv:Sender" if client_side else "soapenv:Receiver")
    assert (
        fault.fault_string
        == {
            IPS: "ipsApiFault",
            AUTHN: "AuthenticationException",
            AUTHZ: "AuthorizationException",
        }[case.kind]
    )
    exchange = fake.journal[-1]
    assert (exchange.fault_code, exchange.soap_version) == (case.code, soap)


def test_faults_leave_state_alone() -> None:
    fake = seeded_fake()
    for case in FAULT_CASES.values():
        post(Client(fake.app), case.request("1.1"))
    assert sorted(job.name for job in fake.scheduled_jobs) == ["Existing", "Theirs"]
    assert fake.active_jobs == []


# -- hostile and broken XML --------------------------------------------------------------------

LAUGH_ENTITIES = "".join(
    f' <!ENTITY lol{level} "{f"&lol{level - 1};" * 10}">\n' for level in range(2, 10)
)
BILLION_LAUGHS = (
    f'<?xml version="1.0"?>\n<!DOCTYPE lolz [\n <!ENTITY lol1 "lol">\n{LAUGH_ENTITIES}]>\n'
).encode() + envelope(param("stopJob", f"{COMPANY}<jobHandle>&lol9;</jobHandle>"))
EXTERNAL_ENTITY = (
    b'<?xml version="1.0"?>\n<!DOCTYPE e [<!ENTITY secret SYSTEM "file:///etc/passwd">]>\n'
    + envelope(param("stopJob", f"{COMPANY}<jobHandle>&secret;</jobHandle>"))
)


@pytest.mark.parametrize(
    ("body", "names"),
    [
        (BILLION_LAUGHS, ("DOCTYPE",)),
        (EXTERNAL_ENTITY, ("DOCTYPE",)),
        (envelope("")[:-20], ("not well-formed",)),
        (b"", ("empty",)),
        (b'{"json": true}', ("not well-formed",)),
        (b"<Envelope><Body/></Envelope>", ("Envelope",)),
        (envelope(param("stopJob", COMPANY) + param("stopJob", COMPANY)), ("exactly one",)),
        (envelope(""), ("exactly one",)),
    ],
    ids=[
        "billion-laughs",
        "external-entity",
        "truncated",
        "empty",
        "json",
        "not-soap",
        "two-body-elements",
        "empty-body",
    ],
)
def test_malformed_requests_are_30003(raw: Client, body: bytes, names: tuple[str, ...]) -> None:
    response = post(raw, body)
    assert response.status_code == 500
    fault = wire_fault(response.get_data())
    assert (fault.kind, fault.code, fault.fault_code) == (IPS, 30003, "soapenv:Server")
    for name in names:
        assert name in fault.reason
    assert b"root:" not in response.get_data()
    assert b"lollollol" not in response.get_data()


def test_malformed_soap12_request_gets_a_soap12_fault(raw: Client) -> None:
    response = post(raw, b"<not xml", soap="1.2")
    assert response.headers["Content-Type"].startswith("application/soap+xml")
    fault = wire_fault(response.get_data())
    assert (fault.code, fault.fault_code) == (30003, "soapenv:Receiver")


@pytest.mark.parametrize(
    ("encoding", "body", "names"),
    [
        ("gzip", b"plainly not gzip", ("gzip",)),
        ("br", b"whatever", ("'br'", "not supported")),
        ("gzip", gzip.compress(envelope(param("stopJob", COMPANY)))[:-12], ("truncated",)),
    ],
    ids=["not-gzip", "unsupported", "truncated"],
)
def test_request_content_encoding_errors_are_30003(
    raw: Client, encoding: str, body: bytes, names: tuple[str, ...]
) -> None:
    response = post(raw, body, headers={"Content-Encoding": encoding})
    fault = wire_fault(response.get_data())
    assert fault.code == 30003
    for name in names:
        assert name in fault.reason


@pytest.mark.parametrize("status", ["200", "418"])
def test_fault_http_status_code_replaces_500(raw: Client, status: str) -> None:
    header = auth_header(
        password="wrong", extra=f"<faultHttpStatusCode>{status}</faultHttpStatusCode>"
    )
    response = post(raw, envelope(param("getScheduledJobs", COMPANY), header=header))
    assert response.status_code == int(status)
    assert wire_fault(response.get_data()).code == 10001


@pytest.mark.parametrize("status", ["99", "600", "abc", "204"])
def test_unusable_fault_http_status_code_is_30001_naming_it(raw: Client, status: str) -> None:
    header = auth_header(
        password="wrong", extra=f"<faultHttpStatusCode>{status}</faultHttpStatusCode>"
    )
    response = post(raw, envelope(param("getScheduledJobs", COMPANY), header=header))
    assert response.status_code == 500
    fault = wire_fault(response.get_data())
    assert fault.code == 30001
    assert "faultHttpStatusCode" in fault.reason


def test_fault_details_are_unversioned_whatever_the_request_namespace(raw: Client) -> None:
    response = post(raw, envelope(param("executeJob", COMPANY, namespace=UNVERSIONED)))
    assert b'<ns1:ipsApiFault xmlns:ns1="http://www.scene7.com/IpsApi/xsd">' in response.get_data()
    response = post(raw, envelope(param("executeJob", COMPANY, namespace=V2014)))
    assert b'<ns1:ipsApiFault xmlns:ns1="http://www.scene7.com/IpsApi/xsd">' in response.get_data()


# -- through zeep ------------------------------------------------------------------------------


def test_zeep_raises_each_fault_with_its_code(
    fake: IpsFake, service: zeep.proxy.ServiceProxy, soap_version: str
) -> None:
    service.submitJob(
        companyHandle="c|47",
        jobName="Existing",
        execSchedule="0 0 0 * * ?",
        imageServingPublishJob={"publishType": "Full", "emailSetting": "None"},
    )

    def fault_of(operation: str, **arguments: object) -> tuple[str, int, str]:
        with pytest.raises(zeep.exceptions.Fault) as raised:
            getattr(service, operation)(**arguments)
        expected = "soapenv:Server" if soap_version == "1.1" else "soapenv:Receiver"
        if raised.value.message != "ipsApiFault":
            expected = "soapenv:Client" if soap_version == "1.1" else "soapenv:Sender"
        assert raised.value.code == expected
        return zeep_fault(raised.value)

    kind, code, reason = fault_of("executeJob", companyHandle="c|47", jobHandle="nope")
    assert (kind, code) == (IPS, 30001)
    assert "'nope'" in reason
    kind, code, reason = fault_of(
        "submitJob",
        companyHandle="c|47",
        jobName="Existing",
        imageServingPublishJob={"publishType": "Full", "emailSetting": "None"},
    )
    assert (kind, code) == (IPS, 30000)
    assert "'Existing'" in reason
    kind, code, reason = fault_of(
        "submitJob",
        companyHandle="c|47",
        jobName="Both",
        execTime="2026-02-01T00:00:00Z",
        execSchedule="0 0 0 * * ?",
        imageServingPublishJob={"publishType": "Full", "emailSetting": "None"},
    )
    assert (kind, code) == (IPS, 30001)
    assert "execTime" in reason
    kind, code, reason = fault_of("submitJob", companyHandle="c|47", jobName="Nothing")
    assert (kind, code) == (IPS, 30002)
    assert "job payload" in reason
    kind, code, reason = fault_of("getScheduledJobs", companyHandle="c|48")
    assert (kind, code) == (AUTHZ, 20006)
    assert "'c|48'" in reason
    kind, code, reason = fault_of("getScheduledJobs", companyHandle="c|4711")
    assert (kind, code) == (AUTHZ, 20000)
    assert "c|4711" in reason

    assert {exchange.soap_version for exchange in fake.journal} == {soap_version}


@pytest.mark.parametrize(
    ("user", "password", "operation", "kind", "code", "names"),
    [
        (None, None, "getActiveJobs", AUTHN, 10000, ("authHeader",)),
        ("ipsuser@example.com", "guess", "getActiveJobs", AUTHN, 10001, ("ipsuser@example.com",)),
        ("ghost@example.com", "password", "getActiveJobs", AUTHN, 10002, ("ghost@example.com",)),
        ("portaluser@example.com", "password", "getActiveJobs", AUTHZ, 20003, ("getActiveJobs",)),
    ],
    ids=["no-credentials", "wrong-password", "unknown-user", "wrong-role"],
)
def test_zeep_raises_authentication_and_authorization_faults(
    service_as: ServiceFactory,
    soap_version: str,
    user: str | None,
    password: str | None,
    operation: str,
    kind: str,
    code: int,
    names: tuple[str, ...],
) -> None:
    service = service_as(user, password)
    with pytest.raises(zeep.exceptions.Fault) as raised:
        getattr(service, operation)(companyHandle="c|47")
    assert raised.value.message == (
        "AuthenticationException" if kind == AUTHN else "AuthorizationException"
    )
    assert raised.value.code == ("soapenv:Client" if soap_version == "1.1" else "soapenv:Sender")
    fault_kind, fault_code, reason = zeep_fault(raised.value)
    assert (fault_kind, fault_code) == (kind, code)
    for name in names:
        assert name in reason
