"""Secrets a hostile or odd client hides from the recorder still never reach a cassette."""

from __future__ import annotations

import gzip
import zlib

import pytest

from ips_fake.recording import decode_content
from ips_fake.scrubbing import UNREADABLE_BODY, Scrubber

SECRET = "hunter2-secret"
ENVELOPE = (
    '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/">'
    "<soapenv:Header>{header}</soapenv:Header><soapenv:Body/></soapenv:Envelope>"
)


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(
            ENVELOPE.format(
                header='<é:authHeader xmlns:é="urn:x"><é:password>hunter2<!-- x -->-secret'
                "</é:password></é:authHeader>"
            ).encode(),
            id="split-by-a-comment-non-ascii-prefix",
        ),
        pytest.param(
            "<broken><ñ:password>hunter2<?pi x?>-secret</ñ:password>".encode(),
            id="malformed-non-ascii-prefix-split-by-a-pi",
        ),
        pytest.param(
            (
                ENVELOPE.format(header=f"<authHeader><password>{SECRET}</password></authHeader>")
                + "<"
            ).encode("utf-16"),
            id="malformed-utf-16",
        ),
    ],
)
def test_the_stored_body_holds_no_part_of_the_secret(body: bytes) -> None:
    stored = Scrubber().body(body)
    for part in ("hunter2", "-secret"):
        assert part.encode() not in stored
        assert part.encode("utf-16-le") not in stored


def test_a_body_that_is_neither_xml_nor_text_is_not_stored() -> None:
    assert Scrubber().body(f"<a><password>{SECRET}</password>".encode("utf-32")) == UNREADABLE_BODY


@pytest.mark.parametrize("encoding", ["gzip, gzip", "identity, gzip", "gzip,deflate"])
def test_every_listed_content_coding_is_undone(encoding: str) -> None:
    body = b"<a><password>x</password></a>"
    encoded = body
    for name in [part.strip() for part in encoding.split(",")]:
        if name == "gzip":
            encoded = gzip.compress(encoded)
        elif name == "deflate":
            encoded = zlib.compress(encoded)
    assert decode_content(encoded, encoding) == body
