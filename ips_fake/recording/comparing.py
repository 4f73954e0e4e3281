"""Comparing a recorded response with a replayed one: canonical XML and a unified diff."""

from __future__ import annotations

import difflib
from collections.abc import Iterable

from lxml import etree

from ips_fake.recording.exchanges import RecordedResponse
from ips_fake.recording.inspection import SAFE_PARSER


def canonical_xml(body: bytes, ignore: Iterable[str] = ()) -> str:
    """``body`` as indented canonical XML (C14N 2.0), whitespace-only text dropped and the
    text of elements whose local name is in ``ignore`` replaced by ``…``. A body that is not
    XML is returned as text, so a diff still shows it."""
    try:
        root = etree.fromstring(body, SAFE_PARSER)
    except etree.XMLSyntaxError:
        return body.decode("utf-8", errors="replace")
    ignored = set(ignore)
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        if element.text is not None and not element.text.strip():
            element.text = None
        if element.tail is not None and not element.tail.strip():
            element.tail = None
        if etree.QName(element).localname in ignored and len(element) == 0:
            element.text = "…"
    canonical = etree.canonicalize(root, strip_text=True)
    pretty = etree.fromstring(canonical.encode("utf-8"), SAFE_PARSER)
    etree.indent(pretty, space="  ")
    return str(etree.tostring(pretty, encoding="unicode"))


def compare_responses(
    expected: RecordedResponse, actual: RecordedResponse, ignore: Iterable[str] = ()
) -> str | None:
    """None when the two responses agree (status and canonical body), else a unified diff
    headed by the statuses."""
    names = tuple(ignore)
    want = canonical_xml(expected.plain_body(), names)
    got = canonical_xml(actual.plain_body(), names)
    if expected.status == actual.status and want == got:
        return None
    diff = difflib.unified_diff(
        want.splitlines(), got.splitlines(), "recorded", "replayed", lineterm=""
    )
    return f"status {expected.status} recorded, {actual.status} replayed\n" + "\n".join(diff)
