"""Hostile requests on the wire: XML that names files, bodies that are too large, cut short or
never finish, authHeader and SOAP header tricks, and interim answers. Every attack gets a
SOAP fault that says what is wrong (never a traceback, a hang or a file opened), and the
server still answers a normal submitJob afterwards.

Attacks about sockets run against a real server on 127.0.0.1; every read is bounded by a
timeout so a mishandled attack fails instead of hanging.
"""

from __future__ import annotations

import contextlib
import errno
import os
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from werkzeug.test import Client

from ips_fake.core.errors import IpsFault
from ips_fake.fake import IpsFake
from ips_fake.server import FakeServer
from ips_fake.soap import envelope as envelope_module
from ips_fake.soap.endpoint import JOURNAL_BODY_LIMIT, Journal
from ips_fake.soap.envelope import DOCTYPE_REFUSED, MAX_REQUEST_BYTES
from tests.hostile.wire_attack_helpers import (
    ANSWER_BOUND_SECONDS,
    CONTENT_TYPES,
    SERVICE_PATH,
    SOAP11,
    SOAP12,
    UNVERSIONED,
    assert_no_traceback,
    assert_still_answers,
    auth_header,
    connection,
    envelope,
    exchange,
    parse_answer,
    read_to_end,
    request_head,
    served_fake,
    soap_fault,
    soap_post,
    stop_job,
    submit_job,
)

TRUNCATION_ROOM = 200  # bytes the journal's truncation marker may add to a kept body


@pytest.fixture
def served() -> Iterator[FakeServer]:
    """A fresh fake on 127.0.0.1 with a one-second read timeout."""
    with served_fake() as server:
        yield server


def post_in_process(fake: IpsFake, body: bytes, soap: str = "1.1") -> tuple[int, bytes]:
    """POST through the WSGI app (no socket); the answer must show no traceback."""
    response = Client(fake.app).post(SERVICE_PATH, data=body, content_type=CONTENT_TYPES[soap])
    data = response.get_data()
    assert_no_traceback(data)
    return response.status_code, data


def assert_fake_still_answers(fake: IpsFake, name: str = "Still here") -> None:
    """A normal submitJob through the same fake's app gets its jobHandle."""
    status, data = post_in_process(fake, envelope(submit_job(name)))
    assert status == 200, data[:2000]
    assert f"<jobHandle>j|47|{name}||</jobHandle>".encode() in data


# -- XML: DOCTYPEs never reach a file ----------------------------------------------------------


def with_doctype(doctype: str, soap: str = "1.1") -> bytes:
    return f'<?xml version="1.0"?>\n{doctype}\n'.encode() + envelope(stop_job(), soap=soap)


def system_doctype(path: Path | str) -> str:
    return f'<!DOCTYPE env:Envelope SYSTEM "file://{path}">'


def parameter_entity(path: Path | str) -> str:
    return f'<!DOCTYPE env:Envelope [<!ENTITY % p SYSTEM "file://{path}"> %p;]>'


@pytest.fixture
def fifo(tmp_path: Path) -> Iterator[Path]:
    """A named pipe; whoever opens it for reading blocks until a writer comes. At the end, a
    writer comes and goes, so a reader the test failed to prevent is released."""
    path = tmp_path / "watched.fifo"
    os.mkfifo(path)
    yield path
    with contextlib.suppress(OSError):
        os.close(os.open(path, os.O_WRONLY | os.O_NONBLOCK))


def fifo_has_reader(path: Path) -> bool:
    """Whether anyone has the FIFO open (or is opening it) for reading: a non-blocking open
    for writing succeeds only then (ENXIO otherwise)."""
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_NONBLOCK)
    except OSError as error:
        if error.errno != errno.ENXIO:
            raise
        return False
    os.close(descriptor)
    return True


@pytest.mark.parametrize("doctype", [system_doctype, parameter_entity], ids=["system", "param"])
def test_doctype_naming_a_fifo_never_opens_it(served: FakeServer, fifo: Path, doctype) -> None:  # type: ignore[no-untyped-def]
    answer = soap_post(served, with_doctype(doctype(fifo)))
    assert not fifo_has_reader(fifo), "the server opened the file the DOCTYPE named"
    assert answer.status == 500
    assert answer.fault() == ("soapenv:Server", 30003, DOCTYPE_REFUSED)
    assert_still_answers(served)


def test_parser_alone_never_opens_a_fifo_either(
    monkeypatch: pytest.MonkeyPatch, fifo: Path
) -> None:
    """Defence in depth: with the prolog scan switched off, the parser's resolver still
    refuses the external subset, and the DOCTYPE is refused after parsing."""
    monkeypatch.setattr(envelope_module, "refuse_doctype", lambda data: None)
    fake = IpsFake()
    outcome: list[tuple[int, bytes]] = []
    worker = threading.Thread(
        target=lambda: outcome.append(post_in_process(fake, with_doctype(system_doctype(fifo)))),
        daemon=True,
    )
    worker.start()
    worker.join(timeout=ANSWER_BOUND_SECONDS / 2)
    assert not fifo_has_reader(fifo), "the parser opened the file the DOCTYPE named"
    assert outcome, "the request did not finish"
    _status, data = outcome[0]
    assert soap_fault(data) == ("soapenv:Server", 30003, DOCTYPE_REFUSED)
    assert_fake_still_answers(fake)


@pytest.mark.parametrize("doctype", [system_doctype, parameter_entity], ids=["system", "param"])
def test_answer_is_the_same_for_an_existing_and_a_missing_file(tmp_path: Path, doctype) -> None:  # type: ignore[no-untyped-def]
    secret = tmp_path / "secret.txt"
    secret.write_text("top-secret-content\n")
    fake = IpsFake()
    existing = post_in_process(fake, with_doctype(doctype(secret)))
    missing = post_in_process(fake, with_doctype(doctype(tmp_path / "no-such-file")))
    assert existing == missing
    assert b"top-secret" not in existing[1]
    assert soap_fault(existing[1]) == ("soapenv:Server", 30003, DOCTYPE_REFUSED)
    assert_fake_still_answers(fake)


def _encoded(text: str, codec: str, prefix: bytes = b"") -> bytes:
    return prefix + text.encode(codec)


ENCODED_CASES = {
    "utf8-bom": lambda doc: b"\xef\xbb\xbf" + doc.encode("utf-8"),
    "utf16-le-bom": lambda doc: doc.replace('"1.0"', '"1.0" encoding="UTF-16"').encode("utf-16"),
    "utf16-be-bom": lambda doc: (
        b"\xfe\xff" + doc.replace('"1.0"', '"1.0" encoding="UTF-16"').encode("utf-16-be")
    ),
    "utf16-le-no-bom": lambda doc: doc.replace('"1.0"', '"1.0" encoding="UTF-16LE"').encode(
        "utf-16-le"
    ),
    "comment-and-pi-first": lambda doc: doc.replace(
        "\n<!DOCTYPE", "\n<!-- a comment --><?pi data?>\n<!DOCTYPE"
    ).encode(),
}


@pytest.mark.parametrize("case", sorted(ENCODED_CASES))
def test_doctype_is_refused_in_any_encoding_with_one_reason(tmp_path: Path, case: str) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("top-secret-content\n")
    fake = IpsFake()
    plain = f'<?xml version="1.0"?>\n{system_doctype(secret)}\n' + envelope(stop_job()).decode()
    status, data = post_in_process(fake, ENCODED_CASES[case](plain))
    assert status == 500
    assert soap_fault(data) == ("soapenv:Server", 30003, DOCTYPE_REFUSED)
    assert_fake_still_answers(fake)


def test_refuse_doctype_reads_the_prolog_in_a_declared_encoding() -> None:
    """A UTF-7 body spells ``<!DOCTYPE`` without a single ``<`` byte; the scan still sees it."""
    data = b'<?xml version="1.0" encoding="UTF-7"?>+ADwAIQ-DOCTYPE e SYSTEM "file:///x"+AD4-<e/>'
    assert "<!DOCTYPE" in data.decode("utf-7")
    assert b"<!DOCTYPE" not in data
    with pytest.raises(IpsFault) as raised:
        envelope_module.refuse_doctype(data)
    assert raised.value.reason == DOCTYPE_REFUSED


# -- bodies: limits before reading, timeouts, half-closes -------------------------------------


def test_content_length_over_the_limit_is_refused_before_the_body_is_read(
    served: FakeServer,
) -> None:
    announced = 300 * 1024 * 1024
    with connection(served) as sock:
        sock.sendall(request_head(served, length=announced) + b"<" * 65536)
        answer = parse_answer(read_to_end(sock))  # the other 300 MB are never sent
    assert answer.status == 413
    code, ips_code, reason = answer.fault()
    assert (code, ips_code) == ("soapenv:Server", 30003)
    assert str(MAX_REQUEST_BYTES) in reason
    assert "not read" in reason
    [entry] = served.fake.journal
    assert len(entry.request) == 0
    assert_still_answers(served)


def test_expect_100_continue_with_a_length_over_the_limit_gets_no_invitation(
    served: FakeServer,
) -> None:
    head = request_head(served, length=MAX_REQUEST_BYTES + 1, extra="Expect: 100-continue\r\n")
    answer = exchange(served, head)
    assert answer.interim == []
    assert answer.status == 413
    assert_still_answers(served)


def test_content_length_that_is_not_a_number_is_400(served: FakeServer) -> None:
    body = envelope(stop_job())
    answer = exchange(served, request_head(served, length="12abc") + body)
    assert answer.status == 400
    _code, ips_code, reason = answer.fault()
    assert ips_code == 30003
    assert "Content-Length" in reason
    assert_still_answers(served)


def test_chunked_body_is_read_only_up_to_the_limit(served: FakeServer) -> None:
    chunk = b"<" * (1024 * 1024)
    framed = b"%x\r\n%s\r\n" % (len(chunk), chunk)
    head = request_head(served, length=None, extra="Transfer-Encoding: chunked\r\n")
    with connection(served) as sock:
        sock.sendall(head)
        for _ in range(MAX_REQUEST_BYTES // len(chunk) + 1):  # just past the limit, no end
            sock.sendall(framed)
        answer = parse_answer(read_to_end(sock))
    assert answer.status == 413
    assert answer.fault()[1] == 30003
    [entry] = served.fake.journal
    assert len(entry.request) <= JOURNAL_BODY_LIMIT + TRUNCATION_ROOM
    assert_still_answers(served)


def test_chunked_body_within_the_limit_is_answered(served: FakeServer) -> None:
    body = envelope(submit_job("Chunked"))
    framed = b"%x\r\n%s\r\n0\r\n\r\n" % (len(body), body)
    head = request_head(served, length=None, extra="Transfer-Encoding: chunked\r\n")
    answer = exchange(served, head + framed)
    assert answer.status == 200
    assert b"<jobHandle>j|47|Chunked||</jobHandle>" in answer.body


@pytest.mark.parametrize("soap", ["1.1", "1.2"])
def test_body_that_stops_arriving_times_out_with_400(served: FakeServer, soap: str) -> None:
    body = envelope(stop_job(), soap=soap)
    with connection(served) as sock:
        sock.sendall(request_head(served, length=len(body), soap=soap) + body[:100])
        answer = parse_answer(read_to_end(sock))  # the socket stays open, silent
    assert answer.status == 400
    assert answer.headers["content-type"] == CONTENT_TYPES[soap]
    _code, ips_code, reason = answer.fault()
    assert ips_code == 30003
    assert "stopped arriving" in reason
    assert f"after 100 bytes of {len(body)}" in reason
    assert_still_answers(served)


def test_body_cut_short_by_a_half_close_is_400_not_a_traceback(served: FakeServer) -> None:
    body = envelope(stop_job())
    data = request_head(served, length=len(body) + 500) + body
    answer = exchange(served, data, half_close=True)
    assert answer.status == 400
    assert answer.headers["content-type"] == CONTENT_TYPES["1.1"]
    assert_no_traceback(answer.body)
    _code, ips_code, reason = answer.fault()
    assert ips_code == 30003
    assert f"ended after {len(body)} of the {len(body) + 500} bytes" in reason
    assert_still_answers(served)


def test_silent_connection_is_closed_after_the_read_timeout(served: FakeServer) -> None:
    with connection(served) as sock:
        sock.sendall(b"POST " + SERVICE_PATH.encode())  # and nothing more
        assert read_to_end(sock) == b""  # closed by the server, not by our bound
    assert_still_answers(served)


def test_expect_100_continue_gets_exactly_one_interim_answer(served: FakeServer) -> None:
    body = envelope(submit_job("Expecting"))
    head = request_head(served, length=len(body), extra="Expect: 100-continue\r\n")
    with connection(served) as sock:
        sock.sendall(head)
        first = sock.recv(65536)
        assert first.startswith(b"HTTP/1.1 100 Continue\r\n\r\n")
        sock.sendall(body)
        answer = parse_answer(first + read_to_end(sock))
    assert answer.interim == [100]
    assert answer.status == 200
    assert b"<jobHandle>j|47|Expecting||</jobHandle>" in answer.body


# -- the journal keeps bounded bytes ------------------------------------------------------------


def test_refused_large_bodies_are_not_kept_whole() -> None:
    fake = IpsFake()
    garbage = b"x" * (15 * 1024 * 1024)
    for _ in range(3):
        _status, data = post_in_process(fake, garbage)
        assert soap_fault(data)[1] == 30003
    kept = [entry.request for entry in fake.journal]
    assert len(kept) == 3
    for request in kept:
        assert len(request) <= JOURNAL_BODY_LIMIT + TRUNCATION_ROOM
        assert request.endswith(b"of %d bytes]" % len(garbage))
    assert_fake_still_answers(fake)


def test_journal_keeps_within_its_byte_budget_dropping_the_oldest() -> None:
    journal = Journal(byte_budget=10_000, body_limit=1_000)
    for _index in range(50):
        journal.record(
            operation="stopJob", soap_version="1.1", namespace=None, caller=None, params={},
            status=500, fault_code=None, fault_kind=None, fault_reason=None, problem=None,
            request=b"r" * 5_000, response=b"a" * 300,
        )  # fmt: skip
        assert journal.kept_bytes <= 10_000
    kept = journal.exchanges()
    assert kept[-1].sequence == 50
    assert 1 < len(kept) < 50
    assert all(len(entry.request) < 1_100 for entry in kept)
    journal.clear()
    assert journal.kept_bytes == 0


def test_a_small_job_weighs_little_in_the_journal() -> None:
    fake = IpsFake()
    for index in range(20):
        assert_fake_still_answers(fake, f"Small {index}")
    journal = fake.app.endpoint.journal
    assert journal.kept_bytes / len(journal.exchanges()) < 2048


# -- authHeader/faultHttpStatusCode ------------------------------------------------------------


@pytest.mark.parametrize(
    "value", ["²", "٢٠٠", "abc", "", "+200", "99", "100", "204", "205", "304", "600", "9" * 5000]
)
def test_unusable_fault_http_status_code_is_30001_naming_it(value: str) -> None:
    fake = IpsFake()
    header = auth_header(
        password="wrong", extra=f"<faultHttpStatusCode>{value}</faultHttpStatusCode>"
    )
    status, data = post_in_process(fake, envelope(stop_job(), header=header))
    assert status == 500
    _code, ips_code, reason = soap_fault(data)
    assert ips_code == 30001, reason
    assert "faultHttpStatusCode" in reason
    assert_fake_still_answers(fake)


@pytest.mark.parametrize("value", ["200", " 418 ", "0500"])
def test_usable_fault_http_status_code_sets_the_status(value: str) -> None:
    fake = IpsFake()
    header = auth_header(
        password="wrong", extra=f"<faultHttpStatusCode>{value}</faultHttpStatusCode>"
    )
    status, data = post_in_process(fake, envelope(stop_job(), header=header))
    assert status == int(value)
    assert soap_fault(data)[1] == 10001


# -- mustUnderstand ----------------------------------------------------------------------------

UNKNOWN_HEADER = (
    '<t:Transaction xmlns:t="urn:example:tx" env:mustUnderstand="{value}">5</t:Transaction>'
)


@pytest.mark.parametrize(
    ("soap", "value"), [("1.1", "1"), ("1.1", "true"), ("1.2", "true"), ("1.2", "1")]
)
def test_unknown_header_marked_must_understand_gets_the_must_understand_fault(
    soap: str, value: str
) -> None:
    fake = IpsFake()
    header = auth_header() + UNKNOWN_HEADER.format(value=value)
    status, data = post_in_process(
        fake, envelope(submit_job("Never"), header=header, soap=soap), soap
    )
    assert status == 500
    code, ips_code, reason = soap_fault(data)
    assert (code, ips_code) == ("soapenv:MustUnderstand", None)
    assert "Transaction" in reason
    assert "urn:example:tx" in reason
    if soap == "1.2":
        from lxml import etree

        root = etree.fromstring(data)
        [block] = root.findall(f"{{{SOAP12}}}Header/{{{SOAP12}}}NotUnderstood")
        prefix, _, local = block.get("qname", "").partition(":")
        assert (block.nsmap[prefix], local) == ("urn:example:tx", "Transaction")
    else:
        assert b"<detail" not in data
    assert fake.scheduled_jobs == []
    assert fake.active_jobs == []
    [entry] = fake.journal
    assert entry.fault_kind == "MustUnderstand"
    assert_fake_still_answers(fake)


@pytest.mark.parametrize(
    ("soap", "header"),
    [
        ("1.1", UNKNOWN_HEADER.format(value="0")),
        ("1.2", UNKNOWN_HEADER.format(value="false")),
        ("1.1", UNKNOWN_HEADER.format(value="1").replace(">5", ' env:actor="urn:other">5')),
        ("1.2", UNKNOWN_HEADER.format(value="true").replace(">5", ' env:role="urn:other">5')),
        (
            "1.2",
            f'<authHeader xmlns="{UNVERSIONED}" xmlns:env="{SOAP12}" env:mustUnderstand="true">'
            "<user>ipsuser@example.com</user><password>password</password></authHeader>",
        ),
        (
            "1.1",
            f'<authHeader xmlns="{UNVERSIONED}" xmlns:env="{SOAP11}" env:mustUnderstand="1">'
            "<user>ipsuser@example.com</user><password>password</password></authHeader>",
        ),
    ],
    ids=["optional-1.1", "optional-1.2", "other-actor", "other-role", "auth-1.2", "auth-1.1"],
)
def test_headers_the_server_may_ignore_or_understands_pass(soap: str, header: str) -> None:
    fake = IpsFake()
    if "authHeader" not in header:
        header = auth_header() + header
    status, data = post_in_process(
        fake, envelope(submit_job("Passes"), header=header, soap=soap), soap
    )
    assert status == 200, data
    assert b"<jobHandle>j|47|Passes||</jobHandle>" in data


def test_must_understand_that_is_no_boolean_is_30003() -> None:
    fake = IpsFake()
    header = auth_header() + UNKNOWN_HEADER.format(value="yes")
    _status, data = post_in_process(fake, envelope(submit_job(), header=header))
    _code, ips_code, reason = soap_fault(data)
    assert ips_code == 30003
    assert "mustUnderstand" in reason
    assert_fake_still_answers(fake, "Afterwards")


def test_served_fake_refuses_each_xml_attack_and_still_answers(served: FakeServer) -> None:
    """Over a socket: a DOCTYPE, an unusable faultHttpStatusCode and an unknown
    mustUnderstand header in a row, each with its own fault, then a normal submitJob."""
    attacks = [
        (with_doctype(system_doctype("/etc/hostname")), ("soapenv:Server", 30003)),
        (
            envelope(
                stop_job(), header=auth_header(extra="<faultHttpStatusCode>²</faultHttpStatusCode>")
            ),
            ("soapenv:Server", 30001),
        ),
        (
            envelope(stop_job(), header=auth_header() + UNKNOWN_HEADER.format(value="1")),
            ("soapenv:MustUnderstand", None),
        ),
    ]
    for attack, expected in attacks:
        answer = soap_post(served, attack)
        assert answer.status == 500
        assert_no_traceback(answer.body)
        assert answer.fault()[:2] == expected
    assert_still_answers(served)
