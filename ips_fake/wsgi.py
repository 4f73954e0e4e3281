"""The WSGI app: the SOAP endpoint, the WSDL files, and the admin API.

Routes:

- ``POST /scene7/services/IpsApiService``: SOAP 1.1 and 1.2
- ``GET /scene7/webservice/IpsApi.wsdl`` and ``IpsApi-<version>.wsdl``; ``GET
  /scene7/services/IpsApiService?wsdl`` (the 2014-04-03 WSDL)
- ``GET /_fake/`` and ``/_fake/dashboard/...``: the dashboard (see :mod:`ips_fake.dashboard`)
- ``/_fake/...``: the admin API (see :mod:`ips_fake.admin`)

A SOAP request body is read with limits (see ``docs/limits.md``): a ``Content-Length`` over
:data:`~ips_fake.soap.envelope.MAX_REQUEST_BYTES` is refused before a byte of the body is
read (HTTP 413), a chunked body is read only up to that limit, and a body that ends early or
stops arriving (the server's read timeout) gets HTTP 400; each answer is ipsApiFault 30003.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from typing import TYPE_CHECKING

from werkzeug.wrappers import Request, Response

from ips_fake.admin import AdminApi
from ips_fake.core.service import IpsService
from ips_fake.dashboard import Dashboard
from ips_fake.soap.endpoint import SoapAnswer, SoapEndpoint
from ips_fake.soap.envelope import MAX_REQUEST_BYTES
from ips_fake.soap.schema import API_VERSIONS, ApiVersion, version_for_wsdl_file, wsdl_document

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIEnvironment

SERVICE_PATH = "/scene7/services/IpsApiService"
#: The plain XML endpoint: a ``<Request>`` document in, the bare ``<op>Return`` out.
XML_SERVICE_PATH = "/scene7/api/IpsApiService"
#: Bytes read from the request stream at a time.
READ_CHUNK_BYTES = 64 * 1024
WSDL_FOLDER = "/scene7/webservice/"
#: The version served at ``IpsApiService?wsdl``: the one current clients load.
SERVICE_WSDL_VERSION: ApiVersion = next(
    v for v in API_VERSIONS if v.wsdl_file == "IpsApi-2014-04-03.wsdl"
)


class BodyRefused(Exception):
    """A request body the app will not read whole: ``status`` is the HTTP status of the
    answer (413 too large, 400 cut short or stopped arriving), ``received`` the bytes read."""

    def __init__(self, status: int, reason: str, received: bytes = b"") -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason
        self.received = received


def declared_length(request: Request) -> int | None:
    """The request's ``Content-Length`` in bytes, or None when the body is chunked or has no
    length. Raises :class:`BodyRefused` (400) for a length that is not ASCII digits and
    (413) for one over :data:`MAX_REQUEST_BYTES`, before any of the body is read."""
    return _declared_length(request.environ)


def _declared_length(environ: WSGIEnvironment) -> int | None:
    """:func:`declared_length` read from the WSGI environ (the header values werkzeug's
    ``request.headers`` gives)."""
    if "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower():
        return None
    text = environ.get("CONTENT_LENGTH")
    if text is None:
        return None
    digits = text.strip()
    if not digits.isascii() or not digits.isdigit():
        raise BodyRefused(400, f"the request's Content-Length {text[:40]!r} is not a number")
    significant = digits.lstrip("0") or "0"  # int() refuses more than 4,300 digits
    if len(significant) > len(str(MAX_REQUEST_BYTES)) or int(significant) > MAX_REQUEST_BYTES:
        raise BodyRefused(
            413,
            f"the request body is larger than {MAX_REQUEST_BYTES} bytes "
            f"(Content-Length {digits[:40]}); it was not read",
        )
    return int(significant)


def read_request_body(request: Request) -> bytes:
    """The request body, read with limits: exactly ``Content-Length`` bytes when given (see
    :func:`declared_length`), else (a chunked body) at most :data:`MAX_REQUEST_BYTES`.

    Raises :class:`BodyRefused`: 413 for a body over the limit, 400 for one that ends before
    its ``Content-Length``, that stops arriving (the server's socket read timeout), or whose
    chunked framing is broken.
    """
    return _read_body(request.environ)


def _read_body(environ: WSGIEnvironment) -> bytes:
    """:func:`read_request_body` from the WSGI environ."""
    length = _declared_length(environ)
    if length is None and not environ.get("wsgi.input_terminated"):
        return b""  # no length and no server-side framing: nothing can be read safely
    stream = environ["wsgi.input"]
    # read1 returns what has arrived (one socket read), so a stall is counted exactly
    read = getattr(stream, "read1", stream.read)
    limit = MAX_REQUEST_BYTES if length is None else length
    parts: list[bytes] = []
    received = 0
    try:
        while received <= limit:
            want = min(READ_CHUNK_BYTES, limit + 1 - received)
            if length is not None:
                want = min(want, length - received)
                if want == 0:
                    break
            chunk = read(want)
            if not chunk:
                break
            parts.append(chunk)
            received += len(chunk)
    except TimeoutError:
        raise BodyRefused(
            400,
            f"the request body stopped arriving: the read timed out after {received} bytes"
            + (f" of {length}" if length is not None else ""),
            b"".join(parts),
        ) from None
    except (OSError, ValueError) as error:  # e.g. a broken chunk header, a dropped client
        raise BodyRefused(
            400,
            f"the request body could not be read after {received} bytes: {error}",
            b"".join(parts),
        ) from None
    body = parts[0] if len(parts) == 1 else b"".join(parts)
    if length is not None and received < length:
        raise BodyRefused(
            400,
            f"the request body ended after {received} of the {length} bytes its "
            "Content-Length announced",
            body,
        )
    if received > limit:
        raise BodyRefused(
            413,
            f"the request body is larger than {MAX_REQUEST_BYTES} bytes; the rest was not read",
            body,
        )
    return body


@functools.cache
def _status_line(code: int) -> str:
    """The status line werkzeug's ``Response`` sends for ``code`` (e.g. ``500 INTERNAL SERVER
    ERROR``), so a SOAP answer written straight to WSGI goes out exactly as one would."""
    return Response(status=code).status


class IpsFakeApp:
    """A WSGI application over one :class:`IpsService`."""

    def __init__(self, service: IpsService, *, validate_responses: bool = False) -> None:
        self.service = service
        self.endpoint = SoapEndpoint(service, validate_responses=validate_responses)
        self.admin = AdminApi(service, self.endpoint.journal)
        self._dashboard: Dashboard | None = None

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == SERVICE_PATH and environ.get("REQUEST_METHOD") == "POST":
            # the hot path: a SOAP call, answered without werkzeug's Request and Response
            # objects (the same status line, headers and body as respond() gives)
            answer = self._soap_answer(environ)
            start_response(
                _status_line(answer.status),
                [*answer.headers.items(), ("Content-Length", str(len(answer.body)))],
            )
            return [answer.body]
        request = Request(environ)
        response = self.respond(request)
        return response(environ, start_response)

    def respond(self, request: Request) -> Response:
        """The response to one request."""
        path = request.path
        if path == SERVICE_PATH:
            if request.method == "GET" and "wsdl" in {key.lower() for key in request.args}:
                return self._wsdl(request, SERVICE_WSDL_VERSION)
            if request.method != "POST":
                return Response(
                    "POST SOAP requests here; GET ?wsdl for the WSDL",
                    status=405,
                    headers={"Allow": "GET, POST"},
                )
            return self._soap(request)
        if path == XML_SERVICE_PATH:
            if request.method != "POST":
                return Response(
                    "POST <Request> documents here (authHeader and one <op>Param)",
                    status=405,
                    headers={"Allow": "POST"},
                )
            return self._soap(request, plain=True)
        if path.startswith(WSDL_FOLDER) and request.method == "GET":
            version = version_for_wsdl_file(path[len(WSDL_FOLDER) :])
            if version is not None:
                return self._wsdl(request, version)
        if Dashboard.serves(path):
            return self.dashboard(request)
        if path.startswith("/_fake/"):
            return self.admin(request)
        return Response(f"not found: {path}", status=404, content_type="text/plain; charset=utf-8")

    @property
    def dashboard(self) -> Dashboard:
        """The dashboard at ``/_fake/``, built when first asked for (most fakes never are)."""
        if self._dashboard is None:
            self._dashboard = Dashboard(self.service, self.endpoint.journal, self.admin)
        return self._dashboard

    def _wsdl(self, request: Request, version: ApiVersion) -> Response:
        address = request.host_url.rstrip("/") + SERVICE_PATH
        return Response(wsdl_document(version, address), content_type="text/xml; charset=UTF-8")

    def _soap(self, request: Request, *, plain: bool = False) -> Response:
        answer = self._soap_answer(request.environ, plain=plain)
        return Response(answer.body, status=answer.status, headers=answer.headers)

    def _soap_answer(self, environ: WSGIEnvironment, *, plain: bool = False) -> SoapAnswer:
        """The endpoint's answer to the SOAP (or, ``plain``, XML endpoint) request in
        ``environ``; header values are read as werkzeug's ``request.headers`` gives them, and
        the base URL (werkzeug's ``request.host_url``) only when an answer holds a URL."""
        content_type = environ.get("CONTENT_TYPE", "")
        accept_encoding = environ.get("HTTP_ACCEPT_ENCODING", "")
        try:
            body = _read_body(environ)
        except BodyRefused as refused:
            return self.endpoint.refuse(
                refused.reason,
                status=refused.status,
                received=refused.received,
                content_type=content_type,
                accept_encoding=accept_encoding,
                plain=plain,
            )
        return self.endpoint.handle(
            body,
            content_type=content_type,
            authorization=environ.get("HTTP_AUTHORIZATION"),
            accept_encoding=accept_encoding,
            base_url=lambda: Request(environ).host_url,
            content_encoding=environ.get("HTTP_CONTENT_ENCODING", ""),
            plain=plain,
        )
