"""Keeping secrets out of cassettes: placeholders for passwords, tokens and Basic credentials.

A :class:`Scrubber` replaces, in a request or response about to be stored, every secret by a
placeholder ``***secret-N***``, one per distinct secret (a right and a wrong password stay
different placeholders, so a replay can still tell them apart). The live call is never
changed: only the stored copy is. What counts as a secret:

- the text of any element named ``password``, ``accessToken``, ``samlResponse`` or
  ``AuthPassword`` (any namespace: ``authHeader`` in every IPS namespace, the legacy
  ``AuthPassword`` SOAP header, the plain XML endpoint's ``<Request>``);
- the password of ``Authorization: Basic``, the token of any other ``Authorization`` scheme;
- the ``AuthPassword`` HTTP header.

With ``identity="map"`` the caller's identity is replaced too (the default ``"keep"`` keeps
it), in requests and, through :meth:`Scrubber.answer`, in answers:

- user names (``authHeader/user``, ``AuthUser``, the Basic user, ``submitUserEmail``, the
  e-mail of a ``u|N|email`` user handle, and a user name already seen wherever it appears in a
  text) by ``user-N@example.invalid``;
- company ids by stand-in ids ``1``, ``2``, … (digits, as company ids are) in order of first
  sight: in ``companyHandle`` (``c|123`` or ``123``), in modern job, run, log and asset
  handles (``j|123|name||``, ``j|123||run|7``, ``a|123|…``; inside longer texts too) and in
  pre-4.0 handles (``123|name|``, ``123||run``) held by an element whose name ends in
  ``Handle``, and a company id already seen, quoted in a message (``companyHandle '123'``).

The mapping is one to one for a scrubber's life (one cassette), so a handle recorded twice is
stored the same twice.

A body that is not XML is scrubbed with a pattern over the same element names, so even a
malformed request keeps its password out of the file.

Example::

    scrubber = Scrubber()
    body, headers = scrubber.request(body_bytes, [("authorization", "Basic dTpw")])
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Iterable
from typing import Literal

from lxml import etree

__all__ = [
    "COMPANY_ELEMENTS",
    "PLACEHOLDER_PATTERN",
    "SECRET_ELEMENTS",
    "STAND_IN_USER_PATTERN",
    "USER_ELEMENTS",
    "Identity",
    "Scrubber",
    "secret_placeholders",
]

#: Local names of elements whose text is a secret, in any namespace.
SECRET_ELEMENTS = frozenset({"password", "accessToken", "samlResponse", "AuthPassword"})
#: Local names of elements naming a user (mapped only with ``identity="map"``).
USER_ELEMENTS = frozenset({"user", "AuthUser", "submitUserEmail"})
#: Local names of elements holding a company handle (mapped only with ``identity="map"``).
COMPANY_ELEMENTS = frozenset({"companyHandle"})
#: What a mapped user name looks like.
STAND_IN_USER_PATTERN = re.compile(r"user-\d+@example\.invalid")
#: What a placeholder looks like in a stored body or header.
PLACEHOLDER_PATTERN = re.compile(r"\*\*\*secret-\d+\*\*\*")

_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
# any prefix, non-ASCII ones included; the secret runs to the element's closing tag (or the
# end of the body), so comments or markup inside it cannot split off an unscrubbed tail
_TEXT_PATTERN = re.compile(
    rb"(<(?:[^\s<>/:!?\"'=]+:)?("
    + b"|".join(name.encode() for name in sorted(SECRET_ELEMENTS))
    + rb")\b[^>]*>)(.*?)(</(?:[^\s<>/:!?\"'=]+:)?\2\s*>|\Z)",
    re.DOTALL,
)
#: What a stored request body becomes when it is neither XML nor UTF-8 text (a secret in it
#: could not be found).
UNREADABLE_BODY = b"<!-- ips-fake: a body that is neither XML nor UTF-8 text is not stored -->"

#: ``"keep"`` stores users and companies as sent, ``"map"`` replaces them by stand-ins.
Identity = Literal["keep", "map"]

#: A company id inside a modern company, job, run, log or asset handle (``j|47|…``, ``c|47``).
_MODERN_COMPANY = re.compile(r"(?<![\w|])([jac])\|([0-9]+)(?![0-9])")
#: A pre-4.0 job or run handle: ``47|name|`` or ``47||run``.
_LEGACY_COMPANY = re.compile(r"([0-9]+)(\|)")
#: A quoted company id or handle in a message: ``companyHandle '47'``, ``"c|47"``.
_QUOTED_COMPANY = re.compile(r"(['\"])(c\|)?([0-9]+)\1")
#: A user handle: ``u|5|someone@example.com``.
_USER_HANDLE = re.compile(r"(u\|[0-9]+\|)(.+)")


def secret_placeholders(data: bytes | str) -> list[str]:
    """The distinct placeholders in ``data``, in order of first appearance."""
    text = data.decode("utf-8", "replace") if isinstance(data, bytes) else data
    seen: list[str] = []
    for match in PLACEHOLDER_PATTERN.finditer(text):
        if match.group(0) not in seen:
            seen.append(match.group(0))
    return seen


class Scrubber:
    """Replaces secrets by placeholders, the same secret by the same placeholder for the
    scrubber's life (one per cassette). Thread-unsafe: callers hold their own lock.

    ``identity``: ``"keep"`` (default) stores user names as sent, ``"map"`` replaces each by
    ``user-N@example.invalid``.
    """

    def __init__(self, identity: Identity = "keep") -> None:
        if identity not in ("keep", "map"):
            raise ValueError(f"identity must be 'keep' or 'map', not {identity!r}")
        self.identity: Identity = identity
        self._secrets: dict[str, str] = {}
        self._users: dict[str, str] = {}
        self._companies: dict[str, str] = {}

    def secret(self, value: str) -> str:
        """The placeholder of one secret (a placeholder stays itself)."""
        if PLACEHOLDER_PATTERN.fullmatch(value):
            return value
        if value not in self._secrets:
            self._secrets[value] = f"***secret-{len(self._secrets) + 1}***"
        return self._secrets[value]

    def user(self, value: str) -> str:
        """The stored form of a user name: itself, or its ``user-N@example.invalid``."""
        if self.identity == "keep":
            return value
        if value not in self._users:
            self._users[value] = f"user-{len(self._users) + 1}@example.invalid"
        return self._users[value]

    def company(self, company_id: str) -> str:
        """The stored form of a company id (digits): itself, or its stand-in ``1``, ``2``, …"""
        if self.identity == "keep":
            return company_id
        if company_id not in self._companies:
            self._companies[company_id] = str(len(self._companies) + 1)
        return self._companies[company_id]

    def identity_text(self, name: str, text: str) -> str:
        """The stored form of the text of an element named ``name`` (local name): users and
        company ids replaced with ``identity="map"``, ``text`` itself with ``"keep"``."""
        if self.identity == "keep" or not text.strip():
            return text
        if name in USER_ELEMENTS:
            return self.user(text)
        if name in COMPANY_ELEMENTS:
            stripped = text.strip()
            bare = stripped[2:] if stripped.startswith("c|") else stripped
            if bare.isascii() and bare.isdigit():
                return text.replace(bare, self.company(bare), 1)
        if name.endswith("Handle"):
            user_handle = _USER_HANDLE.fullmatch(text.strip())
            if user_handle is not None:
                return user_handle.group(1) + self.user(user_handle.group(2))
            legacy = _LEGACY_COMPANY.match(text)
            if legacy is not None:
                return self.company(legacy.group(1)) + text[legacy.end(1) :]
        text = _MODERN_COMPANY.sub(
            lambda match: f"{match.group(1)}|{self.company(match.group(2))}", text
        )
        text = _QUOTED_COMPANY.sub(self._quoted_company, text)
        for real, stand_in in self._users.items():
            if real and real in text:
                text = text.replace(real, stand_in)
        return text

    def known_company(self, company_id: str) -> bool:
        """Whether ``company_id`` was mapped already (a quoted number in a message is mapped
        only then: ``companyHandle '47'`` in a fault's reason, not ``'3'`` of anything)."""
        return company_id in self._companies

    def _quoted_company(self, match: re.Match[str]) -> str:
        quote, prefix, company_id = match.group(1), match.group(2) or "", match.group(3)
        if not self.known_company(company_id):
            return match.group(0)
        return f"{quote}{prefix}{self.company(company_id)}{quote}"

    # -- headers ---------------------------------------------------------------------------

    def header(self, name: str, value: str) -> str:
        """The stored value of one HTTP header (``name`` in any case)."""
        lowered = name.lower()
        if lowered == "authpassword":
            return self.secret(value)
        if lowered == "authuser":
            return self.user(value)
        if lowered != "authorization":
            return value
        scheme, _, credentials = value.strip().partition(" ")
        if scheme.lower() != "basic":
            return f"{scheme} {self.secret(credentials.strip())}" if credentials else "***"
        try:
            decoded = base64.b64decode(credentials.strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return f"{scheme} {self.secret(credentials.strip())}"
        user, _, password = decoded.partition(":")
        stored = f"{self.user(user)}:{self.secret(password)}"
        return f"{scheme} {base64.b64encode(stored.encode('utf-8')).decode('ascii')}"

    def headers(self, headers: Iterable[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
        """Every header with :meth:`header` applied."""
        return tuple((name, self.header(name, value)) for name, value in headers)

    # -- bodies ----------------------------------------------------------------------------

    def answer(self, body: bytes) -> bytes:
        """An answer's ``body`` (plain, not compressed) as stored: with ``identity="map"``,
        users and company ids replaced as in requests (and any secret element's text);
        unchanged with ``"keep"``, or when it is not XML."""
        if self.identity == "keep":
            return body
        return self.body(body, fallback=False)

    def body(self, body: bytes, *, fallback: bool = True) -> bytes:
        """``body`` (plain, not compressed) with every secret element's text replaced (and,
        with ``identity="map"``, users and company ids); the body is returned unchanged when
        it holds none. A body that is not XML gets a pattern scrub of secrets (``fallback``)
        or is returned as it is."""
        if not body.strip():
            return body
        try:
            root = etree.fromstring(body, _PARSER)
        except etree.XMLSyntaxError:
            return self._body_by_pattern(body) if fallback else body
        changed = False
        elements = [element for element in root.iter() if isinstance(element.tag, str)]
        if self.identity == "map":  # users first, so later texts naming them are mapped too
            users = [e for e in elements if etree.QName(e).localname in USER_ELEMENTS]
            elements = users + [e for e in elements if e not in users]
        for element in elements:
            name = etree.QName(element).localname
            if name in SECRET_ELEMENTS and (element.text or len(element)):
                # the whole string value: comments or PIs inside must not split a secret
                whole = "".join(str(part) for part in element.itertext())
                for child in list(element):
                    element.remove(child)
                element.text = whole
                stored = self.secret(whole)
                changed = True
            elif element.text and self.identity == "map":
                stored = self.identity_text(name, element.text)
            else:
                continue
            changed = changed or stored != element.text
            element.text = stored
        if not changed:
            return body
        declaration = body.lstrip().startswith(b"<?xml")
        return bytes(etree.tostring(root, xml_declaration=declaration, encoding="UTF-8"))

    def _body_by_pattern(self, body: bytes) -> bytes:
        try:
            body.decode("utf-8")
        except UnicodeDecodeError:
            return UNREADABLE_BODY
        if b"\x00" in body:  # UTF-16 or UTF-32 without a byte order mark
            return UNREADABLE_BODY

        def replace(match: re.Match[bytes]) -> bytes:
            text = match.group(3).decode("utf-8", "replace")
            if not text:
                return match.group(0)
            return match.group(1) + self.secret(text).encode() + match.group(4)

        return _TEXT_PATTERN.sub(replace, body)
