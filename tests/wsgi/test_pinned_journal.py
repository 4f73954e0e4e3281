"""What the journal says of a refused request, and its documented 4 KiB cut (docs/limits.md,
"journal"): behaviours a mutation run showed no test pinned."""

from __future__ import annotations

from werkzeug.test import Client

from ips_fake.fake import IpsFake
from ips_fake.soap.endpoint import journal_body
from tests.wsgi.soap_wire import envelope, param, post


def test_a_body_of_4096_bytes_is_kept_whole_and_one_more_byte_is_cut() -> None:
    assert journal_body(b"x" * 4096) == b"x" * 4096
    assert journal_body(b"x" * 4097) == (
        b"x" * 4096 + b"\n[ips-fake journal: cut at 4096 of 4097 bytes]"
    )


def test_malformed_xml_is_journalled_as_invalid_request_xml(raw: Client, fake: IpsFake) -> None:
    response = post(raw, b"<env:Envelope")

    assert response.status_code == 500
    (exchange,) = fake.journal
    assert (exchange.problem or "").startswith("invalid request XML: ")
    assert exchange.fault_code == 30003


def test_a_business_fault_is_journalled_without_a_problem(raw: Client, fake: IpsFake) -> None:
    body = param("getActiveJobs", "<companyHandle>c|99</companyHandle>")

    response = post(raw, envelope(body))

    assert response.status_code == 500
    (exchange,) = fake.journal
    assert exchange.problem is None
    assert exchange.fault_code is not None
