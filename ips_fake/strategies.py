"""Hypothesis strategies for IPS job requests: valid documents, and invalid ones labelled
with the fault they must get.

Every document belongs to one API version and has exactly that version's shape: its
structure comes from the version's own schema, read through
:func:`ips_fake.soap.structure.structure_of` (xmlschema's component model, built lazily per
version and cached): which operations and children an ``<op>Param`` has, their order, which
are optional, which repeat, their types and the values of every enumeration. Invalid
documents include elements of other versions (:attr:`InvalidKind.NOT_IN_VERSION`). Only
what the schema cannot say is written here: the
one-payload rule of ``submitJob``, ``execTime`` versus ``execSchedule``, what a locale, a
handle or a Quartz expression looks like, and realistic words for free-text options.

Hypothesis is needed only when this module is imported: the ``contract`` extra
(docs/install.md); without it, importing this module says which command installs it.

Example::

    >>> from hypothesis import given
    >>> from ips_fake.soap.schema import schema_validator
    >>> @given(valid_documents("submitJob"))
    ... def test_valid(document):
    ...     assert schema_validator(document.version).validate(document.element)
    >>> test_valid()

Every strategy shrinks towards a small document: optional elements absent, the first
enumeration value, the first API version, short texts.
"""

from __future__ import annotations

import copy
import functools
import itertools
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum
from typing import Any, Literal, TypeAlias, cast

from lxml import etree

from ips_fake.extras import missing_extra

try:
    from hypothesis import strategies as st
except ModuleNotFoundError as missing:  # an install without the contract extra
    raise ModuleNotFoundError(
        missing_extra("ips_fake.strategies", "hypothesis", "contract"), name="hypothesis"
    ) from missing

from ips_fake.core.errors import FaultCode
from ips_fake.soap.schema import (
    API_VERSIONS,
    OPERATION_NAMES,
    UNVERSIONED_NAMESPACE,
    ApiVersion,
    find_version,
    operations_of,
)
from ips_fake.soap.structure import Child, Structure, structure_of

__all__ = [
    "ALL_FORMS",
    "DEFAULT_ACCOUNT",
    "OPTION_VOCABULARY",
    "SOAP11_NAMESPACE",
    "SOAP12_NAMESPACE",
    "Account",
    "ChildSpec",
    "Form",
    "InvalidDocument",
    "InvalidKind",
    "Rendered",
    "SchemaModel",
    "ValidDocument",
    "api_versions",
    "build_param",
    "date_time_texts",
    "envelope",
    "in_forms",
    "invalid_documents",
    "job_names",
    "locales",
    "payload_elements",
    "quartz_expressions",
    "render",
    "schema_model",
    "to_python",
    "valid_documents",
]

SOAP11_NAMESPACE = "http://schemas.xmlsoap.org/soap/envelope/"
"""Envelope namespace of SOAP 1.1 (``Content-Type: text/xml``)."""
SOAP12_NAMESPACE = "http://www.w3.org/2003/05/soap-envelope"
"""Envelope namespace of SOAP 1.2 (``Content-Type: application/soap+xml``)."""

_XSI_NIL = "{http://www.w3.org/2001/XMLSchema-instance}nil"
#: Where the fake's clock starts (ips_fake.core.clock.DEFAULT_START): dates cluster around it.
_CLOCK_START = datetime(2026, 1, 5, 9, 0, 0)

#: A document before it becomes XML: (element name, text) or (element name, children).
Node: TypeAlias = tuple[str, "str | tuple[Node, ...]"]


# ===================================================================== the schema, as data

ChildSpec: TypeAlias = Child
"""One element of a type's sequence in one API version (:class:`ips_fake.soap.structure.Child`:
``name``, ``type_name`` (complex, else None), ``simple``, ``min_occurs``, ``max_occurs``,
``enumeration``, ``required``)."""


def _shape_of(version: ApiVersion) -> ApiVersion:
    """The version whose schema ``version`` serves (itself, or for a namespace known only
    from documentation examples the nearest earlier version): versions of one shape share
    one structure and one set of strategies."""
    return version if version.shape == version.label else find_version(version.shape)


@dataclass(frozen=True)
class SchemaModel:
    """One API version's job schema reduced to what a generator needs, read through
    :func:`ips_fake.soap.structure.structure_of` (xmlschema's component model).

    Example::

        >>> from ips_fake.soap.schema import find_version
        >>> model = schema_model(find_version("pre-4.0"))
        >>> [child.name for child in model.children("PhotoshopOptions")]
        ['maintainLayers', 'layerNaming', 'anchor']
        >>> model.has("UploadUrlsJob", "numUrls"), schema_model().has("UploadUrlsJob", "numUrls")
        (False, True)
        >>> schema_model().child("UploadUrlsJob", "emailSetting").enumeration
        ('All', 'Error', 'ErrorAndWarning', 'JobCompletion', 'None')
    """

    structure: Structure

    @property
    def version(self) -> ApiVersion:
        """The API version whose schema this is (for a version serving another's shape:
        that other version)."""
        return self.structure.version

    @property
    def sequences(self) -> Mapping[str, tuple[ChildSpec, ...]]:
        """Every named complex type and every global element with an anonymous complex type
        (``submitJobParam``, ``authHeader``) mapped to its children, in order."""
        return {**self.structure.types, **self.structure.elements}

    def children(self, key: str) -> tuple[ChildSpec, ...]:
        """The children of complex type (or anonymous global element) ``key``, in order;
        KeyError when this version has no such type or element."""
        return self.structure.children_of(key)

    def has(self, key: str, name: str) -> bool:
        """Whether ``key`` exists in this version and has a child ``name``."""
        return key in self.sequences and self.structure.child(key, name) is not None

    def child(self, key: str, name: str) -> ChildSpec:
        """The child ``name`` of ``key``; KeyError when this version has no such child."""
        found = self.structure.child(key, name)
        if found is None:
            raise KeyError(f"{key} has no child {name!r} in API version {self.version.label}")
        return found

    @property
    def payload_names(self) -> tuple[str, ...]:
        """The job payload elements of this version's ``submitJobParam``, in sequence order
        (its complex children)."""
        return tuple(
            spec.name for spec in self.children("submitJobParam") if spec.type_name is not None
        )

    @property
    def operations(self) -> tuple[str, ...]:
        """The job operations this version has (:func:`ips_fake.soap.schema.operations_of`)."""
        return operations_of(self.version)


@functools.cache
def schema_model(version: ApiVersion | None = None) -> SchemaModel:
    """The job schema of ``version`` (default: the newest, 2023-01-15), built on first use
    and cached (about 0.15 s per shape). Versions that serve another version's shape share
    its model.

    Example::

        >>> len(schema_model().payload_names)
        13
        >>> len(schema_model(API_VERSIONS[0]).payload_names)
        6
        >>> "exportJob" in schema_model(API_VERSIONS[0]).payload_names
        False
    """
    return SchemaModel(structure_of(_shape_of(version or API_VERSIONS[-1])))


# ============================================================================ accounts


@dataclass(frozen=True)
class Account:
    """The caller documents are written for, and what the directory holds for it.

    Valid documents use only ``companies`` and ``user_handles``; invalid ones use
    ``foreign_companies`` (existing companies the caller may not act on). Unknown companies and
    users are made up (ids from 900000, addresses at ``example.invalid``), so a directory must
    not contain those. The default is the shipped directory's ``ipsuser@example.com``.

    Example::

        >>> DEFAULT_ACCOUNT.companies
        ('47',)
        >>> Account("qa@example.com", "secret", companies=("49",), user_handles=()).email
        'qa@example.com'
    """

    email: str = "ipsuser@example.com"
    password: str = "password"
    companies: tuple[str, ...] = ("47",)
    user_handles: tuple[str, ...] = (
        "ipsuser@example.com",
        "u|1|ipsuser@example.com",
        "companyadmin@example.com",
        "u|5|contrib@example.com",
    )
    foreign_companies: tuple[str, ...] = ("48",)


DEFAULT_ACCOUNT = Account()
"""``ipsuser@example.com`` / ``password``, an IpsUser of company 47 (the default directory)."""


# ====================================================================== leaf strategies

# XML 1.0 text without surrogates, control characters (tab and newline are added back),
# unassigned code points (which include the non-characters U+FFFE and U+FFFF) or private use.
_XML_CHARACTERS = st.characters(
    exclude_categories=("Cs", "Cc", "Cn", "Co"), include_characters="\t\n"
)
# A character that str.strip() keeps and that makes a name non-blank.
_VISIBLE_CHARACTERS = st.characters(exclude_categories=("Cs", "Cc", "Cn", "Co", "Zs", "Zl", "Zp"))
# a job name never holds "|": it separates the parts of a handle (the fake refuses it, 30001)
_NAME_CHARACTERS = _VISIBLE_CHARACTERS.filter(lambda character: character != "|")
_NAME_EXTRAS = st.sampled_from(
    [" ", "  ", "\t", "-", "_", ".", "é", "ü", "日本", "Ω", "😀", "ñ", "ß", "٣"]
)


def _plain_text(max_size: int = 16) -> st.SearchStrategy[str]:
    return st.text(_XML_CHARACTERS, max_size=max_size)


def job_names() -> st.SearchStrategy[str]:
    """Job names the fake accepts: non-blank, mixing Unicode and inner and outer whitespace,
    never the ``|`` that handles use as a separator. Shrinks to ``"0"``.

    Example::

        >>> from hypothesis import given
        >>> @given(job_names())
        ... def test(name):
        ...     assert name.strip()
        >>> test()
    """
    middle = st.lists(st.one_of(_NAME_CHARACTERS, _NAME_EXTRAS), max_size=8).map("".join)
    padding = st.sampled_from(["", " ", "\t", "  "])
    return st.builds(
        lambda lead, first, rest, trail: lead + first + rest + trail,
        padding,
        _NAME_CHARACTERS,
        middle,
        padding,
    )


_COMMON_LOCALES = ("en-US", "en", "de-DE", "fr-FR", "ja-JP", "ko-KR", "sv-SE", "es")


def locales() -> st.SearchStrategy[str]:
    """``ll`` or ``ll-CC`` locales: common ones first, then any two lower-case letters with an
    optional upper-case country. Shrinks to ``"en-US"``.

    Example::

        >>> import re
        >>> from hypothesis import given
        >>> @given(locales())
        ... def test(locale):
        ...     assert re.fullmatch(r"[a-z]{2}(-[A-Z]{2})?", locale)
        >>> test()
    """
    lower = st.text("abcdefghijklmnopqrstuvwxyz", min_size=2, max_size=2)
    upper = st.text("ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=2, max_size=2)
    made_up = st.builds(
        lambda language, country: language + (f"-{country}" if country else ""),
        lower,
        st.one_of(st.none(), upper),
    )
    return st.one_of(st.sampled_from(_COMMON_LOCALES), made_up)


def _offset_text(minutes: int | None, zulu: bool) -> str:
    if minutes is None:
        return ""
    if minutes == 0 and zulu:
        return "Z"
    sign = "-" if minutes < 0 else "+"
    hours, rest = divmod(abs(minutes), 60)
    return f"{sign}{hours:02d}:{rest:02d}"


def date_time_texts(
    start: datetime = _CLOCK_START - timedelta(days=3),
    end: datetime = _CLOCK_START + timedelta(days=30),
    *,
    with_offset: bool | None = None,
) -> st.SearchStrategy[str]:
    """xsd:dateTime texts that Python can read too: wall times between ``start`` and ``end``
    (naive), with no offset, ``Z`` or an offset from -14:00 to +14:00, and with no fraction or
    one to nine fractional digits. ``with_offset`` True/False forces or forbids the offset.

    Example::

        >>> from datetime import datetime
        >>> from hypothesis import given
        >>> @given(date_time_texts(with_offset=True))
        ... def test(text):
        ...     assert datetime.fromisoformat(text.replace("Z", "+00:00")[:19]).year >= 2026
        >>> test()
    """
    if with_offset is None:
        offsets: st.SearchStrategy[int | None] = st.one_of(
            st.just(0), st.integers(-14 * 60, 14 * 60), st.none()
        )
    elif with_offset:
        offsets = st.one_of(st.just(0), st.integers(-14 * 60, 14 * 60))
    else:
        offsets = st.none()
    fractions = st.one_of(st.just(""), st.text("0123456789", min_size=1, max_size=9))

    def text(wall: datetime, fraction: str, minutes: int | None, zulu: bool) -> str:
        dot = f".{fraction}" if fraction else ""
        return f"{wall:%Y-%m-%dT%H:%M:%S}{dot}{_offset_text(minutes, zulu)}"

    return st.builds(
        text,
        st.datetimes(min_value=start, max_value=end).map(
            lambda moment: moment.replace(microsecond=0)
        ),
        fractions,
        offsets,
        st.booleans(),
    )


def _cron_values(low: int, high: int, names: Sequence[str] = ()) -> st.SearchStrategy[str]:
    number = st.integers(low, high)
    single = st.one_of(number.map(str), number.map(lambda n: f"{n:02d}"))
    if names:
        single = st.one_of(single, st.sampled_from(list(names)))
    ranged = st.builds(lambda a, b: f"{min(a, b)}-{max(a, b)}", number, number)
    stepped = st.builds(
        lambda start, step: f"{start}/{step}",
        st.one_of(st.just("*"), number.map(str)),
        st.integers(1, min(15, high - low + 1)),
    )
    listed = st.lists(number, min_size=2, max_size=3, unique=True).map(
        lambda values: ",".join(str(v) for v in sorted(values))
    )
    return st.one_of(st.just("*"), single, ranged, stepped, listed)


_MONTH_NAMES = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
_DAY_NAMES = ("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT")


def quartz_expressions() -> st.SearchStrategy[str]:
    """Quartz cron expressions that fire again after the fake's start (2026-01-05): seconds,
    minutes, hours, months with names, ranges, lists and steps; ``?`` in exactly one of
    day-of-month and day-of-week; ``L``, ``LW``, ``nW``, ``nL``, ``n#k``; an optional year
    range from 2027; and the 5-field form a real server showed (``"00 00 00 * * "``). Day of
    month stays at or below 28 so every month has it. Shrinks to ``"00 00 00 * * "``.

    Example::

        >>> from hypothesis import given
        >>> from ips_fake.core.cron import QuartzSchedule
        >>> @given(quartz_expressions())
        ... def test(expression):
        ...     QuartzSchedule.parse(expression)
        >>> test()
    """
    seconds = _cron_values(0, 59)
    minutes = _cron_values(0, 59)
    hours = _cron_values(0, 23)
    months = _cron_values(1, 12, _MONTH_NAMES)
    day_of_month = st.one_of(
        _cron_values(1, 28),
        st.sampled_from(["L", "LW"]),
        st.integers(0, 20).map(lambda n: f"L-{n}"),
        st.integers(1, 28).map(lambda n: f"{n}W"),
    )
    day_of_week = st.one_of(
        _cron_values(1, 7, _DAY_NAMES),
        st.sampled_from(["L"]),
        st.one_of(st.integers(1, 7).map(str), st.sampled_from(_DAY_NAMES)).map(lambda d: f"{d}L"),
        st.builds(
            lambda day, nth: f"{day}#{nth}",
            st.one_of(st.integers(1, 7).map(str), st.sampled_from(_DAY_NAMES)),
            st.integers(1, 4),
        ),
    )
    days = st.one_of(
        st.builds(lambda dom: (dom, "?"), day_of_month),
        st.builds(lambda dow: ("?", dow), day_of_week),
    )
    years = st.one_of(
        st.just(""),
        st.just(" *"),
        st.builds(
            lambda a, b: f" {min(a, b)}-{max(a, b)}",
            st.integers(2027, 2099),
            st.integers(2027, 2099),
        ),
    )
    six_or_seven = st.builds(
        lambda s, m, h, d, mon, year, sep: sep.join([s, m, h, d[0], mon, d[1]]) + year,
        seconds,
        minutes,
        hours,
        days,
        months,
        years,
        st.sampled_from([" ", "  "]),
    )
    five = st.builds(
        lambda s, m, h, dom, mon, trail: f"{s} {m} {h} {dom} {mon}{trail}",
        seconds,
        minutes,
        hours,
        _cron_values(1, 28),
        months,
        st.sampled_from([" ", ""]),
    )
    return st.one_of(st.just("00 00 00 * * "), five, six_or_seven)


def _int_text(low: int = -(2**31), high: int = 2**31 - 1) -> st.SearchStrategy[str]:
    return st.integers(low, high).map(str)


def _double_text() -> st.SearchStrategy[str]:
    return st.one_of(
        st.integers(-1000, 1000).map(str),
        st.floats(allow_nan=False, allow_infinity=False).map(repr),
    )


_BOOLEAN_TEXTS = ("true", "false", "1", "0")


# Realistic words for options the XSD types as xsd:string (values a real server echoes,
# payload-options.md). The tests check that each (type, element) exists in the XSD and that
# the XSD accepts every word.
OPTION_VOCABULARY: Mapping[tuple[str, str], tuple[str, ...]] = {
    ("KnockoutBackgroundOptions", "corner"): ("UpperLeft", "UpperRight", "LowerLeft", "LowerRight"),
    ("KnockoutBackgroundOptions", "fillMethod"): ("FloodFill", "MatchPixel"),
    ("AutoColorCropOptions", "corner"): ("UpperLeft", "UpperRight", "LowerLeft", "LowerRight"),
    ("PhotoshopOptions", "process"): ("None", "MaintainLayers", "Flatten", "Thumbnail"),
    ("PhotoshopOptions", "layerNaming"): ("Layer", "Photoshop", "AppendName"),
    ("PhotoshopOptions", "anchor"): ("Center", "TopLeft", "BottomRight"),
    ("PhotoshopLayerOptions", "layerNaming"): ("Layer", "Photoshop", "AppendName"),
    ("PhotoshopLayerOptions", "anchor"): ("Center", "TopLeft", "BottomRight"),
    ("PostScriptOptions", "process"): ("None", "Rasterize"),
    ("PostScriptOptions", "colorspace"): ("Auto", "RGB", "CMYK", "Grayscale"),
    ("PDFOptions", "process"): ("None", "render", "Rasterize", "Thumbnail"),
    ("PDFOptions", "colorspace"): ("Auto", "RGB", "CMYK", "Grayscale"),
    ("IllustratorOptions", "process"): ("None", "Rasterize"),
    ("IllustratorOptions", "colorspace"): ("Auto", "RGB", "CMYK", "Grayscale"),
    ("ColorManagementOptions", "colorManagement"): ("Default", "Convert", "Preserve"),
    ("InDesignOptions", "process"): ("None", "Rasterize", "Thumbnail"),
    ("UnCompressOptions", "process"): ("None", "UnCompress"),
}
"""Hand-written words for free-text options: ``(type, element)`` → values."""

_LOG_TYPES = ("FileBegin", "FileEnd", "UploadSuccess", "UploadError", "FatalError", "JobType")


def _asset_handles(company: str) -> st.SearchStrategy[str]:
    return st.builds(lambda n, m: f"a|{company}|{n}|{m}", st.integers(1, 999), st.integers(1, 9))


def _urls() -> st.SearchStrategy[str]:
    return st.builds(
        lambda host, path: f"https://{host}/{path}",
        st.sampled_from(["example.com", "images.example.org", "cdn.example.net"]),
        st.text("abcdefghijklmnopqrstuvwxyz0123456789-", min_size=1, max_size=10).map(
            lambda stem: f"{stem}.jpg"
        ),
    )


def _folders() -> st.SearchStrategy[str]:
    return st.lists(
        st.text("abcdefghijklmnopqrstuvwxyz0123456789 _-", min_size=1, max_size=8), max_size=3
    ).map(lambda parts: "/".join(parts) + "/")


def _unknown_job_handles(companies: Sequence[str]) -> st.SearchStrategy[str]:
    company = st.sampled_from(list(companies))
    return st.one_of(
        st.builds(lambda c, name: f"{c}|{name}|", company, job_names()),
        st.builds(lambda c, name: f"j|{c}|{name}||", company, job_names()),
        st.builds(
            lambda c, name, run: f"j|{c}||{name}_2026-01-05-09:00:00.000|{run}",
            company,
            job_names(),
            st.integers(1, 99),
        ),
    )


# ==================================================================== document generation


@dataclass(frozen=True)
class _Context:
    account: Account
    # the "jobHandle" and friends only shrink to something readable when they reuse names
    company_handles: tuple[str, ...]


def _company_handles(account: Account) -> tuple[str, ...]:
    handles: list[str] = []
    for company in account.companies:
        bare = company.removeprefix("c|")
        handles += [bare, f"c|{bare}"]
    return tuple(handles)


def _override(ctx: _Context, parent: str, name: str) -> st.SearchStrategy[str] | None:
    """Leaf values with a meaning the XSD does not give (xsd:string handles, names, codes)."""
    company = ctx.account.companies[0].removeprefix("c|") if ctx.account.companies else "47"
    vocabulary = OPTION_VOCABULARY.get((parent, name))
    if vocabulary is not None:
        return st.sampled_from(vocabulary)
    if parent.endswith("Param"):
        by_name: dict[str, st.SearchStrategy[str]] = {
            "companyHandle": st.sampled_from(ctx.company_handles),
            "jobName": job_names(),
            "originalName": job_names(),
            "locale": locales(),
            "execSchedule": quartz_expressions(),
            "description": _plain_text(24),
            "jobHandle": _unknown_job_handles(list(ctx.account.companies) or ["47"]),
            "assetHandle": _asset_handles(company),
            "numRows": _int_text(0, 500),
            "recordsPerPage": _int_text(1, 2000),
            "resultsPage": _int_text(1, 50),
        }
        if name == "userHandle":
            if not ctx.account.user_handles:
                return st.nothing()
            return st.sampled_from(ctx.account.user_handles)
        return by_name.get(name)
    if parent == "UploadUrl":
        return _urls() if name == "sourceUrl" else _folders().map(lambda f: f + "image.jpg")
    if name in ("httpCompletionUrl", "postHttpUrl"):
        return _urls()
    if name in ("serverDir", "destFolder"):
        return _folders()
    if name in ("sourceProfileHandle", "outputProfileHandle", "contextHandle"):
        return st.builds(lambda n: f"a|{company}|{n}|1", st.integers(1, 99))
    if name == "numUrls":
        # the fake makes one work item per counted URL: keep it small
        return _int_text(0, 5)
    return None


def _array_items(ctx: _Context, holder: str) -> st.SearchStrategy[str]:
    company = ctx.account.companies[0].removeprefix("c|") if ctx.account.companies else "47"
    if holder == "logTypeArray":
        return st.sampled_from(_LOG_TYPES)
    return _asset_handles(company)


_SIMPLE_TEXTS: Mapping[str, Callable[[], st.SearchStrategy[str]]] = {
    "string": _plain_text,
    "boolean": lambda: st.sampled_from(_BOOLEAN_TEXTS),
    "int": _int_text,
    "long": lambda: _int_text(-(2**63), 2**63 - 1),
    "double": _double_text,
    "dateTime": date_time_texts,
}


def _leaf(ctx: _Context, parent: str, spec: ChildSpec) -> st.SearchStrategy[str]:
    special = _override(ctx, parent, spec.name)
    if special is not None:
        return special
    if spec.enumeration:
        return st.sampled_from(spec.enumeration)
    make = _SIMPLE_TEXTS.get(spec.simple or "string")
    if make is None:
        raise NotImplementedError(
            f"no generator for xsd:{spec.simple} ({parent}/{spec.name}); add one to _SIMPLE_TEXTS"
        )
    return make()


_ARRAY_TYPES = frozenset({"HandleArray", "StringArray"})


def _node(
    ctx: _Context, version: ApiVersion, parent: str, spec: ChildSpec
) -> st.SearchStrategy[Node]:
    """One occurrence of child ``spec`` of ``parent``, with the content ``version`` gives it."""
    if spec.type_name is not None:
        if spec.type_name in _ARRAY_TYPES:
            items = st.lists(_array_items(ctx, spec.name), max_size=3)
            return items.map(lambda values: (spec.name, tuple(("items", v) for v in values)))
        return _children(ctx, version, spec.type_name).map(lambda children: (spec.name, children))
    return _leaf(ctx, parent, spec).map(lambda text: (spec.name, text))


def _repeated(spec: ChildSpec) -> bool:
    return spec.max_occurs is None or spec.max_occurs > 1


def _occurrences(
    ctx: _Context, version: ApiVersion, parent: str, spec: ChildSpec
) -> st.SearchStrategy[tuple[Node, ...]]:
    one = _node(ctx, version, parent, spec)
    if _repeated(spec):
        return st.lists(one, min_size=spec.min_occurs, max_size=max(3, spec.min_occurs)).map(tuple)
    if spec.required:
        return one.map(lambda node: (node,))
    return st.one_of(st.just(()), one.map(lambda node: (node,)))


@functools.cache
def _children(ctx: _Context, version: ApiVersion, key: str) -> st.SearchStrategy[tuple[Node, ...]]:
    """The children of ``key`` (a type or a global element) as ``version`` has them."""
    specs = schema_model(version).children(key)
    parts = [_occurrences(ctx, version, key, spec) for spec in specs]
    return st.tuples(*parts).map(lambda groups: tuple(node for group in groups for node in group))


_SUBMIT_TIMING = ("execTime", "execSchedule")


@functools.cache
def _submit_children(
    ctx: _Context, version: ApiVersion, payloads: tuple[str, ...], timings: tuple[str, ...]
) -> st.SearchStrategy[tuple[Node, ...]]:
    """submitJobParam of ``version``: the XSD's header children, at most one of
    execTime/execSchedule, and exactly one of ``payloads`` (rules the code enforces, not the
    XSD)."""
    model = schema_model(version)
    specs = model.children("submitJobParam")
    header = [spec for spec in specs if spec.name not in model.payload_names]
    timing_choices: list[st.SearchStrategy[str | None]] = []
    if "none" in timings:
        timing_choices.append(st.none())
    timing_choices += [st.just(name) for name in _SUBMIT_TIMING if name in timings]
    timing = st.one_of(*timing_choices)
    parts = {
        spec.name: _occurrences(ctx, version, "submitJobParam", spec)
        for spec in header
        if spec.name not in _SUBMIT_TIMING
    }
    timing_values = {
        name: _node(ctx, version, "submitJobParam", model.child("submitJobParam", name))
        for name in _SUBMIT_TIMING
    }
    payload = st.sampled_from(payloads).flatmap(
        lambda name: _node(ctx, version, "submitJobParam", model.child("submitJobParam", name))
    )

    @st.composite
    def build(draw: st.DrawFn) -> tuple[Node, ...]:
        chosen = draw(timing)
        nodes: list[Node] = []
        for spec in header:
            if spec.name in _SUBMIT_TIMING:
                if spec.name == chosen:
                    nodes.append(draw(timing_values[spec.name]))
                continue
            nodes.extend(draw(parts[spec.name]))
        nodes.append(draw(payload))
        return tuple(nodes)

    return build()


def _build(node: Node, namespace: str, parent: etree._Element | None = None) -> etree._Element:
    name, content = node
    tag = f"{{{namespace}}}{name}"
    if parent is None:
        element = etree.Element(tag, nsmap={None: namespace})  # type: ignore[dict-item]
    else:
        element = etree.SubElement(parent, tag)
    if isinstance(content, str):
        element.text = content
    else:
        for child in content:
            _build(child, namespace, element)
    return element


def _xml_text(element: etree._Element) -> str:
    return etree.tostring(element, encoding="unicode")


@dataclass(frozen=True, repr=False)
class ValidDocument:
    """A ``<op>Param`` valid against its version's schema that a fake with the default
    directory accepts.

    ``business_faults`` holds the codes the fake may still answer because of state the
    document refers to and a fresh fake lacks (30001 for a ``jobHandle`` naming no job); an
    empty set means a fresh fake must accept the document. Resending a ``submitJob`` whose
    job is still scheduled gets 30000 (name in use).

    Example::

        >>> from hypothesis import given
        >>> @given(valid_documents("executeJob"))
        ... def test(document):
        ...     assert document.operation == "executeJob" and document.business_faults
        >>> test()
    """

    operation: str
    version: ApiVersion
    element: etree._Element
    business_faults: frozenset[int] = frozenset()

    def __repr__(self) -> str:
        return f"ValidDocument({self.operation}, {self.version.label}: {_xml_text(self.element)})"

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        """Falsifying examples print as the document's XML (Hypothesis's pretty printer)."""
        printer.text(repr(self))

    def child_text(self, name: str) -> str | None:
        """The text of direct child ``name`` ('' when empty), or None when absent."""
        found = self.element.find(f"{{{self.version.namespace}}}{name}")
        return None if found is None else found.text or ""


def api_versions(versions: Iterable[ApiVersion] | None = None) -> st.SearchStrategy[ApiVersion]:
    """One of ``versions`` (default: every API version, shrinking to pre-4.0).

    Raises ValueError when ``versions`` is empty.

    Example::

        >>> from hypothesis import given
        >>> @given(api_versions())
        ... def test(version):
        ...     assert version.namespace.startswith("http://www.scene7.com/IpsApi/xsd")
        >>> test()
    """
    chosen = list(versions) if versions is not None else list(API_VERSIONS)
    if not chosen:
        raise ValueError("give at least one API version")
    return st.sampled_from(chosen)


def _operations(operations: str | Iterable[str] | None) -> list[str]:
    if operations is None:
        return list(OPERATION_NAMES)
    chosen = [operations] if isinstance(operations, str) else list(operations)
    unknown = [name for name in chosen if name not in OPERATION_NAMES]
    if unknown:
        raise ValueError(f"unknown operation(s) {unknown}; choose from {list(OPERATION_NAMES)}")
    return chosen


def _version_list(versions: Iterable[ApiVersion] | None) -> tuple[ApiVersion, ...]:
    chosen = tuple(versions) if versions is not None else API_VERSIONS
    if not chosen:
        raise ValueError("give at least one API version")
    return chosen


def _payload_choice(
    payloads: Iterable[str] | None, versions: Sequence[ApiVersion]
) -> tuple[str, ...] | None:
    """The payloads asked for (None: each version's all), checked against the versions."""
    if payloads is None:
        return None
    chosen = tuple(payloads)
    known = {name for version in versions for name in schema_model(version).payload_names}
    unknown = [name for name in chosen if name not in known]
    if unknown or not chosen:
        raise ValueError(
            f"payloads must be among {sorted(known)} (the chosen versions' submitJob payloads), "
            f"got {list(chosen)}"
        )
    return chosen


def _payloads_in(version: ApiVersion, chosen: tuple[str, ...] | None) -> tuple[str, ...]:
    """The payloads of ``chosen`` (None: all) that ``version`` has, in its schema order."""
    own = schema_model(version).payload_names
    return own if chosen is None else tuple(name for name in own if name in chosen)


def _param_nodes(
    ctx: _Context,
    version: ApiVersion,
    operation: str,
    payloads: tuple[str, ...],
    timings: tuple[str, ...],
) -> st.SearchStrategy[tuple[Node, ...]]:
    """The children of a valid ``<op>Param`` of ``version`` (``payloads``: that version's)."""
    shape = _shape_of(version)
    if operation == "submitJob":
        return _submit_children(ctx, shape, payloads, timings)
    return _children(ctx, shape, f"{operation}Param")


def _plans(
    operations: Sequence[str],
    versions: Sequence[ApiVersion],
    payloads: tuple[str, ...] | None,
) -> dict[str, list[tuple[ApiVersion, tuple[str, ...]]]]:
    """For each operation, the versions that have it (and, for submitJob, one of
    ``payloads``), each with its payloads to draw from."""
    plans: dict[str, list[tuple[ApiVersion, tuple[str, ...]]]] = {}
    for operation in operations:
        fitting = []
        for version in versions:
            if operation not in operations_of(version):
                continue
            own = _payloads_in(version, payloads)
            if operation == "submitJob" and not own:
                continue
            fitting.append((version, own))
        plans[operation] = fitting
    return plans


def valid_documents(
    operations: str | Iterable[str] | None = None,
    *,
    versions: Iterable[ApiVersion] | None = None,
    account: Account = DEFAULT_ACCOUNT,
    payloads: Iterable[str] | None = None,
    timings: Iterable[Literal["none", "execTime", "execSchedule"]] = (
        "none",
        "execTime",
        "execSchedule",
    ),
) -> st.SearchStrategy[ValidDocument]:
    """Valid ``<op>Param`` documents for ``operations`` (default: all eleven, each where a
    chosen version has it), each in one of
    ``versions`` (default: all) that has the operation, shaped exactly as that version's
    schema says (its own elements, order and minOccurs).

    ``payloads`` restricts the submitJob payload elements (default: every payload of the
    drawn version, with nested options); a submitJob is only drawn in versions having at
    least one of them. ``timings`` chooses among no timing, ``execTime`` (with offsets) and
    ``execSchedule`` (Quartz). Companies and user handles come from ``account``.

    Raises ValueError for an unknown operation, a payload none of ``versions`` has, or an
    operation none of ``versions`` has (e.g. getAssetJobLogs in pre-4.0 only).

    Example::

        >>> from hypothesis import given
        >>> @given(valid_documents("submitJob", payloads=["exportJob"], timings=["none"]))
        ... def test(document):
        ...     assert document.child_text("exportJob") is not None
        ...     assert document.child_text("execTime") is None
        ...     assert document.version.label not in ("pre-4.0", "4.5")  # exportJob: 6.0 on
        >>> test()
    """
    names = _operations(operations)
    chosen_versions = _version_list(versions)
    chosen_payloads = _payload_choice(payloads, chosen_versions)
    chosen_timings = tuple(timings)
    ctx = _Context(account, _company_handles(account))
    plans = _plans(names, chosen_versions, chosen_payloads)
    if operations is None:
        # every operation some chosen version has
        plans = {operation: fitting for operation, fitting in plans.items() if fitting}
        names = [name for name in names if name in plans]
    lacking = [operation for operation, fitting in plans.items() if not fitting]
    if lacking or not names:
        raise ValueError(
            f"no chosen API version has {lacking} (with the chosen payloads); versions: "
            f"{[version.label for version in chosen_versions]}"
        )
    per_operation = {operation: st.sampled_from(fitting) for operation, fitting in plans.items()}

    def document(operation: str, version: ApiVersion, nodes: tuple[Node, ...]) -> ValidDocument:
        element = _build((f"{operation}Param", nodes), version.namespace)
        names_present = {name for name, _ in nodes}
        faults = (
            frozenset({FaultCode.INVALID_PARAMETER})
            if "jobHandle" in names_present
            else frozenset()
        )
        return ValidDocument(operation, version, element, faults)

    @st.composite
    def build(draw: st.DrawFn) -> ValidDocument:
        # a composite (not builds) so a failing example prints as the document's XML
        operation = draw(st.sampled_from(names))
        version, own_payloads = draw(per_operation[operation])
        nodes = draw(_param_nodes(ctx, version, operation, own_payloads, chosen_timings))
        return document(operation, version, nodes)

    return build()


def payload_elements(
    payloads: Iterable[str] | None = None,
    *,
    version: ApiVersion = API_VERSIONS[0],
    account: Account = DEFAULT_ACCOUNT,
) -> st.SearchStrategy[etree._Element]:
    """Stand-alone job payload elements (``<exportJob>``…) in ``version``'s namespace and
    shape, ready to put into a submitJobParam built with :func:`build_param` for the same
    version. ``payloads`` defaults to every payload ``version`` has.

    Raises ValueError when ``version`` lacks one of ``payloads`` (e.g. exportJob before 6.0).

    Example::

        >>> from hypothesis import given
        >>> from ips_fake.soap.schema import find_version
        >>> @given(payload_elements(["optimizeImagesJob"], version=find_version("4.0")))
        ... def test(payload):
        ...     assert payload.tag.endswith("}optimizeImagesJob")
        >>> test()
    """
    model = schema_model(version)
    names = list(payloads) if payloads is not None else list(model.payload_names)
    unknown = [name for name in names if name not in model.payload_names]
    if unknown or not names:
        raise ValueError(
            f"API version {version.label} has the payloads {list(model.payload_names)}, got {names}"
        )
    ctx = _Context(account, _company_handles(account))
    shape = _shape_of(version)
    return (
        st.sampled_from(names)
        .flatmap(
            lambda name: _node(ctx, shape, "submitJobParam", model.child("submitJobParam", name))
        )
        .map(lambda node: _build(node, version.namespace))
    )


def build_param(
    operation: str,
    version: ApiVersion = API_VERSIONS[0],
    children: Mapping[str, str | etree._Element | None] | None = None,
) -> etree._Element:
    """An ``<op>Param`` of ``version`` with the given children put in that version's schema
    order (None values skipped).

    Text values become leaf elements; element values (e.g. from :func:`payload_elements`) are
    copied in, re-tagged into ``version``'s namespace under the key's name (their content is
    not reshaped). Raises ValueError for an operation ``version`` does not have, or a child
    its ``<op>Param`` does not have (``locale`` in pre-4.0, ``includeWaitingJobs`` before
    2016-01-14-beta).

    Example::

        >>> from lxml import etree
        >>> param = build_param("stopJob", children={"jobHandle": "47|x|", "companyHandle": "47"})
        >>> [etree.QName(child).localname for child in param]
        ['companyHandle', 'jobHandle']
    """
    if operation not in OPERATION_NAMES:
        raise ValueError(f"unknown operation {operation!r}")
    if operation not in operations_of(version):
        raise ValueError(f"API version {version.label} has no operation {operation!r}")
    key = f"{operation}Param"
    given = {name: value for name, value in (children or {}).items() if value is not None}
    order = [spec.name for spec in schema_model(version).children(key)]
    unknown = [name for name in given if name not in order]
    if unknown:
        raise ValueError(
            f"{key} of API version {version.label} has no child {unknown}; its children are {order}"
        )
    namespace = version.namespace
    root = etree.Element(f"{{{namespace}}}{key}", nsmap={None: namespace})  # type: ignore[dict-item]
    for name in order:
        if name not in given:
            continue
        value = given[name]
        if isinstance(value, str):
            etree.SubElement(root, f"{{{namespace}}}{name}").text = value
        else:
            assert value is not None
            _build((name, _as_node(value)[1]), namespace, root)
    return root


def _as_node(element: etree._Element) -> Node:
    children = tuple(_as_node(child) for child in element if isinstance(child.tag, str))
    content: str | tuple[Node, ...] = children if children else element.text or ""
    return etree.QName(element).localname, content


def to_python(element: etree._Element) -> dict[str, object]:
    """An element's children as plain data: text for leaves, a dict for nested elements, a
    list when a name repeats (``items``). Handy to feed a client's own request builder.

    Example::

        >>> from lxml import etree
        >>> to_python(etree.fromstring(
        ...     "<p><a>1</a><b><items>x</items><items>y</items></b><c><d/></c></p>"))
        {'a': '1', 'b': {'items': ['x', 'y']}, 'c': {'d': ''}}
    """
    result: dict[str, object] = {}
    for child in element:
        if not isinstance(child.tag, str):
            continue
        name = etree.QName(child).localname
        has_children = any(isinstance(grandchild.tag, str) for grandchild in child)
        value: object = to_python(child) if has_children else child.text or ""
        if name in result:
            existing = result[name]
            if isinstance(existing, list):
                existing.append(value)
            else:
                result[name] = [existing, value]
        elif name == "items":
            result[name] = [value]
        else:
            result[name] = value
    return result


# ==================================================================== invalid documents


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


@dataclass(frozen=True, repr=False)
class InvalidDocument:
    """An ``<op>Param`` with exactly one thing wrong, and the fault the fake must answer.

    ``fault`` is the fault element (``ipsApiFault``, ``authorizationFault``), ``code`` its
    code, and ``mentions`` what the fault's reason must mention: the name of the element at
    fault, or for :attr:`InvalidKind.FOREIGN_COMPANY` the company handle. ``label`` says in
    words what was done to a valid document.

    Example::

        >>> from hypothesis import given
        >>> @given(invalid_documents([InvalidKind.BAD_LOCALE]))
        ... def test(document):
        ...     assert (document.code, document.mentions) == (30001, "locale")
        >>> test()
    """

    kind: InvalidKind
    label: str
    operation: str
    version: ApiVersion
    element: etree._Element
    fault: str
    code: int
    mentions: str

    def __repr__(self) -> str:
        return (
            f"InvalidDocument({self.kind.name}: {self.label} -> {self.fault} {self.code} "
            f"mentioning {self.mentions!r}; {self.version.label}: {_xml_text(self.element)})"
        )

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        """Falsifying examples print as the document's XML (Hypothesis's pretty printer)."""
        printer.text(repr(self))


_IPS = "ipsApiFault"
_AUTHZ = "authorizationFault"


@dataclass
class _Site:
    """A place in a document: ``parent`` (of schema type ``parent_type``) and the child spec;
    ``element`` is the child when present."""

    parent: etree._Element
    parent_type: str
    spec: ChildSpec
    element: etree._Element | None


def _local(element: etree._Element) -> str:
    return etree.QName(element).localname


def _sites(model: SchemaModel, root: etree._Element) -> list[_Site]:
    """Every (present or absent) child position of every complex element of a valid document
    of ``model``'s version."""
    found: list[_Site] = []

    def walk(element: etree._Element, type_name: str) -> None:
        present: dict[str, list[etree._Element]] = {}
        for child in element:
            if isinstance(child.tag, str):
                present.setdefault(_local(child), []).append(child)
        for spec in model.children(type_name):
            children = present.get(spec.name, [])
            if not children:
                found.append(_Site(element, type_name, spec, None))
            for child in children:
                found.append(_Site(element, type_name, spec, child))
                if spec.type_name is not None:
                    walk(child, spec.type_name)

    walk(root, _local(root))
    return found


def _insert_in_order(
    model: SchemaModel, parent: etree._Element, parent_type: str, child: etree._Element
) -> None:
    """Insert ``child`` into ``parent`` where ``model``'s order of ``parent_type`` puts it:
    before the first sibling ranked after it (siblings the order does not know are passed
    over), else at the end."""
    order = [spec.name for spec in model.children(parent_type)]
    rank = order.index(_local(child))
    for index, sibling in enumerate(parent):
        if not isinstance(sibling.tag, str) or _local(sibling) not in order:
            continue
        if order.index(_local(sibling)) > rank:
            parent.insert(index, child)
            return
    parent.append(child)


def _leaf_sites(sites: list[_Site], accept: Callable[[ChildSpec], bool]) -> list[_Site]:
    return [site for site in sites if site.spec.type_name is None and accept(site.spec)]


def _first_unexpected(names: Sequence[str], sequence: Sequence[ChildSpec]) -> str:
    """The child a validator reports first when ``names`` break the sequence's order."""
    position = 0
    for name in names:
        index = position
        while index < len(sequence) and sequence[index].name != name:
            if sequence[index].required:
                return name
            index += 1
        if index == len(sequence):
            return name
        position = index if _repeated(sequence[index]) else index + 1
    raise ValueError(f"{list(names)} is in sequence order")


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


# ------------------------------------------------------- elements other versions have


@dataclass(frozen=True)
class _ForeignPlace:
    """A child ``name`` that ``source`` has in ``owner`` and the version at hand does not.
    ``operation`` and ``path`` (child names from the ``<op>Param`` down to an element of
    type ``owner``; empty for the Param itself) lead to one place where the version has
    ``owner``."""

    operation: str
    path: tuple[str, ...]
    owner: str
    name: str
    source: ApiVersion


def _shapes() -> tuple[ApiVersion, ...]:
    """One version per distinct schema, oldest first."""
    return tuple(version for version in API_VERSIONS if _shape_of(version) is version)


@functools.cache
def _foreign_places(version: ApiVersion) -> tuple[_ForeignPlace, ...]:
    """Every child another version has in a type (or ``<op>Param``) that ``version``'s
    documents reach, which ``version`` lacks there; the source is the nearest version that
    has it (by release order)."""
    model = schema_model(version)
    shape = _shape_of(version)
    others = [other for other in _shapes() if other is not shape]
    position = API_VERSIONS.index(shape)
    others.sort(key=lambda other: abs(API_VERSIONS.index(other) - position))
    places: list[_ForeignPlace] = []
    for operation in operations_of(version):
        root = f"{operation}Param"
        pending: list[tuple[str, tuple[str, ...]]] = [(root, ())]
        # one path per owner and top-level child, so each submitJob payload leads to its own
        seen: set[tuple[str, str | None]] = set()
        while pending:
            owner, path = pending.pop(0)
            key = (owner, path[0] if path else None)
            if key in seen:
                continue
            seen.add(key)
            own = {spec.name for spec in model.children(owner)}
            sources: dict[str, ApiVersion] = {}
            for other in others:
                other_model = schema_model(other)
                if owner not in other_model.sequences:
                    continue
                for spec in other_model.children(owner):
                    if spec.name not in own:
                        sources.setdefault(spec.name, other)
            for name, source in sources.items():
                places.append(_ForeignPlace(operation, path, owner, name, source))
            for spec in model.children(owner):
                if spec.type_name is not None and spec.type_name not in _ARRAY_TYPES:
                    pending.append((spec.type_name, (*path, spec.name)))
    return tuple(places)


def _elements_of_type(model: SchemaModel, root: etree._Element, owner: str) -> list[etree._Element]:
    """The elements of type (or global element name) ``owner`` in a valid document."""
    if _local(root) == owner:
        return [root]
    return [
        site.element
        for site in _sites(model, root)
        if site.element is not None and site.spec.type_name == owner
    ]


def _ensure_path(
    draw: st.DrawFn,
    ctx: _Context,
    version: ApiVersion,
    root: etree._Element,
    path: tuple[str, ...],
) -> etree._Element:
    """The element at ``path`` below ``root``, drawing and inserting (in schema order) each
    missing step with valid content."""
    model = schema_model(version)
    namespace = etree.QName(root).namespace or ""
    current, owner = root, _local(root)
    for name in path:
        spec = model.child(owner, name)
        found = current.find(f"{{{namespace}}}{name}")
        if found is None:
            found = _build(draw(_node(ctx, _shape_of(version), owner, spec)), namespace)
            found = etree.fromstring(etree.tostring(found))
            _insert_in_order(model, current, owner, found)
        assert spec.type_name is not None
        current, owner = found, spec.type_name
    return current


def _insert_foreign(
    source: SchemaModel, parent: etree._Element, owner: str, child: etree._Element
) -> None:
    """Insert ``child`` into ``parent`` where ``source``'s order of ``owner`` puts it."""
    _insert_in_order(source, parent, owner, child)


# ------------------------------------------------------------------- the invalid kinds


def _kinds(kinds: Iterable[InvalidKind] | None) -> list[InvalidKind]:
    return list(kinds) if kinds is not None else list(InvalidKind)


def invalid_documents(
    kinds: Iterable[InvalidKind] | None = None,
    *,
    versions: Iterable[ApiVersion] | None = None,
    account: Account = DEFAULT_ACCOUNT,
    payloads: Iterable[str] | None = None,
) -> st.SearchStrategy[InvalidDocument]:
    """Invalid ``<op>Param`` documents of the given ``kinds`` (default: all), each a valid
    document of one of ``versions`` (default: all) with one thing broken, labelled with the
    fault the fake must answer to ``account`` on a fresh fake. A kind is drawn only in the
    versions where it can happen (:attr:`InvalidKind.BAD_LOCALE` needs a submitJobParam
    with ``locale``, from 4.0; :attr:`InvalidKind.NOT_IN_VERSION` a version lacking some
    element another version has). ``payloads`` restricts the payloads of the submitJob
    documents they start from (default: all of the version's).

    Raises ValueError when ``kinds`` is empty, a payload is in none of ``versions``, or none
    of ``versions`` can have any of ``kinds``.

    Example::

        >>> from hypothesis import given
        >>> @given(invalid_documents([InvalidKind.TWO_PAYLOADS, InvalidKind.NO_PAYLOAD]))
        ... def test(document):
        ...     assert document.operation == "submitJob" and document.fault == "ipsApiFault"
        >>> test()
    """
    chosen = _kinds(kinds)
    if not chosen:
        raise ValueError("give at least one InvalidKind")
    chosen_versions = _version_list(versions)
    ctx = _Context(account, _company_handles(account))
    chosen_payloads = _payload_choice(payloads, chosen_versions)
    plans = {
        kind: fitting
        for kind in chosen
        if (fitting := _versions_for(kind, chosen_versions, chosen_payloads))
    }
    if not plans:
        raise ValueError(
            f"none of the API versions {[version.label for version in chosen_versions]} "
            f"can have {[kind.name for kind in chosen]}"
        )
    usable = [kind for kind in chosen if kind in plans]
    return st.sampled_from(usable).flatmap(
        lambda kind: _invalid_of_kind(kind, tuple(plans[kind]), ctx, chosen_payloads)
    )


_SUBMIT_ONLY = frozenset(
    {
        InvalidKind.NO_PAYLOAD,
        InvalidKind.TWO_PAYLOADS,
        InvalidKind.EXEC_TIME_AND_SCHEDULE,
        InvalidKind.BAD_LOCALE,
        InvalidKind.BAD_SCHEDULE,
        InvalidKind.BLANK_JOB_NAME,
        InvalidKind.BAR_IN_JOB_NAME,
        InvalidKind.UNKNOWN_USER_HANDLE,
    }
)
# Operations whose Param holds a required jobHandle and nothing a fresh fake could fault on first.
_HANDLE_OPERATIONS = ("executeJob", "stopJob", "pauseJob", "resumeJob", "deleteJob")


def _versions_for(
    kind: InvalidKind, versions: Sequence[ApiVersion], payloads: tuple[str, ...] | None
) -> list[ApiVersion]:
    """The versions among ``versions`` in which a document can be broken as ``kind`` says."""
    fitting = []
    for version in versions:
        model = schema_model(version)
        own_payloads = _payloads_in(version, payloads)
        if kind in _SUBMIT_ONLY and not own_payloads:
            continue
        if kind is InvalidKind.BAD_LOCALE and not model.has("submitJobParam", "locale"):
            continue
        if kind is InvalidKind.TWO_PAYLOADS and len(model.payload_names) < 2:
            continue
        if kind is InvalidKind.NOT_IN_VERSION and not _foreign_places_for(version, payloads):
            continue
        fitting.append(version)
    return fitting


def _foreign_places_for(
    version: ApiVersion, payloads: tuple[str, ...] | None
) -> list[_ForeignPlace]:
    """The foreign places of ``version`` a document with one of ``payloads`` can have."""
    own_payloads = _payloads_in(version, payloads)
    model = schema_model(version)
    return [
        place
        for place in _foreign_places(version)
        if place.operation != "submitJob"
        or (
            own_payloads
            and (
                not place.path
                or place.path[0] in own_payloads
                or place.path[0] not in model.payload_names
            )
        )
    ]


def _base_operations(kind: InvalidKind, version: ApiVersion) -> list[str]:
    """The operations whose valid documents ``kind`` starts from, in ``version``."""
    if kind in _SUBMIT_ONLY:
        names = ["submitJob"]
    elif kind is InvalidKind.UNKNOWN_JOB_HANDLE:
        names = [*_HANDLE_OPERATIONS, "getActiveJobs", "getScheduledJobs", "getJobLogDetails"]
    elif kind in (InvalidKind.WRONG_TYPE, InvalidKind.MALFORMED_DATE_TIME):
        # these mostly have an optional typed child at the top (else: the fallback)
        names = ["submitJob", "getActiveJobs", "getJobLogs", "getJobLogDetails"]
    elif kind is InvalidKind.BAD_ENUM:
        names = ["submitJob", "getJobLogs", "getJobLogDetails"]
    elif kind is InvalidKind.OUT_OF_ORDER:
        names = ["submitJob", *_HANDLE_OPERATIONS, "getAssetJobLogs"]
    else:
        names = list(OPERATION_NAMES)
    own = operations_of(version)
    return [name for name in names if name in own]


_FALLBACK_OPERATIONS: Mapping[InvalidKind, str] = {
    InvalidKind.MISSING_REQUIRED: "executeJob",
    InvalidKind.WRONG_NAMESPACE: "executeJob",
    InvalidKind.WRONG_TYPE: "getJobLogs",
    InvalidKind.BAD_ENUM: "getJobLogs",
    InvalidKind.MALFORMED_DATE_TIME: "getJobLogs",
}
"""Operations every version has whose documents always have a place for the kind."""


def _invalid_of_kind(
    kind: InvalidKind,
    versions: tuple[ApiVersion, ...],
    ctx: _Context,
    payloads: tuple[str, ...] | None,
) -> st.SearchStrategy[InvalidDocument]:
    timings: tuple[str, ...] = ("none", "execTime", "execSchedule")
    if kind is InvalidKind.EXEC_TIME_AND_SCHEDULE:
        timings = ("execTime",)

    def valid_root(
        draw: st.DrawFn, version: ApiVersion, operation: str, own_payloads: tuple[str, ...]
    ) -> etree._Element:
        nodes = draw(_param_nodes(ctx, version, operation, own_payloads, timings))
        return _build((f"{operation}Param", nodes), version.namespace)

    @st.composite
    def build(draw: st.DrawFn) -> InvalidDocument:
        version = draw(st.sampled_from(versions))
        own_payloads = _payloads_in(version, payloads)
        if kind is InvalidKind.NOT_IN_VERSION:
            place = draw(st.sampled_from(_foreign_places_for(version, payloads)))
            operation = place.operation
            if place.path and place.path[0] in own_payloads:
                own_payloads = (place.path[0],)
            root = valid_root(draw, version, operation, own_payloads)
            broken = _add_foreign(draw, ctx, version, root, place)
        else:
            operations = _base_operations(kind, version)
            if "submitJob" in operations and not own_payloads:
                operations.remove("submitJob")
            operation = draw(st.sampled_from(operations))
            root = valid_root(draw, version, operation, own_payloads)
            maybe = _break(draw, kind, version, root, ctx)
            if maybe is None:
                # the drawn document has no place for this fault: use one that always has
                operation = _FALLBACK_OPERATIONS[kind]
                root = valid_root(draw, version, operation, own_payloads)
                maybe = _break(draw, kind, version, root, ctx)
                assert maybe is not None, f"{operation} always has a place for {kind}"
            broken = maybe
        label, fault, code, mentions = broken
        if kind is InvalidKind.WRONG_NAMESPACE:
            root = _prefixed(root)
        # what the element says is what its bytes say (lxml would drop an xmlns="" otherwise)
        root = etree.fromstring(etree.tostring(root))
        return InvalidDocument(kind, label, operation, version, root, fault, code, mentions)

    return build()


def _add_foreign(
    draw: st.DrawFn,
    ctx: _Context,
    version: ApiVersion,
    root: etree._Element,
    place: _ForeignPlace,
) -> tuple[str, str, int, str]:
    """Put ``place.name``, with content as ``place.source`` has it, into an element of type
    ``place.owner`` of ``root`` (one the document has, else one made on ``place.path``), in
    the source's order."""
    model = schema_model(version)
    owners = _elements_of_type(model, root, place.owner)
    if owners:
        parent = draw(st.sampled_from(owners))
    else:
        parent = _ensure_path(draw, ctx, version, root, place.path)
    source = schema_model(place.source)
    spec = source.child(place.owner, place.name)
    namespace = version.namespace
    foreign = _build(draw(_node(ctx, _shape_of(place.source), place.owner, spec)), namespace)
    foreign = etree.fromstring(etree.tostring(foreign))
    _insert_foreign(source, parent, place.owner, foreign)
    where = "/".join(
        [_local(ancestor) for ancestor in reversed(list(parent.iterancestors()))] + [_local(parent)]
    )
    return (
        f"{place.name} (as in API version {place.source.label}) in {where}",
        _IPS,
        FaultCode.INVALID_PARAMETER,
        place.name,
    )


def _new_leaf(namespace: str, name: str, text: str) -> etree._Element:
    element = etree.Element(f"{{{namespace}}}{name}")
    element.text = text
    return element


def _set_leaf(
    model: SchemaModel, root: etree._Element, namespace: str, name: str, text: str
) -> etree._Element:
    """Set (or insert, in schema order) the top-level leaf ``name`` of ``root``."""
    found = root.find(f"{{{namespace}}}{name}")
    if found is None:
        found = _new_leaf(namespace, name, text)
        _insert_in_order(model, root, _local(root), found)
    found.text = text
    return found


def _path(site: _Site) -> str:
    names = [_local(ancestor) for ancestor in reversed(list(site.parent.iterancestors()))]
    return "/".join([*names, _local(site.parent), site.spec.name])


def _break(
    draw: st.DrawFn,
    kind: InvalidKind,
    version: ApiVersion,
    root: etree._Element,
    ctx: _Context,
) -> tuple[str, str, int, str] | None:
    """Break ``root`` in place as ``kind`` says; return (label, fault, code, names), or None
    when ``root`` has no place for that fault."""
    namespace = version.namespace
    model = schema_model(version)
    sites = _sites(model, root)

    if kind is InvalidKind.MISSING_REQUIRED:
        candidates = [s for s in sites if s.element is not None and s.spec.required]
        if not candidates:
            return None
        site = draw(st.sampled_from(candidates))
        assert site.element is not None
        site.parent.remove(site.element)
        return f"removed required {_path(site)}", _IPS, FaultCode.MISSING_PARAMETER, site.spec.name

    if kind is InvalidKind.NO_PAYLOAD:
        payload = next(child for child in root if _local(child) in model.payload_names)
        root.remove(payload)
        return (
            f"removed the payload {_local(payload)}",
            _IPS,
            FaultCode.MISSING_PARAMETER,
            _local(payload),
        )

    if kind is InvalidKind.TWO_PAYLOADS:
        present = next(_local(child) for child in root if _local(child) in model.payload_names)
        other = draw(st.sampled_from([n for n in model.payload_names if n != present]))
        spec = model.child("submitJobParam", other)
        extra = _build(draw(_node(ctx, _shape_of(version), "submitJobParam", spec)), namespace)
        _insert_in_order(model, root, "submitJobParam", extra)
        return f"added {other} next to {present}", _IPS, FaultCode.INVALID_PARAMETER, other

    if kind is InvalidKind.EXEC_TIME_AND_SCHEDULE:
        schedule = draw(quartz_expressions())
        _set_leaf(model, root, namespace, "execSchedule", schedule)
        return (
            f"execTime and execSchedule {schedule!r}",
            _IPS,
            FaultCode.INVALID_PARAMETER,
            "execSchedule",
        )

    if kind in (InvalidKind.WRONG_TYPE, InvalidKind.MALFORMED_DATE_TIME, InvalidKind.BAD_ENUM):
        if kind is InvalidKind.WRONG_TYPE:
            candidates = _leaf_sites(
                sites, lambda spec: spec.simple in _WRONG_VALUES and not spec.enumeration
            )
        elif kind is InvalidKind.BAD_ENUM:
            candidates = _leaf_sites(sites, lambda spec: bool(spec.enumeration))
        else:
            candidates = _leaf_sites(sites, lambda spec: spec.simple == "dateTime")
        if not candidates:
            return None
        site = draw(st.sampled_from(candidates))
        nil = False
        if kind is InvalidKind.WRONG_TYPE:
            nil = draw(st.booleans())
            text = "" if nil else draw(st.sampled_from(_WRONG_VALUES[site.spec.simple or ""]))
        elif kind is InvalidKind.BAD_ENUM:
            values = site.spec.enumeration
            text = draw(st.sampled_from([v for v in _BAD_ENUM_VALUES if v not in values]))
        else:
            text = draw(st.sampled_from(_BAD_DATE_TIMES))
        element = site.element
        if element is None:
            element = _new_leaf(namespace, site.spec.name, text)
            _insert_in_order(model, site.parent, site.parent_type, element)
        element.text = text
        if nil:
            element.set(_XSI_NIL, "true")
        how = 'xsi:nil="true"' if nil else repr(text)
        return f"{_path(site)} = {how}", _IPS, FaultCode.INVALID_PARAMETER, site.spec.name

    if kind is InvalidKind.OUT_OF_ORDER:
        pairs = []
        for element in root.iter():
            children = [c for c in element if isinstance(c.tag, str)]
            for first, second in itertools.pairwise(children):
                if _local(first) != _local(second):
                    pairs.append((element, first, second))
        parent, first, second = draw(st.sampled_from(pairs))
        parent_type = _type_of(model, root, parent)
        index = list(parent).index(first)
        parent.remove(second)
        parent.insert(index, second)
        names = [_local(c) for c in parent if isinstance(c.tag, str)]
        reported = _first_unexpected(names, model.children(parent_type))
        return (
            f"{_local(second)} moved before {_local(first)} in {_local(parent)}",
            _IPS,
            FaultCode.INVALID_PARAMETER,
            reported,
        )

    if kind is InvalidKind.WRONG_NAMESPACE:
        occupied = [s for s in sites if s.element is not None]
        if not occupied:
            return None
        site = draw(st.sampled_from(occupied))
        assert site.element is not None
        others = [v.namespace for v in API_VERSIONS if v.namespace != namespace]
        other = draw(st.sampled_from(["", *others]))
        for node in site.element.iter():
            if isinstance(node.tag, str):
                local = _local(node)
                node.tag = f"{{{other}}}{local}" if other else local
        where = f"namespace {other!r}" if other else "no namespace"
        return f"{_path(site)} in {where}", _IPS, FaultCode.INVALID_PARAMETER, site.spec.name

    if kind is InvalidKind.UNKNOWN_BODY_NAMESPACE:
        other = draw(st.sampled_from(_UNKNOWN_BODY_NAMESPACES))
        for node in root.iter():
            if isinstance(node.tag, str):
                node.tag = f"{{{other}}}{_local(node)}"
        return (
            f"body in namespace {other!r}",
            _IPS,
            FaultCode.INVALID_REQUEST_XML,
            _local(root),
        )

    if kind is InvalidKind.BAD_LOCALE:
        locale = draw(st.sampled_from(_BAD_LOCALES))
        _set_leaf(model, root, namespace, "locale", locale)
        return f"locale = {locale!r}", _IPS, FaultCode.INVALID_PARAMETER, "locale"

    if kind is InvalidKind.BAD_SCHEDULE:
        for name in _SUBMIT_TIMING:
            found = root.find(f"{{{namespace}}}{name}")
            if found is not None:
                root.remove(found)
        schedule = draw(st.sampled_from(_BAD_SCHEDULES))
        _set_leaf(model, root, namespace, "execSchedule", schedule)
        return f"execSchedule = {schedule!r}", _IPS, FaultCode.INVALID_PARAMETER, "execSchedule"

    if kind is InvalidKind.BLANK_JOB_NAME:
        name = draw(st.sampled_from(["", " ", "\t", "  \n "]))
        _set_leaf(model, root, namespace, "jobName", name)
        return f"jobName = {name!r}", _IPS, FaultCode.MISSING_PARAMETER, "jobName"

    if kind is InvalidKind.BAR_IN_JOB_NAME:
        name = draw(st.sampled_from(["|x", "a|b", "x|", "|"]))
        _set_leaf(model, root, namespace, "jobName", name)
        return f"jobName = {name!r}", _IPS, FaultCode.INVALID_PARAMETER, "jobName"

    if kind in (InvalidKind.UNKNOWN_COMPANY, InvalidKind.FOREIGN_COMPANY):
        if kind is InvalidKind.UNKNOWN_COMPANY:
            company = draw(
                st.one_of(
                    st.integers(900000, 999999).map(str),
                    st.integers(900000, 999999).map(lambda n: f"c|{n}"),
                    st.sampled_from(["x|47", "47|", "c|", "c|47|1"]),
                )
            )
            code = FaultCode.INVALID_COMPANY
        else:
            if not ctx.account.foreign_companies:
                raise ValueError("FOREIGN_COMPANY needs Account.foreign_companies")
            company = draw(st.sampled_from(ctx.account.foreign_companies))
            code = FaultCode.ILLEGAL_COMPANY
        _set_leaf(model, root, namespace, "companyHandle", company)
        mentions = "companyHandle" if kind is InvalidKind.UNKNOWN_COMPANY else company
        return f"companyHandle = {company!r}", _AUTHZ, code, mentions

    if kind is InvalidKind.UNKNOWN_JOB_HANDLE:
        handle = root.find(f"{{{namespace}}}jobHandle")
        if handle is None:
            handle = _set_leaf(
                model,
                root,
                namespace,
                "jobHandle",
                draw(_unknown_job_handles(list(ctx.account.companies) or ["47"])),
            )
        return (
            f"jobHandle = {handle.text!r} on a fresh fake",
            _IPS,
            FaultCode.INVALID_PARAMETER,
            "jobHandle",
        )

    if kind is InvalidKind.UNKNOWN_USER_HANDLE:
        user = draw(
            st.one_of(
                st.integers(1, 99).map(lambda n: f"nobody{n}@example.invalid"),
                st.integers(1, 99).map(lambda n: f"u|{n}|nobody@example.invalid"),
                st.sampled_from(["u|999|" + ctx.account.email, "u|1"]),
            )
        )
        _set_leaf(model, root, namespace, "userHandle", user)
        return f"userHandle = {user!r}", _AUTHZ, FaultCode.INVALID_REQUEST_USER, "userHandle"

    raise AssertionError(f"unhandled kind {kind}")  # pragma: no cover


def _prefixed(root: etree._Element) -> etree._Element:
    """``root`` with its namespace bound to the prefix ``ips`` instead of the default, so a
    child in no namespace is written without an ``xmlns=""`` that lxml would not emit."""
    namespace = etree.QName(root).namespace
    if namespace is None:
        return root
    copy_root = etree.Element(root.tag, nsmap={"ips": namespace})
    copy_root.text = root.text
    copy_root.extend(list(root))
    return copy_root


def _type_of(model: SchemaModel, root: etree._Element, target: etree._Element) -> str:
    """The schema type of ``target``, an element of the valid document ``root``."""
    chain = [*reversed(list(target.iterancestors())), target]
    type_name = _local(root)
    for element in chain[1:]:
        found = model.child(type_name, _local(element)).type_name
        assert found is not None, "a parent element has a complex type"
        type_name = found
    return type_name


# ============================================================================ forms


Form = Literal["element", "bytes", "soap11", "soap12"]
"""How a document is handed over: an lxml element, serialized bytes, or a SOAP envelope."""
ALL_FORMS: tuple[Form, ...] = ("element", "bytes", "soap11", "soap12")


def envelope(
    body: etree._Element,
    *,
    soap: Literal["1.1", "1.2"] = "1.1",
    account: Account | None = DEFAULT_ACCOUNT,
    header_namespace: str | None = None,
) -> bytes:
    """A whole SOAP envelope around ``body`` with an ``authHeader`` for ``account`` (none when
    ``account`` is None), in ``header_namespace`` (default: the body's namespace).

    Example::

        >>> body = build_param("stopJob", children={"companyHandle": "47", "jobHandle": "x"})
        >>> b"<user>ipsuser@example.com</user>" in envelope(body, soap="1.2")
        True
    """
    soap_namespace = SOAP11_NAMESPACE if soap == "1.1" else SOAP12_NAMESPACE
    root = etree.Element(f"{{{soap_namespace}}}Envelope", nsmap={"soapenv": soap_namespace})
    if account is not None:
        header = etree.SubElement(root, f"{{{soap_namespace}}}Header")
        namespace = header_namespace or etree.QName(body).namespace or UNVERSIONED_NAMESPACE
        auth = etree.SubElement(header, f"{{{namespace}}}authHeader", nsmap={None: namespace})  # type: ignore[dict-item]
        etree.SubElement(auth, f"{{{namespace}}}user").text = account.email
        etree.SubElement(auth, f"{{{namespace}}}password").text = account.password
    etree.SubElement(root, f"{{{soap_namespace}}}Body").append(copy.deepcopy(body))
    return bytes(etree.tostring(root, encoding="UTF-8", xml_declaration=True))


@dataclass(frozen=True, repr=False)
class Rendered:
    """A document in one :data:`Form`: ``content`` is an element for ``"element"``, bytes
    otherwise; ``content_type`` is what to send it with (SOAP forms only)."""

    document: ValidDocument | InvalidDocument
    form: Form
    content: etree._Element | bytes
    content_type: str | None

    def __repr__(self) -> str:
        return f"Rendered({self.form}, {self.document!r})"

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        """Falsifying examples print as the document's XML (Hypothesis's pretty printer)."""
        printer.text(repr(self))


def render(
    document: ValidDocument | InvalidDocument,
    form: Form,
    *,
    account: Account = DEFAULT_ACCOUNT,
    header_namespace: str | None = None,
) -> Rendered:
    """``document`` as an lxml element (a copy), UTF-8 bytes, or a SOAP 1.1 / 1.2 envelope
    with an ``authHeader`` for ``account`` in ``header_namespace`` (default: the namespace
    of the document's API version, which is also the body's unless the document was
    broken as :attr:`InvalidKind.UNKNOWN_BODY_NAMESPACE`).

    Example::

        >>> from ips_fake.soap.schema import API_VERSIONS
        >>> document = ValidDocument("stopJob", API_VERSIONS[0],
        ...     build_param("stopJob", children={"companyHandle": "47", "jobHandle": "x"}))
        >>> render(document, "soap12").content_type
        'application/soap+xml; charset=UTF-8; action="stopJob"'
    """
    if form == "element":
        return Rendered(document, form, copy.deepcopy(document.element), None)
    if form == "bytes":
        return Rendered(
            document, form, bytes(etree.tostring(document.element, encoding="UTF-8")), None
        )
    soap: Literal["1.1", "1.2"] = "1.1" if form == "soap11" else "1.2"
    content = envelope(
        document.element,
        soap=soap,
        account=account,
        header_namespace=header_namespace or document.version.namespace,
    )
    content_type = (
        "text/xml; charset=UTF-8"
        if soap == "1.1"
        else f'application/soap+xml; charset=UTF-8; action="{document.operation}"'
    )
    return Rendered(document, form, content, content_type)


def in_forms(
    documents: st.SearchStrategy[ValidDocument] | st.SearchStrategy[InvalidDocument],
    forms: Iterable[Form] = ALL_FORMS,
    *,
    account: Account = DEFAULT_ACCOUNT,
) -> st.SearchStrategy[Rendered]:
    """Documents rendered in one of ``forms``; SOAP envelopes carry the ``authHeader`` in the
    unversioned namespace or that of the document's API version (real clients send either;
    for pre-4.0 both are the same).

    Example::

        >>> from hypothesis import given
        >>> @given(in_forms(valid_documents("getJobLogs"), ["soap11", "soap12"]))
        ... def test(rendered):
        ...     assert isinstance(rendered.content, bytes) and rendered.content_type
        >>> test()
    """
    chosen = list(forms)
    documents_any = cast(st.SearchStrategy["ValidDocument | InvalidDocument"], documents)

    @st.composite
    def build(draw: st.DrawFn) -> Rendered:
        document = draw(documents_any)
        form = draw(st.sampled_from(chosen))
        unversioned = draw(st.booleans())
        return render(
            document,
            form,
            account=account,
            header_namespace=UNVERSIONED_NAMESPACE if unversioned else None,
        )

    return build()
