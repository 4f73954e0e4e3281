"""The structure of one API version's job schema, read with xmlschema's component model.

Code that needs to know what a version's types hold (which children, in which order, how
many, of which simple kind or enumeration) asks :func:`structure_of` instead of walking the
XSD by hand: the answer writer (:func:`conform`), the Hypothesis strategies and the fault
reasons. Validation on the request path stays with lxml's compiled schema
(:func:`ips_fake.soap.schema.schema_validator`), which is far faster per document.

Example::

    >>> from ips_fake.soap.schema import find_version
    >>> pre40 = structure_of(find_version("pre-4.0"))
    >>> [child.name for child in pre40.types["PhotoshopOptions"]]
    ['maintainLayers', 'layerNaming', 'anchor']
    >>> [child.name for child in structure_of(find_version("6.8")).types["PhotoshopOptions"]]
    ['process', 'layerOptions']
"""

from __future__ import annotations

import copy
import functools
import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Mapping, Set
from dataclasses import dataclass, field
from typing import Any

import xmlschema
from lxml import etree

from ips_fake.soap.schema import ApiVersion, xsd_documents

__all__ = ["Child", "ShapeCache", "ShapeKey", "Structure", "conform", "error_path", "structure_of"]

_XSD_NS = "http://www.w3.org/2001/XMLSchema"
#: One step of an xmlschema error path: ``{uri}name``, ``prefix:name`` or ``name``.
_PATH_STEP = re.compile(r"(?:\{[^}]*\})?[^/{]+")

#: The text a required simple element gets when an answer has no value for it.
_FILLERS = {
    "boolean": "false",
    "int": "0",
    "long": "0",
    "short": "0",
    "integer": "0",
    "double": "0.0",
    "float": "0.0",
    "decimal": "0",
    "dateTime": "1970-01-01T00:00:00.000Z",
}


@dataclass(frozen=True)
class Child:
    """One element of a type's ``xsd:sequence``.

    ``type_name`` names the schema's own complex type (None for simple content);
    ``simple`` is the XSD built-in the simple content derives from (``"string"``,
    ``"boolean"``, ``"int"``, ``"long"``, ``"double"``, ``"dateTime"``), None for complex;
    ``max_occurs`` is None for unbounded; ``enumeration`` lists the allowed values (empty
    when any value of ``simple`` is allowed).
    """

    name: str
    type_name: str | None
    simple: str | None
    min_occurs: int
    max_occurs: int | None
    enumeration: tuple[str, ...] = ()

    @property
    def required(self) -> bool:
        """True when the element must appear at least once."""
        return self.min_occurs > 0

    def filler(self) -> str:
        """The text of a required simple element that has no value: the first enumerated
        value, or the built-in's zero ('' for strings, ``false``, ``0``, ``0.0``)."""
        if self.enumeration:
            return self.enumeration[0]
        return _FILLERS.get(self.simple or "", "")


@dataclass(frozen=True)
class Structure:
    """What one API version's job schema holds.

    ``types`` maps each named complex type to its children; ``elements`` maps each global
    element of the version's namespace (``submitJobParam``, ``getActiveJobsReturn``,
    ``authHeader``...) to its (anonymous) type's children.
    """

    version: ApiVersion
    namespace: str
    types: Mapping[str, tuple[Child, ...]]
    elements: Mapping[str, tuple[Child, ...]]
    #: conform's plans: owner -> (the defaults they were made for, the steps, the children's
    #: tags of elements of the owner found already conforming with simple children only)
    _plans: dict[str, _Plan] = field(default_factory=dict, repr=False, compare=False)

    def children_of(self, owner: str) -> tuple[Child, ...]:
        """The children of global element or named type ``owner`` (KeyError if neither)."""
        if owner in self.elements:
            return self.elements[owner]
        return self.types[owner]

    def child(self, owner: str, name: str) -> Child | None:
        """Child ``name`` of ``owner``, or None when the version's ``owner`` has no such child."""
        for child in self.children_of(owner):
            if child.name == name:
                return child
        return None


def _simple_kind(xsd_type: Any) -> str:
    current = xsd_type
    while current is not None:
        name = current.name or ""
        if name.startswith(f"{{{_XSD_NS}}}"):
            return str(current.local_name)
        current = getattr(current, "base_type", None)
    return "string"


def _children(xsd_type: Any) -> tuple[Child, ...]:
    content = getattr(xsd_type, "content", None)
    if content is None or not hasattr(content, "iter_elements"):
        return ()
    result: list[Child] = []
    for element in content.iter_elements():
        element_type = element.type
        if element_type.is_simple():
            enumeration = tuple(str(value) for value in (element_type.enumeration or ()))
            result.append(
                Child(
                    element.local_name,
                    None,
                    _simple_kind(element_type),
                    element.min_occurs,
                    element.max_occurs,
                    enumeration,
                )
            )
        else:
            result.append(
                Child(
                    element.local_name,
                    element_type.local_name,
                    None,
                    element.min_occurs,
                    element.max_occurs,
                )
            )
    return tuple(result)


@functools.cache
def _component_model(version: ApiVersion) -> Any:
    """xmlschema's model of ``version``'s job schema (about 0.15 s to build, cached)."""
    source = etree.tostring(xsd_documents(version)[0], encoding="unicode")
    return xmlschema.XMLSchema(source)


def error_path(element: etree._Element, version: ApiVersion) -> str | None:
    """Where ``element`` first breaks ``version``'s schema, as a path of local names
    (``/submitJobParam/uploadUrlsJob/photoshopOptions``), or None when it is valid or its
    root is not a global element of the version.

    Slow (xmlschema validates in pure Python): for explaining a document that lxml's
    compiled validator already refused, not for the request path.

    Example::

        >>> from lxml import etree
        >>> from ips_fake.soap.schema import find_version
        >>> v = find_version("6.8")
        >>> bad = etree.fromstring(
        ...     f'<getJobLogsParam xmlns="{v.namespace}"><numRows>x</numRows></getJobLogsParam>'
        ... )
        >>> error_path(bad, v)
        '/getJobLogsParam/numRows'
    """
    model = _component_model(version)
    try:
        for error in model.iter_errors(element):
            path = error.path
            if not path:
                return None
            # steps may be in Clark notation ("{http://...}name"), whose URI holds slashes
            steps = _PATH_STEP.findall(path)
            return "/" + "/".join(step.rsplit("}", 1)[-1].split(":")[-1] for step in steps)
    except (xmlschema.XMLSchemaException, ValueError, KeyError):
        return None
    return None


@functools.cache
def structure_of(version: ApiVersion) -> Structure:
    """The structure of ``version``'s job schema (built once per version, then cached;
    about 0.15 s each).

    Example::

        >>> from ips_fake.soap.schema import find_version
        >>> active = structure_of(find_version("4.5")).children_of("ActiveJob")
        >>> "triggerTime" in [child.name for child in active]
        False
    """
    schema = _component_model(version)
    types = {
        str(xsd_type.local_name): _children(xsd_type)
        for xsd_type in schema.types.values()
        if not xsd_type.is_simple()
    }
    elements = {
        element.local_name: _children(element.type)
        for element in schema.elements.values()
        if not element.type.is_simple()
    }
    return Structure(version, version.namespace, types, elements)


@dataclass(frozen=True)
class _Step:
    """One child of an owner's sequence, as :func:`conform` walks it: the child's spec and,
    when an answer lacks it but it must (or by default does) appear, a ready-made copy."""

    spec: Child
    tag: str
    template: etree._Element | None


def conform(
    element: etree._Element,
    structure: Structure,
    defaults: Mapping[str, Mapping[str, Any]] | None = None,
    owner: str | None = None,
    *,
    settled: Set[int] = frozenset(),
) -> None:
    """Reshape an answer ``element`` in place to exactly what ``structure``'s version holds.

    Walks the element with its type: children the version lacks are dropped, the rest put in
    the version's order, at most ``max_occurs`` of each; a required child that is missing is
    added, filled with ``defaults[type][child]`` when given, else with :meth:`Child.filler`
    (complex ones recursively). ``defaults`` (type name → child name → text, or a mapping for
    a complex child) also adds optional children an answer left out, as IPS echoes its server
    defaults (spec/versions.md, "Server defaults in the job echo"); a complex default gives the
    children the version's type has, and is left out when it has none of them. ``owner`` is
    the global element or type name of ``element`` (default: its local name, a global
    element).

    The steps for each owner, with the children to add ready-made, are worked out once per
    structure and ``defaults`` object, so pass the same ``defaults`` object each time.
    ``settled`` holds the ``id`` of descendants already conformed (with the same structure
    and defaults, e.g. copies from a :class:`ShapeCache`): they are kept, not walked again.
    """
    if not owner:
        tag = element.tag
        owner = tag.rpartition("}")[2] if isinstance(tag, str) else etree.QName(element).localname
    _conform(element, structure, defaults or {}, owner, settled)


_Plan = tuple[Mapping[str, Mapping[str, Any]], tuple[_Step, ...], set[tuple[object, ...]]]


def _plan(structure: Structure, defaults: Mapping[str, Mapping[str, Any]], owner: str) -> _Plan:
    cached = structure._plans.get(owner)
    if cached is not None and cached[0] is defaults:
        return cached
    owner_defaults = defaults.get(owner, {})
    steps = tuple(
        _Step(
            spec,
            f"{{{structure.namespace}}}{spec.name}",
            _made_child(spec, structure, defaults, owner_defaults),
        )
        for spec in structure.children_of(owner)
    )
    plan: _Plan = (defaults, steps, set())
    structure._plans[owner] = plan
    return plan


#: The most children an element :func:`_conform` remembers as already conforming may have,
#: and the most such orders of children a plan remembers.
_AS_IS_CHILDREN = 16
_AS_IS_SHAPES = 1024


def _conform(
    element: etree._Element,
    structure: Structure,
    defaults: Mapping[str, Mapping[str, Any]],
    owner: str,
    settled: Set[int],
) -> None:
    _, steps, as_is = _plan(structure, defaults, owner)
    # an element whose few children (all simple) are in an order found conforming before
    # (an answer such as submitJobReturn) conforms again: nothing to walk
    shape = None
    if len(element) <= _AS_IS_CHILDREN:
        shape = tuple(child.tag for child in element)
        if shape in as_is:
            return
    # answers are written in the version's namespace, so children are found by full tag
    present: dict[object, list[etree._Element]] = {}
    for child in element:
        present.setdefault(child.tag, []).append(child)
    ordered: list[etree._Element] = []
    for step in steps:
        spec = step.spec
        found = present.get(step.tag)
        if not found:
            if step.template is not None:
                ordered.append(copy.copy(step.template))  # lxml copies elements whole
            continue
        kept = found if spec.max_occurs is None else found[: spec.max_occurs]
        for child in kept:
            if spec.type_name is not None:
                shape = None  # not remembered: its children may need work another time
                if id(child) not in settled:
                    _conform(child, structure, defaults, spec.type_name, settled)
            ordered.append(child)
    if (
        shape is not None
        and len(ordered) == len(shape)
        and all(kept is child for kept, child in zip(ordered, element, strict=True))
        and len(as_is) < _AS_IS_SHAPES
    ):
        as_is.add(shape)
        return
    _arrange(element, ordered)


def _arrange(element: etree._Element, ordered: list[etree._Element]) -> None:
    """Make ``ordered`` the children of ``element`` with as few moves as possible: lxml
    re-homes every subtree it moves, so reassigning all children of an element that holds a
    long array costs far more than the array (answers keep their order almost always)."""
    keep = {id(child) for child in ordered}
    for child in list(element):
        if id(child) not in keep:
            element.remove(child)
    previous: etree._Element | None = None
    for child in ordered:
        if child.getprevious() is not previous or child.getparent() is not element:
            if previous is None:
                element.insert(0, child)
            else:
                previous.addnext(child)
        previous = child


def _made_child(
    spec: Child,
    structure: Structure,
    defaults: Mapping[str, Mapping[str, Any]],
    owner_defaults: Mapping[str, Any],
) -> etree._Element | None:
    """The child to add when an answer lacks ``spec``: its default, or its filler when it is
    required; None when it is left out."""
    default = owner_defaults.get(spec.name)
    if default is None and not spec.required:
        return None
    made = etree.Element(f"{{{structure.namespace}}}{spec.name}")
    if spec.type_name is None:
        made.text = default if isinstance(default, str) else spec.filler()
        return made
    nested = defaults
    if isinstance(default, Mapping):
        have = {child.name for child in structure.children_of(spec.type_name)}
        kept = {name: value for name, value in default.items() if name in have}
        if default and not kept and not spec.required:
            return None  # the version's type has none of the default's children
        nested = {**defaults, spec.type_name: {**defaults.get(spec.type_name, {}), **kept}}
    for step_spec in structure.children_of(spec.type_name):
        child = _made_child(step_spec, structure, nested, nested.get(spec.type_name, {}))
        if child is not None:
            made.append(child)
    return made


class ShapeKey:
    """A :class:`ShapeCache` key: a tuple whose hash is worked out once (a record's own hash
    walks every field, and the cache hashes a key more than once)."""

    __slots__ = ("_hash", "parts")

    def __init__(self, *parts: Hashable) -> None:
        self.parts = parts
        self._hash = hash(parts)  # TypeError for a part that cannot be hashed

    def __hash__(self) -> int:
        return self._hash

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ShapeKey) and (
            self is other or (self._hash == other._hash and self.parts == other.parts)
        )


#: Most elements the answer items a :class:`ShapeCache` keeps hold together.
SHAPE_CACHE_ELEMENTS = 200_000


class ShapeCache:
    """Answer items already written and shaped to a version (:func:`conform`), kept to be
    copied into later answers: a listing answer (getActiveJobs, getScheduledJobs,
    getJobLogs) then costs one copy per unchanged job instead of writing and shaping it.

    Items are keyed by what made them: the item's type, the version's namespace, the handle
    style and the (frozen, hashable) record written, so a job that changes is a new key and
    its old entry is never used again. Bounded: the least recently used entries go first
    while the kept items hold more than ``limit`` elements together (an item larger than
    ``limit`` is not kept). Safe to share between threads.
    """

    def __init__(self, limit: int = SHAPE_CACHE_ELEMENTS) -> None:
        self.limit = limit
        self.elements = 0
        self._entries: OrderedDict[ShapeKey, tuple[etree._Element, int]] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._entries)

    def shaped(
        self,
        key: ShapeKey,
        make: Callable[[], etree._Element],
    ) -> etree._Element:
        """The shaped item for ``key``; ``make`` writes and shapes it when none is kept. The
        element returned is the kept one: copy it, never change or move it."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None:
                self._entries.move_to_end(key)
                return entry[0]
        item = make()
        size = sum(1 for _ in item.iter())
        if size > self.limit:
            return item
        with self._lock:
            if key not in self._entries:
                self._entries[key] = (item, size)
                self.elements += size
                while self.elements > self.limit:
                    _, (_, dropped) = self._entries.popitem(last=False)
                    self.elements -= dropped
        return item

    def clear(self) -> None:
        """Forget every kept item."""
        with self._lock:
            self._entries.clear()
            self.elements = 0
