"""Helpers of the wire attacks: a served fake with a short read timeout, raw HTTP exchanges
over a loopback socket (interim answers, half-closes, stalls), and the normal submitJob every
attack test sends afterwards to prove the server still answers.

Every socket read here has a timeout, so an attack the server mishandles fails its test
instead of hanging it.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from lxml import etree

from ips_fake.fake import IpsFake
from ips_fake.server import FakeServer

SERVICE_PATH = "/scene7/services/IpsApiService"
SOAP11 = "http://schemas.xmlsoap.org/soap/envelope/"
SOAP12 = "http://www.w3.org/2003/05/soap-envelope"
UNVERSIONED = "http://www.scene7.com/IpsApi/xsd"
V2014 = "http://www.scene7.com/IpsApi/xsd/2014-04-03"
CONTENT_TYPES = {"1.1": "text/xml; charset=UTF-8", "1.2": "application/soap+xml; charset=UTF-8"}
#: The read timeout of the served fakes here, in seconds: short, so stalls end quickly.
SERVED_READ_TIMEOUT = 1.0
#: Upper bound on how long any one raw exchange may take before its test fails.
ANSWER_BOUND_SECONDS = 20.0
TRACEBACK_MARKERS = (b"Traceback (most recent call last)", b'File "', b'.py", line')


def auth_header(
    user: str = "ipsuser@example.com", password: str = "password", extra: str = ""
) -> str:
    """An ``authHeader`` entry in the unversioned namespace."""
    return (
        f'<authHeader xmlns="{UNVERSIONED}"><user>{user}</user>'
        f"<password>{password}</password>{extra}</authHeader>"
    )


def envelope(body: str, *, header: str | None = None, soap: str = "1.1") -> bytes:
    """A request envelope (prefix ``env``); ``header`` defaults to ipsuser's authHeader."""
    ns = SOAP11 if soap == "1.1" else SOAP12
    entries = auth_header() if header is None else header
    return (
        f'<env:Envelope xmlns:env="{ns}"><env:Header>{entries}</env:Header>'
        f"<env:Body>{body}</env:Body></env:Envelope>"
    ).encode()


def submit_job(name: str = "Still here") -> str:
    """A valid submitJobParam (2014-04-03) for company 47."""
    return (
        f'<submitJobParam xmlns="{V2014}"><companyHandle>c|47</companyHandle>'
        f"<jobName>{name}</jobName><imageServingPublishJob><publishType>Full</publishType>"
        "<emailSetting>Error</emailSetting></imageServingPublishJob></submitJobParam>"
    )


def stop_job(handle: str = "j|47|nothing||") -> str:
    """A stopJobParam: small, and a fault whatever the state (no such job)."""
    return (
        f'<stopJobParam xmlns="{V2014}"><companyHandle>c|47</companyHandle>'
        f"<jobHandle>{handle}</jobHandle></stopJobParam>"
    )


@dataclass
class RawAnswer:
    """An HTTP answer read off a socket: interim (1xx) statuses first, then the final one."""

    status: int
    headers: dict[str, str]
    body: bytes
    interim: list[int] = field(default_factory=list)

    def fault(self) -> tuple[str, int | None, str]:
        """(faultcode or Code/Value, IPS code or None, IPS reason or faultstring)."""
        return soap_fault(self.body)


def soap_fault(data: bytes) -> tuple[str, int | None, str]:
    """(faultcode or Code/Value, IPS code or None, IPS reason or the fault's own text) of a
    SOAP 1.1 or 1.2 fault envelope."""
    root = etree.fromstring(data)
    fault = root.find(f".//{{{SOAP11}}}Fault")
    if fault is not None:
        code = fault.findtext("faultcode") or ""
        text = fault.findtext("faultstring") or ""
    else:
        fault = root.find(f".//{{{SOAP12}}}Fault")
        assert fault is not None, data
        code = fault.findtext(f"{{{SOAP12}}}Code/{{{SOAP12}}}Value") or ""
        text = fault.findtext(f"{{{SOAP12}}}Reason/{{{SOAP12}}}Text") or ""
    ips_code = fault.findtext(f".//{{{UNVERSIONED}}}code")
    reason = fault.findtext(f".//{{{UNVERSIONED}}}reason")
    return code, int(ips_code) if ips_code else None, reason if reason is not None else text


def parse_answer(data: bytes) -> RawAnswer:
    """Split raw response bytes into interim statuses, the final status, headers and body
    (the server closes each connection, so the body runs to the end)."""
    interim: list[int] = []
    while True:
        head, separator, rest = data.partition(b"\r\n\r\n")
        assert separator, f"no complete HTTP answer: {data[:500]!r}"
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split()[1])
        if 100 <= status < 200:
            interim.append(status)
            data = rest
            continue
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        body = rest
        if headers.get("transfer-encoding", "").lower() == "chunked":
            body = dechunk(rest)
        return RawAnswer(status, headers, body, interim)


def dechunk(data: bytes) -> bytes:
    """The payload of a chunked HTTP body."""
    out = b""
    while data:
        size_line, _, data = data.partition(b"\r\n")
        size = int(size_line.split(b";")[0], 16)
        if size == 0:
            break
        out, data = out + data[:size], data[size + 2 :]
    return out


def request_head(
    server: FakeServer, *, length: int | str | None, soap: str = "1.1", extra: str = ""
) -> bytes:
    """The request line and headers of a SOAP POST (``length`` None: no Content-Length)."""
    port = server.base_url.rsplit(":", 1)[1]
    lines = [
        f"POST {SERVICE_PATH} HTTP/1.1",
        f"Host: 127.0.0.1:{port}",
        f"Content-Type: {CONTENT_TYPES[soap]}",
        'SOAPAction: "submitJob"',
    ]
    if length is not None:
        lines.append(f"Content-Length: {length}")
    head = "\r\n".join(lines) + "\r\n" + extra
    return (head + "\r\n").encode("latin-1")


@contextmanager
def connection(server: FakeServer) -> Iterator[socket.socket]:
    """A socket connected to the served fake, reads bounded by :data:`ANSWER_BOUND_SECONDS`."""
    port = int(server.base_url.rsplit(":", 1)[1])
    sock = socket.create_connection(("127.0.0.1", port), timeout=ANSWER_BOUND_SECONDS)
    try:
        yield sock
    finally:
        sock.close()


def read_to_end(sock: socket.socket) -> bytes:
    """Everything the server sends until it closes (a timeout fails the test)."""
    chunks = []
    while True:
        try:
            chunk = sock.recv(65536)
        except ConnectionResetError:
            break
        if not chunk:
            break
        chunks.append(chunk)
    return b"".join(chunks)


def exchange(server: FakeServer, data: bytes, *, half_close: bool = False) -> RawAnswer:
    """Send ``data`` raw, optionally half-close, and read the whole answer."""
    with connection(server) as sock:
        sock.sendall(data)
        if half_close:
            sock.shutdown(socket.SHUT_WR)
        return parse_answer(read_to_end(sock))


def soap_post(server: FakeServer, body: bytes, *, soap: str = "1.1", extra: str = "") -> RawAnswer:
    """A well-framed SOAP POST of ``body`` over a fresh connection."""
    return exchange(server, request_head(server, length=len(body), soap=soap, extra=extra) + body)


def assert_no_traceback(data: bytes) -> None:
    """Fail when an answer shows a Python traceback."""
    for marker in TRACEBACK_MARKERS:
        assert marker not in data, f"answer carries a traceback: {data[:2000]!r}"


def assert_still_answers(server: FakeServer, name: str = "Still here") -> None:
    """A normal submitJob over a fresh connection gets its jobHandle."""
    answer = soap_post(server, envelope(submit_job(name)))
    assert answer.status == 200, answer.body[:2000]
    assert f"<jobHandle>j|47|{name}||</jobHandle>".encode() in answer.body


@contextmanager
def served_fake(read_timeout: float = SERVED_READ_TIMEOUT) -> Iterator[FakeServer]:
    """A fresh fake served on 127.0.0.1 with a short read timeout."""
    with FakeServer(IpsFake(), read_timeout=read_timeout) as server:
        yield server
