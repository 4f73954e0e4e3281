"""What the admin API's protections check (docs/admin-api.md): the Host of a request (DNS
rebinding), the names that carry the token, the methods that write."""

from __future__ import annotations

import ipaddress

#: The host of the in-process transport's URLs (:data:`ips_fake.transport.INPROCESS_BASE_URL`).
INPROCESS_HOST = "ips-fake.invalid"
#: Names every admin request may use as its Host, besides 127.0.0.0/8 and ::1.
LOOPBACK_NAMES = frozenset({"localhost", INPROCESS_HOST})
#: Header names that carry the admin token (``Authorization: Bearer <token>`` also works).
TOKEN_HEADER = "X-Ips-Fake-Token"
#: The cookie the dashboard keeps the token in (same-site only, out of scripts' reach).
TOKEN_COOKIE = "ips_fake_admin_token"
#: The methods that write: their Origin is checked, their body must be JSON.
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def host_name(host: str) -> str:
    """The name part of a Host header, lower-cased: ``[::1]:8080`` → ``::1``,
    ``LocalHost:80`` → ``localhost``, ``example.com.`` → ``example.com``."""
    text = host.strip().lower()
    if text.startswith("["):
        return text[1:].split("]", 1)[0]
    if text.count(":") == 1:
        text = text.split(":", 1)[0]
    return text.rstrip(".")


def is_loopback_host(name: str) -> bool:
    """Whether ``name`` (from :func:`host_name`) is localhost, 127.0.0.0/8, ::1 or the
    in-process transport's host."""
    if name in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False
