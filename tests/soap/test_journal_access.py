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
