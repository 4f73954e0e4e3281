"""SOAP 1.1 / 1.2 envelopes: safe parsing of requests and building of responses.

Parsing never expands entities, never loads a DTD, never touches the network, and refuses
any document with a DOCTYPE, so hostile XML gets a fault instead of a hang.
"""

from __future__ import annotations

import base64
import binascii
import zlib
from dataclasses import dataclass
from enum import Enum

from lxml import etree

from ips_fake.core.errors import FaultCode, IpsFault
from ips_fake.soap.schema import UNVERSIONED_NAMESPACE, WSDL_NAMESPACE

SOAP11_NAMESPACE = "http://schemas.xmlsoap.org/soap/envelope/"
SOAP12_NAMESPACE = "http://www.w3.org/2003/05/soap-envelope"
#: The prefix every response envelope uses (naive clients string-match it).
ENVELOPE_PREFIX = "soapenv"
#: Largest request body the fake reads.
MAX_REQUEST_BYTES = 16 * 1024 * 1024


class SoapVersion(Enum):
    """The two SOAP versions, valued by their envelope namespace."""

    V11 = SOAP11_NAMESPACE
    V12 = SOAP12_NAMESPACE

    @property
    def content_type(self) -> str:
        """The Content-Type of a response in this version."""
        if self is SoapVersion.V11:
            return "text/xml; charset=UTF-8"
        return "application/soap+xml; charset=UTF-8"


@dataclass(frozen=True)
class Credentials:
    """Who the request says it is, and the authHeader knobs that shape the answer."""

    user: str | None = None
    password: str | None = None
    source: str = "none"
    locale: str | None = None
    app_name: str | None = None
    gzip_response: bool | None = None
    fault_http_status: int | None = None


@dataclass(frozen=True)
class SoapRequest:
    """A parsed request envelope."""

    version: SoapVersion
    body: etree._Element
    headers: tuple[etree._Element, ...]


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_blank_text=False,
        collect_ids=False,
    )


def malformed(reason: str) -> IpsFault:
    """An ipsApiFault 30003 (invalid request XML)."""
    return IpsFault(FaultCode.INVALID_REQUEST_XML, reason)


def decode_body(data: bytes, content_encoding: str) -> bytes:
    """The request body with its HTTP ``Content-Encoding`` (``gzip`` or ``deflate``) undone,
    never growing past :data:`MAX_REQUEST_BYTES`."""
    codings = [part.strip().lower() for part in content_encoding.split(",") if part.strip()]
    for coding in reversed(codings):
        if coding == "identity":
            continue
        if coding not in ("gzip", "x-gzip", "deflate"):
            raise malformed(
                f"the request's Content-Encoding {coding!r} is not supported; send gzip, "
                "deflate or an uncompressed body"
            )
        wbits = zlib.MAX_WBITS | 16 if coding != "deflate" else zlib.MAX_WBITS
        inflater = zlib.decompressobj(wbits)
        try:
            data = inflater.decompress(data, MAX_REQUEST_BYTES + 1)
        except zlib.error as error:
            raise malformed(
                f"the request says Content-Encoding {coding} but its body is not {coding} "
                f"data: {error}"
            ) from None
        if len(data) > MAX_REQUEST_BYTES or inflater.unconsumed_tail:
            raise malformed(f"the request body is larger than {MAX_REQUEST_BYTES} bytes")
        if not inflater.eof:
            raise malformed(f"the request's {coding} body is truncated")
    return data


def parse_envelope(data: bytes) -> SoapRequest:
    """Parse a request body into its SOAP version, header entries and body element."""
    if not data.strip():
        raise malformed("the request body is empty; send a SOAP envelope")
    if len(data) > MAX_REQUEST_BYTES:
        raise malformed(f"the request body is larger than {MAX_REQUEST_BYTES} bytes")
    try:
        root = etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as error:
        if b"<!DOCTYPE" in data:  # e.g. entity expansion stopped by libxml2's own limits
            raise malformed(
                f"DOCTYPE declarations are not allowed in SOAP messages ({error})"
            ) from None
        raise malformed(f"the request is not well-formed XML: {error}") from None
    tree = root.getroottree()
    docinfo = tree.docinfo
    if docinfo.doctype or docinfo.internalDTD is not None:  # type: ignore[union-attr]
        raise malformed("DOCTYPE declarations are not allowed in SOAP messages")
    qname = etree.QName(root)
    if qname.localname != "Envelope" or qname.namespace not in (SOAP11_NAMESPACE, SOAP12_NAMESPACE):
        raise malformed(f"the root element is {root.tag}, not a SOAP 1.1 or 1.2 Envelope")
    version = SoapVersion(qname.namespace)
    header = root.find(f"{{{version.value}}}Header")
    body = root.find(f"{{{version.value}}}Body")
    if body is None:
        raise malformed("the SOAP envelope has no Body")
    children = [child for child in body if isinstance(child.tag, str)]
    if len(children) != 1:
        raise malformed(f"the SOAP Body must hold exactly one element; it holds {len(children)}")
    headers = (
        tuple(child for child in header if isinstance(child.tag, str)) if header is not None else ()
    )
    return SoapRequest(version, children[0], headers)


def _text_of(element: etree._Element, name: str) -> str | None:
    for child in element:
        if isinstance(child.tag, str) and etree.QName(child).localname == name:
            return child.text or ""
    return None


def credentials_from(
    request: SoapRequest, authorization: str | None, body_namespace: str
) -> Credentials:
    """Credentials from authHeader (either namespace), AuthUser/AuthPassword, or HTTP Basic."""
    for header in request.headers:
        qname = etree.QName(header)
        if qname.localname == "authHeader" and qname.namespace in (
            UNVERSIONED_NAMESPACE,
            body_namespace,
        ):
            gzip_text = _text_of(header, "gzipResponse")
            status_text = _text_of(header, "faultHttpStatusCode")
            status = None
            if status_text is not None and status_text.strip().isdigit():
                status = int(status_text.strip())
                if not 100 <= status <= 599:
                    status = None
            return Credentials(
                user=_text_of(header, "user"),
                password=_text_of(header, "password"),
                source="authHeader",
                locale=_text_of(header, "locale"),
                app_name=_text_of(header, "appName"),
                gzip_response=None if gzip_text is None else gzip_text.strip() in ("true", "1"),
                fault_http_status=status,
            )
    legacy = {
        etree.QName(h).localname: h.text or ""
        for h in request.headers
        if etree.QName(h).namespace == WSDL_NAMESPACE
    }
    if "AuthUser" in legacy:
        return Credentials(legacy["AuthUser"], legacy.get("AuthPassword"), source="AuthUser")
    if authorization and authorization.lower().startswith("basic "):
        try:
            decoded = base64.b64decode(authorization[6:].strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return Credentials(source="basic")
        user, _, password = decoded.partition(":")
        return Credentials(user, password, source="basic")
    return Credentials()


def build_envelope(version: SoapVersion, body_child: etree._Element) -> bytes:
    """A response envelope (prefix ``soapenv``) around ``body_child``."""
    envelope = etree.Element(f"{{{version.value}}}Envelope", nsmap={ENVELOPE_PREFIX: version.value})
    body = etree.SubElement(envelope, f"{{{version.value}}}Body")
    body.append(body_child)
    return bytes(etree.tostring(envelope, xml_declaration=True, encoding="UTF-8"))
