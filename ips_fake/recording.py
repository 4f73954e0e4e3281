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
:mod:`ips_fake.verify` compares with value mapping instead (handles, run names and dates of
the recording mapped to the replay's).

Secrets never reach a cassette: every stored request goes through the cassette's
:class:`~ips_fake.scrubbing.Scrubber` (passwords, tokens, Basic credentials become
``***secret-N***``), and compressed bodies are stored decompressed (their
``Content-Encoding`` dropped), so the file can be searched and committed.

Format ``ips-fake-cassette/2`` adds ``metadata`` (when, against what scheme and host, the API
versions the requests used, the ips-fake version); files in format 1 are still read.
"""

from __future__ import annotations

import base64
import difflib
import json
import zlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import urlsplit

from lxml import etree

from ips_fake.scrubbing import Identity, Scrubber, secret_placeholders
from ips_fake.wsgi import SERVICE_PATH, XML_SERVICE_PATH

if TYPE_CHECKING:
    import requests
    import requests.adapters

    from ips_fake.control import FakeControl
    from ips_fake.fake import IpsFake

__all__ = [
    "CASSETTE_FORMAT",
    "DEFAULT_REPLAY_PASSWORD",
    "MAX_BODY_BYTES",
    "MAX_CASSETTE_BYTES",
    "READABLE_FORMATS",
    "RECORDED_HEADERS",
    "Cassette",
    "CassetteError",
    "CassetteMetadata",
    "Interaction",
    "RecordedRequest",
    "RecordedResponse",
    "RecordingAdapter",
    "ReplayReport",
    "StepResult",
    "canonical_xml",
    "compare_responses",
    "control_clock_mover",
    "decode_content",
    "http_clock_mover",
    "http_sender",
    "in_process_sender",
    "live_request",
    "operation_name",
    "record_session",
    "replay",
    "replay_in_process",
    "replay_over_http",
    "replay_secrets",
    "request_version",
    "stored_request",
]

CASSETTE_FORMAT = "ips-fake-cassette/2"
"""The ``format`` field of every cassette file this version writes."""

READABLE_FORMATS = ("ips-fake-cassette/1", CASSETTE_FORMAT)
"""The ``format`` values this version reads (format 1 has no metadata)."""

MAX_CASSETTE_BYTES = 64 * 1024 * 1024
"""The largest cassette file read (64 MiB): a larger one is a :class:`CassetteError`."""

MAX_BODY_BYTES = 64 * 1024 * 1024
"""The largest body a compressed body is inflated to (64 MiB) when it is decoded for storage
or comparison; a larger one is kept compressed."""

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


def decode_content(body: bytes, encoding: str, limit: int = MAX_BODY_BYTES) -> bytes | None:
    """``body`` with its ``Content-Encoding`` undone: a comma-separated list of gzip, x-gzip,
    deflate and identity, undone last first (none: the body itself); None for another
    encoding, a broken stream, or one that inflates past ``limit`` bytes."""
    plain = body
    # codings are listed in the order they were applied: undo the last first
    for name in reversed([part.strip().lower() for part in encoding.split(",")]):
        if name in ("", "identity"):
            continue
        if name in ("gzip", "x-gzip"):
            inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
        elif name == "deflate":
            inflater = zlib.decompressobj()
        else:
            return None
        try:
            plain = inflater.decompress(plain, limit + 1)
        except zlib.error:
            return None
        if len(plain) > limit or inflater.unconsumed_tail or not inflater.eof:
            return None
    return plain


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
    :data:`RECORDED_HEADERS` (secrets scrubbed), and the body bytes (decompressed when it was
    sent compressed and could be inflated)."""

    method: str
    path: str
    headers: tuple[tuple[str, str], ...]
    body: bytes

    @property
    def is_soap(self) -> bool:
        """Whether this is a SOAP call (a POST to the service or to the plain XML endpoint),
        the kind replay compares."""
        return self.method == "POST" and urlsplit(self.path).path in (
            SERVICE_PATH,
            XML_SERVICE_PATH,
        )

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
        """The body with a gzip or deflate content encoding undone (as stored when it cannot
        be undone)."""
        encoding = dict(self.headers).get("content-encoding", "")
        plain = decode_content(self.body, encoding)
        return self.body if plain is None else plain


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


@dataclass(frozen=True)
class CassetteMetadata:
    """What a cassette was recorded against, and when.

    ``recorded_at``: when recording started (set by the recorder's caller, e.g. ``ips-fake
    record``, from the wall clock; None when unknown). ``upstream``: the scheme and host (and
    port) recorded against, never a path, user or query. ``ips_fake_version``: the version
    that recorded it. ``identity``: ``"map"`` when users and company ids were stored as
    stand-ins (``user-N@example.invalid``, ``1``, ``2``, … see :mod:`ips_fake.scrubbing`),
    ``"keep"`` (also for a file that does not say) when stored as sent. The API versions are
    worked out from the requests (:meth:`Cassette.api_versions`) when the file is written.
    """

    recorded_at: datetime | None = None
    upstream: str | None = None
    ips_fake_version: str | None = None
    identity: Identity = "keep"

    @staticmethod
    def origin(url: str) -> str:
        """``scheme://host[:port]`` of ``url``: what a cassette keeps of an upstream URL."""
        parts = urlsplit(url)
        host = parts.hostname or ""
        if ":" in host:
            host = f"[{host}]"
        port = f":{parts.port}" if parts.port else ""
        return f"{parts.scheme}://{host}{port}"


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


@dataclass
class Cassette:
    """Recorded interactions, oldest first, saved as deterministic JSON.

    ``scrubber`` (not saved) turns the secrets of every request a recorder adds into
    placeholders, numbered across the whole cassette.

    Example::

        cassette = Cassette.load("fixtures/cassettes/seed-submit-job.json")
        [step.request.path for step in cassette.interactions]
    """

    interactions: list[Interaction] = field(default_factory=list)
    description: str = ""
    metadata: CassetteMetadata = field(default_factory=CassetteMetadata)
    scrubber: Scrubber = field(default_factory=Scrubber, compare=False, repr=False)

    def api_versions(self) -> list[str]:
        """The API version labels the recorded requests used, in order of first use."""
        seen: list[str] = []
        for step in self.interactions:
            label = request_version(step.request)
            if label is not None and label not in seen:
                seen.append(label)
        return seen

    def to_json(self) -> str:
        """The cassette file's text: the same interactions always give the same bytes."""
        meta = self.metadata
        data = {
            "format": CASSETTE_FORMAT,
            "description": self.description,
            "metadata": {
                "recorded_at": meta.recorded_at.isoformat() if meta.recorded_at else None,
                "upstream": meta.upstream,
                "api_versions": self.api_versions(),
                "ips_fake_version": meta.ips_fake_version,
            },
            "interactions": [step.as_json_data() for step in self.interactions],
        }
        if meta.identity == "map":  # absent means "keep": files written before it still match
            data["metadata"]["identity"] = meta.identity  # type: ignore[index]
        return json.dumps(data, indent=2, ensure_ascii=False, sort_keys=True) + "\n"

    @classmethod
    def from_json(cls, text: str) -> Cassette:
        """Read a cassette file's text (format 1 or 2); raises :class:`CassetteError` saying
        what is wrong."""
        try:
            data = json.loads(text)
        except json.JSONDecodeError as error:
            raise CassetteError(f"a cassette must be JSON: {error}") from None
        except RecursionError:
            raise CassetteError("a cassette must be JSON: nested too deeply") from None
        if not isinstance(data, Mapping) or data.get("format") not in READABLE_FORMATS:
            raise CassetteError(
                f"not a cassette: the 'format' field must be one of {', '.join(READABLE_FORMATS)}"
            )
        steps = data.get("interactions")
        if not isinstance(steps, list):
            raise CassetteError("a cassette needs an 'interactions' list")
        return cls(
            interactions=[
                Interaction.from_json_data(step, f"interactions[{index}]")
                for index, step in enumerate(steps)
            ],
            description=str(data.get("description", "")),
            metadata=_metadata(data.get("metadata")),
        )

    @classmethod
    def load(cls, path: str | Path) -> Cassette:
        """Read a cassette file of at most :data:`MAX_CASSETTE_BYTES`; raises OSError when it
        cannot be opened, :class:`CassetteError` when it is too large or not a cassette."""
        with Path(path).open("rb") as file:
            raw = file.read(MAX_CASSETTE_BYTES + 1)
        if len(raw) > MAX_CASSETTE_BYTES:
            raise CassetteError(f"a cassette file is at most {MAX_CASSETTE_BYTES} bytes")
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as error:
            raise CassetteError(f"a cassette must be UTF-8 JSON: {error}") from None
        return cls.from_json(text)

    def save(self, path: str | Path) -> None:
        """Write the cassette file (parent folders are created) through a temporary file
        renamed into place, so a reader never sees half a cassette."""
        target = Path(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(target.name + ".partial")
        partial.write_text(self.to_json(), encoding="utf-8")
        partial.replace(target)


def _metadata(data: Any) -> CassetteMetadata:
    if not isinstance(data, Mapping):
        return CassetteMetadata()
    at_text = data.get("recorded_at")
    try:
        recorded_at = datetime.fromisoformat(str(at_text)) if at_text else None
    except ValueError as error:
        raise CassetteError(f"metadata.recorded_at: {error}") from None
    upstream, version = data.get("upstream"), data.get("ips_fake_version")
    identity = data.get("identity", "keep")
    if identity not in ("keep", "map"):
        raise CassetteError(f"metadata.identity must be 'keep' or 'map', not {identity!r}")
    return CassetteMetadata(
        recorded_at=recorded_at,
        upstream=str(upstream) if upstream is not None else None,
        ips_fake_version=str(version) if version is not None else None,
        identity="map" if identity == "map" else "keep",
    )


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

    The stored request goes through ``cassette.scrubber`` (secrets become placeholders) and
    a compressed request body is stored decompressed; the request sent is never changed.
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
                request=stored_request(
                    self.cassette.scrubber,
                    (request.method or "GET").upper(),
                    _request_path(request.url or "/"),
                    request.headers.items(),
                    _body_bytes(request.body),
                ),
                response=RecordedResponse(
                    status=response.status_code,
                    headers=_keep(headers, _RESPONSE_HEADERS),
                    body=self.cassette.scrubber.answer(content),
                ),
                at=at,
            )
        )
        return response

    def close(self) -> None:
        """Close the wrapped adapter."""
        self.inner.close()


def stored_request(
    scrubber: Scrubber,
    method: str,
    path: str,
    headers: Iterable[tuple[str, str]],
    body: bytes,
) -> RecordedRequest:
    """The request as a cassette stores it: the :data:`RECORDED_HEADERS` only, secrets
    replaced by ``scrubber``, a gzip or deflate body decompressed (its ``Content-Encoding``
    dropped). A body that cannot be decompressed is stored as sent, its encoding kept, after
    a pattern scrub of what can be read."""
    kept = _keep(headers, RECORDED_HEADERS)
    encoding = dict(kept).get("content-encoding", "")
    plain = decode_content(body, encoding)
    if plain is not None and encoding:
        kept = tuple((name, value) for name, value in kept if name != "content-encoding")
        body = plain
    return RecordedRequest(
        method=method, path=path, headers=scrubber.headers(kept), body=scrubber.body(body)
    )


def record_session(
    session: requests.Session,
    cassette: Cassette | None = None,
    *,
    now: Callable[[], datetime] | None = None,
    identity: Identity | None = None,
) -> Cassette:
    """Record every exchange ``session`` makes from now on into ``cassette`` (a new one by
    default), by wrapping each adapter mounted on it; return the cassette.

    Example::

        session = requests.Session()
        cassette = record_session(session)         # against a real endpoint: no clock
        zeep.Client(wsdl_url, transport=zeep.Transport(session=session))

    ``identity``: ``"map"`` stores user names as ``user-N@example.invalid`` and company ids
    as stand-ins (default: the cassette's scrubber's setting, ``"keep"``; the metadata says
    which). The cassette's metadata gets this ips-fake's
    version when it has none.
    """
    from ips_fake import __version__

    target = cassette if cassette is not None else Cassette()
    if identity is not None:
        target.scrubber.identity = identity
    target.metadata = replace(
        target.metadata,
        ips_fake_version=target.metadata.ips_fake_version or __version__,
        identity=target.scrubber.identity,
    )
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


def _local(element: etree._Element) -> str:
    return etree.QName(element).localname if isinstance(element.tag, str) else ""


def _parsed(request: RecordedRequest) -> etree._Element | None:
    """The request body as XML (a compressed one decompressed), or None."""
    plain = decode_content(request.body, request.header("content-encoding") or "")
    if plain is None or not plain.strip():
        return None
    try:
        return etree.fromstring(plain, _SAFE_PARSER)
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


def _label(request: RecordedRequest) -> str:
    name = operation_name(request)
    if name is not None:
        return name
    if _parsed(request) is None and request.body.strip():
        return f"{request.method} {request.path} (not XML)"
    return f"{request.method} {request.path}"


Sender = Callable[[RecordedRequest], RecordedResponse]
ClockMover = Callable[[datetime], None]

#: The password a replay sends for a placeholder the recording saw accepted.
DEFAULT_REPLAY_PASSWORD = "password"


def _is_authentication_fault(response: RecordedResponse) -> bool:
    return b"authenticationFault" in response.plain_body()


def replay_secrets(
    cassette: Cassette, password: str = DEFAULT_REPLAY_PASSWORD
) -> dict[str, str]:
    """What a replay sends for each ``***secret-N***`` of ``cassette``: ``password`` for a
    placeholder at least one recorded answer accepted (no authenticationFault), and a distinct
    wrong value (``wrong-secret-N``) for one every answer refused, so a recorded wrong-password
    exchange stays wrong."""
    accepted: dict[str, bool] = {}
    for step in cassette.interactions:
        texts = [step.request.body.decode("utf-8", "replace")]
        texts += [_header_text(name, value) for name, value in step.request.headers]
        refused = _is_authentication_fault(step.response)
        for text in texts:
            for placeholder in secret_placeholders(text):
                accepted[placeholder] = accepted.get(placeholder, False) or not refused
    return {
        placeholder: password if ok else "wrong-" + placeholder.strip("*")
        for placeholder, ok in accepted.items()
    }


def _header_text(name: str, value: str) -> str:
    scheme, _, credentials = value.partition(" ")
    if name == "authorization" and scheme.lower() == "basic":
        try:
            return base64.b64decode(credentials.strip(), validate=True).decode("utf-8", "replace")
        except ValueError:
            return value
    return value


def _fill(text: str, values: Mapping[str, str]) -> str:
    for placeholder, value in values.items():
        text = text.replace(placeholder, value)
    return text


def live_request(request: RecordedRequest, values: Mapping[str, str]) -> RecordedRequest:
    """``request`` with each placeholder replaced by its value in ``values`` (see
    :func:`replay_secrets`): in the body, ``Authorization`` (Basic re-encoded) and
    ``AuthPassword``."""
    if not values:
        return request
    headers = []
    for name, value in request.headers:
        scheme = value.partition(" ")[0]
        if name == "authorization" and scheme.lower() == "basic":
            decoded = _header_text(name, value)
            if decoded != value:
                filled = base64.b64encode(_fill(decoded, values).encode("utf-8"))
                value = f"{scheme} {filled.decode('ascii')}"
        else:
            value = _fill(value, values)
        headers.append((name, value))
    body = request.body
    for placeholder, value in values.items():
        body = body.replace(placeholder.encode(), _xml_text(value))
    return RecordedRequest(request.method, request.path, tuple(headers), body)


def _xml_text(value: str) -> bytes:
    return value.replace("&", "&amp;").replace("<", "&lt;").encode("utf-8")


def replay(
    cassette: Cassette,
    send: Sender,
    *,
    move_clock: ClockMover | None = None,
    ignore: Iterable[str] = (),
) -> ReplayReport:
    """Send every recorded request through ``send`` in order, moving the clock first with
    ``move_clock`` to each recorded time that is later than the last one, and compare the
    SOAP responses. Placeholders of scrubbed secrets are sent as :func:`replay_secrets`
    says. The building block of :func:`replay_in_process` and :func:`replay_over_http`."""
    names = tuple(ignore)
    values = replay_secrets(cassette)
    return replay_steps(
        cassette,
        send,
        move_clock,
        prepare=lambda request: live_request(request, values),
        compare=lambda recorded, answer: compare_responses(recorded, answer, names),
    )


def replay_steps(
    cassette: Cassette,
    send: Sender,
    move_clock: ClockMover | None,
    *,
    prepare: Callable[[RecordedRequest], RecordedRequest],
    compare: Callable[[RecordedResponse, RecordedResponse], str | None],
    label: Callable[[RecordedRequest], str] = _label,
) -> ReplayReport:
    """The loop :func:`replay` and :func:`ips_fake.verify.verify` share: for each recorded
    step in order, move the clock with ``move_clock`` to its time when that is later than the
    last one, send ``prepare(request)`` through ``send``, and for SOAP (and plain XML) steps
    record ``compare(recorded answer, answer)`` (None when they agree) under ``label``."""
    results: list[StepResult] = []
    clock_at: datetime | None = None
    for index, step in enumerate(cassette.interactions):
        moves_forward = step.at is not None and (clock_at is None or step.at > clock_at)
        if move_clock is not None and step.at is not None and moves_forward:
            move_clock(step.at)
            clock_at = step.at
        answer = send(prepare(step.request))
        if step.request.is_soap:
            results.append(StepResult(index, label(step.request), compare(step.response, answer)))
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
    from ips_fake.fake import IpsFake

    target = fake if fake is not None else IpsFake()
    send, move = in_process_sender(target)
    return replay(cassette, send, move_clock=move, ignore=ignore)


def in_process_sender(target: IpsFake) -> tuple[Sender, ClockMover]:
    """A :data:`Sender` that answers from ``target``'s app with no socket, and a
    :data:`ClockMover` that moves its clock forward (never back)."""
    from werkzeug.test import Client

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

    return send, control_clock_mover(target)


def control_clock_mover(fake: FakeControl) -> ClockMover:
    """A :data:`ClockMover` for any fake you drive (:class:`~ips_fake.control.FakeControl`):
    moves its clock to the instant when that is later than its time, never back."""

    def move(instant: datetime) -> None:
        if instant > fake.now():
            fake.move_to(instant)

    return move


def replay_over_http(
    cassette: Cassette,
    base_url: str,
    *,
    session: requests.Session | None = None,
    move_clock: bool = True,
    ignore: Iterable[str] = (),
    timeout: float = 30.0,
    admin_token: str | None = None,
) -> ReplayReport:
    """Replay against the server at ``base_url`` (``http://host:port``): an
    ``ips-fake serve`` (its clock moved through ``POST /_fake/clock``) or, with
    ``move_clock=False``, any IPS endpoint. ``admin_token``: the server's ``--admin-token``.

    Example::

        report = replay_over_http(cassette, "http://127.0.0.1:8080", ignore=["startDate"])
        print(report.summary())
    """
    send = http_sender(base_url, session=session, timeout=timeout)
    move = http_clock_mover(base_url, session=session, timeout=timeout, admin_token=admin_token)
    return replay(cassette, send, move_clock=move if move_clock else None, ignore=ignore)


def http_sender(
    base_url: str, *, session: requests.Session | None = None, timeout: float = 30.0
) -> Sender:
    """A :data:`Sender` to the server at ``base_url`` (the answer stored decompressed)."""
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

    return send


def http_clock_mover(
    base_url: str,
    *,
    session: requests.Session | None = None,
    timeout: float = 30.0,
    admin_token: str | None = None,
) -> ClockMover:
    """A :data:`ClockMover` for an ``ips-fake serve`` at ``base_url``: its clock driven through
    the admin API (:class:`~ips_fake.control.HttpFake`, with ``admin_token`` when given) and
    moved when the instant is later. Raises :class:`CassetteError` when the server refuses,
    ``OSError`` when it cannot be reached. ``session`` is accepted for the SOAP sender's sake
    and not used: the admin API is reached directly (a loopback server with no proxy)."""
    from ips_fake.control import AdminApiError, HttpFake

    mover = control_clock_mover(HttpFake(base_url, admin_token, timeout=timeout))

    def move(instant: datetime) -> None:
        try:
            mover(instant)
        except (AdminApiError, ValueError) as error:
            raise CassetteError(
                f"could not move the clock of {base_url.rstrip('/')} to {instant.isoformat()}: "
                f"{error}"
            ) from None

    return move
