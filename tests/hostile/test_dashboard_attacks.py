"""A hostile SOAP client and a hostile web page against the dashboard and the admin API it
drives: secrets that must not show, and the cost of what the page renders."""

from __future__ import annotations

import re

import pytest
from werkzeug.test import Client

from ips_fake.admin import MASK, mask_passwords
from ips_fake.fake import IpsFake
from ips_fake.soap.endpoint import JOURNAL_BODY_LIMIT

NAMESPACE = "http://www.scene7.com/IpsApi/xsd/2014-04-03"
SERVICE_PATH = "/scene7/services/IpsApiService"
SECRET = "TOPSECRET-PASSWORD-" * 3


def envelope(padding: int, password: str = SECRET) -> bytes:
    """A getActiveJobs call whose password starts ``padding`` comment characters in."""
    return (
        '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" '
        f'xmlns:ips="{NAMESPACE}"><soapenv:Header><!--{"x" * padding}--><ips:authHeader>'
        f"<ips:user>ipsuser@example.com</ips:user><ips:password>{password}</ips:password>"
        "</ips:authHeader></soapenv:Header><soapenv:Body><ips:getActiveJobsParam>"
        "<ips:companyHandle>c|47</ips:companyHandle></ips:getActiveJobsParam></soapenv:Body>"
        "</soapenv:Envelope>"
    ).encode()


def password_offset(padding: int) -> int:
    body = envelope(padding)
    return body.index(SECRET.encode())


@pytest.mark.parametrize("inside", [0, 10, len(SECRET), len(SECRET) + 5])
def test_a_password_the_journal_cut_through_is_masked_on_the_page_and_in_the_api(
    inside: int,
) -> None:
    # the journal keeps the first JOURNAL_BODY_LIMIT bytes: put its cut ``inside`` bytes
    # into the password (or into its closing tag)
    padding = JOURNAL_BODY_LIMIT - password_offset(0) - inside
    assert password_offset(padding) + inside == JOURNAL_BODY_LIMIT
    fake = IpsFake()
    client = Client(fake.app)
    answer = client.post(
        SERVICE_PATH,
        data=envelope(padding),
        headers={"Content-Type": "text/xml; charset=utf-8", "SOAPAction": "getActiveJobs"},
    )
    assert answer.status_code == 500  # a wrong password: fault 10001

    page = client.get("/_fake/dashboard/journal/1").get_data(as_text=True)
    journal = client.get("/_fake/journal").get_data(as_text=True)

    for shown in (page, journal):
        assert "TOPSECRET" not in shown
        assert "cut at 4096" in shown  # the cut marker stays
    assert f"ips:password&gt;{MASK}" in page


def test_masking_an_unclosed_secret_leaves_other_bodies_as_they_were() -> None:
    cut = b"<a><ips:password>hunter2\n[ips-fake journal: cut at 20 of 99 bytes]"
    empty = b"<!DOCTYPE a><a><password />rest</a>"
    closed = b"<!DOCTYPE a><a><password>x</password><accessToken>tok"

    assert mask_passwords(cut) == (
        b"<a><ips:password>***\n[ips-fake journal: cut at 20 of 99 bytes]"
    )
    assert mask_passwords(empty) == empty
    assert mask_passwords(closed) == b"<!DOCTYPE a><a><password>***</password><accessToken>***"
    assert re.search(rb"hunter2|tok\b", mask_passwords(cut) + mask_passwords(closed)) is None
