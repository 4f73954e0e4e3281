"""The SOAP endpoint, sans I/O: request bytes and headers in, status, headers and bytes out.

Every exchange is written to a :class:`Journal`, with the decoded parameters, the caller,
the answer or fault, and, when the exchange shows a client bug (bad XML, a schema
violation) or a server bug (an exception, an invalid response), a ``problem`` that the
pytest plugin turns into a test failure. The journal is bounded twice: in entries
(:data:`JOURNAL_LIMIT`) and in bytes (bodies cut at :data:`JOURNAL_BODY_LIMIT`, everything
kept within :data:`JOURNAL_BYTE_BUDGET`).
"""

from __future__ import annotations

import gzip
import itertools
import pickle
import sys
import threading
import traceback
import zlib
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import tzinfo
from typing import Any

from lxml import etree

from ips_fake.core.cron import has_fixed_offset
from ips_fake.core.errors import FaultCode, IpsFault
from ips_fake.core.handles import HandleStyle
from ips_fake.core.service import IpsService
from ips_fake.soap.codec import ECHO_DEFAULTS, Shaping, Writer
from ips_fake.soap.envelope import (
    NO_CREDENTIALS,
    Credentials,
    MustUnderstandFault,
    SoapVersion,
    build_envelope,
    check_must_understand,
    credentials_from,
    decode_body,
    name_parts,
    parse_envelope,
    parse_plain_request,
)
from ips_fake.soap.faults import (
    fault_detail,
    fault_envelope,
    fault_status,
    must_understand_envelope,
)
from ips_fake.soap.operations import OPERATIONS, CallContext, Decoded
from ips_fake.soap.schema import ApiVersion, operations_of, version_for_namespace
from ips_fake.soap.structure import ShapeCache, conform, structure_of
from ips_fake.soap.validation import SchemaViolation, response_problems, validate_element

#: Most exchanges the journal keeps; the oldest go first.
JOURNAL_LIMIT = 10_000
#: Longest request or response body an entry keeps, in bytes; a longer one is cut there and
#: ends with :data:`TRUNCATION_MARKER` saying how long it was.
JOURNAL_BODY_LIMIT = 4 * 1024
#: Most bytes all kept entries hold together (their kept bodies, and the decoded request a
#: call's ``params`` came from); the oldest entries go first, the newest is always kept.
#: Entries are stored compressed (see :meth:`Journal.record`), in far fewer bytes than they
#: weigh.
JOURNAL_BYTE_BUDGET = 4 * 1024 * 1024
#: Ends a body the journal cut; ``{size}`` is the body's whole length in bytes.
TRUNCATION_MARKER = "\n[ips-fake journal: cut at {limit} of {size} bytes]"


def journal_body(data: bytes, limit: int = JOURNAL_BODY_LIMIT) -> bytes:
    """``data`` as the journal keeps it: whole up to ``limit`` bytes, else its first ``limit``
    bytes followed by :data:`TRUNCATION_MARKER`."""
    if len(data) <= limit:
        return data
    return data[:limit] + TRUNCATION_MARKER.format(limit=limit, size=len(data)).encode()


@dataclass(frozen=True)
class Exchange:
    """One request and its answer, as the journal keeps it."""

    sequence: int
    operation: str | None
    soap_version: str | None
    namespace: str | None
    caller: str | None
    params: Decoded
    status: int
    fault_code: int | None
    fault_kind: str | None
    fault_reason: str | None
    problem: str | None
    request: bytes
    response: bytes

    def summary(self) -> str:
        """One line for humans."""
        label = self.fault_code if self.fault_code is not None else self.fault_kind
        outcome = f"fault {label} {self.fault_reason}" if label is not None else "ok"
        return f"#{self.sequence} {self.operation or '?'} by {self.caller or '?'}: {outcome}"


@dataclass(slots=True)
class _PackedExchange:
    """An exchange as the journal stores it: its params and bodies pickled and compressed
    together (the decoded request repeats the request's text, so they pack well), against
    ``dictionary``: the journal's preset dictionary for its operation (see
    :meth:`Journal.record`). Never changed once made (not frozen: one is made per exchange,
    and a frozen dataclass costs several times as much to make)."""

    sequence: int
    operation: str | None
    soap_version: str | None
    namespace: str | None
    caller: str | None
    status: int
    fault_code: int | None
    fault_kind: str | None
    fault_reason: str | None
    problem: str | None
    packed: bytes
    dictionary: bytes
    #: None: ``packed`` holds the params pickled with the bodies. Otherwise ``(plain,
    #: content encoding)``: it holds the bodies alone, and the params are decoded again from
    #: the (whole) request, as the endpoint decoded them (:func:`_reread_params`).
    reread: tuple[bool, str] | None


#: How most requests are read again: a SOAP request without a Content-Encoding (one shared
#: tuple, so entries hold a reference rather than a tuple each).
_SOAP_UNENCODED = (False, "")


def _reread_params(operation: str | None, request: bytes, plain: bool, encoding: str) -> Decoded:
    """The params the endpoint decoded from ``request`` (a whole body it answered without a
    fault in reading it): the same steps, so an equal value."""
    decoded = decode_body(request, encoding)
    param = (parse_plain_request(decoded) if plain else parse_envelope(decoded)).body
    assert operation is not None, "only an operation's params are read again"
    return OPERATIONS[operation].decode(param)


def _joined_bodies(request: bytes, response: bytes) -> bytes:
    """``request`` and ``response`` as one byte string :func:`_split_bodies` splits."""
    return len(request).to_bytes(4, "big") + request + response


def _split_bodies(data: bytes) -> tuple[bytes, bytes]:
    """The request and response :func:`_joined_bodies` joined."""
    length = int.from_bytes(data[:4], "big")
    return data[4 : 4 + length], data[4 + length :]


def _pickled_contents(params: Decoded, request: bytes, response: bytes) -> bytes | None:
    """An exchange's params and bodies pickled, or None when its params cannot be pickled
    (it is then kept as it is)."""
    try:
        return pickle.dumps((params, request, response), pickle.HIGHEST_PROTOCOL)
    except (pickle.PicklingError, TypeError, AttributeError):
        return None


def _pack(
    exchange: Exchange, packed: tuple[bytes, bytes, tuple[bool, str] | None] | None
) -> Exchange | _PackedExchange:
    """``exchange`` as the journal keeps it: with ``packed`` (its contents deflated, the
    dictionary they were deflated against, and how its params are read again, if they are)
    in place of its params and bodies, or as it is without."""
    if packed is None:
        return exchange
    return _PackedExchange(
        exchange.sequence,
        exchange.operation,
        exchange.soap_version,
        exchange.namespace,
        exchange.caller,
        exchange.status,
        exchange.fault_code,
        exchange.fault_kind,
        exchange.fault_reason,
        exchange.problem,
        *packed,
    )


#: zlib's window for journal entries, as a base-two logarithm: 4 KiB, as much as one kept
#: body; only the last 4 KiB of a preset dictionary can be referred to.
_WINDOW_BITS = 12


#: zlib's memory level for journal entries: a 2 Ki-entry hash table, enough for a 4 KiB
#: window (a smaller one makes long answers' matches slower to find and larger).
_MEMORY_LEVEL = 4


def _primed_packer(dictionary: bytes) -> zlib._Compress:
    """A deflater with a 4 KiB window, primed with the preset ``dictionary``: entries are
    deflated by copies of it (:func:`_compress`), so the dictionary is read once rather than
    once per exchange."""
    return zlib.compressobj(6, zlib.DEFLATED, -_WINDOW_BITS, _MEMORY_LEVEL, zdict=dictionary)


def _compress(data: bytes, primed: zlib._Compress) -> bytes:
    """``data`` deflated by a copy of ``primed`` (:func:`_primed_packer` of the preset
    dictionary): an exchange of the same operation repeats most of its bytes, so what is
    left is mostly the job name and handles (tens of bytes instead of hundreds). The same
    bytes as a new deflater given that dictionary would make."""
    packer = primed.copy()
    return packer.compress(data) + packer.flush()


def _unpack(entry: Exchange | _PackedExchange) -> Exchange:
    """The exchange :func:`_pack` packed (our own bytes, never a client's)."""
    if isinstance(entry, Exchange):
        return entry
    unpacker = zlib.decompressobj(-_WINDOW_BITS, zdict=entry.dictionary)
    data = unpacker.decompress(entry.packed) + unpacker.flush()
    params: Decoded
    if entry.reread is None:
        params, request, response = pickle.loads(data)
    else:
        request, response = _split_bodies(data)
        params = _reread_params(entry.operation, request, *entry.reread)
    return Exchange(
        entry.sequence,
        entry.operation,
        entry.soap_version,
        entry.namespace,
        entry.caller,
        params,
        entry.status,
        entry.fault_code,
        entry.fault_kind,
        entry.fault_reason,
        entry.problem,
        request,
        response,
    )


@dataclass
class Journal:
    """The exchanges one server has answered: the newest :data:`JOURNAL_LIMIT`, holding at
    most ``byte_budget`` bytes together (see :meth:`record`)."""

    entries: deque[Exchange | _PackedExchange] = field(
        default_factory=lambda: deque(maxlen=JOURNAL_LIMIT)
    )
    lock: threading.Lock = field(default_factory=threading.Lock)
    sequence: int = 0
    byte_budget: int = JOURNAL_BYTE_BUDGET
    body_limit: int = JOURNAL_BODY_LIMIT
    kept_bytes: int = 0
    #: how many times :meth:`clear` ran: a sequence number names one exchange within a
    #: generation (numbering restarts at each clear)
    generation: int = 0
    _weights: deque[int] = field(default_factory=deque, repr=False)
    #: preset dictionaries by operation (None: a request naming none): the last
    #: 4 KiB of the first exchange of that operation the journal packed (at most one per
    #: operation, until :meth:`clear`)
    _dictionaries: dict[str | None, bytes] = field(default_factory=dict, repr=False)
    #: by operation: (its preset dictionary, a deflater primed with it: see _compress)
    _packers: dict[str | None, tuple[bytes, zlib._Compress]] = field(
        default_factory=dict, repr=False
    )

    def record(
        self, *, decoded_size: int = 0, reread: tuple[bool, str] | None = None, **values: Any
    ) -> Exchange:
        """Append an exchange, numbering it. Its ``request`` and ``response`` are cut at
        ``body_limit`` bytes (:func:`journal_body`); it weighs its kept bodies, or
        ``decoded_size`` (bytes of the decoded request its ``params`` came from) when that is
        more; the oldest entries are dropped while the total passes ``byte_budget``. It is
        kept packed (:class:`_PackedExchange`), deflated against the last 4 KiB of the first
        exchange of its operation the journal packed; :meth:`exchanges` unpacks. With
        ``reread`` (``(plain, content encoding)``: how the endpoint read the request) and the
        request kept whole, the params are not stored but decoded again when unpacked."""
        whole_request = values.pop("request")
        request = journal_body(whole_request, self.body_limit)
        response = journal_body(values.pop("response"), self.body_limit)
        params = values.get("params")
        operation = values.get("operation")
        weight = len(response) + max(len(request), decoded_size if params else 0)
        # packed before taking the lock: handler threads do not wait on it
        contents: bytes | None
        if reread is not None and params and operation in OPERATIONS and request is whole_request:
            contents = _joined_bodies(request, response)
            if reread == _SOAP_UNENCODED:
                reread = _SOAP_UNENCODED
        else:
            reread = None
            contents = _pickled_contents(values["params"], request, response)
        packed: tuple[bytes, bytes, tuple[bool, str] | None] | None = None
        if contents is not None:
            dictionary, primed = self._packer(operation, contents)
            packed = (_compress(contents, primed), dictionary, reread)
        # one string object for the names every entry repeats, not one each
        if isinstance(operation, str):
            values["operation"] = sys.intern(operation)
        caller = values.get("caller")
        if isinstance(caller, str):
            values["caller"] = sys.intern(caller)
        with self.lock:
            self.sequence += 1
            exchange = Exchange(
                sequence=self.sequence, request=request, response=response, **values
            )
            if self.entries.maxlen is not None and len(self.entries) == self.entries.maxlen:
                self._drop_oldest()
            self.entries.append(_pack(exchange, packed))
            self._weights.append(weight)
            self.kept_bytes += weight
            while self.kept_bytes > self.byte_budget and len(self.entries) > 1:
                self._drop_oldest()
            return exchange

    def _packer(self, operation: str | None, contents: bytes) -> tuple[bytes, zlib._Compress]:
        """(preset dictionary, primed deflater) of ``operation``'s entries; the dictionary is
        the last 4 KiB of ``contents`` when the operation has none yet."""
        found = self._packers.get(operation)
        if found is None:
            dictionary = self._dictionaries.setdefault(operation, contents[-(1 << _WINDOW_BITS) :])
            found = self._packers.setdefault(operation, (dictionary, _primed_packer(dictionary)))
        return found

    def _drop_oldest(self) -> None:
        self.entries.popleft()
        self.kept_bytes -= self._weights.popleft() if self._weights else 0

    def exchanges(self) -> list[Exchange]:
        """All kept exchanges, oldest first."""
        with self.lock:
            kept = list(self.entries)
        return [_unpack(entry) for entry in kept]

    def newest(self, limit: int) -> list[Exchange]:
        """The newest ``limit`` kept exchanges, newest first; only those are unpacked."""
        with self.lock:
            kept = list(itertools.islice(reversed(self.entries), max(limit, 0)))
        return [_unpack(entry) for entry in kept]

    def sequences(self) -> range:
        """The sequence numbers of the kept exchanges, oldest first (they are consecutive:
        the journal only ever drops its oldest)."""
        with self.lock:
            if not self.entries:
                return range(0)
            return range(self.entries[0].sequence, self.entries[-1].sequence + 1)

    def get(self, sequence: int) -> Exchange | None:
        """The kept exchange numbered ``sequence``, unpacked; None once dropped (or after
        :meth:`clear`, which restarts the numbering: see :attr:`generation`)."""
        with self.lock:
            if not self.entries:
                return None
            index = sequence - self.entries[0].sequence
            if not 0 <= index < len(self.entries):
                return None
            entry = self.entries[index]
        return _unpack(entry)

    def problems(self) -> list[Exchange]:
        """Exchanges that show a client or server bug."""
        return [entry for entry in self.exchanges() if entry.problem]

    def clear(self) -> None:
        """Forget everything (numbering restarts)."""
        with self.lock:
            self.entries.clear()
            self._weights.clear()
            self._dictionaries.clear()
            self._packers.clear()
            self.kept_bytes = 0
            self.sequence = 0
            self.generation += 1


@dataclass(frozen=True)
class SoapAnswer:
    """What the transport sends back."""

    status: int
    headers: dict[str, str]
    body: bytes
    exchange: Exchange


@dataclass
class _Call:
    version: SoapVersion
    api: ApiVersion | None = None
    operation: str | None = None
    caller: str | None = None
    params: Decoded = field(default_factory=dict)
    credentials: Credentials = NO_CREDENTIALS
    decoded_size: int = 0
    #: the request's Content-Encoding (how its body is inflated)
    content_encoding: str = ""
    #: set for the plain XML endpoint: answers are bare documents of this Content-Type
    plain_content_type: str | None = None


def _new_call(content_type: str, plain: bool) -> _Call:
    """A call in the SOAP version the Content-Type suggests, or, for the plain XML endpoint,
    answering bare documents in the request's XML media type."""
    if plain:
        media = "application/xml" if "application/xml" in content_type else "text/xml"
        return _Call(SoapVersion.V11, plain_content_type=f"{media}; charset=UTF-8")
    guess = SoapVersion.V12 if "application/soap+xml" in content_type else SoapVersion.V11
    return _Call(guess)


class SoapEndpoint:
    """Answers ``POST /scene7/services/IpsApiService`` and the plain XML endpoint."""

    def __init__(self, service: IpsService, *, validate_responses: bool = False) -> None:
        self.service = service
        self.validate_responses = validate_responses
        self.journal = Journal()
        #: listing items already shaped per version (see :class:`ShapeCache`); used only
        #: while the service's zone keeps one UTC offset (:meth:`_shapes_for`)
        self.shapes = ShapeCache()
        self._shapes_zone: tzinfo | None = None
        self._shapes_usable = False
        #: how answers of each API version are shaped, by its namespace (through shapes)
        self._shapings: dict[str, Shaping] = {}

    def handle(
        self,
        body: bytes,
        *,
        content_type: str = "",
        authorization: str | None = None,
        accept_encoding: str = "",
        base_url: str | Callable[[], str] = "http://localhost",
        content_encoding: str = "",
        plain: bool = False,
    ) -> SoapAnswer:
        """Answer one SOAP request (``content_encoding``: the request's, e.g. ``gzip``;
        ``base_url``: the server's, or a function giving it when an answer needs it).

        With ``plain``, one request of the plain XML endpoint (``POST
        /scene7/api/IpsApiService``): the body is a ``<Request>`` document, in any API
        version's namespace, holding an optional ``authHeader`` and exactly one
        ``<op>Param``; the answer is the bare ``<op>Return`` document with HTTP 200, a fault
        the bare fault element (HTTP status by the SOAP endpoint's rules). Parsing, limits,
        validation and the journal are the SOAP endpoint's (docs/fidelity.md, "API versions").
        """
        call = _new_call(content_type, plain)
        return self._handle(call, body, content_encoding, authorization, accept_encoding, base_url)

    def _handle(
        self,
        call: _Call,
        body: bytes,
        content_encoding: str,
        authorization: str | None,
        accept_encoding: str,
        base_url: str | Callable[[], str],
    ) -> SoapAnswer:
        problem: str | None = None
        try:
            result = self._dispatch(call, body, content_encoding, authorization, base_url)
        except MustUnderstandFault as fault:
            return self._answer(
                call,
                500,
                must_understand_envelope(call.version, fault.header, fault.reason),
                body,
                accept_encoding,
                None,
                f"header not understood: {fault.reason}",
                fault_kind="MustUnderstand",
                fault_reason=fault.reason,
            )
        except SchemaViolation as fault:
            return self._fault(
                call, fault, body, accept_encoding, f"schema violation: {fault.reason}"
            )
        except IpsFault as fault:
            if fault.code == FaultCode.INVALID_REQUEST_XML:
                problem = f"invalid request XML: {fault.reason}"
            return self._fault(call, fault, body, accept_encoding, problem)
        except Exception as error:  # the fake itself failed: never leak a traceback
            internal = IpsFault(
                FaultCode.GENERAL_FAILURE,
                f"internal error in ips-fake while handling {call.operation or 'the request'}: "
                f"{type(error).__name__}",
            )
            return self._fault(
                call, internal, body, accept_encoding, "server error:\n" + traceback.format_exc()
            )
        if self.validate_responses and call.api is not None:
            issues = response_problems(result, call.api)
            if issues:
                problem = "response does not validate against the schema: " + "; ".join(issues)
        if call.plain_content_type is not None:
            payload = etree.tostring(result, xml_declaration=True, encoding="UTF-8")
        else:
            payload = build_envelope(call.version, result)
        return self._answer(call, 200, payload, body, accept_encoding, None, problem)

    def refuse(
        self,
        reason: str,
        *,
        status: int,
        received: bytes,
        content_type: str = "",
        accept_encoding: str = "",
        plain: bool = False,
    ) -> SoapAnswer:
        """Answer a request whose body the transport would not read whole (larger than the
        limit, cut short, stopped arriving): ipsApiFault 30003 giving ``reason``, with HTTP
        ``status`` (413 or 400), as a SOAP fault or (``plain``, the XML endpoint) a bare fault
        element. The journal keeps at most :data:`JOURNAL_BODY_LIMIT` bytes of ``received``,
        the bytes read before refusing."""
        call = _new_call(content_type, plain)
        fault = IpsFault(FaultCode.INVALID_REQUEST_XML, reason)
        if plain:
            payload = etree.tostring(fault_detail(fault), xml_declaration=True, encoding="UTF-8")
        else:
            payload = fault_envelope(call.version, fault)
        problem = f"invalid request XML: {reason}"
        return self._answer(call, status, payload, received, accept_encoding, fault, problem)

    def _dispatch(
        self,
        call: _Call,
        body: bytes,
        content_encoding: str,
        authorization: str | None,
        base_url: str | Callable[[], str],
    ) -> etree._Element:
        decoded = decode_body(body, content_encoding)
        call.decoded_size = len(decoded)
        call.content_encoding = content_encoding
        if call.plain_content_type is not None:
            request = parse_plain_request(decoded)
        else:
            request = parse_envelope(decoded)
            call.version = request.version
            check_must_understand(request)
        param = request.body
        namespace, name = name_parts(param)
        # read first, so that a fault about the body honours faultHttpStatusCode
        call.credentials = credentials_from(request, authorization, namespace or "")
        call.caller = call.credentials.user
        operation = name[: -len("Param")] if name.endswith("Param") else None
        if operation not in OPERATIONS:
            raise IpsFault(
                FaultCode.INVALID_REQUEST_XML,
                f"the body element {name!r} is not an IPS job operation "
                "(expected e.g. submitJobParam)",
            )
        api = version_for_namespace(namespace or "")
        if api is None:
            raise IpsFault(
                FaultCode.INVALID_REQUEST_XML,
                f"{name} is in namespace {namespace or '(none)'!r}, which is no IPS API "
                "version's "
                "(e.g. http://www.scene7.com/IpsApi/xsd/2014-04-03)",
            )
        call.api = api
        if operation not in operations_of(api):
            raise IpsFault(
                FaultCode.INVALID_REQUEST_XML,
                f"the body element {name!r} is not an IPS job operation of API version "
                f"{api.label} ({namespace})",
            )
        call.operation = operation
        user = self.service.directory.authenticate(call.credentials.user, call.credentials.password)
        validate_element(param, api)
        spec = OPERATIONS[operation]
        try:
            call.params = spec.decode(param)
        except IpsFault as fault:
            raise SchemaViolation(fault.code, fault.reason) from None
        style = HandleStyle.LEGACY if api.is_legacy else HandleStyle.MODERN
        shaping = self._shapings.get(api.namespace)
        if shaping is None or shaping.cache is not self.shapes:
            shaping = Shaping(structure_of(api), ECHO_DEFAULTS, self.shapes, conform)
            self._shapings[api.namespace] = shaping
        structure = shaping.structure
        usable = self._shapes_usable_now()
        writer = Writer(api.namespace, style, base_url, shaping=shaping if usable else None)
        answer = spec.call(CallContext(self.service, user, writer), call.params)
        conform(answer, structure, ECHO_DEFAULTS, settled=writer.settled())
        return answer

    def _shapes_usable_now(self) -> bool:
        """Whether listing items may come from :attr:`shapes`: only while the service's zone
        keeps one UTC offset. Items are kept by the records they show, and records compare
        their times as Python does: two wall times of a zone that differ only in ``fold``
        (01:30 before and after a fall-back) are equal, and so are one instant's times in
        two zones, yet each is written with its own offset. A new zone forgets the items
        kept under the last one."""
        zone = self.service.zone
        if zone is not self._shapes_zone:
            self.shapes.clear()
            self._shapes_usable = has_fixed_offset(zone)
            self._shapes_zone = zone
        return self._shapes_usable

    def _fault(
        self, call: _Call, fault: IpsFault, body: bytes, accept_encoding: str, problem: str | None
    ) -> SoapAnswer:
        if call.plain_content_type is not None:
            payload = etree.tostring(fault_detail(fault), xml_declaration=True, encoding="UTF-8")
        else:
            payload = fault_envelope(call.version, fault)
        if self.validate_responses and call.api is not None:
            issues = response_problems(fault_detail(fault), call.api)
            if issues:
                problem = (problem or "") + " fault detail does not validate: " + "; ".join(issues)
        status = fault_status(call.credentials.fault_http_status)
        return self._answer(call, status, payload, body, accept_encoding, fault, problem)

    def _answer(
        self,
        call: _Call,
        status: int,
        payload: bytes,
        request: bytes,
        accept_encoding: str,
        fault: IpsFault | None,
        problem: str | None,
        *,
        fault_kind: str | None = None,
        fault_reason: str | None = None,
    ) -> SoapAnswer:
        headers = {"Content-Type": call.plain_content_type or call.version.content_type}
        if call.plain_content_type is not None:
            protocol = "xml"
        else:
            protocol = "1.1" if call.version is SoapVersion.V11 else "1.2"
        exchange = self.journal.record(
            operation=call.operation,
            soap_version=protocol,
            namespace=call.api.namespace if call.api else None,
            caller=call.caller,
            params=call.params,
            status=status,
            fault_code=fault.code if fault else None,
            fault_kind=fault.kind.value if fault else fault_kind,
            fault_reason=fault.reason if fault else fault_reason,
            problem=problem,
            request=request,
            response=payload,
            decoded_size=call.decoded_size,
            reread=(call.plain_content_type is not None, call.content_encoding),
        )
        wants_gzip = (
            "gzip" in accept_encoding.lower() and call.credentials.gzip_response is not False
        )
        if wants_gzip:
            payload = gzip.compress(payload, mtime=0)
            headers["Content-Encoding"] = "gzip"
        return SoapAnswer(status, headers, payload, exchange)
