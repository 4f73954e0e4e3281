"""Record SOAP exchanges as a cassette, replay a cassette against any endpoint, and diff.

A :class:`Cassette` is a list of :class:`Interaction` s: the HTTP request a client sent, the
response it got, and (when known) the fake's clock at that moment. Record one with a
:class:`RecordingAdapter` mounted on the ``requests`` session a zeep client uses: against
``ips-fake serve``, an in-process fake, or a real IPS endpoint. Replay it with
:func:`replay_in_process` (a fresh :class:`~ips_fake.fake.IpsFake`, its clock moved to each
recorded time) or :func:`replay_over_http` (any URL; an ips-fake's clock is moved through its
admin API), and read the :class:`ReplayReport`: one canonical-XML diff per response that
differs.

Example::

    import requests, zeep
    from ips_fake import IpsFake
    from ips_fake.recording import Cassette, record_session, replay_in_process
    from ips_fake.transport import INPROCESS_BASE_URL, in_process_session

    fake = IpsFake()
    session = in_process_session(fake.app)
    cassette = record_session(session, now=fake.clock.now)
    client = zeep.Client(INPROCESS_BASE_URL + "/scene7/webservice/IpsApi-2014-04-03.wsdl",
                         transport=zeep.Transport(session=session))
    ...                                  # the code under test talks to the fake
    cassette.save("fixtures/cassettes/nightly.json")

    report = replay_in_process(Cassette.load("fixtures/cassettes/nightly.json"))
    assert report.ok, report.summary()

Comparison is canonical (C14N after dropping whitespace-only text), never of raw bytes; text
of elements named in ``ignore`` (for example ``jobHandle`` or ``startDate`` when replaying
against a real server) is blanked on both sides first. Only SOAP exchanges are compared; WSDL
fetches and admin calls are kept in the cassette but replayed only for their side effects.
"""

from __future__ import annotations

import base64
import difflib
import gzip
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import urlsplit

from lxml import etree

from ips_fake.wsgi import SERVICE_PATH

if TYPE_CHECKING:
    import requests
    import requests.adapters

    from ips_fake.fake import IpsFake

__all__ = [
    "CASSETTE_FORMAT",
    "RECORDED_HEADERS",
    "Cassette",
    "CassetteError",
    "Interaction",
    "RecordedRequest",
    "RecordedResponse",
    "RecordingAdapter",
    "ReplayReport",
    "StepResult",
    "canonical_xml",
    "compare_responses",
    "record_session",
    "replay",
    "replay_in_process",
    "replay_over_http",
]

CASSETTE_FORMAT = "ips-fake-cassette/1"
"""The ``format`` field of every cassette file this version writes and reads."""

RECORDED_HEADERS = (
    "content-type",
    "soapaction",
    "content-encoding",
    "accept-encoding",
    "authorization",
    "authuser",
    "authpassword",
)
"""Request headers a cassette keeps (lower case): the ones that change what IPS answers."""

_RESPONSE_HEADERS = ("content-type", "content-encoding")


class CassetteError(ValueError):
    """A cassette file that cannot be read: the message says which field is wrong."""


# -- the cassette ------------------------------------------------------------------------------


def _encode_body(body: bytes) -> dict[str, str]:
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return {"base64": base64.b64encode(body).decode("ascii")}
    return {"text": text}


def _decode_body(data: Any, where: str) -> bytes:
    if not isinstance(data, Mapping):
        raise CassetteError(f"{where}: body must be an object with 'text' or 'base64'")
    if "text" in data:
        return str(data["text"]).encode("utf-8")
    if "base64" in data:
        try:
            return base64.b64decode(str(data["base64"]), validate=True)
        except ValueError as error:
            raise CassetteError(f"{where}: body.base64 is not base64: {error}") from None
    raise CassetteError(f"{where}: body must have 'text' or 'base64'")


def _headers(data: Any, where: str) -> tuple[tuple[str, str], ...]:
    if not isinstance(data, Mapping):
        raise CassetteError(f"{where}: headers must be an object of strings")
    return tuple((str(name).lower(), str(value)) for name, value in data.items())


@dataclass(frozen=True)
class RecordedRequest:
    """An HTTP request as a cassette keeps it: method, path with query, the headers of
    :data:`RECORDED_HEADERS`, and the body bytes (gzip included, as sent)."""

    method: str
    path: str
    headers: tuple[tuple[str, str], ...]
    body: bytes

    @property
    def is_soap(self) -> bool:
        """Whether this is a SOAP call (a POST to the service), the kind replay compares."""
        return self.method == "POST" and urlsplit(self.path).path == SERVICE_PATH

    def header(self, name: str) -> str | None:
        """A header's value by case-insensitive name, or None."""
        wanted = name.lower()
        return next((value for key, value in self.headers if key == wanted), None)


@dataclass(frozen=True)
class RecordedResponse:
    """An HTTP response as a cassette keeps it: status, content type and encoding, body."""

    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes

    def plain_body(self) -> bytes:
        """The body with a gzip content encoding undone."""
        encoding = dict(self.headers).get("content-encoding", "")
        if "gzip" in encoding.lower():
            return gzip.decompress(self.body)
        return self.body


@dataclass(frozen=True)
class Interaction:
    """One request, its response, and the fake's clock when it was sent (None if unknown)."""

    request: RecordedRequest
    response: RecordedResponse
    at: datetime | None = None

    def as_json_data(self) -> dict[str, Any]:
        """The interaction as cassette-file JSON data."""
        return {
            "at": self.at.isoformat() if self.at else None,
            "request": {
                "method": self.request.method,
                "path": self.request.path,
                "headers": dict(self.request.headers),
                "body": _encode_body(self.request.body),
            },
            "response": {
                "status": self.response.status,
                "headers": dict(self.response.headers),
                "body": _encode_body(self.response.body),
            },
        }

    @classmethod
    def from_json_data(cls, data: Any, where: str) -> Interaction:
        """Read one interaction of a cassette file; ``where`` names it in errors."""
        if not isinstance(data, Mapping):
            raise CassetteError(f"{where}: must be an object")
        request, response = data.get("request"), data.get("response")
        if not isinstance(request, Mapping) or not isinstance(response, Mapping):
            raise CassetteError(f"{where}: needs 'request' and 'response' objects")
        at_text = data.get("at")
        try:
            at = datetime.fromisoformat(str(at_text)) if at_text else None
            status = int(response.get("status", ""))
        except ValueError as error:
            raise CassetteError(f"{where}: {error}") from None
        if at is not None and at.tzinfo is None:
            raise CassetteError(f"{where}: 'at' needs a UTC offset, got {at_text!r}")
        return cls(
            request=RecordedRequest(
                method=str(request.get("method", "POST")).upper(),
                path=str(request.get("path", SERVICE_PATH)),
                headers=_headers(request.get("headers", {}), f"{where}.request"),
                body=_decode_body(request.get("body", {"text": ""}), f"{where}.request"),
            ),
            response=RecordedResponse(
                status=status,
                headers=_headers(response.get("headers", {}), f"{where}.response"),
                body=_decode_body(response.get("body", {"text": ""}), f"{where}.response"),
            ),
            at=at,
        )


@dataclass
class Cassette:
    """Recorded interactions, oldest first, saved as deterministic JSON.

    Example::

        cassette = Cassette.load("fixtures/cassettes/seed-submit-job.json")
        [step.request.path for step in cassette.interactions]
    """

    interactions: list[Interaction] = field(default_factory=list)
    description: str = ""

    def to_json(self) -> str:
        """The cassette file's text: the same interactions always give the same bytes."""
        data = {
            "format": CASSETTE_FORMAT,
            "description": self.description,
            "interactions": [step.as_json_data() for step in self.interactions],
        }
        return json.dumps(data, indent=2, ensure_ascii=False, sort_keys=True) + "\n"

    @classmethod
    def from_json(cls, text: str) -> Cassette:
        """Read a cassette file's text; raises :class:`CassetteError` saying what is wrong."""
        try:
            data = json.loads(text)
        except json.JSONDecodeError as error:
            raise CassetteError(f"a cassette must be JSON: {error}") from None
        if not isinstance(data, Mapping) or data.get("format") != CASSETTE_FORMAT:
            raise CassetteError(f"not a cassette: the 'format' field must be {CASSETTE_FORMAT!r}")
        steps = data.get("interactions")
        if not isinstance(steps, list):
            raise CassetteError("a cassette needs an 'interactions' list")
        return cls(
            interactions=[
                Interaction.from_json_data(step, f"interactions[{index}]")
                for index, step in enumerate(steps)
            ],
            description=str(data.get("description", "")),
        )

    @classmethod
    def load(cls, path: str | Path) -> Cassette:
        """Read a cassette file."""
        return cls.from_json(Path(path).read_text(encoding="utf-8"))

    def save(self, path: str | Path) -> None:
        """Write the cassette file (parent folders are created)."""
        target = Path(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(self.to_json(), encoding="utf-8")


# -- recording ---------------------------------------------------------------------------------


def _body_bytes(body: object) -> bytes:
    if body is None:
        return b""
    if isinstance(body, bytes):
        return body
    if isinstance(body, str):
        return body.encode("utf-8")
    raise TypeError(
        f"a recorded request body must be bytes or str, not {type(body).__name__} "
        "(streamed bodies cannot be recorded)"
    )


def _request_path(url: str) -> str:
    parts = urlsplit(url)
    return (parts.path or "/") + (f"?{parts.query}" if parts.query else "")


def _keep(headers: Iterable[tuple[str, str]], names: Sequence[str]) -> tuple[tuple[str, str], ...]:
    return tuple(sorted((name.lower(), value) for name, value in headers if name.lower() in names))


class RecordingAdapter:
    """A ``requests`` transport adapter that passes each request to ``inner`` and appends
    the exchange to ``cassette``. :func:`record_session` mounts it for you.

    ``now`` (optional) gives the fake's clock, stored with each interaction so a replay can
    put the clock back where it was; leave it out against a real endpoint.
    """

    def __init__(
        self,
        inner: Any,
        cassette: Cassette,
        now: Callable[[], datetime] | None = None,
    ) -> None:
        self.inner = inner
        self.cassette = cassette
        self.now = now

    def send(self, request: requests.PreparedRequest, *args: Any, **kwargs: Any) -> Any:
        """Send through the wrapped adapter and record the request and its response."""
        at = self.now() if self.now is not None else None
        response = self.inner.send(request, *args, **kwargs)
        content = response.content  # reads the body, undoing gzip
        headers = [(name, value) for name, value in response.headers.items()]
        headers = [(name, value) for name, value in headers if name.lower() != "content-encoding"]
        self.cassette.interactions.append(
            Interaction(
                request=RecordedRequest(
                    method=(request.method or "GET").upper(),
                    path=_request_path(request.url or "/"),
                    headers=_keep(request.headers.items(), RECORDED_HEADERS),
                    body=_body_bytes(request.body),
                ),
                response=RecordedResponse(
                    status=response.status_code,
                    headers=_keep(headers, _RESPONSE_HEADERS),
                    body=content,
                ),
                at=at,
            )
        )
        return response

    def close(self) -> None:
        """Close the wrapped adapter."""
        self.inner.close()


def record_session(
    session: requests.Session,
    cassette: Cassette | None = None,
    *,
    now: Callable[[], datetime] | None = None,
) -> Cassette:
    """Record every exchange ``session`` makes from now on into ``cassette`` (a new one by
    default), by wrapping each adapter mounted on it; return the cassette.

    Example::

        session = requests.Session()
        cassette = record_session(session)         # against a real endpoint: no clock
        zeep.Client(wsdl_url, transport=zeep.Transport(session=session))
    """
    target = cassette if cassette is not None else Cassette()
    for prefix, adapter in list(session.adapters.items()):
        if not isinstance(adapter, RecordingAdapter):
            wrapper = RecordingAdapter(adapter, target, now)
            session.mount(prefix, cast("requests.adapters.BaseAdapter", wrapper))
    return target


# -- comparing ---------------------------------------------------------------------------------

_SAFE_PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, load_dtd=False, remove_blank_text=True
)


def canonical_xml(body: bytes, ignore: Iterable[str] = ()) -> str:
    """``body`` as indented canonical XML (C14N 2.0), whitespace-only text dropped and the
    text of elements whose local name is in ``ignore`` replaced by ``…``. A body that is not
    XML is returned as text, so a diff still shows it."""
    try:
        root = etree.fromstring(body, _SAFE_PARSER)
    except etree.XMLSyntaxError:
        return body.decode("utf-8", errors="replace")
    ignored = set(ignore)
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        if element.text is not None and not element.text.strip():
            element.text = None
        if element.tail is not None and not element.tail.strip():
            element.tail = None
        if etree.QName(element).localname in ignored and len(element) == 0:
            element.text = "…"
    canonical = etree.canonicalize(root, strip_text=True)
    pretty = etree.fromstring(canonical.encode("utf-8"), _SAFE_PARSER)
    etree.indent(pretty, space="  ")
    return str(etree.tostring(pretty, encoding="unicode"))


def compare_responses(
    expected: RecordedResponse, actual: RecordedResponse, ignore: Iterable[str] = ()
) -> str | None:
    """None when the two responses agree (status and canonical body), else a unified diff
    headed by the statuses."""
    names = tuple(ignore)
    want = canonical_xml(expected.plain_body(), names)
    got = canonical_xml(actual.plain_body(), names)
    if expected.status == actual.status and want == got:
        return None
    diff = difflib.unified_diff(
        want.splitlines(), got.splitlines(), "recorded", "replayed", lineterm=""
    )
    return f"status {expected.status} recorded, {actual.status} replayed\n" + "\n".join(diff)


# -- replaying ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class StepResult:
    """One replayed interaction: its index, what it was, and the diff if the answer changed."""

    index: int
    label: str
    diff: str | None

    @property
    def ok(self) -> bool:
        """Whether the replayed response matched the recorded one."""
        return self.diff is None


@dataclass(frozen=True)
class ReplayReport:
    """What a replay found: one :class:`StepResult` per SOAP interaction."""

    steps: tuple[StepResult, ...]

    @property
    def ok(self) -> bool:
        """Whether every replayed SOAP response matched."""
        return all(step.ok for step in self.steps)

    @property
    def mismatches(self) -> list[StepResult]:
        """The steps whose responses differ."""
        return [step for step in self.steps if not step.ok]

    def summary(self) -> str:
        """A readable report: a count line, then each mismatch with its diff."""
        lines = [f"{len(self.steps)} SOAP exchanges replayed, {len(self.mismatches)} differ"]
        for step in self.mismatches:
            lines.append(f"--- #{step.index} {step.label}")
            lines.append(step.diff or "")
        return "\n".join(lines)


def _label(request: RecordedRequest) -> str:
    try:
        root = etree.fromstring(
            gzip.decompress(request.body)
            if "gzip" in (request.header("content-encoding") or "")
            else request.body,
            _SAFE_PARSER,
        )
    except (etree.XMLSyntaxError, OSError):
        return f"{request.method} {request.path} (not XML)"
    body = next((child for child in root if etree.QName(child).localname == "Body"), None)
    if body is not None and len(body):
        return etree.QName(body[0]).localname
    return f"{request.method} {request.path}"


Sender = Callable[[RecordedRequest], RecordedResponse]
ClockMover = Callable[[datetime], None]


def replay(
    cassette: Cassette,
    send: Sender,
    *,
    move_clock: ClockMover | None = None,
    ignore: Iterable[str] = (),
) -> ReplayReport:
    """Send every recorded request through ``send`` in order, moving the clock first with
    ``move_clock`` to each recorded time that is later than the last one, and compare the
    SOAP responses. The building block of :func:`replay_in_process` and
    :func:`replay_over_http`."""
    names = tuple(ignore)
    results: list[StepResult] = []
    clock_at: datetime | None = None
    for index, step in enumerate(cassette.interactions):
        moves_forward = step.at is not None and (clock_at is None or step.at > clock_at)
        if move_clock is not None and step.at is not None and moves_forward:
            move_clock(step.at)
            clock_at = step.at
        answer = send(step.request)
        if step.request.is_soap:
            diff = compare_responses(step.response, answer, names)
            results.append(StepResult(index, _label(step.request), diff))
    return ReplayReport(tuple(results))


def replay_in_process(
    cassette: Cassette,
    fake: IpsFake | None = None,
    *,
    ignore: Iterable[str] = (),
) -> ReplayReport:
    """Replay against ``fake`` (a fresh :class:`~ips_fake.fake.IpsFake` by default) with no
    socket, moving its clock to each recorded time.

    Example::

        report = replay_in_process(Cassette.load("fixtures/cassettes/seed-submit-job.json"))
        assert report.ok, report.summary()
    """
    from werkzeug.test import Client

    from ips_fake.fake import IpsFake

    target = fake if fake is not None else IpsFake()
    client = Client(target.app)

    def send(request: RecordedRequest) -> RecordedResponse:
        path, _, query = request.path.partition("?")
        response = client.open(
            path,
            method=request.method,
            query_string=query,
            headers=list(request.headers),
            data=request.body,
        )
        return RecordedResponse(
            status=response.status_code,
            headers=_keep(response.headers.items(), _RESPONSE_HEADERS),
            body=response.get_data(),
        )

    def move(instant: datetime) -> None:
        if instant > target.clock.now():
            target.move_to(instant)

    return replay(cassette, send, move_clock=move, ignore=ignore)


def replay_over_http(
    cassette: Cassette,
    base_url: str,
    *,
    session: requests.Session | None = None,
    move_clock: bool = True,
    ignore: Iterable[str] = (),
    timeout: float = 30.0,
) -> ReplayReport:
    """Replay against the server at ``base_url`` (``http://host:port``): an
    ``ips-fake serve`` (its clock moved through ``POST /_fake/clock``) or, with
    ``move_clock=False``, any IPS endpoint.

    Example::

        report = replay_over_http(cassette, "http://127.0.0.1:8080", ignore=["startDate"])
        print(report.summary())
    """
    import requests

    http = session if session is not None else requests.Session()
    base = base_url.rstrip("/")

    def send(request: RecordedRequest) -> RecordedResponse:
        response = http.request(
            request.method,
            base + request.path,
            headers=dict(request.headers),
            data=request.body,
            timeout=timeout,
        )
        headers = [
            (name, value)
            for name, value in response.headers.items()
            if name.lower() != "content-encoding"
        ]
        return RecordedResponse(
            status=response.status_code,
            headers=_keep(headers, _RESPONSE_HEADERS),
            body=response.content,
        )

    def move(instant: datetime) -> None:
        current = http.get(base + "/_fake/clock", timeout=timeout)
        current.raise_for_status()
        if instant > datetime.fromisoformat(current.json()["now"]):
            moved = http.post(
                base + "/_fake/clock", json={"move_to": instant.isoformat()}, timeout=timeout
            )
            if moved.status_code != 200:
                raise CassetteError(
                    f"could not move the clock of {base} to {instant.isoformat()}: "
                    f"{moved.status_code} {moved.text}"
                )

    return replay(cassette, send, move_clock=move if move_clock else None, ignore=ignore)
