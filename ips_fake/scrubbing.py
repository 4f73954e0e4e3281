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

With ``identity="map"`` user names (``authHeader/user``, ``AuthUser``, the Basic user) are
replaced by ``user-N@example.invalid`` too; the default ``"keep"`` keeps them.

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
    "PLACEHOLDER_PATTERN",
    "SECRET_ELEMENTS",
    "USER_ELEMENTS",
    "Scrubber",
    "secret_placeholders",
]

#: Local names of elements whose text is a secret, in any namespace.
SECRET_ELEMENTS = frozenset({"password", "accessToken", "samlResponse", "AuthPassword"})
#: Local names of elements naming the caller (mapped only with ``identity="map"``).
USER_ELEMENTS = frozenset({"user", "AuthUser"})
#: What a placeholder looks like in a stored body or header.
PLACEHOLDER_PATTERN = re.compile(r"\*\*\*secret-\d+\*\*\*")

_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
_TEXT_PATTERN = re.compile(
    rb"(<(?:[\w.-]+:)?(" + b"|".join(name.encode() for name in sorted(SECRET_ELEMENTS))
    + rb")\b[^>]*>)([^<]*)(<|\Z)"
)

Identity = Literal["keep", "map"]


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

    def body(self, body: bytes) -> bytes:
        """``body`` (plain, not compressed) with every secret element's text replaced; the
        body is returned unchanged when it holds none."""
        if not body.strip():
            return body
        try:
            root = etree.fromstring(body, _PARSER)
        except etree.XMLSyntaxError:
            return self._body_by_pattern(body)
        changed = False
        for element in root.iter():
            if not isinstance(element.tag, str):
                continue
            name = etree.QName(element).localname
            if name in SECRET_ELEMENTS and element.text:
                stored = self.secret(element.text)
                changed = changed or stored != element.text
                element.text = stored
            elif name in USER_ELEMENTS and element.text and self.identity == "map":
                element.text = self.user(element.text)
                changed = True
        if not changed:
            return body
        declaration = body.lstrip().startswith(b"<?xml")
        return bytes(etree.tostring(root, xml_declaration=declaration, encoding="UTF-8"))

    def _body_by_pattern(self, body: bytes) -> bytes:
        def replace(match: re.Match[bytes]) -> bytes:
            text = match.group(3).decode("utf-8", "replace")
            if not text:
                return match.group(0)
            return match.group(1) + self.secret(text).encode() + match.group(4)

        return _TEXT_PATTERN.sub(replace, body)
