"""Content-Length values that are not a plain number of bytes, over a real connection: the
SOAP endpoint answers a fault (never a 500 without one), the admin API and the dashboard's
token form a 400 (never a body read as empty). docs/limits.md, "Request body size", and
docs/admin-api.md."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from ips_fake.admin import TOKEN_COOKIE
from ips_fake.fake import IpsFake
from ips_fake.server import FakeServer
from tests.hostile.wire_attack_helpers import RawAnswer, assert_no_traceback, exchange

TOKEN = "s3cret"
#: 12, written with more digits than int() converts by default (leading zeros included)
PADDED_12 = b"0" * 5000 + b"12"


def post(
    server: FakeServer, path: str, content_type: str, content_length: bytes, body: bytes
) -> RawAnswer:
    """POST ``body`` to ``path`` with ``content_length`` as the header's value (and the
    admin token); the answer."""
    head = (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
        f"Authorization: Bearer {TOKEN}\r\nContent-Type: {content_type}\r\nContent-Length: "
    ).encode()
    return exchange(server, head + content_length + b"\r\n\r\n" + body)


@pytest.fixture(scope="module")
def server() -> Iterator[FakeServer]:
    with FakeServer(IpsFake(admin_token=TOKEN)) as started:
        yield started


def test_a_soap_request_with_a_padded_content_length_is_read_as_its_number(
    server: FakeServer,
) -> None:
    answer = post(server, "/scene7/services/IpsApiService", "text/xml", PADDED_12, b"<x>12345</x>")
    assert_no_traceback(answer.body)
    # <x> is no SOAP envelope: a fault about what the 12 bytes read hold, not the length
    _, ips_code, reason = answer.fault()
    assert (answer.status, ips_code) == (500, 30003)
    assert "Content-Length" not in reason
    assert "Envelope" in reason


def test_a_soap_request_with_a_huge_padded_content_length_gets_413(server: FakeServer) -> None:
    huge = b"0" * 5000 + b"9" * 30
    answer = post(server, "/scene7/services/IpsApiService", "text/xml", huge, b"<x/>")
    assert answer.status == 413
    assert answer.fault()[1] == 30003


@pytest.mark.parametrize("odd", [b"+19", b"1_9", b"0x13", PADDED_12[:-2] + b"19"])
def test_an_admin_body_with_an_unreadable_content_length_is_refused(
    server: FakeServer, odd: bytes
) -> None:
    answer = post(server, "/_fake/outcomes", "application/json", odd, b'{"outcome": "fail"}')
    assert answer.status == 400
    assert b"is not a number of bytes" in answer.body
    assert server.fake.service.outcomes.rules == ()  # nothing was added


def test_an_admin_body_with_a_plain_content_length_is_read(server: FakeServer) -> None:
    answer = post(server, "/_fake/outcomes", "application/json", b"19", b'{"outcome": "fail"}')
    assert answer.status == 201
    assert b'"fail"' in answer.body
    server.fake.service.outcomes.clear()


FORM = "application/x-www-form-urlencoded"


@pytest.mark.parametrize(
    "odd",
    [b"+12", b"1_2", b"12x", b"0x0c", b"\xef\xbc\x91\xef\xbc\x92", PADDED_12],
    ids=["plus", "underscore", "suffix", "hex", "fullwidth", "5000 zeros"],
)
def test_the_token_form_with_a_content_length_that_is_not_a_number_gets_400(
    server: FakeServer, odd: bytes
) -> None:
    answer = post(server, "/_fake/dashboard/token", FORM, odd, b"token=s3cret")
    assert answer.status == 400
    assert b"is not a number of bytes" in answer.body
    assert "set-cookie" not in answer.headers


def test_the_token_form_with_a_plain_content_length_takes_the_token(server: FakeServer) -> None:
    answer = post(server, "/_fake/dashboard/token", FORM, b"12", b"token=s3cret")
    assert answer.status == 303
    assert answer.headers["set-cookie"].startswith(f"{TOKEN_COOKIE}={TOKEN}")
