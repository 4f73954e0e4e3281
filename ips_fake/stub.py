"""``ips-fake serve --replay``: a stub that answers recorded requests with recorded answers.

A request is matched to the cassette's exchanges by method, path and, for SOAP and plain
XML calls, operation and canonical body (prefix-blind, see
:func:`ips_fake.verify.canonical_text`) with the text of secrets (``password``,
``accessToken``, ``samlResponse``, ``AuthPassword``), handles and dates blanked,
so a live password, a fresh ``execTime`` or a handle the stub itself returned all match.
HTTP headers (``Authorization`` included) are not compared. A request recorded several times
gets the recorded answers in order, the last one again once they run out (a polling loop
keeps getting the final state).

A request that matches nothing gets, whatever it is, HTTP 500 with a SOAP 1.1 (or 1.2, by
the request's ``Content-Type``) fault ``ipsApiFault`` code **30000** whose reason starts
with ``ips-fake replay: no recorded exchange matches`` and names the closest recorded
exchange with the first lines of a diff against it. WSDL answers have their
``soap:address`` moved to the stub.

A cassette recorded with ``--identity map`` stores stand-ins for users and companies
(``user-N@example.invalid``, ``c|1``); a client replaying it sends its real ones. For such a
cassette the stub also blanks users (``user``, ``AuthUser``) and company handles when
matching: any user and company match the recorded stand-ins (two requests that differ only
in who sends them are one exchange, answered in order). Answers are served as recorded, with
the stand-ins in their handles; a client sends those back and they match, since handles are
blanked.

There is no admin API: a request under ``/_fake/`` gets HTTP 404 with the JSON body
``{"error": "a replay stub has no admin API"}``.

Example::

    stub = ReplayStub(Cassette.load("fixtures/cassettes/nightly.json"))
    with AppServer(stub) as server:
        ...                      # point the client at server.base_url
"""

from __future__ import annotations

import difflib
import json
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl, urlencode, urlsplit

from lxml import etree
from werkzeug.wrappers import Request, Response

from ips_fake.core.errors import IpsFault
from ips_fake.proxy import rewrite_wsdl
from ips_fake.recording import (
    Cassette,
    Interaction,
    RecordedRequest,
    decode_content,
    operation_name,
)
from ips_fake.scrubbing import COMPANY_ELEMENTS, SECRET_ELEMENTS, USER_ELEMENTS, Identity
from ips_fake.soap.envelope import SoapVersion
from ips_fake.soap.faults import fault_envelope
from ips_fake.verify import DATE_TIME_PATTERN, MAPPED_ELEMENTS, canonical_text
from ips_fake.wsgi import SERVICE_PATH, WSDL_FOLDER, BodyRefused, read_request_body

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIEnvironment

__all__ = ["ADMIN_PREFIX", "UNMATCHED_FAULT_CODE", "ReplayServer", "ReplayStub", "request_key"]

#: Where a served fake has its admin API; the stub answers 404 there.
ADMIN_PREFIX = "/_fake/"

#: The ipsApiFault code of the answer to a request the cassette does not hold.
UNMATCHED_FAULT_CODE = 30000
_BLANKED = SECRET_ELEMENTS | MAPPED_ELEMENTS
_IDENTITY_BLANKED = _BLANKED | USER_ELEMENTS | COMPANY_ELEMENTS
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
_DIFF_LINES = 12
#: Characters of a request's match key (and of each recorded one) that the unmatched fault's
#: "closest recorded" search and its diff read: bounds their cost for a large request.
CLOSENESS_CHARS = 64 * 1024
#: Lines of each key the unmatched fault's diff compares, at most.
DIFF_INPUT_LINES = 400


def _blanked_body(body: bytes, blanked: frozenset[str] = _BLANKED) -> str:
    try:
        root = etree.fromstring(body, _PARSER) if body.strip() else None
    except etree.XMLSyntaxError:
        root = None
    if root is None:
        return body.decode("utf-8", "replace")
    for element in root.iter():
        if not isinstance(element.tag, str) or len(element) or not element.text:
            continue
        name = etree.QName(element).localname
        if name in blanked or DATE_TIME_PATTERN.fullmatch(element.text.strip()):
            element.text = "…"
    return canonical_text(etree.tostring(root))


def _path_key(path: str) -> str:
    parts = urlsplit(path)
    query = urlencode(sorted(parse_qsl(parts.query, keep_blank_values=True)))
    return parts.path + (f"?{query}" if query else "")


def element_count(request: RecordedRequest) -> int:
    """How many elements ``request``'s body holds (counted by libxml2; 0 when it is not XML):
    what building its match key costs, element by element."""
    plain = decode_content(request.body, request.header("content-encoding") or "")
    body = plain if plain is not None else request.body
    try:
        root = etree.fromstring(body, _PARSER) if body.strip() else None
    except etree.XMLSyntaxError:
        return 0
    if root is None:
        return 0
    counted = root.xpath("count(//*)")
    return int(counted) if isinstance(counted, float) else 0


def request_key(request: RecordedRequest, identity: Identity = "keep") -> str:
    """What the stub matches a request by: method, path (query sorted), operation and the
    canonical body with secrets, handles and dates blanked; with ``identity="map"`` (a
    cassette recorded with mapped identities) users and company handles blanked too."""
    plain = decode_content(request.body, request.header("content-encoding") or "")
    blanked = _IDENTITY_BLANKED if identity == "map" else _BLANKED
    body = _blanked_body(plain if plain is not None else request.body, blanked)
    operation = operation_name(request) or "-"
    return f"{request.method} {_path_key(request.path)} {operation}\n{body}"


@dataclass
class _Entry:
    index: int
    key: str
    steps: list[Interaction]
    served: int = 0


class ReplayStub:
    """The stub's WSGI app over ``cassette`` (thread-safe; each instance keeps its own
    position in repeated exchanges). ``unmatched`` lists the keys of requests nothing
    matched (their first :data:`CLOSENESS_CHARS` characters), for a test to inspect."""

    def __init__(self, cassette: Cassette) -> None:
        self.cassette = cassette
        self._entries: dict[str, _Entry] = {}
        for index, step in enumerate(cassette.interactions):
            key = request_key(step.request, cassette.metadata.identity)
            entry = self._entries.setdefault(key, _Entry(index, key, []))
            entry.steps.append(step)
        self._lock = threading.Lock()
        self.unmatched: list[str] = []
        #: the most elements a recorded request holds: a live one with more matches none
        #: (a match key keeps every element), so its key is never built
        self._most_elements = max(
            (element_count(step.request) for step in cassette.interactions), default=0
        )

    def wsdl_path(self) -> str | None:
        """The path (and query) of the first WSDL fetch the cassette recorded answered with
        200 (``/…/IpsApi-….wsdl`` or the service's ``?wsdl``), or None when it recorded none."""
        for step in self.cassette.interactions:
            request = step.request
            path = urlsplit(request.path)
            is_wsdl = path.path.endswith(".wsdl") or path.query.lower() == "wsdl"
            if request.method == "GET" and step.response.status == 200 and is_wsdl:
                return request.path
        return None

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        request = Request(environ)
        try:
            response = self.respond(request)
        except Exception as error:  # never a traceback to a client
            response = self._fault(request, f"ips-fake replay: internal error: {error!r}")
        return response(environ, start_response)

    def respond(self, request: Request) -> Response:
        """The recorded answer to ``request``, the unmatched fault, or 404 under ``/_fake/``."""
        if request.path == ADMIN_PREFIX.rstrip("/") or request.path.startswith(ADMIN_PREFIX):
            return Response(
                json.dumps({"error": "a replay stub has no admin API"}),
                status=404,
                content_type="application/json",
            )
        try:
            body = read_request_body(request) if request.method == "POST" else b""
        except BodyRefused as refused:
            return self._fault(request, f"ips-fake replay: {refused.reason}", refused.status)
        path = request.full_path if request.query_string else request.path
        headers = tuple((name.lower(), value) for name, value in request.headers.items())
        live = RecordedRequest(request.method, path, headers, body)
        elements = element_count(live) if len(body) > CLOSENESS_CHARS else 0
        if elements > self._most_elements:
            what = operation_name(live) or f"{request.method} {urlsplit(path).path}"
            with self._lock:
                self.unmatched.append(f"{what}: {elements} elements")
            return self._fault(
                request,
                f"ips-fake replay: no recorded exchange matches this {what} request: it holds "
                f"{elements} elements, more than any recorded request ({self._most_elements})",
            )
        key = request_key(live, self.cassette.metadata.identity)
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None:
                step = entry.steps[min(entry.served, len(entry.steps) - 1)]
                entry.served += 1
            else:
                self.unmatched.append(key[:CLOSENESS_CHARS])
        if entry is None:
            return self._fault(request, self._unmatched_reason(live, key))
        answer = step.response
        content = answer.body
        if request.method == "GET" and answer.status == 200:
            base = request.host_url.rstrip("/")
            upstream = self.cassette.metadata.upstream or "http://ips-fake.invalid"
            content = rewrite_wsdl(answer.plain_body(), upstream, base) or content
        response = Response(content, status=answer.status)
        response.headers.remove("Content-Type")
        for name, value in answer.headers:
            if content is answer.body or name != "content-encoding":
                response.headers.add(name, value)
        return response

    def _unmatched_reason(self, live: RecordedRequest, key: str) -> str:
        what = operation_name(live) or f"{live.method} {urlsplit(live.path).path}"
        reason = f"ips-fake replay: no recorded exchange matches this {what} request"
        if not self._entries:
            return reason + "; the cassette is empty"
        # bounded: the live key's first CLOSENESS_CHARS are counted once, each recorded
        # key's first CLOSENESS_CHARS once per entry; the diff reads DIFF_INPUT_LINES lines
        matcher = difflib.SequenceMatcher(None, autojunk=False)
        matcher.set_seq2(key[:CLOSENESS_CHARS])

        def closeness(entry: _Entry) -> float:
            matcher.set_seq1(entry.key[:CLOSENESS_CHARS])
            return matcher.quick_ratio()

        closest = max(self._entries.values(), key=closeness)
        recorded = closest.steps[0].request
        name = operation_name(recorded) or f"{recorded.method} {urlsplit(recorded.path).path}"
        recorded_lines = closest.key[:CLOSENESS_CHARS].splitlines()[:DIFF_INPUT_LINES]
        received_lines = key[:CLOSENESS_CHARS].splitlines()[:DIFF_INPUT_LINES]
        diff = list(
            difflib.unified_diff(
                recorded_lines, received_lines, "recorded", "received", lineterm="", n=0
            )
        )[2 : 2 + _DIFF_LINES]
        return f"{reason}; the closest recorded one is #{closest.index} {name}:\n" + "\n".join(diff)

    def _fault(self, request: Request, reason: str, status: int = 500) -> Response:
        soap12 = "application/soap+xml" in request.headers.get("Content-Type", "")
        version = SoapVersion.V12 if soap12 else SoapVersion.V11
        body = fault_envelope(version, IpsFault(UNMATCHED_FAULT_CODE, reason))
        content_type = "application/soap+xml" if soap12 else "text/xml"
        return Response(body, status=status, content_type=f"{content_type}; charset=UTF-8")


class ReplayServer:
    """A :class:`ReplayStub` served on 127.0.0.1 (a free port) on a daemon thread: what the
    ``ips_fake_replay`` pytest fixture gives. Raises OSError / CassetteError from
    :meth:`Cassette.load` for an unreadable cassette.

    Example::

        with ReplayServer.from_file("fixtures/cassettes/nightly.json") as served:
            zeep.Client(served.wsdl_url())
    """

    def __init__(self, cassette: Cassette, host: str = "127.0.0.1", port: int = 0) -> None:
        from ips_fake.server import AppServer

        self.stub = ReplayStub(cassette)
        self._server = AppServer(self.stub, host, port)

    @classmethod
    def from_file(cls, path: str | Path) -> ReplayServer:
        """A server for the cassette file at ``path``."""
        return cls(Cassette.load(path))

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:port``."""
        return self._server.base_url

    @property
    def service_url(self) -> str:
        """The SOAP endpoint URL."""
        return self.base_url + SERVICE_PATH

    def wsdl_url(self, wsdl_file: str = "IpsApi-2014-04-03.wsdl") -> str:
        """The URL of a WSDL file (answered only when the cassette recorded its fetch)."""
        return self.base_url + WSDL_FOLDER + wsdl_file

    def start(self) -> ReplayServer:
        """Serve on a daemon thread."""
        self._server.start()
        return self

    def stop(self) -> None:
        """Stop serving."""
        self._server.stop()

    def __enter__(self) -> ReplayServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()
