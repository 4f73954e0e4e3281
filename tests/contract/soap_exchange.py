"""Send a generated document to an in-process fake over HTTP and read the answer off the wire."""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree
from werkzeug.test import Client

from ips_fake.fake import IpsFake
from ips_fake.strategies import SOAP11_NAMESPACE, SOAP12_NAMESPACE, Rendered, envelope

SERVICE_PATH = "/scene7/services/IpsApiService"
FAULT_NAMESPACE = "http://www.scene7.com/IpsApi/xsd"


@dataclass(frozen=True)
class Answer:
    """One HTTP answer: status, and either the body's ``<op>Return`` or the fault's parts."""

    status: int
    body: etree._Element | None
    fault: str | None
    code: int | None
    reason: str | None


def wire_form(rendered: Rendered) -> tuple[bytes, str]:
    """Request bytes and Content-Type; bare elements and bytes go in a SOAP 1.1 envelope."""
    if rendered.content_type is not None:
        assert isinstance(rendered.content, bytes)
        return rendered.content, rendered.content_type
    element = rendered.content
    if isinstance(element, bytes):
        element = etree.fromstring(element)
    return envelope(element), "text/xml; charset=UTF-8"


def post(fake: IpsFake, data: bytes, content_type: str) -> Answer:
    """POST one SOAP request to ``fake`` and parse what comes back."""
    response = Client(fake.app).post(
        SERVICE_PATH, data=data, headers={"Content-Type": content_type}
    )
    root = etree.fromstring(response.get_data())
    soap = etree.QName(root).namespace
    assert soap in (SOAP11_NAMESPACE, SOAP12_NAMESPACE)
    body = root.find(f"{{{soap}}}Body")
    assert body is not None
    child = body[0]
    if etree.QName(child).localname != "Fault":
        return Answer(response.status_code, child, None, None, None)
    detail = next(iter(child.iter(f"{{{FAULT_NAMESPACE}}}*")))
    code = detail.findtext(f"{{{FAULT_NAMESPACE}}}code")
    return Answer(
        response.status_code,
        None,
        etree.QName(detail).localname,
        int(code) if code is not None else None,
        detail.findtext(f"{{{FAULT_NAMESPACE}}}reason"),
    )


def send(fake: IpsFake, rendered: Rendered) -> Answer:
    """Send a rendered document (wrapped in an envelope when it is bare)."""
    data, content_type = wire_form(rendered)
    return post(fake, data, content_type)
