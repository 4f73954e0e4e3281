"""The journal's reads that unpack only what they return: ``newest``, ``get`` by sequence
number, ``sequences``, and the ``generation`` a clear starts."""

from __future__ import annotations

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
