"""Valid ``<op>Param`` documents of one API version (:func:`valid_documents`), payloads and
params built from plain values, and documents read back as Python values."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from hypothesis import strategies as st
from lxml import etree

from ips_fake.core.errors import FaultCode
from ips_fake.soap.schema import (
    API_VERSIONS,
    OPERATION_NAMES,
    ApiVersion,
    operations_of,
)
from ips_fake.strategies.schema_model import (
    DEFAULT_ACCOUNT,
    Account,
    ChildSpec,
    Node,
    _shape_of,
    schema_model,
)
from ips_fake.strategies.values import (
    _BOOLEAN_TEXTS,
    _LOG_TYPES,
    OPTION_VOCABULARY,
    _asset_handles,
    _double_text,
    _folders,
    _int_text,
    _plain_text,
    _unknown_job_handles,
    _urls,
    date_time_texts,
    job_names,
    locales,
    quartz_expressions,
)


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
