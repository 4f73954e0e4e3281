"""The replay stub's unmatched fault names the closest recorded exchange and a short diff;
what it reads for that is bounded (docs/limits.md, "Replay"), so a large unmatched request
costs no more than a small one's search."""

from __future__ import annotations

import difflib
from pathlib import Path

import pytest
from werkzeug.test import Client

from ips_fake.recording import Cassette
from ips_fake.stub import CLOSENESS_CHARS, DIFF_INPUT_LINES, ReplayStub
from ips_fake.wsgi import SERVICE_PATH

CASSETTE = Path(__file__).parents[2] / "fixtures/cassettes/seed-submit-job.json"
V2014 = "http://www.scene7.com/IpsApi/xsd/2014-04-03"


def envelope_of(param: str) -> bytes:
    """A SOAP 1.1 request holding ``param``."""
    return (
        '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" '
        f'xmlns:ns="{V2014}"><soapenv:Header><ns:authHeader><ns:user>u@example.com</ns:user>'
        "<ns:password>pw</ns:password></ns:authHeader></soapenv:Header><soapenv:Body>"
        f"{param}</soapenv:Body></soapenv:Envelope>"
    ).encode()


def large_submit_job(lines: int) -> bytes:
    """A submitJob whose description holds ``lines`` lines: few elements, nothing recorded."""
    text = "\n".join(f"line {k} of a long description" for k in range(lines))
    return envelope_of(
        "<ns:submitJobParam><ns:companyHandle>c|47</ns:companyHandle>"
        f"<ns:jobName>huge</ns:jobName><ns:description>{text}</ns:description>"
        "</ns:submitJobParam>"
    )


def many_elements(count: int) -> bytes:
    """A submitJob holding ``count`` empty elements."""
    return envelope_of(
        "<ns:submitJobParam><ns:companyHandle>c|47</ns:companyHandle>"
        f"<ns:jobName>many</ns:jobName>{'<ns:a/>' * count}</ns:submitJobParam>"
    )


def post(stub: ReplayStub, body: bytes) -> tuple[int, str]:
    answer = Client(stub).post(SERVICE_PATH, data=body, content_type="text/xml; charset=UTF-8")
    return answer.status_code, answer.get_data(as_text=True)


def test_a_request_with_more_elements_than_any_recorded_one_gets_no_key_built(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    stub = ReplayStub(Cassette.load(CASSETTE))
    monkeypatch.setattr(
        "ips_fake.stub.request_key", lambda *args: pytest.fail("a match key was built")
    )
    body = many_elements(200_000)
    assert len(body) > CLOSENESS_CHARS
    status, text = post(stub, body)
    assert status == 500
    assert "no recorded exchange matches this submitJobParam request" in text
    assert "holds 200009 elements, more than any recorded request (12)" in text
    assert stub.unmatched == ["submitJobParam: 200009 elements"]


def test_a_large_unmatched_request_is_compared_by_its_first_characters_and_lines(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seen: list[tuple[type, int]] = []
    set_seq1, set_seq2 = difflib.SequenceMatcher.set_seq1, difflib.SequenceMatcher.set_seq2

    def recording_seq1(self: difflib.SequenceMatcher[str], a: object) -> None:
        seen.append((type(a), len(a)))  # type: ignore[arg-type]
        set_seq1(self, a)  # type: ignore[arg-type]

    def recording_seq2(self: difflib.SequenceMatcher[str], b: object) -> None:
        seen.append((type(b), len(b)))  # type: ignore[arg-type]
        set_seq2(self, b)  # type: ignore[arg-type]

    monkeypatch.setattr(difflib.SequenceMatcher, "set_seq1", recording_seq1)
    monkeypatch.setattr(difflib.SequenceMatcher, "set_seq2", recording_seq2)
    stub = ReplayStub(Cassette.load(CASSETTE))
    body = large_submit_job(60_000)
    assert len(body) > 20 * CLOSENESS_CHARS
    status, text = post(stub, body)
    assert status == 500
    assert "no recorded exchange matches this submitJobParam request" in text
    assert "the closest recorded one is #" in text
    texts = [size for kind, size in seen if kind is str]
    line_lists = [size for kind, size in seen if kind is list]
    assert texts, "the closest recorded exchange was not searched for"
    assert max(texts) == CLOSENESS_CHARS  # the live key, cut
    # the diff compared lists of lines (a key holds a line per element, and this request
    # holds no more elements than the recorded ones: far under DIFF_INPUT_LINES)
    assert line_lists
    assert max(line_lists) <= DIFF_INPUT_LINES
    assert [len(key) for key in stub.unmatched] == [CLOSENESS_CHARS]  # kept cut
