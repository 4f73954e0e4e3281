"""The journal's reads that unpack only what they return: ``newest``, ``get`` by sequence
number, ``sequences``, and the ``generation`` a clear starts."""

from __future__ import annotations

import zlib

from ips_fake.soap.endpoint import Journal


def record(journal: Journal, request: bytes, *, operation: str = "stopJob") -> None:
    journal.record(
        operation=operation, soap_version="1.1", namespace=None, caller="u@example.com",
        params={"jobHandle": request.decode()}, status=200, fault_code=None, fault_kind=None,
        fault_reason=None, problem=None, request=request, response=b"<ok/>",
    )  # fmt: skip


def test_newest_and_get_agree_with_exchanges_after_the_oldest_are_dropped() -> None:
    journal = Journal(byte_budget=2_000, body_limit=1_000)
    for index in range(40):
        record(journal, b"request %03d " % index + b"x" * 100)
    every = journal.exchanges()
    assert 1 < len(every) < 40  # the budget dropped the oldest
    assert journal.sequences() == range(every[0].sequence, 41)
    assert journal.newest(3) == every[:-4:-1]
    assert journal.newest(0) == []
    assert journal.newest(1_000) == every[::-1]
    for exchange in every:
        assert journal.get(exchange.sequence) == exchange
    assert journal.get(every[0].sequence - 1) is None  # dropped
    assert journal.get(41) is None  # not yet recorded


def test_clear_starts_a_new_generation_and_numbering() -> None:
    journal = Journal()
    record(journal, b"first")
    record(journal, b"second")
    first = journal.get(1)
    assert first is not None
    assert first.params == {"jobHandle": "first"}
    before = journal.generation
    journal.clear()
    assert journal.generation == before + 1
    assert journal.sequences() == range(1, 1)
    assert journal.get(1) is None
    assert journal.newest(5) == []
    record(journal, b"third")
    third = journal.get(1)
    assert third is not None
    assert third.params == {"jobHandle": "third"}


def packed_size(journal: Journal, sequence: int) -> int:
    """Bytes entry ``sequence`` keeps packed (its params and bodies deflated)."""
    entry = journal.entries[sequence - journal.entries[0].sequence]
    packed = getattr(entry, "packed", None)
    assert isinstance(packed, bytes), "the entry was kept unpacked"
    return len(packed)


def test_exchanges_of_one_operation_pack_against_the_first_one() -> None:
    journal = Journal()
    body = b"<submitJobParam>" + b"".join(
        b"<item>%d/%x.jpg</item>" % (k * 7919 % 1009, k * 104729) for k in range(60)
    )
    record(journal, body + b"<jobName>first</jobName>", operation="submitJob")
    record(journal, body + b"<jobName>second</jobName>", operation="submitJob")
    record(journal, b"<other>" + bytes(range(32, 127)) * 8, operation="stopJob")
    # the second submitJob repeats the first: only its name is left to store
    assert packed_size(journal, 2) * 4 < len(zlib.compress(body))
    first, second, other = journal.exchanges()
    assert second.request == body + b"<jobName>second</jobName>"
    assert second.params == {"jobHandle": second.request.decode()}
    assert other.request == b"<other>" + bytes(range(32, 127)) * 8
    assert first.request == body + b"<jobName>first</jobName>"


def test_clear_forgets_the_dictionaries_and_later_entries_unpack() -> None:
    journal = Journal()
    record(journal, b"<a>" + b"alpha " * 200, operation="submitJob")
    journal.clear()
    assert journal._dictionaries == {}
    record(journal, b"<b>" + b"beta " * 200, operation="submitJob")
    record(journal, b"<b>" + b"beta " * 199 + b"gamma", operation="submitJob")
    assert [exchange.request for exchange in journal.exchanges()] == [
        b"<b>" + b"beta " * 200,
        b"<b>" + b"beta " * 199 + b"gamma",
    ]


V2014 = "http://www.scene7.com/IpsApi/xsd/2014-04-03"


def soap_request(param: str) -> bytes:
    """A SOAP 1.1 request of user ipsuser@example.com holding ``param``."""
    return (
        '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" '
        f'xmlns:ns="{V2014}"><soapenv:Header><ns:authHeader>'
        "<ns:user>ipsuser@example.com</ns:user><ns:password>password</ns:password>"
        f"</ns:authHeader></soapenv:Header><soapenv:Body>{param}</soapenv:Body>"
        "</soapenv:Envelope>"
    ).encode()


def upload_param(name: str, urls: int) -> str:
    items = "".join(
        f"<ns:items><ns:sourceUrl>http://example.com/{k}.jpg</ns:sourceUrl>"
        f"<ns:destPath>in/{k}.jpg</ns:destPath></ns:items>"
        for k in range(urls)
    )
    return (
        f"<ns:submitJobParam><ns:companyHandle>c|47</ns:companyHandle><ns:jobName>{name}"
        f"</ns:jobName><ns:execTime>2099-01-01T00:00:00Z</ns:execTime><ns:uploadUrlsJob>"
        f"<ns:urlArray>{items}</ns:urlArray><ns:overwrite>true</ns:overwrite>"
        "<ns:readyForPublish>true</ns:readyForPublish><ns:createMask>false</ns:createMask>"
        "<ns:emailSetting>None</ns:emailSetting>"
        "</ns:uploadUrlsJob></ns:submitJobParam>"
    )


def test_params_are_decoded_again_from_a_whole_request_and_pickled_from_a_cut_one() -> None:
    import gzip

    from ips_fake.fake import IpsFake

    endpoint = IpsFake().app.endpoint
    plain_body = (
        f'<Request xmlns="{V2014}"><authHeader><user>ipsuser@example.com</user>'
        "<password>password</password></authHeader><getActiveJobsParam>"
        "<companyHandle>c|47</companyHandle></getActiveJobsParam></Request>"
    ).encode()
    answers = [
        endpoint.handle(soap_request(upload_param("small", 3)), content_type="text/xml"),
        endpoint.handle(
            gzip.compress(soap_request(upload_param("zipped", 3))),
            content_type="text/xml",
            content_encoding="gzip",
        ),
        endpoint.handle(plain_body, content_type="text/xml", plain=True),
        # over the journal's 4 KiB body limit: the kept request is cut, its params pickled
        endpoint.handle(soap_request(upload_param("large", 60)), content_type="text/xml"),
    ]
    assert [answer.status for answer in answers] == [200, 200, 200, 200]
    journal = endpoint.journal
    rereads = [entry.reread for entry in journal.entries]  # type: ignore[union-attr]
    assert rereads == [(False, ""), (False, "gzip"), (True, ""), None]
    for answer in answers:
        kept = journal.get(answer.exchange.sequence)
        assert kept is not None
        assert answer.exchange.params  # decoded: something to compare
        assert kept.params == answer.exchange.params
        assert kept.request == answer.exchange.request
        assert kept.response == answer.exchange.response
