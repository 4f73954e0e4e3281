"""Schema validation of request bodies, with faults whose reasons name the element."""

from __future__ import annotations

import re

from lxml import etree

from ips_fake.core.errors import FaultCode, IpsFault
from ips_fake.soap.schema import ApiVersion, schema_validator

_NAMESPACE_IN_TEXT = re.compile(r"\{[^}]*\}")


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
    code = (
        FaultCode.MISSING_PARAMETER
        if "Missing child element" in reason
        else FaultCode.INVALID_PARAMETER
    )
    raise SchemaViolation(code, f"line {error.line}: {reason}" if error.line else reason)


def response_problems(element: etree._Element, version: ApiVersion) -> list[str]:
    """Why a response element does not validate (empty when it does)."""
    validator = schema_validator(version)
    if validator.validate(element):
        return []
    return [readable(entry.message) for entry in validator.error_log]  # type: ignore[attr-defined]
