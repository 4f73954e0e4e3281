"""Schema validation of request bodies, with faults whose reasons name the element."""

from __future__ import annotations

import copy
import re

from lxml import etree

from ips_fake.core.errors import FaultCode, IpsFault
from ips_fake.soap.schema import ApiVersion, schema_validator
from ips_fake.soap.structure import error_path

# "{http://...}name" in lxml's messages; not the "{'a', 'b'}" sets of allowed values
_NAMESPACE_IN_TEXT = re.compile(r"\{[A-Za-z][A-Za-z0-9+.-]*:[^}\s']*\}")
_EXPECTED = re.compile(r"Expected is(?: one of)? \( ([^)]*) \)")


class SchemaViolation(IpsFault):
    """A fault raised because a request broke the schema (a client bug, not a business rule)."""


def readable(message: str) -> str:
    """An lxml schema message without ``{namespace}`` noise."""
    return _NAMESPACE_IN_TEXT.sub("", message).strip()


def validate_element(element: etree._Element, version: ApiVersion) -> None:
    """Raise :class:`SchemaViolation` (30002 missing, 30001 otherwise) unless ``element``
    is valid against the version's schema."""
    validator = schema_validator(version)
    if validator.validate(element):
        return
    error = validator.error_log.filter_from_errors()[0]  # type: ignore[attr-defined]
    reason = readable(error.message)
    missing = "Missing child element" in reason or _skips_required(
        validator, element, error.path, reason
    )
    code = FaultCode.MISSING_PARAMETER if missing else FaultCode.INVALID_PARAMETER
    path = error_path(element, version)
    where = f" (at {path})" if path else (f" (line {error.line})" if error.line else "")
    raise SchemaViolation(code, f"{reason}{where}")


def _skips_required(
    validator: etree.XMLSchema, element: etree._Element, path: str | None, reason: str
) -> bool:
    """True when an "element is not expected" error means a required element is absent, not
    merely that an element is out of order: cut the offending element and its later siblings
    off a copy; if the parent then lacks a required child that none of them is, it is missing."""
    if "This element is not expected" not in reason or not path or not path.startswith("/"):
        return False
    trimmed = copy.deepcopy(element)
    # the path starts at the validated element: "/ips:submitJobParam/ips:jobName" or "/*/*[2]"
    steps = path.split("/")[2:]
    if not steps:
        return False
    prefixes = {prefix: uri for prefix, uri in trimmed.nsmap.items() if prefix}
    try:
        found = trimmed.xpath("./" + "/".join(steps), namespaces=prefixes)
    except etree.XPathError:
        return False
    if not isinstance(found, list) or not found or not isinstance(found[0], etree._Element):
        return False
    offender = found[0]
    parent = offender.getparent()
    if parent is None:
        return False
    cut = [offender, *offender.itersiblings()]
    later = {etree.QName(node).localname for node in cut if isinstance(node.tag, str)}
    for node in cut:
        parent.remove(node)
    if validator.validate(trimmed):
        return False
    first = validator.error_log.filter_from_errors()[0]  # type: ignore[attr-defined]
    message = readable(first.message)
    expected = _EXPECTED.search(message)
    if "Missing child element" not in message or expected is None:
        return False
    names = {name.strip() for name in expected.group(1).split(",")}
    return not names & later


def response_problems(element: etree._Element, version: ApiVersion) -> list[str]:
    """Why a response element does not validate (empty when it does)."""
    validator = schema_validator(version)
    if validator.validate(element):
        return []
    return [readable(entry.message) for entry in validator.error_log]  # type: ignore[attr-defined]
