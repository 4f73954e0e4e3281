"""Schema validation of request bodies, with faults whose reasons name the element."""

from __future__ import annotations

import re

from lxml import etree

from ips_fake.core.errors import FaultCode, IpsFault
from ips_fake.soap.schema import ApiVersion, schema_validator
from ips_fake.soap.structure import Structure, error_path, structure_of

# "{http://...}name" in lxml's messages; not the "{'a', 'b'}" sets of allowed values
_NAMESPACE_IN_TEXT = re.compile(r"\{[A-Za-z][A-Za-z0-9+.-]*:[^}\s']*\}")


class SchemaViolation(IpsFault):
    """A fault raised because a request broke the schema (a client bug, not a business rule)."""


def readable(message: str) -> str:
    """An lxml schema message without ``{namespace}`` noise."""
    return _NAMESPACE_IN_TEXT.sub("", message).strip()


def validate_element(element: etree._Element, version: ApiVersion) -> None:
    """Raise :class:`SchemaViolation` unless ``element`` is valid against the version's schema:
    ipsApiFault 30002 when a required element is missing, 30001 for any other violation (an
    element the version does not have, one out of order or repeated, a wrong value). The
    reason is lxml's, prefixed with the element at fault where lxml names another, and ends
    with the path of the element it is in (docs/fidelity.md, "schema violations")."""
    validator = schema_validator(version)
    if validator.validate(element):
        return
    error = validator.error_log.filter_from_errors()[0]  # type: ignore[attr-defined]
    reason = readable(error.message)
    code = FaultCode.INVALID_PARAMETER
    if _STRUCTURAL.search(reason):
        problem = first_structural_problem(element, version)
        if problem is not None:
            code, name = problem
            if f"'{name}'" not in reason:
                what = (
                    "is required here"
                    if code == FaultCode.MISSING_PARAMETER
                    else "is not allowed here"
                )
                reason = f"element '{name}' {what}: {reason}"
        elif "Missing child element" in reason:
            code = FaultCode.MISSING_PARAMETER
    path = error_path(element, version) if _small_enough_to_explain(element) else None
    where = f" (at {path})" if path else (f" (line {error.line})" if error.line else "")
    raise SchemaViolation(code, f"{reason}{where}")


#: The largest refused document whose fault reason gets the element's path: xmlschema, which
#: finds it, costs far more per element and per namespace declaration than lxml.
EXPLAIN_MAX_ELEMENTS = 2_000
EXPLAIN_MAX_NAMESPACES = 4_000


def _small_enough_to_explain(element: etree._Element) -> bool:
    """Whether ``element`` has at most :data:`EXPLAIN_MAX_ELEMENTS` elements and their
    in-scope namespace declarations add up to at most :data:`EXPLAIN_MAX_NAMESPACES`
    (the walk stops as soon as either is passed)."""
    namespaces = 0
    for elements, node in enumerate(element.iter(), start=1):
        namespaces += len(node.nsmap)
        if elements > EXPLAIN_MAX_ELEMENTS or namespaces > EXPLAIN_MAX_NAMESPACES:
            return False
    return True


# lxml messages about an element's children (as opposed to a wrong value)
_STRUCTURAL = re.compile(
    r"This element is not expected|Missing child element|Element content is not allowed"
)


def first_structural_problem(
    element: etree._Element, version: ApiVersion
) -> tuple[int, str] | None:
    """The first child, in document order, that breaks its parent's ``xsd:sequence`` in
    ``version``, with a FaultCode value: ``(30002, name)`` for a required element that is
    skipped or never comes, ``(30001, name)`` for an element the parent's type does not have
    there (unknown to the version, out of order, or once too often); None when every
    sequence holds.

    Decides the code from the version's structure rather than from lxml's "Expected is one
    of" list, which libxml2 cuts short after a few names.
    """
    structure = structure_of(version)
    owner = etree.QName(element).localname
    if owner not in structure.elements:
        return None
    return _sequence_problem(element, owner, structure)


def _sequence_problem(
    element: etree._Element, owner: str, structure: Structure
) -> tuple[int, str] | None:
    spec = structure.children_of(owner)
    children = [child for child in element if isinstance(child.tag, str)]
    names = [etree.QName(child).localname for child in children]
    position = 0  # the entry of spec the last child matched
    seen = 0  # how many children matched it
    for index, (child, name) in enumerate(zip(children, names, strict=True)):
        found = next(
            (entry for entry in range(position, len(spec)) if spec[entry].name == name), None
        )
        if found is None:
            return FaultCode.INVALID_PARAMETER, name
        if found == position and seen:
            seen += 1
            limit = spec[position].max_occurs
            if limit is not None and seen > limit:
                return FaultCode.INVALID_PARAMETER, name
        else:
            skipped = list(spec[position:found] if seen == 0 else spec[position + 1 : found])
            if seen and seen < spec[position].min_occurs:
                skipped.insert(0, spec[position])
            later = set(names[index + 1 :])
            for entry in skipped:
                if entry.min_occurs > 0:
                    if entry.name in later:  # it comes, but after this one: out of order
                        return FaultCode.INVALID_PARAMETER, name
                    return FaultCode.MISSING_PARAMETER, entry.name
            position, seen = found, 1
        type_name = spec[found].type_name
        if type_name is not None:
            inner = _sequence_problem(child, type_name, structure)
            if inner is not None:
                return inner
    rest = spec[position:] if seen == 0 else spec[position + 1 :]
    if seen and seen < spec[position].min_occurs:
        return FaultCode.MISSING_PARAMETER, spec[position].name
    for entry in rest:
        if entry.min_occurs > 0:
            return FaultCode.MISSING_PARAMETER, entry.name
    return None


def response_problems(element: etree._Element, version: ApiVersion) -> list[str]:
    """Why a response element does not validate (empty when it does)."""
    validator = schema_validator(version)
    if validator.validate(element):
        return []
    return [readable(entry.message) for entry in validator.error_log]  # type: ignore[attr-defined]
