"""What a recorded request is: its operation, the API version it used, and a label for reports.

Request bodies are parsed with :data:`SAFE_PARSER` (no entities, no network, no DTD)."""

from __future__ import annotations

from urllib.parse import urlsplit

from lxml import etree

from ips_fake.recording.exchanges import RecordedRequest, decode_content
from ips_fake.wsgi import SERVICE_PATH, XML_SERVICE_PATH

SAFE_PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, load_dtd=False, remove_blank_text=True
)
"""The parser of recorded bodies: resolves no entity, reaches no network, loads no DTD."""


def _local(element: etree._Element) -> str:
    return etree.QName(element).localname if isinstance(element.tag, str) else ""


def _parsed(request: RecordedRequest) -> etree._Element | None:
    """The request body as XML (a compressed one decompressed), or None."""
    plain = decode_content(request.body, request.header("content-encoding") or "")
    if plain is None or not plain.strip():
        return None
    try:
        return etree.fromstring(plain, SAFE_PARSER)
    except etree.XMLSyntaxError:
        return None


def operation_name(request: RecordedRequest) -> str | None:
    """The ``<op>Param`` element's local name of a SOAP or plain-XML request, or None."""
    root = _parsed(request)
    if root is None:
        return None
    if urlsplit(request.path).path == XML_SERVICE_PATH:
        param = next((child for child in root if _local(child).endswith("Param")), None)
        return _local(param) if param is not None else None
    body = next((child for child in root if _local(child) == "Body"), None)
    if body is not None and len(body):
        return _local(body[0])
    return None


def request_label(request: RecordedRequest) -> str:
    name = operation_name(request)
    if name is not None:
        return name
    if _parsed(request) is None and request.body.strip():
        return f"{request.method} {request.path} (not XML)"
    return f"{request.method} {request.path}"


def _version_of(namespace: str) -> str | None:
    from ips_fake.soap.schema import version_for_namespace

    version = version_for_namespace(namespace)
    return version.label if version is not None else None


def request_version(request: RecordedRequest) -> str | None:
    """The API version label a recorded request used: its operation element's namespace
    (SOAP), its ``<Request>``'s (plain XML endpoint), or its WSDL file name; None if unknown."""
    from ips_fake.soap.schema import version_for_wsdl_file

    path = urlsplit(request.path).path
    if request.method == "GET" and path == SERVICE_PATH:
        from ips_fake.wsgi import SERVICE_WSDL_VERSION

        return SERVICE_WSDL_VERSION.label  # what ?wsdl serves
    if request.method == "GET" and path.endswith(".wsdl"):
        version = version_for_wsdl_file(path.rsplit("/", 1)[-1])
        return version.label if version is not None else None
    root = _parsed(request)
    if root is None:
        return None
    if path == XML_SERVICE_PATH:
        return _version_of(etree.QName(root).namespace or "")
    body = next((child for child in root if _local(child) == "Body"), None)
    if body is None or not len(body):
        return None
    return _version_of(etree.QName(body[0]).namespace or "")
