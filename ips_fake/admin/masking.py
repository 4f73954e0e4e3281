"""Passwords kept out of admin answers: masked in journalled SOAP requests and in the
directory, unless ``?reveal=passwords``."""

from __future__ import annotations

import re
import zlib
from typing import Any

from lxml import etree

from ips_fake.admin.bodies import MAX_ADMIN_BODY

#: The query that shows passwords instead of ``***``.
REVEAL_PASSWORDS = "passwords"
MASK = "***"
"""What a masked password reads as."""
# any prefix (non-ASCII ones too); greedy, so a CDATA holding a closing tag is masked whole
_PASSWORD_ELEMENT = re.compile(
    rb"(<(?P<tag>(?:[^\s<>/:!?\"'=]+:)?(?:password|AuthPassword|accessToken|samlResponse))"
    rb"(?:\s[^>]*)?>)(.*)(</(?P=tag)\s*>)",
    re.DOTALL,
)
# an opening secret tag; one with no closing tag after it (a body the journal cut inside it)
# is masked up to the journal's cut marker
_OPEN_SECRET = re.compile(
    rb"<(?P<tag>(?:[^\s<>/:!?\"'=]+:)?(?:password|AuthPassword|accessToken|samlResponse))"
    rb"(?:\s[^>]*)?(?<!/)>"
)
_CUT_MARKER = re.compile(rb"\n\[ips-fake journal: cut at \d+ of \d+ bytes\]\Z")
_SECRET_NAMES = frozenset({"password", "AuthPassword", "accessToken", "samlResponse"})

# a DOCTYPE (or anything like one) is never handed to a parser: those bodies use the pattern
_PROLOG_MARKUP = re.compile(rb"<!(?!--)")
_MASKING_PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False
)


def mask_passwords(body: bytes) -> bytes:
    """A SOAP request with the content of every ``password``, ``accessToken`` and
    ``samlResponse`` element (in any namespace, with any prefix) and of the legacy
    ``AuthPassword`` header replaced by ``***``. A well-formed body is masked through its
    parsed tree (CDATA, comments and entities inside the element included); any other with a
    pattern that masks from the first opening tag to the last closing one, and from an
    opening tag that is never closed (a body the journal cut inside the secret) to the end
    (the journal's cut marker kept)."""
    if not _PROLOG_MARKUP.search(body[:4096]):
        try:
            root = etree.fromstring(body, _MASKING_PARSER)
        except etree.XMLSyntaxError:
            root = None
        if root is not None:
            for element in root.iter("*"):
                if etree.QName(element).localname in _SECRET_NAMES:
                    for child in list(element):
                        element.remove(child)
                    element.text = MASK
            return bytes(etree.tostring(root, encoding="UTF-8", xml_declaration=False))
    masked = _PASSWORD_ELEMENT.sub(lambda m: m.group(1) + MASK.encode() + m.group(4), body)
    return _mask_unclosed_secret(masked)


def _mask_unclosed_secret(body: bytes) -> bytes:
    """``body`` with everything after a secret's opening tag that has no closing tag after
    it replaced by :data:`MASK` (but a final journal cut marker)."""
    cut = _CUT_MARKER.search(body)
    end = cut.start() if cut is not None else len(body)
    for opening in _OPEN_SECRET.finditer(body, 0, end):
        closing = re.compile(rb"</" + re.escape(opening.group("tag")) + rb"\s*>")
        if closing.search(body, opening.end(), end) is None:
            return body[: opening.end()] + MASK.encode() + body[end:]
    return body


def readable_request(body: bytes) -> bytes:
    """A journalled request body as text for the journal route: gzip/deflate bodies
    decompressed (at most 16 times :data:`MAX_ADMIN_BODY` bytes), passwords masked; a body that is
    still not UTF-8 is replaced by a note, so no secret leaks in a form masking cannot read."""
    text = body
    if not _is_utf8(text):
        for wbits in (31, 15, -15):
            try:
                inflater = zlib.decompressobj(wbits)
                text = inflater.decompress(body, 16 * MAX_ADMIN_BODY)
                break
            except zlib.error:
                continue
    if not _is_utf8(text) or b"\x00" in text:  # e.g. UTF-16 without a byte order mark
        return f"<{len(body)} bytes that are not UTF-8 text: not shown>".encode()
    return mask_passwords(text)


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def masked_directory(data: dict[str, Any]) -> dict[str, Any]:
    """The directory's JSON data with every user's password shown as :data:`MASK`."""
    return {
        **data,
        "users": [{**user, "password": MASK} for user in data.get("users", [])],
    }
