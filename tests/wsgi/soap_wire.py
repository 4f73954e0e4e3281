"""Raw SOAP messages for the wire tests: envelopes, auth headers, and reading faults back."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import zeep.exceptions
import zeep.proxy
from lxml import etree
from werkzeug.test import Client, TestResponse

SERVICE_PATH = "/scene7/services/IpsApiService"
SOAP11 = "http://schemas.xmlsoap.org/soap/envelope/"
SOAP12 = "http://www.w3.org/2003/05/soap-envelope"
UNVERSIONED = "http://www.scene7.com/IpsApi/xsd"
V2014 = "http://www.scene7.com/IpsApi/xsd/2014-04-03"
WSDL_NAMESPACE = "http://www.scene7.com/IpsApi"
# what the ``service_as`` fixture returns: build a zeep service that sends (user, password)
ServiceFactory = Callable[[str | None, str | None], zeep.proxy.ServiceProxy]
ENVELOPE_NAMESPACES = {"1.1": SOAP11, "1.2": SOAP12}
CONTENT_TYPES = {"1.1": "text/xml; charset=UTF-8", "1.2": "application/soap+xml; charset=UTF-8"}
IMAGE_SERVING_PAYLOAD = (
    "<imageServingPublishJob><publishType>Full</publishType>"
    "<emailSetting>Error</emailSetting></imageServingPublishJob>"
)
#: Words that only a Python traceback would put into a response.
TRACEBACK_MARKERS = (b"Traceback (most recent call last)", b'File "', b'.py", line')


def auth_header(
    user: str = "ipsuser@example.com",
    password: str = "password",
    *,
    namespace: str = UNVERSIONED,
    extra: str = "",
) -> str:
    """An ``authHeader`` SOAP header entry."""
    return (
        f'<authHeader xmlns="{namespace}"><user>{user}</user>'
        f"<password>{password}</password>{extra}</authHeader>"
    )


def envelope(body: str, *, header: str | None = None, soap: str = "1.1") -> bytes:
    """A request envelope (prefix ``env``) around ``body``; ``header`` defaults to
    ipsuser's authHeader, ``""`` sends no header at all."""
    ns = ENVELOPE_NAMESPACES[soap]
    entries = auth_header() if header is None else header
    head = f"<env:Header>{entries}</env:Header>" if entries else ""
    return (
        f'<env:Envelope xmlns:env="{ns}">{head}<env:Body>{body}</env:Body></env:Envelope>'
    ).encode()


def param(operation: str, children: str, namespace: str = V2014) -> str:
    """``<opParam xmlns=namespace>children</opParam>``."""
    return f'<{operation}Param xmlns="{namespace}">{children}</{operation}Param>'


def post(
    client: Client,
    body: bytes,
    *,
    soap: str = "1.1",
    headers: dict[str, str] | None = None,
    content_type: str | None = None,
) -> TestResponse:
    """POST a SOAP request to the service path and check the answer carries no traceback."""
    response = client.post(
        SERVICE_PATH,
        data=body,
        content_type=content_type or CONTENT_TYPES[soap],
        headers=headers or {},
    )
    assert_no_traceback(response.get_data())
    return response


def assert_no_traceback(data: bytes) -> None:
    """Fail when a response body shows a Python traceback."""
    for marker in TRACEBACK_MARKERS:
        assert marker not in data, f"response carries a traceback: {data[:2000]!r}"


def body_element(data: bytes) -> etree._Element:
    """The one child of the response envelope's Body."""
    root = etree.fromstring(data)
    namespace = etree.QName(root).namespace
    body = root.find(f"{{{namespace}}}Body")
    assert body is not None, data
    return body[0]


@dataclass(frozen=True)
class WireFault:
    """A fault as it came over the wire."""

    kind: str
    code: int
    reason: str
    fault_code: str
    fault_string: str


def fault_detail(detail: etree._Element) -> tuple[str, int, str]:
    """(element name, code, reason) of the IPS fault element inside a detail element."""
    (element,) = [child for child in detail if isinstance(child.tag, str)]
    qname = etree.QName(element)
    assert qname.namespace == UNVERSIONED, etree.tostring(element)
    code = element.findtext(f"{{{UNVERSIONED}}}code")
    reason = element.findtext(f"{{{UNVERSIONED}}}reason")
    assert code is not None, etree.tostring(element)
    assert reason is not None, etree.tostring(element)
    return qname.localname, int(code), reason


def wire_fault(data: bytes) -> WireFault:
    """Read a SOAP 1.1 or 1.2 fault envelope, checking its shape on the way."""
    fault = body_element(data)
    namespace = etree.QName(fault).namespace
    assert etree.QName(fault).localname == "Fault"
    if namespace == SOAP11:
        fault_code = fault.findtext("faultcode")
        fault_string = fault.findtext("faultstring")
        detail = fault.find("detail")
    else:
        assert namespace == SOAP12
        fault_code = fault.findtext(f"{{{SOAP12}}}Code/{{{SOAP12}}}Value")
        fault_string = fault.findtext(f"{{{SOAP12}}}Reason/{{{SOAP12}}}Text")
        detail = fault.find(f"{{{SOAP12}}}Detail")
    assert fault_code is not None, data
    assert fault_string is not None, data
    assert detail is not None, data
    kind, code, reason = fault_detail(detail)
    return WireFault(kind, code, reason, fault_code, fault_string)


def zeep_fault(fault: zeep.exceptions.Fault) -> tuple[str, int, str]:
    """(element name, code, reason) of a fault zeep raised."""
    assert fault.detail is not None, fault.message
    return fault_detail(fault.detail)
