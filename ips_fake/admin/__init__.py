"""The admin API under ``/_fake/``: JSON to read and move the clock, read state and the
outbox, script outcomes, add companies and users, and reset. Routes are listed in the
README; every answer is JSON, every error ``{"error": "..."}`` with a 4xx status (a bug in
the fake: 500, still JSON, never a traceback).

Protections (docs/admin-api.md): a Host that is not a loopback name, the in-process
transport's host or an allowed name → 403 (DNS rebinding); a write whose Origin is not the
server's own → 403; a write that is not ``Content-Type: application/json`` → 415; with a
token configured, a call without it → 401 (export archives excepted, like IPS's download
links); passwords shown as ``***`` unless ``?reveal=passwords``.

The package: :mod:`~ips_fake.admin.api` (the routes), :mod:`~ips_fake.admin.guards` (Host
and token checks), :mod:`~ips_fake.admin.bodies` (reading JSON bodies),
:mod:`~ips_fake.admin.masking` (passwords hidden), :mod:`~ips_fake.admin.json_answers`
(JSON data and responses), :mod:`~ips_fake.admin.naming` (payload elements, outcome and
clock-mode names) and :mod:`~ips_fake.admin.exports` (export archives).
"""

from __future__ import annotations

from ips_fake.admin.api import AdminApi
from ips_fake.admin.bodies import MAX_ADMIN_BODY, MAX_JSON_DEPTH
from ips_fake.admin.exports import export_zip
from ips_fake.admin.guards import (
    INPROCESS_HOST,
    LOOPBACK_NAMES,
    TOKEN_COOKIE,
    TOKEN_HEADER,
    host_name,
    is_loopback_host,
)
from ips_fake.admin.json_answers import json_response, jsonable
from ips_fake.admin.masking import MASK, REVEAL_PASSWORDS, mask_passwords, readable_request
from ips_fake.admin.naming import OUTCOME_NAMES, PAYLOAD_ELEMENT_OF_KIND, clock_mode

__all__ = [
    "INPROCESS_HOST",
    "LOOPBACK_NAMES",
    "MASK",
    "MAX_ADMIN_BODY",
    "MAX_JSON_DEPTH",
    "OUTCOME_NAMES",
    "PAYLOAD_ELEMENT_OF_KIND",
    "REVEAL_PASSWORDS",
    "TOKEN_COOKIE",
    "TOKEN_HEADER",
    "AdminApi",
    "clock_mode",
    "export_zip",
    "host_name",
    "is_loopback_host",
    "json_response",
    "jsonable",
    "mask_passwords",
    "readable_request",
]
