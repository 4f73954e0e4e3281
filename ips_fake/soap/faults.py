"""The one place an :class:`IpsFault` becomes XML and an HTTP status (spec section 3)."""

from __future__ import annotations

from lxml import etree

from ips_fake.core.errors import FaultKind, IpsFault
from ips_fake.soap.envelope import ENVELOPE_PREFIX, SoapVersion
from ips_fake.soap.schema import UNVERSIONED_NAMESPACE

FAULT_STRINGS = {
    FaultKind.IPS_API: "ipsApiFault",
    FaultKind.AUTHENTICATION: "AuthenticationException",
    FaultKind.AUTHORIZATION: "AuthorizationException",
}
DEFAULT_FAULT_STATUS = 500


def fault_detail(fault: IpsFault) -> etree._Element:
    """The fault's detail element (``ns1:ipsApiFault`` …) with code and reason."""
    detail = etree.Element(
        f"{{{UNVERSIONED_NAMESPACE}}}{fault.kind.value}", nsmap={"ns1": UNVERSIONED_NAMESPACE}
    )
    etree.SubElement(detail, f"{{{UNVERSIONED_NAMESPACE}}}code").text = str(fault.code)
    etree.SubElement(detail, f"{{{UNVERSIONED_NAMESPACE}}}reason").text = fault.reason
    return detail


def fault_envelope(version: SoapVersion, fault: IpsFault) -> bytes:
    """The whole fault envelope for a SOAP version."""
    ns = version.value
    client_side = fault.kind is not FaultKind.IPS_API
    envelope = etree.Element(f"{{{ns}}}Envelope", nsmap={ENVELOPE_PREFIX: ns})
    body = etree.SubElement(envelope, f"{{{ns}}}Body")
    element = etree.SubElement(body, f"{{{ns}}}Fault")
    if version is SoapVersion.V11:
        code = etree.SubElement(element, "faultcode")
        code.text = f"{ENVELOPE_PREFIX}:{'Client' if client_side else 'Server'}"
        etree.SubElement(element, "faultstring").text = FAULT_STRINGS[fault.kind]
        etree.SubElement(element, "detail").append(fault_detail(fault))
    else:
        code = etree.SubElement(element, f"{{{ns}}}Code")
        value = etree.SubElement(code, f"{{{ns}}}Value")
        value.text = f"{ENVELOPE_PREFIX}:{'Sender' if client_side else 'Receiver'}"
        reason = etree.SubElement(element, f"{{{ns}}}Reason")
        text = etree.SubElement(reason, f"{{{ns}}}Text")
        text.set("{http://www.w3.org/XML/1998/namespace}lang", "en")
        text.text = FAULT_STRINGS[fault.kind]
        etree.SubElement(element, f"{{{ns}}}Detail").append(fault_detail(fault))
    return bytes(etree.tostring(envelope, xml_declaration=True, encoding="UTF-8"))


def fault_status(requested: int | None) -> int:
    """HTTP status of a fault: 500, or authHeader/faultHttpStatusCode when given."""
    return requested if requested is not None else DEFAULT_FAULT_STATUS


def must_understand_envelope(version: SoapVersion, header: etree.QName, reason: str) -> bytes:
    """SOAP's own MustUnderstand fault for a header entry the fake does not understand.

    SOAP 1.1: ``faultcode`` ``soapenv:MustUnderstand`` and no ``detail`` (the fault is about
    a header, not the body). SOAP 1.2: ``Code/Value`` ``soapenv:MustUnderstand`` and a
    ``soapenv:NotUnderstood`` header block naming the entry by its ``qname``.
    """
    ns = version.value
    envelope = etree.Element(f"{{{ns}}}Envelope", nsmap={ENVELOPE_PREFIX: ns})
    if version is SoapVersion.V12:
        head = etree.SubElement(envelope, f"{{{ns}}}Header")
        tag = f"{{{ns}}}NotUnderstood"
        if header.namespace:
            not_understood = etree.SubElement(head, tag, nsmap={"nu": header.namespace})
            not_understood.set("qname", f"nu:{header.localname}")
        else:
            etree.SubElement(head, tag).set("qname", header.localname)
    body = etree.SubElement(envelope, f"{{{ns}}}Body")
    element = etree.SubElement(body, f"{{{ns}}}Fault")
    if version is SoapVersion.V11:
        etree.SubElement(element, "faultcode").text = f"{ENVELOPE_PREFIX}:MustUnderstand"
        etree.SubElement(element, "faultstring").text = reason
    else:
        code = etree.SubElement(element, f"{{{ns}}}Code")
        etree.SubElement(code, f"{{{ns}}}Value").text = f"{ENVELOPE_PREFIX}:MustUnderstand"
        text = etree.SubElement(etree.SubElement(element, f"{{{ns}}}Reason"), f"{{{ns}}}Text")
        text.set("{http://www.w3.org/XML/1998/namespace}lang", "en")
        text.text = reason
    return bytes(etree.tostring(envelope, xml_declaration=True, encoding="UTF-8"))
