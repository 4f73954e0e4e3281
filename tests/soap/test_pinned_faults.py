"""The SOAP shape of the top code of each fault range, and which header entries the fake
understands, and a compressed body at the size limit: behaviours a mutation run showed no
test pinned."""

from __future__ import annotations

import gzip
import zlib

import pytest
from lxml import etree

from ips_fake.core.errors import IpsFault
from ips_fake.soap.envelope import (
    MAX_REQUEST_BYTES,
    SoapVersion,
    decode_body,
    is_understood,
    parse_plain_request,
)
from ips_fake.soap.faults import fault_envelope
from ips_fake.soap.schema import UNVERSIONED_NAMESPACE, WSDL_NAMESPACE, find_version

SOAP11 = SoapVersion.V11.value
SOAP12 = SoapVersion.V12.value


@pytest.mark.parametrize(
    ("code", "element", "fault_string", "soap11_code", "soap12_code"),
    [
        (19999, "authenticationFault", "AuthenticationException", "Client", "Sender"),
        (29999, "authorizationFault", "AuthorizationException", "Client", "Sender"),
        (39999, "ipsApiFault", "ipsApiFault", "Server", "Receiver"),
    ],
)
def test_the_top_code_of_each_range_is_rendered_as_its_family(
    code: int, element: str, fault_string: str, soap11_code: str, soap12_code: str
) -> None:
    fault = IpsFault(code, "the top of the range")

    soap11 = etree.fromstring(fault_envelope(SoapVersion.V11, fault))
    soap12 = etree.fromstring(fault_envelope(SoapVersion.V12, fault))

    body11 = soap11.find(f"{{{SOAP11}}}Body/{{{SOAP11}}}Fault")
    assert body11 is not None
    assert body11.findtext("faultcode") == f"soapenv:{soap11_code}"
    assert body11.findtext("faultstring") == fault_string
    assert body11.findtext(
        f"detail/{{{UNVERSIONED_NAMESPACE}}}{element}/{{{UNVERSIONED_NAMESPACE}}}code"
    ) == str(code)
    body12 = soap12.find(f"{{{SOAP12}}}Body/{{{SOAP12}}}Fault")
    assert body12 is not None
    assert body12.findtext(f"{{{SOAP12}}}Code/{{{SOAP12}}}Value") == f"soapenv:{soap12_code}"
    assert body12.findtext(f"{{{SOAP12}}}Reason/{{{SOAP12}}}Text") == fault_string
    assert (
        body12.findtext(
            f"{{{SOAP12}}}Detail/{{{UNVERSIONED_NAMESPACE}}}{element}/{{{UNVERSIONED_NAMESPACE}}}reason"
        )
        == "the top of the range"
    )


V2014 = find_version("2014-04-03").namespace


@pytest.mark.parametrize(
    ("tag", "understood"),
    [
        (f"{{{UNVERSIONED_NAMESPACE}}}authHeader", True),
        (f"{{{V2014}}}authHeader", True),
        ("{http://www.scene7.com/IpsApi/xsd/1999-01-01}authHeader", False),
        ("authHeader", False),
        (f"{{{WSDL_NAMESPACE}}}AuthUser", True),
        (f"{{{WSDL_NAMESPACE}}}AuthPassword", True),
        # the legacy headers count in the WSDL's own namespace only, whichever side of it
        ("AuthUser", False),
        ("{http://www.scene7.com/A}AuthUser", False),
        ("{http://www.scene7.com/Z}AuthPassword", False),
        (f"{{{UNVERSIONED_NAMESPACE}}}AuthUser", False),
        (f"{{{WSDL_NAMESPACE}}}Transaction", False),
    ],
)
def test_which_header_entries_are_understood(tag: str, understood: bool) -> None:
    assert is_understood(etree.Element(tag)) is understood


@pytest.mark.parametrize("coding", ["gzip", "deflate"])
def test_a_body_that_inflates_to_exactly_the_size_limit_is_accepted(coding: str) -> None:
    body = b"<e/>" + b" " * (MAX_REQUEST_BYTES - 4)
    packed = gzip.compress(body) if coding == "gzip" else zlib.compress(body)

    assert decode_body(packed, coding) == body
    with pytest.raises(IpsFault, match=f"larger than {MAX_REQUEST_BYTES} bytes"):
        decode_body(
            gzip.compress(body + b" ") if coding == "gzip" else zlib.compress(body + b" "), coding
        )


def test_the_plain_xml_endpoint_refuses_a_root_other_than_request() -> None:
    inner = f'<getActiveJobsParam xmlns="{V2014}"/>'

    accepted = parse_plain_request(f"<Request>{inner}</Request>".encode())
    with pytest.raises(IpsFault) as raised:
        parse_plain_request(f"<Requests>{inner}</Requests>".encode())

    assert etree.QName(accepted.body).localname == "getActiveJobsParam"
    assert raised.value.code == 30003
    assert "the root element is Requests" in raised.value.reason
