"""Verify a cassette: replay it and compare answers with value mapping, prefix-blind.

Where :func:`ips_fake.recording.replay` compares answers as they are, :func:`verify` maps
the values a server invents to the replay's on first sight: job handles, run handles and
run names, log handles, server names and every ``xsd:dateTime``. The first time a recorded
answer shows such a value, the value the replayed answer has at the same place becomes its
mapping; from then on the recorded value must always map to the same replayed value (a
handle recorded twice must come back as the same handle twice), and two recorded values may
not map to one replayed value. Recorded requests that send a mapped value back (an
``executeJob`` with the handle ``submitJob`` returned) are sent with the mapped value, and
mapped values inside longer texts (a run name in a log message) are replaced too.

A cassette recorded with ``--identity map`` (its metadata says ``"identity": "map"``) holds
stand-ins for users and companies; :func:`localize` turns them into the fake's before the
replay: every ``user-N@example.invalid`` becomes ``user`` (default ``ipsuser@example.com``)
and stand-in company ``1`` becomes the first of ``companies`` (default ``47``), ``2`` the
second (default ``48``) and so on; a stand-in beyond the list is sent as it is.

Answers are compared as XML by namespace URI and local name, never by prefix, with
whitespace-only text dropped (:func:`canonical_text`); each mismatch gets one unified diff.

Example::

    from ips_fake.recording import Cassette
    from ips_fake.verify import verify_in_process

    report = verify_in_process(Cassette.load("contracts/recorded/nightly.json"))
    assert report.ok, report.summary()
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, TypedDict, Unpack

from lxml import etree

from ips_fake.recording import (
    DEFAULT_REPLAY_PASSWORD,
    Cassette,
    ClockMover,
    Interaction,
    RecordedRequest,
    RecordedResponse,
    ReplayReport,
    Sender,
    http_clock_mover,
    http_sender,
    in_process_sender,
    live_request,
    operation_name,
    replay_secrets,
    replay_steps,
)
from ips_fake.scrubbing import STAND_IN_USER_PATTERN, Scrubber

if TYPE_CHECKING:
    import requests

    from ips_fake.fake import IpsFake

__all__ = [
    "DATE_TIME_PATTERN",
    "DEFAULT_COMPANIES",
    "DEFAULT_USER",
    "MAPPED_ELEMENTS",
    "RUN_NAME_ELEMENTS",
    "ValueMap",
    "VerifyOptions",
    "canonical_text",
    "localize",
    "markdown_report",
    "verify",
    "verify_in_process",
    "verify_over_http",
]

#: Local names of elements whose text a server invents: mapped on first sight.
MAPPED_ELEMENTS = frozenset(
    {"jobHandle", "runHandle", "logHandle", "originalJobHandle", "serverName", "jobId", "runId"}
)
#: A run's name (mapped when it differs from the job's name, given by the sibling named).
RUN_NAME_ELEMENTS = {"name": "originalName", "jobName": "originalJobName"}
#: Text taken for an ``xsd:dateTime`` (mapped wherever it appears).
DATE_TIME_PATTERN = re.compile(r"\d{4,}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)?")
#: Mapped values at least this long are also replaced inside longer texts.
_MIN_EMBEDDED = 8

_PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, load_dtd=False, remove_blank_text=True
)
_XSI_TYPE = "{http://www.w3.org/2001/XMLSchema-instance}type"


def _local(element: etree._Element) -> str:
    return etree.QName(element).localname


def _parse(body: bytes) -> etree._Element | None:
    if not body.strip():
        return None
    try:
        return etree.fromstring(body, _PARSER)
    except etree.XMLSyntaxError:
        return None


def _elements(root: etree._Element) -> Iterable[etree._Element]:
    return (element for element in root.iter() if isinstance(element.tag, str))


#: The user a mapped cassette's stand-in users become (the default directory's IpsUser).
DEFAULT_USER = "ipsuser@example.com"
#: The companies stand-in companies ``1``, ``2``, … become (the default directory's).
DEFAULT_COMPANIES = ("47", "48")


class _Localizer(Scrubber):
    """Turns stand-ins back into the fake's identities (secrets' placeholders stay)."""

    def __init__(self, companies: Sequence[str], user: str) -> None:
        super().__init__("map")
        self._targets = {str(index): company for index, company in enumerate(companies, 1)}
        self._target_user = user

    def user(self, value: str) -> str:
        if not STAND_IN_USER_PATTERN.fullmatch(value.strip()):
            return value
        self._users[value.strip()] = self._target_user  # later texts naming it follow
        return self._target_user

    def company(self, company_id: str) -> str:
        return self._targets.get(company_id, company_id)

    def known_company(self, company_id: str) -> bool:
        return company_id in self._targets


def localize(
    cassette: Cassette, companies: Sequence[str] = DEFAULT_COMPANIES, user: str = DEFAULT_USER
) -> Cassette:
    """``cassette`` with its stand-ins replaced by the fake's identities when it was recorded
    with ``identity="map"`` (stand-in company ``N`` → ``companies[N-1]``, every stand-in user
    → ``user``, in requests, their ``Authorization``/``AuthUser`` headers and answers); the
    cassette itself otherwise."""
    if cassette.metadata.identity != "map":
        return cassette
    localizer = _Localizer(companies, user)
    steps: list[Interaction] = []
    for step in cassette.interactions:
        request, response = step.request, step.response
        steps.append(
            Interaction(
                RecordedRequest(
                    request.method,
                    request.path,
                    localizer.headers(request.headers),
                    localizer.body(request.body, fallback=False),
                ),
                RecordedResponse(
                    response.status,
                    response.headers,
                    response.body
                    if dict(response.headers).get("content-encoding")
                    else localizer.answer(response.body),
                ),
                step.at,
            )
        )
    return Cassette(steps, cassette.description, cassette.metadata)


# -- the canonical, prefix-blind form ---------------------------------------------------------


def canonical_text(body: bytes) -> str:
    """``body`` as indented lines naming elements by local name, with ``xmlns="…"`` where the
    namespace changes, attributes sorted, ``xsi:type`` values resolved to ``{uri}name``, and
    whitespace-only text dropped: two documents that differ only in prefixes or layout give
    the same text. A body that is not XML is returned as text."""
    root = _parse(body)
    if root is None:
        return body.decode("utf-8", errors="replace")
    lines: list[str] = []
    _render(root, 0, "", lines)
    return "\n".join(lines)


def _str(value: str | bytes) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else value


def _render(element: etree._Element, depth: int, parent_ns: str, lines: list[str]) -> None:
    name = etree.QName(element)
    namespace = name.namespace or ""
    pad = "  " * depth
    head = name.localname + (f' xmlns="{namespace}"' if namespace != parent_ns else "")
    for raw_key, raw_value in sorted(element.attrib.items()):
        key, value = _str(raw_key), _str(raw_value)
        attribute = etree.QName(key)
        label = f"{{{attribute.namespace}}}{attribute.localname}" if attribute.namespace else key
        if key == _XSI_TYPE and ":" in value:
            prefix, _, local = value.partition(":")
            value = f"{{{element.nsmap.get(prefix, prefix)}}}{local}"
        head += f' {label}="{value}"'
    children = [child for child in element if isinstance(child.tag, str)]
    text = (element.text or "").strip() and (element.text or "").replace("\n", "\\n")
    if not children:
        closing = f"{text}</{name.localname}>" if text else ""
        lines.append(f"{pad}<{head}{'>' + closing if text else '/>'}")
        return
    lines.append(f"{pad}<{head}>")
    if text:
        lines.append(f"{pad}  {text}")
    for child in children:
        _render(child, depth + 1, namespace, lines)
        tail = (child.tail or "").strip()
        if tail:
            lines.append(f"{pad}  {tail}")
    lines.append(f"{pad}</{name.localname}>")


# -- value mapping -----------------------------------------------------------------------------


def _path(element: etree._Element) -> tuple[tuple[str, int], ...]:
    steps: list[tuple[str, int]] = []
    node: etree._Element | None = element
    while node is not None:
        parent = node.getparent()
        index = 0
        if parent is not None:
            same = [child for child in parent if child.tag == node.tag]
            index = same.index(node)
        steps.append((_local(node), index))
        node = parent
    return tuple(reversed(steps))


def _is_mapped(element: etree._Element) -> bool:
    if len(element) or not element.text:
        return False
    name = _local(element)
    if name in MAPPED_ELEMENTS or DATE_TIME_PATTERN.fullmatch(element.text.strip()):
        return True
    sibling_name = RUN_NAME_ELEMENTS.get(name)
    if sibling_name is None or element.getparent() is None:
        return False
    parent = element.getparent()
    assert parent is not None
    original = next((child for child in parent if _local(child) == sibling_name), None)
    return original is not None and original.text != element.text


class ValueMap:
    """Recorded values → replayed values, learned on first sight and kept for a cassette.

    Example::

        mapping = ValueMap()
        mapping.learn(recorded_root, replayed_root)
        mapping.apply(recorded_root)      # the recorded answer in the replay's values
    """

    def __init__(self, *, learning: bool = True) -> None:
        self.learning = learning
        self.forward: dict[str, str] = {}
        self._targets: dict[str, str] = {}

    def learn(self, recorded: etree._Element, replayed: etree._Element) -> None:
        """Map each mapped value of ``recorded`` not seen before to the text of the element at
        the same place in ``replayed``, unless that text already stands for another value
        (nothing when the map was made with ``learning=False``)."""
        if not self.learning:
            return
        at_path = {_path(element): element for element in _elements(replayed)}
        for element in _elements(recorded):
            if not _is_mapped(element):
                continue
            value = (element.text or "").strip()
            if value in self.forward:
                continue
            twin = at_path.get(_path(element))
            if twin is None or len(twin) or not (twin.text or "").strip():
                continue
            target = (twin.text or "").strip()
            if target in self._targets and self._targets[target] != value:
                continue
            self.forward[value] = target
            self._targets[target] = value

    def text(self, value: str) -> str:
        """``value`` with mapped values replaced: whole, or inside it when long enough."""
        stripped = value.strip()
        if stripped in self.forward:
            return self.forward[stripped]
        for old in sorted(self.forward, key=len, reverse=True):
            if len(old) >= _MIN_EMBEDDED and old in value:
                value = value.replace(old, self.forward[old])
        return value

    def apply(self, root: etree._Element) -> bool:
        """Replace mapped values in every text of ``root``; whether anything changed."""
        changed = False
        for element in _elements(root):
            if element.text and element.text.strip():
                mapped = self.text(element.text)
                changed = changed or mapped != element.text
                element.text = mapped
        return changed

    def request(self, request: RecordedRequest) -> RecordedRequest:
        """``request`` with recorded values the replay knows by another value replaced."""
        if not self.forward:
            return request
        root = _parse(request.body)
        if root is None or not self.apply(root):
            return request
        declaration = request.body.lstrip().startswith(b"<?xml")
        body = bytes(etree.tostring(root, xml_declaration=declaration, encoding="UTF-8"))
        return RecordedRequest(request.method, request.path, request.headers, body)

    def compare(
        self, recorded: RecordedResponse, replayed: RecordedResponse, ignore: Sequence[str] = ()
    ) -> str | None:
        """Learn from the pair, then None when they agree (status and canonical body with the
        recorded values mapped), else a unified diff headed by the statuses."""
        want_root, got_root = _parse(recorded.plain_body()), _parse(replayed.plain_body())
        if want_root is not None and got_root is not None:
            self.learn(want_root, got_root)
            self.apply(want_root)
            for root in (want_root, got_root):
                for element in _elements(root):
                    if _local(element) in ignore and not len(element):
                        element.text = "…"
            want = canonical_text(etree.tostring(want_root))
            got = canonical_text(etree.tostring(got_root))
        else:
            want = canonical_text(recorded.plain_body())
            got = canonical_text(replayed.plain_body())
        if recorded.status == replayed.status and want == got:
            return None
        diff = difflib.unified_diff(
            want.splitlines(), got.splitlines(), "recorded (values mapped)", "replayed", lineterm=""
        )
        return f"status {recorded.status} recorded, {replayed.status} replayed\n" + "\n".join(diff)


# -- verifying ---------------------------------------------------------------------------------


def verify(
    cassette: Cassette,
    send: Sender,
    *,
    move_clock: ClockMover | None = None,
    ignore: Iterable[str] = (),
    password: str = DEFAULT_REPLAY_PASSWORD,
    map_values: bool = True,
    companies: Sequence[str] = DEFAULT_COMPANIES,
    user: str = DEFAULT_USER,
) -> ReplayReport:
    """Send every recorded request through ``send`` in order (secrets filled in as
    :func:`~ips_fake.recording.replay_secrets` says with ``password``, mapped values
    replaced), moving the clock first with ``move_clock`` to each later recorded time, and
    compare each SOAP answer with value mapping. Elements named in ``ignore`` are blanked
    on both sides. ``map_values=False`` compares values as recorded (the former ``replay``).
    A cassette recorded with mapped identities is first given ``companies`` and ``user``
    (:func:`localize`)."""
    names = tuple(ignore)
    cassette = localize(cassette, companies, user)
    values = replay_secrets(cassette, password)
    mapping = ValueMap(learning=map_values)
    return replay_steps(
        cassette,
        send,
        move_clock,
        prepare=lambda request: mapping.request(live_request(request, values)),
        compare=lambda recorded, answer: mapping.compare(recorded, answer, names),
        label=lambda request: operation_name(request) or f"{request.method} {request.path}",
    )


class VerifyOptions(TypedDict, total=False):
    """The keywords :func:`verify_in_process` and :func:`verify_over_http` pass on to
    :func:`verify` (see it for their meaning and defaults)."""

    ignore: Iterable[str]
    password: str
    map_values: bool
    companies: Sequence[str]
    user: str


def verify_in_process(
    cassette: Cassette, fake: IpsFake | None = None, **options: Unpack[VerifyOptions]
) -> ReplayReport:
    """:func:`verify` against ``fake`` (a fresh :class:`~ips_fake.fake.IpsFake` by default)
    with no socket, its clock moved to each recorded time; ``options`` as :func:`verify`
    takes them (``ignore``, ``password``, ``map_values``, ``companies``, ``user``)."""
    from ips_fake.fake import IpsFake

    send, move = in_process_sender(fake if fake is not None else IpsFake())
    return verify(cassette, send, move_clock=move, **options)


def verify_over_http(
    cassette: Cassette,
    base_url: str,
    *,
    session: requests.Session | None = None,
    move_clock: bool = True,
    timeout: float = 30.0,
    admin_token: str | None = None,
    **options: Unpack[VerifyOptions],
) -> ReplayReport:
    """:func:`verify` against the server at ``base_url``; with ``move_clock`` (an
    ``ips-fake serve``) its clock is moved through the admin API (``admin_token`` when it
    has one); ``options`` as :func:`verify` takes them. Raises
    :class:`~ips_fake.recording.CassetteError` when the clock cannot be moved, ``OSError``
    (``requests.RequestException`` among them) when the server cannot be reached."""
    send = http_sender(base_url, session=session, timeout=timeout)
    move = http_clock_mover(base_url, session=session, timeout=timeout, admin_token=admin_token)
    return verify(cassette, send, move_clock=move if move_clock else None, **options)


# -- the fidelity report -------------------------------------------------------------------------


def markdown_report(results: Sequence[tuple[str, Cassette, ReplayReport]], target: str) -> str:
    """A Markdown fidelity report for ``(name, cassette, report)`` triples verified against
    ``target``: per cassette, what it was recorded against, the operations and API versions
    it covers, and each difference as a diff. Secrets are already placeholders."""
    lines = ["# ips-fake fidelity report", "", f"Verified against: {target}", ""]
    total = sum(len(report.steps) for _, _, report in results)
    differ = sum(len(report.mismatches) for _, _, report in results)
    lines += [f"{len(results)} cassette(s), {total} SOAP exchanges, {differ} differ.", ""]
    for name, cassette, report in results:
        meta = cassette.metadata
        operations: list[str] = []
        for step in cassette.interactions:
            operation = operation_name(step.request) if step.request.is_soap else None
            if operation is not None and operation not in operations:
                operations.append(operation)
        versions = cassette.api_versions()
        lines += [
            f"## {name}",
            "",
            f"- recorded against: {meta.upstream or 'unknown'}",
            f"- recorded at: {meta.recorded_at.isoformat() if meta.recorded_at else 'unknown'}",
            f"- recorded by ips-fake: {meta.ips_fake_version or 'unknown'}",
            f"- API versions: {', '.join(versions) or 'none seen'}",
            f"- operations: {', '.join(operations) or 'none'}",
            f"- result: {len(report.steps)} exchanges, {len(report.mismatches)} differ",
            "",
        ]
        for result in report.mismatches:
            lines += [f"### #{result.index} {result.label}", "", "```diff"]
            lines += [result.diff or "", "```", ""]
    return "\n".join(lines)
