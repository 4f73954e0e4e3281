"""Passwords never show in the admin journal, whatever prefix, encoding or CDATA hides them."""

from __future__ import annotations

import pytest

from ips_fake.admin import readable_request

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
                header=f'<é:authHeader xmlns:é="urn:x"><é:user>u</é:user>'
                f"<é:password>{SECRET}</é:password></é:authHeader>"
            ).encode(),
            id="non-ascii-prefix",
        ),
        pytest.param(
            ENVELOPE.format(
                header='<ips:authHeader xmlns:ips="urn:x"><ips:password><![CDATA[</ips:password>]]>'
                f"{SECRET}</ips:password></ips:authHeader>"
            ).encode(),
            id="cdata-holding-the-closing-tag",
        ),
        pytest.param(
            (
                '<?xml version="1.0" encoding="UTF-16LE"?>'
                + ENVELOPE.format(header=f"<authHeader><password>{SECRET}</password></authHeader>")
            ).encode("utf-16-le"),
            id="utf-16-without-bom",
        ),
        pytest.param(
            ENVELOPE.format(
                header=f'<a:authHeader xmlns:a="urn:x"><a:accessToken>{SECRET}</a:accessToken>'
                "</a:authHeader>"
            ).encode(),
            id="access-token",
        ),
        pytest.param(
            f"<broken><ñ:password>{SECRET}</ñ:password>".encode(),
            id="malformed-with-non-ascii-prefix",
        ),
    ],
)
def test_no_secret_survives_the_journal_view(body: bytes) -> None:
    shown = readable_request(body)
    assert SECRET.encode() not in shown
    assert SECRET.encode("utf-16-le") not in shown
