"""Places in a document: every child position of a valid document, schema-ordered inserts,
and the elements other API versions have where a version lacks them."""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from hypothesis import strategies as st
from lxml import etree

from ips_fake.soap.schema import (
    API_VERSIONS,
    ApiVersion,
    operations_of,
)
from ips_fake.strategies.schema_model import ChildSpec, SchemaModel, _shape_of, schema_model
from ips_fake.strategies.valid import _ARRAY_TYPES, _build, _Context, _node, _repeated

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


def _type_of(model: SchemaModel, root: etree._Element, target: etree._Element) -> str:
    """The schema type of ``target``, an element of the valid document ``root``."""
    chain = [*reversed(list(target.iterancestors())), target]
    type_name = _local(root)
    for element in chain[1:]:
        found = model.child(type_name, _local(element)).type_name
        assert found is not None, "a parent element has a complex type"
        type_name = found
    return type_name
