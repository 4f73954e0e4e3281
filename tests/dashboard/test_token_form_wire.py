"""The dashboard's token form over a real connection: a Content-Length that is not a plain
number of bytes gets 400 (werkzeug would read it as no body, and the form as a wrong
token)."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest

from ips_fake.admin import TOKEN_COOKIE
from ips_fake.fake import IpsFake
from ips_fake.server import FakeServer


def post_form(port: int, content_length: bytes) -> bytes:
    """POST ``token=s3cret`` to the token form with ``content_length`` as the header's value;
    the whole answer."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(
            b"POST /_fake/dashboard/token HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            b"Content-Type: application/x-www-form-urlencoded\r\n"
            b"Content-Length: " + content_length + b"\r\n\r\ntoken=s3cret"
        )
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    return answer


@pytest.fixture(scope="module")
def port() -> Iterator[int]:
    with FakeServer(IpsFake(admin_token="s3cret")) as server:
        yield server._server.port


@pytest.mark.parametrize(
    "odd",
    [b"+12", b"1_2", b"12x", b"0x0c", b"\xef\xbc\x91\xef\xbc\x92", b"0" * 5000 + b"12"],
    ids=["plus", "underscore", "suffix", "hex", "fullwidth", "5000 zeros"],
)
def test_a_content_length_that_is_not_a_number_of_bytes_gets_400(port: int, odd: bytes) -> None:
    answer = post_form(port, odd)
    assert answer.startswith(b"HTTP/1.1 400 "), answer[:200]
    assert b"is not a number of bytes" in answer
    assert b"Set-Cookie" not in answer


def test_a_plain_content_length_takes_the_token(port: int) -> None:
    answer = post_form(port, b"12")
    assert answer.startswith(b"HTTP/1.1 303 "), answer[:200]
    assert f"Set-Cookie: {TOKEN_COOKIE}=s3cret".encode() in answer
