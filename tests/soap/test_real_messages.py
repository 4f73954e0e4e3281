"""Real IPS messages must validate against our schema of the version they were written in.

``tests/soap/facts/messages/`` holds the body element of real IPS answers (API 4.5 captures)
and of Adobe's documented request/response examples (pre-4.0 and 2008-01-15), each file
naming its source and any edit in a leading XML comment. A real server produced or accepts
each of them, so a derived schema that rejects one is wrong for that version.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from ips_fake.soap.schema import schema_validator, version_for_namespace

MESSAGES_DIR = Path(__file__).parent / "facts" / "messages"

MESSAGE_FILES = sorted(MESSAGES_DIR.glob("*.xml"))


def load_message(path: Path) -> etree._Element:
    """Parse ``path`` and return its root element (the SOAP body element)."""
    parser = etree.XMLParser(no_network=True, resolve_entities=False)
    return etree.parse(str(path), parser).getroot()


def test_the_message_set_is_complete() -> None:
    names = {path.name for path in MESSAGE_FILES}
    assert {
        "2010-01-31_getActiveJobsReturn_one_publish_job.xml",
        "2010-01-31_getActiveJobsReturn_no_publish_job.xml",
        "2010-01-31_submitJobReturn.xml",
        "2010-01-31_stopJobReturn.xml",
        "pre-4.0_getJobLogsParam.xml",
        "pre-4.0_getJobLogsReturn.xml",
        "pre-4.0_getScheduledJobsParam.xml",
        "pre-4.0_getScheduledJobsReturn.xml",
        "pre-4.0_getActiveJobsParam.xml",
        "pre-4.0_getActiveJobsReturn.xml",
        "2008-01-15_getAssetJobLogsParam.xml",
        "2008-01-15_getAssetJobLogsReturn.xml",
    } <= names


@pytest.mark.parametrize("path", MESSAGE_FILES, ids=lambda path: path.stem)
def test_message_names_its_source(path: Path) -> None:
    siblings = load_message(path).itersiblings(preceding=True)
    text = " ".join(str(node.text) for node in siblings if isinstance(node, etree._Comment))
    assert "Source:" in text, f"{path.name}: the leading comment names no Source"
    assert "Edits:" in text, f"{path.name}: the leading comment names no Edits"


@pytest.mark.parametrize("path", MESSAGE_FILES, ids=lambda path: path.stem)
def test_real_message_validates_against_our_schema_of_its_version(path: Path) -> None:
    element = load_message(path)
    namespace = etree.QName(element).namespace or ""
    version = version_for_namespace(namespace)
    assert version is not None, f"{path.name}: no API version has the namespace {namespace!r}"
    validator = schema_validator(version)
    if not validator.validate(element):
        pytest.fail(
            f"{path.name}: our {version.label} schema rejects this real message:\n"
            f"{validator.error_log}",
            pytrace=False,
        )
