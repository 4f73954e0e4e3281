"""Invalid ``<op>Param`` documents (:func:`invalid_documents`): a valid document of a version
where the kind can happen, broken by its breaker, labelled with the fault it must get."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st
from lxml import etree

from ips_fake.core.errors import FaultCode
from ips_fake.soap.schema import (
    OPERATION_NAMES,
    ApiVersion,
    operations_of,
)
from ips_fake.strategies.breakers import InvalidKind, break_document
from ips_fake.strategies.schema_model import DEFAULT_ACCOUNT, Account, _shape_of, schema_model
from ips_fake.strategies.sites import (
    _IPS,
    _elements_of_type,
    _ensure_path,
    _foreign_places,
    _ForeignPlace,
    _insert_foreign,
    _local,
)
from ips_fake.strategies.valid import (
    _build,
    _company_handles,
    _Context,
    _node,
    _param_nodes,
    _payload_choice,
    _payloads_in,
    _version_list,
    _xml_text,
)


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
            maybe = break_document(draw, kind, version, root, ctx)
            if maybe is None:
                # the drawn document has no place for this fault: use one that always has
                operation = _FALLBACK_OPERATIONS[kind]
                root = valid_root(draw, version, operation, own_payloads)
                maybe = break_document(draw, kind, version, root, ctx)
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
