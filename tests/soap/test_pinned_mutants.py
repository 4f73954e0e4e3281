"""Behaviours of the SOAP layer that the sampled mutation run (benchmarks/mutation_score.py)
found no test pinning: the default journal's byte budget, a DOCTYPE after a processing
instruction whose text starts with ``>``, error paths of prefixed elements, and a sequence
child with a finite maxOccurs above 1 (no shipped schema has one; the check is general)."""

from __future__ import annotations

import pytest
from lxml import etree

from ips_fake.core.errors import FaultCode, IpsFault
from ips_fake.soap.endpoint import JOURNAL_BYTE_BUDGET, Journal
from ips_fake.soap.envelope import DOCTYPE_REFUSED, refuse_doctype
from ips_fake.soap.schema import find_version
from ips_fake.soap.structure import Child, Structure, error_path
from ips_fake.soap.validation import _sequence_problem

MIB = 1024 * 1024


def record_weighing(journal: Journal, weight: int) -> None:
    """Record an exchange whose params came from ``weight`` bytes of decoded request."""
    journal.record(
        decoded_size=weight, operation="stopJob", soap_version="1.1", namespace=None,
        caller="u@example.com", params={"jobHandle": "47||run"}, status=200, fault_code=None,
        fault_kind=None, fault_reason=None, problem=None, request=b"", response=b"",
    )  # fmt: skip


def test_the_default_journal_keeps_four_mib_and_drops_the_oldest_beyond() -> None:
    journal = Journal()
    assert journal.byte_budget == JOURNAL_BYTE_BUDGET
    for _ in range(4):
        record_weighing(journal, MIB)
    assert journal.sequences() == range(1, 5)  # exactly the budget: all kept
    assert journal.kept_bytes == 4 * MIB

    record_weighing(journal, 1)  # one byte past it: the oldest goes
    assert journal.sequences() == range(2, 6)
    assert journal.kept_bytes == 3 * MIB + 1


@pytest.mark.parametrize("indent", ["", " ", "  ", "   ", "\n\t  "])
def test_a_doctype_after_a_processing_instruction_starting_with_gt_is_refused(
    indent: str,
) -> None:
    # the instruction "<?>?>" ends at its second "?>": the first "?" is part of its opening
    body = f"{indent}<?>?><!DOCTYPE r [<!ENTITY e 'x'>]><r>&e;</r>".encode()
    with pytest.raises(IpsFault) as raised:
        refuse_doctype(body)
    assert raised.value.code == FaultCode.INVALID_REQUEST_XML
    assert DOCTYPE_REFUSED in str(raised.value)


def test_an_unterminated_processing_instruction_is_left_to_the_parser() -> None:
    refuse_doctype(b"  <?><!DOCTYPE r><r/>")  # "<?>" does not end the instruction


def test_the_error_path_of_a_prefixed_element_holds_local_names() -> None:
    version = find_version("6.8")
    bad = etree.fromstring(
        f'<ips:getJobLogsParam xmlns:ips="{version.namespace}">'
        "<ips:numRows>x</ips:numRows></ips:getJobLogsParam>"
    )
    assert error_path(bad, version) == "/getJobLogsParam/numRows"


def structure_with(child: Child) -> Structure:
    """A structure whose one global element ``list`` holds ``child`` then an optional ``end``."""
    end = Child("end", None, "string", 0, 1)
    return Structure(find_version("6.8"), "urn:list", {}, {"list": (child, end)})


def list_of(names: list[str]) -> etree._Element:
    root = etree.Element("list")
    for name in names:
        etree.SubElement(root, name)
    return root


@pytest.mark.parametrize(
    ("count", "problem"),
    [(1, None), (2, None), (3, None), (4, (FaultCode.INVALID_PARAMETER, "item"))],
)
def test_a_child_may_repeat_up_to_its_max_occurs(
    count: int, problem: tuple[int, str] | None
) -> None:
    structure = structure_with(Child("item", None, "string", 1, 3))
    assert _sequence_problem(list_of(["item"] * count + ["end"]), "list", structure) == problem


@pytest.mark.parametrize(
    ("count", "problem"),
    [(2, (FaultCode.MISSING_PARAMETER, "item")), (3, None)],
)
def test_a_child_must_come_its_min_occurs_times(
    count: int, problem: tuple[int, str] | None
) -> None:
    structure = structure_with(Child("item", None, "string", 3, None))
    assert _sequence_problem(list_of(["item"] * count), "list", structure) == problem
    assert _sequence_problem(list_of(["item"] * count + ["end"]), "list", structure) == problem
