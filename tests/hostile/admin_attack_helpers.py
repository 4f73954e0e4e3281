"""What the admin attack suite sends with: a served fake on 127.0.0.1, raw HTTP requests with
any Host, Origin or body (http.client, bounded by a timeout), a raw SOAP call, and the check
that the server still answers a normal submitJob."""

from __future__ import annotations

import http.client
import json
import re
import socket
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from ips_fake.fake import IpsFake
from ips_fake.server import FakeServer

#: Every request of the suite gives up after this many seconds: a hang fails the test.
TIMEOUT = 10.0
NAMESPACE = "http://www.scene7.com/IpsApi/xsd/2014-04-03"
SERVICE_PATH = "/scene7/services/IpsApiService"
JSON = {"Content-Type": "application/json"}


@dataclass(frozen=True)
class Answer:
    """One HTTP answer: status, headers (lower-case names) and body."""

    status: int
    headers: Mapping[str, str]
    body: bytes

    def json(self) -> Any:
        """The body as JSON (fails the test when it is not)."""
        assert self.headers.get("content-type", "").startswith("application/json"), self
        return json.loads(self.body)


@contextmanager
def served(**options: Any) -> Iterator[FakeServer]:
    """A fresh fake (IpsFake keyword ``options``) served on 127.0.0.1 on a free port."""
    with FakeServer(IpsFake(**options), "127.0.0.1", 0) as server:
        yield server


def send(
    server: FakeServer,
    method: str,
    path: str,
    body: bytes = b"",
    headers: Mapping[str, str] | None = None,
) -> Answer:
    """One request over a new connection; ``headers`` may set Host itself."""
    connection = http.client.HTTPConnection("127.0.0.1", server._server.port, timeout=TIMEOUT)
    try:
        given = dict(headers or {})
        connection.putrequest(method, path, skip_host="Host" in given, skip_accept_encoding=True)
        for name, value in given.items():
            connection.putheader(name, value)
        if body or method in ("POST", "PUT", "PATCH"):
            connection.putheader("Content-Length", str(len(body)))
        connection.endheaders(body)
        response = connection.getresponse()
        return Answer(
            response.status,
            {name.lower(): value for name, value in response.getheaders()},
            response.read(),
        )
    finally:
        connection.close()


def send_partial_body(server: FakeServer, path: str, announced: int, sent: bytes) -> None:
    """POST announcing ``announced`` body bytes, send ``sent`` and hang up."""
    with socket.create_connection(("127.0.0.1", server._server.port), timeout=TIMEOUT) as sock:
        head = (
            f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            f"Content-Length: {announced}\r\n\r\n"
        ).encode()
        sock.sendall(head + sent)


def soap(
    server: FakeServer, operation: str, children: str, user: str = "ipsuser@example.com"
) -> Answer:
    """A SOAP 1.1 call in the 2014-04-03 namespace with an authHeader."""
    envelope = (
        '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" '
        f'xmlns:ips="{NAMESPACE}"><soapenv:Header><ips:authHeader><ips:user>{user}</ips:user>'
        "<ips:password>password</ips:password></ips:authHeader></soapenv:Header>"
        f"<soapenv:Body><ips:{operation}Param>{children}</ips:{operation}Param>"
        "</soapenv:Body></soapenv:Envelope>"
    )
    return send(
        server,
        "POST",
        SERVICE_PATH,
        envelope.encode(),
        {"Content-Type": "text/xml; charset=utf-8", "SOAPAction": operation},
    )


def submit(server: FakeServer, name: str, extra: str = "", company: str = "c|47") -> Answer:
    """submitJob of an Image Serving publish named ``name`` (``extra``: execTime etc.)."""
    return soap(
        server,
        "submitJob",
        f"<ips:companyHandle>{company}</ips:companyHandle><ips:jobName>{name}</ips:jobName>"
        f"{extra}<ips:imageServingPublishJob><ips:publishType>Full</ips:publishType>"
        "<ips:emailSetting>None</ips:emailSetting></ips:imageServingPublishJob>",
    )


def fault_of(answer: Answer) -> tuple[int, str]:
    """(code, reason) of a SOAP fault answer."""
    text = answer.body.decode()
    code = re.search(r"<(?:\w+:)?code>(\d+)</", text)
    reason = re.search(r"<(?:\w+:)?reason>(.*?)</", text, re.DOTALL)
    assert code is not None, text
    assert reason is not None, text
    return int(code.group(1)), reason.group(1)


def still_serves(server: FakeServer, name: str = "still-serving") -> None:
    """The server answers a normal submitJob with its handle, and its admin API answers."""
    answer = submit(server, name)
    assert answer.status == 200, answer.body[:500]
    assert f"j|47|{name}||".encode() in answer.body
    assert send(server, "GET", "/_fake/clock").status in (200, 401)
