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


def large_submit_job(urls: int) -> bytes:
    """An uploadUrlsJob submission of ``urls`` items, one per line: nothing recorded."""
    items = "\n".join(
        f"<ns:items><ns:sourceUrl>http://example.com/{k}.jpg</ns:sourceUrl>"
        f"<ns:destPath>big/{k}.jpg</ns:destPath></ns:items>"
        for k in range(urls)
    )
    return (
        '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" '
        f'xmlns:ns="{V2014}"><soapenv:Header><ns:authHeader><ns:user>u@example.com</ns:user>'
        "<ns:password>pw</ns:password></ns:authHeader></soapenv:Header><soapenv:Body>"
        "<ns:submitJobParam><ns:companyHandle>c|47</ns:companyHandle>"
        f"<ns:jobName>huge</ns:jobName><ns:uploadUrlsJob><ns:urlArray>\n{items}\n"
        "</ns:urlArray></ns:uploadUrlsJob></ns:submitJobParam></soapenv:Body></soapenv:Envelope>"
    ).encode()


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
    body = large_submit_job(20_000)
    assert len(body) > 20 * CLOSENESS_CHARS
    answer = Client(ReplayStub(Cassette.load(CASSETTE))).post(
        SERVICE_PATH, data=body, content_type="text/xml; charset=UTF-8"
    )
    text = answer.get_data(as_text=True)
    assert answer.status_code == 500
    assert "no recorded exchange matches this submitJobParam request" in text
    assert "the closest recorded one is #" in text
    texts = [size for kind, size in seen if kind is str]
    line_lists = [size for kind, size in seen if kind is list]
    assert texts, "the closest recorded exchange was not searched for"
    assert max(texts) == CLOSENESS_CHARS  # the live key, cut
    # the diff compared lists of lines; the received one was cut to DIFF_INPUT_LINES
    assert max(line_lists) == DIFF_INPUT_LINES
