"""SOAP 1.1 / 1.2 envelopes: safe parsing of requests and building of responses.

Parsing never expands entities, never loads a DTD, and never opens a file or a connection:
a DOCTYPE is refused by scanning the prolog before the parser sees the bytes (in whatever
encoding the body is), and the parser's resolver refuses every URL besides. Hostile XML gets
one fixed fault instead of a hang or an oracle on the server's files.
"""

from __future__ import annotations

import base64
import binascii
import codecs
import contextlib
import re
import threading
import zlib
from dataclasses import dataclass
from enum import Enum
from typing import Any

from lxml import etree

from ips_fake.core.errors import FaultCode, IpsFault
from ips_fake.soap.schema import UNVERSIONED_NAMESPACE, WSDL_NAMESPACE, version_for_namespace
from ips_fake.soap.validation import SchemaViolation

SOAP11_NAMESPACE = "http://schemas.xmlsoap.org/soap/envelope/"
SOAP12_NAMESPACE = "http://www.w3.org/2003/05/soap-envelope"
#: The prefix every response envelope uses (naive clients string-match it).
ENVELOPE_PREFIX = "soapenv"
#: Largest request body the fake reads, in bytes (also the cap on a decompressed body).
MAX_REQUEST_BYTES = 16 * 1024 * 1024
#: The one reason every request with a DOCTYPE gets, whatever the DOCTYPE names.
DOCTYPE_REFUSED = "DOCTYPE declarations are not allowed in SOAP messages"
#: HTTP statuses that must not carry a body, so cannot carry a fault either.
BODILESS_STATUSES = frozenset({204, 205, 304})


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


#: Credentials of a request that gives none.
NO_CREDENTIALS = Credentials()


@dataclass(frozen=True)
class SoapRequest:
    """A parsed request envelope."""

    version: SoapVersion
    body: etree._Element
    headers: tuple[etree._Element, ...]


class _RefuseEveryUrl(etree.Resolver):
    """Answers every URL the parser asks for (an external subset, a parameter entity) with
    nothing, so libxml2 never opens a file or a connection, whatever ``load_dtd`` says."""

    def resolve(self, system_url: str, public_id: str, context: Any = None) -> Any:
        """Resolve ``system_url`` to an empty document, whatever it names."""
        return self.resolve_string("", context, base_url=None)


def _new_parser() -> etree.XMLParser:
    parser = etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_blank_text=False,
        collect_ids=False,
    )
    parser.resolvers.add(_RefuseEveryUrl())
    return parser


_PARSERS = threading.local()


def _parser() -> etree.XMLParser:
    """This thread's request parser (see :func:`_new_parser`): made once per thread, as an
    lxml parser must not parse in two threads at once and costs to build."""
    parser: etree.XMLParser | None = getattr(_PARSERS, "parser", None)
    if parser is None:
        parser = _PARSERS.parser = _new_parser()
    return parser


# XML 1.0 appendix F: the encoding family a document's first bytes announce, BOM first.
_BYTE_ORDER_MARKS = (
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
)
_FIRST_BYTES = (
    (b"\x00\x00\x00<", "utf-32-be"),
    (b"<\x00\x00\x00", "utf-32-le"),
    (b"Lo\xa7\x94", "cp037"),  # "<?xm" in EBCDIC
)
_DECLARED_ENCODING = re.compile(
    r"""^\s*<\?xml[^>]*?\sencoding\s*=\s*["']([A-Za-z0-9._:-]{1,40})["']"""
)


def _encoding_family(data: bytes) -> str:
    """The Python codec that reads the document's first bytes (BOM, else the byte pattern of
    ``<``), UTF-8 when nothing says otherwise."""
    for mark, encoding in _BYTE_ORDER_MARKS:
        if data.startswith(mark):
            return encoding
    for start, encoding in _FIRST_BYTES:
        if data.startswith(start):
            return encoding
    if len(data) >= 2 and data[0] == 0 and data[1] != 0:
        return "utf-16-be"
    if len(data) >= 2 and data[0] != 0 and data[1] == 0:
        return "utf-16-le"
    return "utf-8"


def _prolog_readings(data: bytes) -> list[str]:
    """The body decoded every way a parser might read it: in the family its first bytes
    announce and, when the XML declaration names another encoding Python knows, in that one."""
    family = _encoding_family(data)
    readings = [data.decode(family, errors="replace").lstrip("\ufeff")]
    declared = _DECLARED_ENCODING.match(readings[0])
    if declared:
        try:
            codec = codecs.lookup(declared.group(1)).name
        except LookupError:
            codec = None
        if codec is not None and codec != codecs.lookup(family).name:
            with contextlib.suppress(LookupError):  # e.g. base64: a codec but not a text one
                readings.append(data.decode(codec, errors="replace").lstrip("\ufeff"))
    return readings


def _prolog_has_declaration(text: str) -> bool:
    """Whether the prolog (before the root element) holds ``<!`` markup other than a comment:
    a DOCTYPE, or something a parser might take for one."""
    position = 0
    while True:
        while position < len(text) and text[position] in " \t\r\n":
            position += 1
        if text.startswith("<!--", position):
            end = text.find("-->", position + 4)
        elif text.startswith("<?", position):
            end = text.find("?>", position + 2)
        else:
            return text.startswith("<!", position)
        if end < 0:
            return False  # an unterminated comment or PI: the parser reports it
        position = end + (3 if text[end] == "-" else 2)


def refuse_doctype(data: bytes) -> None:
    """Raise ipsApiFault 30003 with :data:`DOCTYPE_REFUSED` when the body's prolog holds a
    DOCTYPE, in any encoding a parser could read it in (BOMs, UTF-16/32, a declared encoding),
    after any comments and processing instructions. Runs before the parser sees the bytes."""
    if _starts_with_element(data):
        return  # no prolog at all: nothing to read it as but UTF-8, and no markup before it
    if any(_prolog_has_declaration(text) for text in _prolog_readings(data)):
        raise malformed(DOCTYPE_REFUSED)


#: A document starting (after XML whitespace) with a start tag, in ASCII bytes: ``<`` then a
#: name's first character other than ``!`` and ``?``.
_ELEMENT_FIRST = re.compile(rb"[ \t\r\n]*<[A-Za-z_:]")


def _starts_with_element(data: bytes) -> bool:
    """Whether ``data`` has no prolog: no BOM, no XML declaration, comment or PI, its first
    bytes (after whitespace) an ASCII start tag. Such a body is read as UTF-8 by every
    parser (:func:`_encoding_family`) and holds no ``<!`` before its root element."""
    return _ELEMENT_FIRST.match(data) is not None


def malformed(reason: str) -> IpsFault:
    """An ipsApiFault 30003 (invalid request XML)."""
    return IpsFault(FaultCode.INVALID_REQUEST_XML, reason)


def decode_body(data: bytes, content_encoding: str) -> bytes:
    """The request body with its HTTP ``Content-Encoding`` (``gzip`` or ``deflate``) undone,
    never growing past :data:`MAX_REQUEST_BYTES`."""
    if not content_encoding:
        return data  # most requests: nothing to undo
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


def parse_request_document(data: bytes, expected: str) -> etree._Element:
    """The root element of a request body, parsed safely: empty, oversized (over
    :data:`MAX_REQUEST_BYTES`), DOCTYPE-bearing or malformed bodies are ipsApiFault 30003
    (``expected`` names what to send instead of an empty body, e.g. ``a SOAP envelope``)."""
    if not data.strip():
        raise malformed(f"the request body is empty; send {expected}")
    if len(data) > MAX_REQUEST_BYTES:
        raise malformed(f"the request body is larger than {MAX_REQUEST_BYTES} bytes")
    refuse_doctype(data)
    try:
        root = etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as error:
        if b"<!DOCTYPE" in data:  # never quote libxml2 on a DTD: it may describe a file
            raise malformed(DOCTYPE_REFUSED) from None
        raise malformed(f"the request is not well-formed XML: {error}") from None
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None:  # type: ignore[union-attr]
        raise malformed(DOCTYPE_REFUSED)
    return root


_ENVELOPE_TAGS = {f"{{{version.value}}}Envelope": version for version in SoapVersion}
_HEADER_AND_BODY_TAGS = {
    version: (f"{{{version.value}}}Header", f"{{{version.value}}}Body") for version in SoapVersion
}


def name_parts(element: etree._Element) -> tuple[str | None, str]:
    """``(namespace, local name)`` of an element (namespace None when it has none), as
    ``etree.QName`` gives them, without building one."""
    tag = element.tag
    if not isinstance(tag, str):
        qname = etree.QName(element)
        return qname.namespace, qname.localname
    if tag[:1] == "{":
        namespace, _, local = tag[1:].partition("}")
        return namespace, local
    return None, tag


def parse_envelope(data: bytes) -> SoapRequest:
    """Parse a request body into its SOAP version, header entries and body element."""
    root = parse_request_document(data, "a SOAP envelope")
    version = _ENVELOPE_TAGS.get(root.tag)
    if version is None:
        raise malformed(f"the root element is {root.tag}, not a SOAP 1.1 or 1.2 Envelope")
    header_tag, body_tag = _HEADER_AND_BODY_TAGS[version]
    header = body = None
    for child in root:  # the first Header and the first Body, as root.find gives them
        tag = child.tag
        if tag == body_tag:
            if body is None:
                body = child
        elif tag == header_tag and header is None:
            header = child
    if body is None:
        raise malformed("the SOAP envelope has no Body")
    children = [child for child in body if isinstance(child.tag, str)]
    if len(children) != 1:
        raise malformed(f"the SOAP Body must hold exactly one element; it holds {len(children)}")
    headers = (
        tuple([child for child in header if isinstance(child.tag, str)])
        if header is not None
        else ()
    )
    return SoapRequest(version, children[0], headers)


def parse_plain_request(data: bytes) -> SoapRequest:
    """Parse a body of the plain XML endpoint: a ``<Request>`` root (in any namespace) holding
    an optional ``authHeader`` and exactly one other element, the ``<op>Param``.

    Returns a :class:`SoapRequest` whose ``headers`` hold the ``authHeader`` (``version`` is
    SOAP 1.1, which nothing reads). Refuses a DOCTYPE and malformed XML exactly as
    :func:`parse_envelope` does (ipsApiFault 30003).
    """
    root = parse_request_document(data, "a <Request> document")
    if etree.QName(root).localname != "Request":
        raise malformed(
            f"the root element is {root.tag}; the XML endpoint takes a <Request> holding "
            "authHeader and one <op>Param"
        )
    children = [child for child in root if isinstance(child.tag, str)]
    headers = tuple(c for c in children if etree.QName(c).localname == "authHeader")
    params = [c for c in children if etree.QName(c).localname != "authHeader"]
    if len(params) != 1 or len(headers) > 1:
        raise malformed(
            "a <Request> must hold at most one authHeader and exactly one <op>Param; "
            f"this one holds {len(headers)} authHeader and {len(params)} other element(s)"
        )
    return SoapRequest(SoapVersion.V11, params[0], headers)


_AUTH_FIELDS = frozenset(
    {"user", "password", "locale", "appName", "gzipResponse", "faultHttpStatusCode"}
)


def _texts_of(element: etree._Element) -> dict[str, str]:
    """The text ('' when empty) of the first child of each local name in :data:`_AUTH_FIELDS`."""
    texts: dict[str, str] = {}
    for child in element:
        tag = child.tag
        if isinstance(tag, str):
            name = tag.rpartition("}")[2]
            if name in _AUTH_FIELDS and name not in texts:
                texts[name] = child.text or ""
    return texts


def fault_http_status(text: str) -> int:
    """The HTTP status an ``authHeader/faultHttpStatusCode`` asks faults to carry.

    Raises a :class:`SchemaViolation` (ipsApiFault 30001 naming faultHttpStatusCode) unless
    ``text`` is ASCII digits (XML whitespace around them allowed) naming a status from 200 to
    599 that may carry a body (not 204, 205 or 304).
    """
    digits = text.strip(" \t\r\n")
    if not re.fullmatch(r"[0-9]+", digits):
        raise SchemaViolation(
            FaultCode.INVALID_PARAMETER,
            f"authHeader faultHttpStatusCode {text!r} is not a whole number in ASCII digits",
        )
    significant = digits.lstrip("0") or "0"
    status = int(significant) if len(significant) <= 3 else None
    if status is None or not 200 <= status <= 599 or status in BODILESS_STATUSES:
        raise SchemaViolation(
            FaultCode.INVALID_PARAMETER,
            f"authHeader faultHttpStatusCode {digits[:20]} is not an HTTP status a fault can "
            "carry: give one from 200 to 599 other than 204, 205 and 304",
        )
    return status


def credentials_from(
    request: SoapRequest, authorization: str | None, body_namespace: str
) -> Credentials:
    """Credentials from authHeader (either namespace), AuthUser/AuthPassword, or HTTP Basic."""
    for header in request.headers:
        namespace, local = name_parts(header)
        if local == "authHeader" and namespace in (
            UNVERSIONED_NAMESPACE,
            body_namespace,
        ):
            texts = _texts_of(header)
            gzip_text = texts.get("gzipResponse")
            status_text = texts.get("faultHttpStatusCode")
            status = None if status_text is None else fault_http_status(status_text)
            return Credentials(
                user=texts.get("user"),
                password=texts.get("password"),
                source="authHeader",
                locale=texts.get("locale"),
                app_name=texts.get("appName"),
                gzip_response=None if gzip_text is None else gzip_text.strip() in ("true", "1"),
                fault_http_status=status,
            )
    legacy = {
        name_parts(h)[1]: h.text or ""
        for h in request.headers
        if name_parts(h)[0] == WSDL_NAMESPACE
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
    return NO_CREDENTIALS


SOAP11_ACTOR_NEXT = "http://schemas.xmlsoap.org/soap/actor/next"
SOAP12_ROLES_OF_THE_SERVER = frozenset(
    {
        "http://www.w3.org/2003/05/soap-envelope/role/next",
        "http://www.w3.org/2003/05/soap-envelope/role/ultimateReceiver",
    }
)
_MUST_UNDERSTAND_VALUES = {
    SoapVersion.V11: ({"1", "true"}, {"0", "false"}),
    SoapVersion.V12: ({"true", "1"}, {"false", "0"}),
}
LEGACY_HEADERS = frozenset({"AuthUser", "AuthPassword"})


class MustUnderstandFault(Exception):
    """A header entry marked ``mustUnderstand`` that the fake does not understand: SOAP's own
    MustUnderstand fault, not one of IPS's (``header`` is its qualified name)."""

    def __init__(self, header: etree.QName) -> None:
        super().__init__(f"the SOAP header {header.text} is marked mustUnderstand")
        self.header = header
        self.reason = (
            f"the SOAP header entry {header.localname!r} in namespace "
            f"{header.namespace or '(none)'!r} is marked mustUnderstand, and this server "
            "understands only authHeader (in an IPS namespace) and AuthUser/AuthPassword"
        )


def is_understood(header: etree._Element) -> bool:
    """Whether the fake processes this header entry: ``authHeader`` in the unversioned or a
    versioned IPS namespace, or the legacy ``AuthUser``/``AuthPassword``."""
    qname = etree.QName(header)
    namespace = qname.namespace or ""
    if qname.localname == "authHeader":
        return namespace == UNVERSIONED_NAMESPACE or version_for_namespace(namespace) is not None
    return qname.localname in LEGACY_HEADERS and namespace == WSDL_NAMESPACE


def check_must_understand(request: SoapRequest) -> None:
    """Raise :class:`MustUnderstandFault` for the first header entry aimed at this server
    (no actor/role, or SOAP's "next"/"ultimateReceiver") that is marked ``mustUnderstand``
    (1.1: ``1``/``true``; 1.2: ``true``/``1``) and that :func:`is_understood` rejects; raise
    ipsApiFault 30003 for a ``mustUnderstand`` value that is no boolean."""
    if not request.headers:
        return
    ns = request.version.value
    required, optional = _MUST_UNDERSTAND_VALUES[request.version]
    attribute = f"{{{ns}}}mustUnderstand"
    for header in request.headers:
        value = header.get(attribute)
        if value is None or value.strip() in optional:
            continue
        if value.strip() not in required:
            raise malformed(
                f"the SOAP header entry {etree.QName(header).localname!r} has mustUnderstand "
                f"{value!r}; it must be one of {', '.join(sorted(required | optional))}"
            )
        if request.version is SoapVersion.V11:
            actor = header.get(f"{{{ns}}}actor")
            aimed_here = actor is None or actor.strip() == SOAP11_ACTOR_NEXT
        else:
            role = header.get(f"{{{ns}}}role")
            aimed_here = role is None or role.strip() in SOAP12_ROLES_OF_THE_SERVER
        if aimed_here and not is_understood(header):
            raise MustUnderstandFault(etree.QName(header))


def _tree_envelope(version: SoapVersion, body_child: etree._Element) -> bytes:
    """:func:`build_envelope` the slow way: the child moved into an envelope tree."""
    envelope = etree.Element(f"{{{version.value}}}Envelope", nsmap={ENVELOPE_PREFIX: version.value})
    body = etree.SubElement(envelope, f"{{{version.value}}}Body")
    body.append(body_child)
    return bytes(etree.tostring(envelope, xml_declaration=True, encoding="UTF-8"))


_ENVELOPE_WRAPPING = {
    version: (
        (
            "<?xml version='1.0' encoding='UTF-8'?>\n"
            f'<{ENVELOPE_PREFIX}:Envelope xmlns:{ENVELOPE_PREFIX}="{version.value}">'
            f"<{ENVELOPE_PREFIX}:Body>"
        ).encode(),
        f"</{ENVELOPE_PREFIX}:Body></{ENVELOPE_PREFIX}:Envelope>".encode(),
    )
    for version in SoapVersion
}


def build_envelope(version: SoapVersion, body_child: etree._Element) -> bytes:
    """A response envelope (prefix ``soapenv``) around ``body_child``.

    The child, a root element declaring its own namespaces, is serialized on its own between
    the envelope's fixed opening and closing bytes: the same bytes as moving it into an
    envelope tree, without lxml re-homing every node of a long answer. A child that is not
    such a root (it has a parent, or uses the envelope's prefix) is moved into a tree.
    """
    if body_child.getparent() is not None or ENVELOPE_PREFIX in body_child.nsmap:
        return _tree_envelope(version, body_child)
    opening, closing = _ENVELOPE_WRAPPING[version]
    return opening + etree.tostring(body_child, encoding="UTF-8") + closing
