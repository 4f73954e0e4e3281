"""Content-Length values that are not a plain number of bytes, over a real connection: the
SOAP endpoint answers a fault (never a 500), the admin API a 400 (never a body read as
empty). docs/limits.md, "Request bodies" and "Admin API"."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest

from ips_fake.fake import IpsFake
from ips_fake.server import FakeServer

TOKEN = b"s3cret"
#: 12, written with more digits than int() converts by default (leading zeros included)
PADDED_12 = b"0" * 5000 + b"12"


def post(port: int, path: bytes, content_type: bytes, content_length: bytes, body: bytes) -> bytes:
    """POST ``body`` to ``path`` with ``content_length`` as the header's value (and the
    admin token); the whole answer."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(
            b"POST " + path + b" HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
            b"Authorization: Bearer " + TOKEN + b"\r\nContent-Type: " + content_type
            + b"\r\nContent-Length: " + content_length + b"\r\n\r\n" + body
        )  # fmt: skip
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    return answer


@pytest.fixture(scope="module")
def server() -> Iterator[FakeServer]:
    with FakeServer(IpsFake(admin_token=TOKEN.decode())) as started:
        yield started


def test_a_soap_request_with_a_padded_content_length_is_read_as_its_number(
    server: FakeServer,
) -> None:
    body = b"<x>1234</x>"
    answer = post(
        server._server.port, b"/scene7/services/IpsApiService", b"text/xml", PADDED_12, body
    )
    assert not answer.startswith(b"HTTP/1.1 500 "), answer[:300]
    # <x> is no SOAP envelope: a fault about what the 12 bytes read hold
    assert b"Fault" in answer
    assert b"Content-Length" not in answer.partition(b"\r\n\r\n")[2]


def test_a_soap_request_with_a_huge_padded_content_length_gets_413(server: FakeServer) -> None:
    answer = post(
        server._server.port,
        b"/scene7/services/IpsApiService",
        b"text/xml",
        b"0" * 5000 + b"9" * 30,
        b"<x/>",
    )
    assert answer.startswith(b"HTTP/1.1 413 "), answer[:300]


@pytest.mark.parametrize("odd", [b"+19", b"1_9", b"0x13", PADDED_12[:-2] + b"19"])
def test_an_admin_body_with_an_unreadable_content_length_is_refused(
    server: FakeServer, odd: bytes
) -> None:
    body = b'{"outcome": "fail"}'
    answer = post(server._server.port, b"/_fake/outcomes", b"application/json", odd, body)
    assert answer.startswith(b"HTTP/1.1 400 "), answer[:300]
    assert b"is not a number of bytes" in answer
    assert server.fake.service.outcomes.rules == ()  # nothing was added


def test_an_admin_body_with_a_plain_content_length_is_read(server: FakeServer) -> None:
    body = b'{"outcome": "fail"}'
    answer = post(server._server.port, b"/_fake/outcomes", b"application/json", b"19", body)
    assert answer.startswith(b"HTTP/1.1 201 "), answer[:300]
    assert b'"fail"' in answer
    server.fake.service.outcomes.clear()
