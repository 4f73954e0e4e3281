"""The invalid kinds as a table of small breakers: each takes a valid document and breaks it
one way, saying the fault the fake must answer (:data:`BREAKERS`)."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import TypeAlias

from hypothesis import strategies as st
from lxml import etree

from ips_fake.core.errors import FaultCode
from ips_fake.soap.schema import (
    API_VERSIONS,
    ApiVersion,
)
from ips_fake.strategies.schema_model import (
    _XSI_NIL,
    ChildSpec,
    SchemaModel,
    _shape_of,
    schema_model,
)
from ips_fake.strategies.sites import (
    _AUTHZ,
    _IPS,
    _first_unexpected,
    _insert_in_order,
    _leaf_sites,
    _local,
    _new_leaf,
    _path,
    _set_leaf,
    _Site,
    _sites,
    _type_of,
)
from ips_fake.strategies.valid import _SUBMIT_TIMING, _build, _Context, _node
from ips_fake.strategies.values import _unknown_job_handles, quartz_expressions


class InvalidKind(Enum):
    """What is wrong with an :class:`InvalidDocument`."""

    MISSING_REQUIRED = "a required element is missing"
    NO_PAYLOAD = "submitJob without a job payload"
    TWO_PAYLOADS = "submitJob with two job payloads"
    EXEC_TIME_AND_SCHEDULE = "submitJob with both execTime and execSchedule"
    WRONG_TYPE = "a value of the wrong type (or xsi:nil) for xsd:boolean, int or double"
    BAD_ENUM = "a value outside an enumeration"
    OUT_OF_ORDER = "two children swapped out of sequence order"
    WRONG_NAMESPACE = "an element in the wrong namespace"
    UNKNOWN_BODY_NAMESPACE = "the <op>Param in a namespace of no API version"
    MALFORMED_DATE_TIME = "a malformed (or unusable) xsd:dateTime"
    BAD_LOCALE = "a locale that is not ll or ll-CC"
    BAD_SCHEDULE = "an execSchedule that is no Quartz expression or never fires"
    BLANK_JOB_NAME = "a jobName that is empty or only whitespace"
    BAR_IN_JOB_NAME = "a jobName containing the '|' that separates the parts of a handle"
    UNKNOWN_COMPANY = "a companyHandle naming no company"
    FOREIGN_COMPANY = "a companyHandle naming a company the caller may not act on"
    UNKNOWN_JOB_HANDLE = "a jobHandle naming no job (on a fresh fake)"
    UNKNOWN_USER_HANDLE = "a userHandle naming no user"
    NOT_IN_VERSION = "an element another API version has at that place, which this one lacks"


_WRONG_VALUES: Mapping[str, tuple[str, ...]] = {
    "boolean": ("yes", "no", "TRUE", "2", "", "on"),
    "int": ("ten", "1.5", "", "2147483648", "-2147483649", "1e3"),
    "long": ("ten", "1.5", "", "9223372036854775808", "1e3"),
    "double": ("abc", "1,5", "", "one", "1.2.3"),
}
_BAD_ENUM_VALUES = ("", "Sometimes", "none", "ALL", "Full ", "error")
_BAD_DATE_TIMES = (
    "",
    "2026-13-01T00:00:00Z",
    "2026-02-30T10:00:00Z",
    "2026-01-05 09:00:00",
    "05/01/2026 09:00",
    "2026-01-05T09:00:00+15:00",
    "tomorrow",
    "2026-01-05T24:00:00Z",
    "-0001-01-01T00:00:00Z",
    "12026-01-05T09:00:00Z",
)
_BAD_LOCALES = ("", "english", "EN-us", "en_US", "e", "en-USA", "eng", "en-us", "En-US")
_BAD_SCHEDULES = (
    "",
    "tomorrow",
    "61 0 0 * * ?",
    "0 60 0 * * ?",
    "0 0 24 * * ?",
    "0 0 0 ? * ?",
    "0 0 0 1 * MON",
    "0 0 0 * * 0",
    "0 0 0 * * ? 1999",
    "0 0 0 30 2 ? 2027",
    "0 0 0 * * ? 2030-2027",
    "0 0",
)
_UNKNOWN_BODY_NAMESPACES = (
    "http://www.scene7.com/IpsApi/xsd/2099-01-01",
    "http://www.scene7.com/IpsApi",
    "urn:example:other",
)


Broken: TypeAlias = tuple[str, str, int, str]
"""What a breaker did: (label, fault element, fault code, what the fault's reason mentions)."""


@dataclass(frozen=True)
class Breaking:
    """A valid document of ``version`` about to be broken in place: its ``root``, the
    Hypothesis ``draw``, the account ``ctx`` and the document's child positions (``sites``)."""

    draw: st.DrawFn
    version: ApiVersion
    root: etree._Element
    ctx: _Context
    model: SchemaModel
    sites: list[_Site]

    @property
    def namespace(self) -> str:
        """The namespace of the document's version."""
        return self.version.namespace

    def set_leaf(self, name: str, text: str) -> etree._Element:
        """Set (or insert in schema order) the top-level leaf ``name`` of the document."""
        return _set_leaf(self.model, self.root, self.namespace, name, text)


Breaker: TypeAlias = Callable[[Breaking], "Broken | None"]
"""Breaks a document one way; None when the document has no place for it."""


def _missing_required(doc: Breaking) -> Broken | None:
    candidates = [s for s in doc.sites if s.element is not None and s.spec.required]
    if not candidates:
        return None
    site = doc.draw(st.sampled_from(candidates))
    assert site.element is not None
    site.parent.remove(site.element)
    return f"removed required {_path(site)}", _IPS, FaultCode.MISSING_PARAMETER, site.spec.name


def _no_payload(doc: Breaking) -> Broken:
    root = doc.root
    payload = next(child for child in root if _local(child) in doc.model.payload_names)
    root.remove(payload)
    return (
        f"removed the payload {_local(payload)}",
        _IPS,
        FaultCode.MISSING_PARAMETER,
        _local(payload),
    )


def _two_payloads(doc: Breaking) -> Broken:
    model, draw = doc.model, doc.draw
    present = next(_local(child) for child in doc.root if _local(child) in model.payload_names)
    other = draw(st.sampled_from([n for n in model.payload_names if n != present]))
    spec = model.child("submitJobParam", other)
    extra = _build(
        draw(_node(doc.ctx, _shape_of(doc.version), "submitJobParam", spec)), doc.namespace
    )
    _insert_in_order(model, doc.root, "submitJobParam", extra)
    return f"added {other} next to {present}", _IPS, FaultCode.INVALID_PARAMETER, other


def _exec_time_and_schedule(doc: Breaking) -> Broken:
    schedule = doc.draw(quartz_expressions())
    doc.set_leaf("execSchedule", schedule)
    return (
        f"execTime and execSchedule {schedule!r}",
        _IPS,
        FaultCode.INVALID_PARAMETER,
        "execSchedule",
    )


def _bad_leaf(
    accept: Callable[[ChildSpec], bool], text_for: Callable[[Breaking, _Site], tuple[str, bool]]
) -> Breaker:
    """A breaker that puts a bad text into a leaf ``accept`` admits (present or inserted);
    ``text_for`` draws the text and whether the leaf also gets ``xsi:nil``."""

    def breaker(doc: Breaking) -> Broken | None:
        candidates = _leaf_sites(doc.sites, accept)
        if not candidates:
            return None
        site = doc.draw(st.sampled_from(candidates))
        text, nil = text_for(doc, site)
        element = site.element
        if element is None:
            element = _new_leaf(doc.namespace, site.spec.name, text)
            _insert_in_order(doc.model, site.parent, site.parent_type, element)
        element.text = text
        if nil:
            element.set(_XSI_NIL, "true")
        how = 'xsi:nil="true"' if nil else repr(text)
        return f"{_path(site)} = {how}", _IPS, FaultCode.INVALID_PARAMETER, site.spec.name

    return breaker


def _wrong_type_text(doc: Breaking, site: _Site) -> tuple[str, bool]:
    nil = doc.draw(st.booleans())
    return ("" if nil else doc.draw(st.sampled_from(_WRONG_VALUES[site.spec.simple or ""]))), nil


def _bad_enum_text(doc: Breaking, site: _Site) -> tuple[str, bool]:
    values = site.spec.enumeration
    return doc.draw(st.sampled_from([v for v in _BAD_ENUM_VALUES if v not in values])), False


def _bad_date_time_text(doc: Breaking, site: _Site) -> tuple[str, bool]:
    return doc.draw(st.sampled_from(_BAD_DATE_TIMES)), False


def _out_of_order(doc: Breaking) -> Broken:
    pairs = []
    for element in doc.root.iter():
        children = [c for c in element if isinstance(c.tag, str)]
        for first, second in itertools.pairwise(children):
            if _local(first) != _local(second):
                pairs.append((element, first, second))
    parent, first, second = doc.draw(st.sampled_from(pairs))
    parent_type = _type_of(doc.model, doc.root, parent)
    index = list(parent).index(first)
    parent.remove(second)
    parent.insert(index, second)
    names = [_local(c) for c in parent if isinstance(c.tag, str)]
    reported = _first_unexpected(names, doc.model.children(parent_type))
    return (
        f"{_local(second)} moved before {_local(first)} in {_local(parent)}",
        _IPS,
        FaultCode.INVALID_PARAMETER,
        reported,
    )


def _wrong_namespace(doc: Breaking) -> Broken | None:
    occupied = [s for s in doc.sites if s.element is not None]
    if not occupied:
        return None
    site = doc.draw(st.sampled_from(occupied))
    assert site.element is not None
    others = [v.namespace for v in API_VERSIONS if v.namespace != doc.namespace]
    other = doc.draw(st.sampled_from(["", *others]))
    for node in site.element.iter():
        if isinstance(node.tag, str):
            local = _local(node)
            node.tag = f"{{{other}}}{local}" if other else local
    where = f"namespace {other!r}" if other else "no namespace"
    return f"{_path(site)} in {where}", _IPS, FaultCode.INVALID_PARAMETER, site.spec.name


def _unknown_body_namespace(doc: Breaking) -> Broken:
    other = doc.draw(st.sampled_from(_UNKNOWN_BODY_NAMESPACES))
    for node in doc.root.iter():
        if isinstance(node.tag, str):
            node.tag = f"{{{other}}}{_local(node)}"
    return f"body in namespace {other!r}", _IPS, FaultCode.INVALID_REQUEST_XML, _local(doc.root)


def _bad_locale(doc: Breaking) -> Broken:
    locale = doc.draw(st.sampled_from(_BAD_LOCALES))
    doc.set_leaf("locale", locale)
    return f"locale = {locale!r}", _IPS, FaultCode.INVALID_PARAMETER, "locale"


def _bad_schedule(doc: Breaking) -> Broken:
    for name in _SUBMIT_TIMING:
        found = doc.root.find(f"{{{doc.namespace}}}{name}")
        if found is not None:
            doc.root.remove(found)
    schedule = doc.draw(st.sampled_from(_BAD_SCHEDULES))
    doc.set_leaf("execSchedule", schedule)
    return f"execSchedule = {schedule!r}", _IPS, FaultCode.INVALID_PARAMETER, "execSchedule"


def _job_name(names: Sequence[str], code: int) -> Breaker:
    """A breaker setting ``jobName`` to one of ``names``; the fault has ``code``."""

    def breaker(doc: Breaking) -> Broken:
        name = doc.draw(st.sampled_from(names))
        doc.set_leaf("jobName", name)
        return f"jobName = {name!r}", _IPS, code, "jobName"

    return breaker


def _unknown_company(doc: Breaking) -> Broken:
    company = doc.draw(
        st.one_of(
            st.integers(900000, 999999).map(str),
            st.integers(900000, 999999).map(lambda n: f"c|{n}"),
            st.sampled_from(["x|47", "47|", "c|", "c|47|1"]),
        )
    )
    doc.set_leaf("companyHandle", company)
    return f"companyHandle = {company!r}", _AUTHZ, FaultCode.INVALID_COMPANY, "companyHandle"


def _foreign_company(doc: Breaking) -> Broken:
    if not doc.ctx.account.foreign_companies:
        raise ValueError("FOREIGN_COMPANY needs Account.foreign_companies")
    company = doc.draw(st.sampled_from(doc.ctx.account.foreign_companies))
    doc.set_leaf("companyHandle", company)
    return f"companyHandle = {company!r}", _AUTHZ, FaultCode.ILLEGAL_COMPANY, company


def _unknown_job_handle(doc: Breaking) -> Broken:
    handle = doc.root.find(f"{{{doc.namespace}}}jobHandle")
    if handle is None:
        companies = list(doc.ctx.account.companies) or ["47"]
        handle = doc.set_leaf("jobHandle", doc.draw(_unknown_job_handles(companies)))
    return (
        f"jobHandle = {handle.text!r} on a fresh fake",
        _IPS,
        FaultCode.INVALID_PARAMETER,
        "jobHandle",
    )


def _unknown_user_handle(doc: Breaking) -> Broken:
    user = doc.draw(
        st.one_of(
            st.integers(1, 99).map(lambda n: f"nobody{n}@example.invalid"),
            st.integers(1, 99).map(lambda n: f"u|{n}|nobody@example.invalid"),
            st.sampled_from(["u|999|" + doc.ctx.account.email, "u|1"]),
        )
    )
    doc.set_leaf("userHandle", user)
    return f"userHandle = {user!r}", _AUTHZ, FaultCode.INVALID_REQUEST_USER, "userHandle"


#: How each kind breaks a valid document (NOT_IN_VERSION adds a foreign element instead:
#: see ``invalid._add_foreign``).
BREAKERS: Mapping[InvalidKind, Breaker] = {
    InvalidKind.MISSING_REQUIRED: _missing_required,
    InvalidKind.NO_PAYLOAD: _no_payload,
    InvalidKind.TWO_PAYLOADS: _two_payloads,
    InvalidKind.EXEC_TIME_AND_SCHEDULE: _exec_time_and_schedule,
    InvalidKind.WRONG_TYPE: _bad_leaf(
        lambda spec: spec.simple in _WRONG_VALUES and not spec.enumeration, _wrong_type_text
    ),
    InvalidKind.BAD_ENUM: _bad_leaf(lambda spec: bool(spec.enumeration), _bad_enum_text),
    InvalidKind.MALFORMED_DATE_TIME: _bad_leaf(
        lambda spec: spec.simple == "dateTime", _bad_date_time_text
    ),
    InvalidKind.OUT_OF_ORDER: _out_of_order,
    InvalidKind.WRONG_NAMESPACE: _wrong_namespace,
    InvalidKind.UNKNOWN_BODY_NAMESPACE: _unknown_body_namespace,
    InvalidKind.BAD_LOCALE: _bad_locale,
    InvalidKind.BAD_SCHEDULE: _bad_schedule,
    InvalidKind.BLANK_JOB_NAME: _job_name(["", " ", "\t", "  \n "], FaultCode.MISSING_PARAMETER),
    InvalidKind.BAR_IN_JOB_NAME: _job_name(["|x", "a|b", "x|", "|"], FaultCode.INVALID_PARAMETER),
    InvalidKind.UNKNOWN_COMPANY: _unknown_company,
    InvalidKind.FOREIGN_COMPANY: _foreign_company,
    InvalidKind.UNKNOWN_JOB_HANDLE: _unknown_job_handle,
    InvalidKind.UNKNOWN_USER_HANDLE: _unknown_user_handle,
}


def break_document(
    draw: st.DrawFn,
    kind: InvalidKind,
    version: ApiVersion,
    root: etree._Element,
    ctx: _Context,
) -> Broken | None:
    """Break ``root`` in place as ``kind`` says; return (label, fault, code, mentions), or
    None when ``root`` has no place for that fault."""
    model = schema_model(version)
    return BREAKERS[kind](Breaking(draw, version, root, ctx, model, _sites(model, root)))
