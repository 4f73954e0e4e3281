"""Faults as data: what the core raises, with no knowledge of XML or HTTP.

The protocol layer renders an :class:`IpsFault` as one of IPS's three SOAP fault
elements; nothing else in the core knows how a fault looks on the wire.
"""

from __future__ import annotations

from enum import Enum


class FaultKind(Enum):
    """The three fault families of the IPS API, valued by their wire element name."""

    IPS_API = "ipsApiFault"
    AUTHENTICATION = "authenticationFault"
    AUTHORIZATION = "authorizationFault"


class FaultCode:
    """The numeric fault codes of IPS (spec section 3)."""

    NO_CREDENTIALS = 10000
    INVALID_CREDENTIALS = 10001
    INVALID_USER = 10002
    INVALID_COMPANY = 20000
    INVALID_REQUEST_USER_NAME = 20001
    INVALID_REQUEST_USER = 20002
    NO_PERMISSION = 20003
    NO_IMPERSONATION_PERMISSION = 20004
    ILLEGAL_PARAMETER_VALUE = 20005
    ILLEGAL_COMPANY = 20006
    ILLEGAL_REQUEST_USER = 20007
    ILLEGAL_ACCESS_GROUP = 20008
    MISSING_PERMISSION = 20009
    GENERAL_FAILURE = 30000
    INVALID_PARAMETER = 30001
    MISSING_PARAMETER = 30002
    INVALID_REQUEST_XML = 30003


_KIND_BY_CODE_RANGE = (
    (10000, 19999, FaultKind.AUTHENTICATION),
    (20000, 29999, FaultKind.AUTHORIZATION),
    (30000, 39999, FaultKind.IPS_API),
)


class IpsFault(Exception):
    """A fault IPS answers with: its family, its numeric code and a reason for humans.

    Example::

        raise IpsFault(FaultCode.INVALID_PARAMETER, "jobHandle 'x' names no job")
    """

    def __init__(self, code: int, reason: str) -> None:
        super().__init__(f"{code}: {reason}")
        self.code = code
        self.reason = reason
        for low, high, kind in _KIND_BY_CODE_RANGE:
            if low <= code <= high:
                self.kind = kind
                break
        else:
            raise ValueError(f"{code} is not an IPS fault code")

    def __repr__(self) -> str:
        return f"IpsFault({self.kind.value}, {self.code}, {self.reason!r})"


def invalid_parameter(reason: str) -> IpsFault:
    """An ipsApiFault 30001: a parameter is present but its value is wrong."""
    return IpsFault(FaultCode.INVALID_PARAMETER, reason)


def missing_parameter(reason: str) -> IpsFault:
    """An ipsApiFault 30002: a required parameter is absent."""
    return IpsFault(FaultCode.MISSING_PARAMETER, reason)
