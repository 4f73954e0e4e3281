"""``ips-fake record``: a recording reverse proxy in front of one IPS endpoint.

Any client (Java, PHP, .NET, node, Python) uses the proxy as its IPS endpoint. The proxy
forwards, to the one upstream it was started with and nowhere else:

- ``POST /scene7/services/IpsApiService`` (SOAP) and ``GET …/IpsApiService?wsdl``;
- ``POST /scene7/api/IpsApiService`` (the plain XML endpoint);
- ``GET /scene7/webservice/<name>.wsdl`` (and ``.xsd``).

Anything else, the admin API ``/_fake/`` included, is answered by the proxy itself (403 or
404, never forwarded). The client gets the upstream's answer as it came (status, body,
``Content-Type``, ``Content-Encoding``: a gzip answer stays gzip), except that WSDL answers
are decompressed and their ``soap:address`` (and any URL on the upstream's origin) rewritten
to the proxy, so a client built from them keeps talking through it.

Each exchange is appended to the cassette, which is written after every exchange: the
request scrubbed (see :mod:`ips_fake.scrubbing`; the live call keeps its secrets) and
decompressed, the answer decompressed. Upstream errors (HTTP 500 faults, 404s) are passed on
and recorded; an upstream that cannot be reached gets the client a 502, one that does not
answer within ``timeout`` seconds a 504, each with a plain-text body saying so, and neither
is recorded. Limits: request bodies as the fake's (16 MiB), upstream answers up to
:data:`MAX_UPSTREAM_BYTES`, at most :data:`MAX_RECORDED_EXCHANGES` recorded.

Example::

    proxy = RecordingProxy("https://s7sps1apissl.scene7.com", Path("nightly.json"))
    with AppServer(proxy) as server:
        ...                      # point the client at server.base_url
"""

from __future__ import annotations

import http.client
import json
import re
import ssl
import sys
import threading
from collections.abc import Callable, Iterable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote, urlsplit

from lxml import etree
from werkzeug.wrappers import Request, Response

from ips_fake.recording import (
    Cassette,
    CassetteMetadata,
    Interaction,
    RecordedResponse,
    decode_content,
    stored_request,
)
from ips_fake.wsgi import (
    SERVICE_PATH,
    WSDL_FOLDER,
    XML_SERVICE_PATH,
    BodyRefused,
    read_request_body,
)

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIEnvironment

__all__ = [
    "DEFAULT_UPSTREAM_TIMEOUT",
    "MAX_RECORDED_EXCHANGES",
    "MAX_UPSTREAM_BYTES",
    "RecordingProxy",
    "rewrite_wsdl",
]

#: Seconds the proxy waits for the upstream to connect and for each read of its answer.
DEFAULT_UPSTREAM_TIMEOUT = 30.0
#: The largest upstream answer passed on (64 MiB); a larger one gets the client a 502.
MAX_UPSTREAM_BYTES = 64 * 1024 * 1024
#: Exchanges recorded at most; later ones are still forwarded, not recorded (with a warning).
MAX_RECORDED_EXCHANGES = 10_000

# Hop-by-hop headers (RFC 9110 §7.6.1) and the ones the proxy sets itself.
_NOT_FORWARDED = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "proxy-connection",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
        "host",
        "content-length",
        "expect",
    }
)
_ANSWER_HEADERS = ("content-type", "content-encoding")
_WSDL_NAMESPACES = (
    "http://schemas.xmlsoap.org/wsdl/soap/",
    "http://schemas.xmlsoap.org/wsdl/soap12/",
)
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)


def rewrite_wsdl(body: bytes, upstream: str, proxy: str) -> bytes | None:
    """``body`` (a WSDL or XSD) with every ``soap:address``/``soap12:address`` location moved
    to ``proxy`` (its path kept) and every attribute URL on ``upstream``'s origin moved to
    ``proxy``; None when the body is not XML."""
    try:
        root = etree.fromstring(body, _PARSER)
    except etree.XMLSyntaxError:
        return None
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        name = etree.QName(element)
        for raw_key, raw_value in element.attrib.items():
            key, value = str(raw_key), str(raw_value)
            if name.localname == "address" and name.namespace in _WSDL_NAMESPACES:
                if key == "location":
                    parts = urlsplit(value)
                    element.set(key, proxy + (parts.path or SERVICE_PATH))
            elif value.startswith(upstream + "/"):
                element.set(key, proxy + value[len(upstream) :])
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))


#: A WSDL or XSD file name under the WSDL folder: one plain segment (the decoded path is what
#: is checked, so an encoded "/", "?" or ".." can never reach past it)
_WSDL_FILE = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9._-]*\.(?:wsdl|xsd)")


def _forwarded(path: str, method: str, query: Iterable[str]) -> str | None:
    """Why ``method path`` is not forwarded, or None when it is."""
    if path.startswith("/_fake/") or path == "/_fake":
        return "the recording proxy never forwards the ips-fake admin API (/_fake/)"
    if path == SERVICE_PATH and (method == "POST" or {key.lower() for key in query} == {"wsdl"}):
        return None
    if path == XML_SERVICE_PATH and method == "POST":
        return None
    if (
        method == "GET"
        and _WSDL_FILE.fullmatch(path.removeprefix(WSDL_FOLDER))
        and (path.startswith(WSDL_FOLDER))
    ):
        return None
    return (
        f"the recording proxy forwards only POST {SERVICE_PATH}, GET {SERVICE_PATH}?wsdl, "
        f"POST {XML_SERVICE_PATH} and GET {WSDL_FOLDER}*.wsdl; not {method} {path}"
    )


def _text(status: int, message: str) -> Response:
    return Response(message + "\n", status=status, content_type="text/plain; charset=utf-8")


class _UpstreamTooLarge(Exception):
    pass


class RecordingProxy:
    """The proxy's WSGI app: forwards to ``upstream`` and records into ``cassette``, saved to
    ``out`` after every exchange (not saved when ``out`` is None).

    ``upstream``: ``http(s)://host[:port]`` (a path is ignored). ``timeout``: seconds for the
    upstream (see :data:`DEFAULT_UPSTREAM_TIMEOUT`). ``upstream_clock``: the upstream is an
    ``ips-fake serve``; read its clock (``GET /_fake/clock``, with ``admin_token``) before
    each exchange and store it, so verify can move the fake's clock the same way.
    ``warn``: where notices go (default: stderr). Raises ValueError for an upstream that is
    not an http or https URL.
    """

    def __init__(
        self,
        upstream: str,
        cassette: Cassette,
        out: Path | None = None,
        *,
        timeout: float = DEFAULT_UPSTREAM_TIMEOUT,
        upstream_clock: bool = False,
        admin_token: str | None = None,
        warn: Callable[[str], None] | None = None,
    ) -> None:
        parts = urlsplit(upstream)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"--upstream must be an http:// or https:// URL, not {upstream!r}")
        self.upstream = CassetteMetadata.origin(upstream)
        self._scheme, self._host, self._port = parts.scheme, parts.hostname, parts.port
        self.cassette = cassette
        self.out = out
        self.timeout = timeout
        self.upstream_clock = upstream_clock
        self.admin_token = admin_token
        self.warn = warn or (lambda message: print(f"ips-fake record: {message}", file=sys.stderr))
        self._lock = threading.Lock()
        self._full_warned = False

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        request = Request(environ)
        try:
            response = self.respond(request)
        except Exception as error:  # never a traceback to a client
            self.warn(f"internal error on {request.method} {request.path}: {error!r}")
            response = _text(500, f"ips-fake record: internal error: {type(error).__name__}")
        return response(environ, start_response)

    # -- the upstream ------------------------------------------------------------------------

    def _connection(self) -> http.client.HTTPConnection:
        if self._scheme == "https":
            return http.client.HTTPSConnection(
                self._host, self._port, timeout=self.timeout, context=ssl.create_default_context()
            )
        return http.client.HTTPConnection(self._host, self._port, timeout=self.timeout)

    def _call(
        self, method: str, target: str, headers: list[tuple[str, str]], body: bytes
    ) -> tuple[int, list[tuple[str, str]], bytes]:
        connection = self._connection()
        try:
            connection.putrequest(method, target, skip_host=True, skip_accept_encoding=True)
            host = self._host if ":" not in self._host else f"[{self._host}]"
            connection.putheader("Host", host + (f":{self._port}" if self._port else ""))
            for name, value in headers:
                connection.putheader(name, value)
            if body or method == "POST":
                connection.putheader("Content-Length", str(len(body)))
            connection.endheaders(body if body else None)
            answer = connection.getresponse()
            data = answer.read(MAX_UPSTREAM_BYTES + 1)
            if len(data) > MAX_UPSTREAM_BYTES:
                raise _UpstreamTooLarge
            return answer.status, answer.getheaders(), data
        finally:
            connection.close()

    def _upstream_now(self) -> datetime | None:
        if not self.upstream_clock:
            return None
        headers = [("X-Ips-Fake-Token", self.admin_token)] if self.admin_token else []
        try:
            status, _, data = self._call("GET", "/_fake/clock", headers, b"")
            if status == 200:
                return datetime.fromisoformat(str(json.loads(data)["now"]))
            self.warn(f"could not read the upstream's clock: HTTP {status}")
        except (OSError, http.client.HTTPException, ValueError, KeyError, _UpstreamTooLarge) as e:
            self.warn(f"could not read the upstream's clock: {e!r}")
        return None

    # -- one exchange -------------------------------------------------------------------------

    def respond(self, request: Request) -> Response:
        """Forward one request (or refuse it) and record the exchange."""
        refusal = _forwarded(request.path, request.method, request.args.keys())
        if refusal is not None:
            return _text(403 if request.path.startswith("/_fake") else 404, refusal)
        try:
            body = read_request_body(request) if request.method == "POST" else b""
        except BodyRefused as refused:
            return _text(refused.status, f"ips-fake record: {refused.reason}")
        headers = [
            (name, value)
            for name, value in request.headers.items()
            if name.lower() not in _NOT_FORWARDED
        ]
        # the checked, decoded path, encoded again: what the upstream gets is what was checked
        target = quote(request.path, safe="/")
        if request.query_string:
            target += "?" + request.query_string.decode("latin-1")
        at = self._upstream_now()
        try:
            status, answer_headers, data = self._call(request.method, target, headers, body)
        except TimeoutError:
            return _text(
                504,
                f"ips-fake record: the upstream {self.upstream} did not answer within "
                f"{self.timeout:g} seconds (nothing recorded)",
            )
        except _UpstreamTooLarge:
            return _text(
                502,
                f"ips-fake record: the upstream's answer is larger than {MAX_UPSTREAM_BYTES} "
                "bytes (nothing recorded)",
            )
        except (OSError, http.client.HTTPException) as error:
            return _text(
                502,
                f"ips-fake record: could not reach the upstream {self.upstream}: {error} "
                "(nothing recorded)",
            )
        lowered = [(name.lower(), value) for name, value in answer_headers]
        kept = [(name, value) for name, value in lowered if name in _ANSWER_HEADERS]
        encoding = dict(kept).get("content-encoding", "")
        plain = decode_content(data, encoding)
        stored_headers = tuple(sorted(kept))
        stored_body = data
        if plain is not None:
            stored_body = plain
            stored_headers = tuple(item for item in stored_headers if item[0] != "content-encoding")
        scrubber = self.cassette.scrubber
        self._record(  # the request first: users it names are then known in the answer
            lambda: Interaction(
                stored_request(scrubber, request.method, target, request.headers.items(), body),
                RecordedResponse(
                    status,
                    stored_headers,
                    scrubber.answer(stored_body) if plain is not None else stored_body,
                ),
                at,
            )
        )
        is_wsdl = request.method == "GET" and status == 200 and plain is not None
        if is_wsdl:
            rewritten = rewrite_wsdl(plain or b"", self.upstream, request.host_url.rstrip("/"))
            if rewritten is not None:
                content_type = dict(kept).get("content-type", "text/xml; charset=UTF-8")
                return Response(rewritten, status=status, content_type=content_type)
        response = Response(data, status=status)
        response.headers.remove("Content-Type")
        for name, value in answer_headers:
            if name.lower() not in _NOT_FORWARDED:
                response.headers.add(name, value)
        return response

    def _record(self, build: Callable[[], Interaction]) -> None:
        """Scrub (the scrubber numbers secrets: one thread at a time), append and save."""
        with self._lock:
            if len(self.cassette.interactions) >= MAX_RECORDED_EXCHANGES:
                if not self._full_warned:
                    self.warn(
                        f"{MAX_RECORDED_EXCHANGES} exchanges recorded: later ones are "
                        "forwarded but not recorded"
                    )
                    self._full_warned = True
                return
            self.cassette.interactions.append(build())
            if self.out is not None:
                self.cassette.save(self.out)
