"""conform remembers the orders of simple children it found already conforming, and skips
elements in one of them: never an element it would have changed."""

from __future__ import annotations

from lxml import etree

from ips_fake.soap.codec import ECHO_DEFAULTS
from ips_fake.soap.schema import find_version
from ips_fake.soap.structure import conform, structure_of

V2014 = "http://www.scene7.com/IpsApi/xsd/2014-04-03"
TASK_ITEM = ("itemName", "progress", "progressMessage", "lastProgressUpdate")


def task_item(*names: str) -> etree._Element:
    item = etree.Element(f"{{{V2014}}}items", nsmap={None: V2014})  # type: ignore[dict-item]
    for name in names:
        etree.SubElement(item, f"{{{V2014}}}{name}").text = f"{name} text"
    return item


def names_of(element: etree._Element) -> list[str]:
    return [etree.QName(child).localname for child in element]


def conformed(*names: str) -> list[str]:
    item = task_item(*names)
    conform(item, structure_of(find_version("6.8")), ECHO_DEFAULTS, "TaskItemProgress")
    return names_of(item)


def test_an_element_already_conforming_is_kept_as_it_is_the_first_time_and_after() -> None:
    structure = structure_of(find_version("6.8"))
    for _ in range(2):
        item = task_item(*TASK_ITEM)
        before = etree.tostring(item)
        conform(item, structure, ECHO_DEFAULTS, "TaskItemProgress")
        assert etree.tostring(item) == before
    assert (*(f"{{{V2014}}}{name}" for name in TASK_ITEM),) in structure._plans["TaskItemProgress"][
        2
    ]


def test_elements_that_need_work_get_it_after_one_that_did_not() -> None:
    assert conformed(*TASK_ITEM) == list(TASK_ITEM)
    for _ in range(2):
        # out of order, missing a required child, holding one the version lacks, repeated
        assert conformed(*reversed(TASK_ITEM)) == list(TASK_ITEM)
        assert conformed(*TASK_ITEM[:3]) == list(TASK_ITEM)
        assert conformed(*TASK_ITEM, "stranger") == list(TASK_ITEM)
        assert conformed(*TASK_ITEM, "progress") == list(TASK_ITEM)


def test_an_element_with_a_complex_child_is_walked_each_time() -> None:
    structure = structure_of(find_version("6.8"))
    for _ in range(2):
        answer = etree.Element(f"{{{V2014}}}getActiveJobsReturn", nsmap={None: V2014})  # type: ignore[dict-item]
        array = etree.SubElement(answer, f"{{{V2014}}}jobArray")
        job = etree.SubElement(array, f"{{{V2014}}}items")
        etree.SubElement(job, f"{{{V2014}}}stranger")
        conform(answer, structure, ECHO_DEFAULTS)
        assert "stranger" not in names_of(answer[0][0])
        assert names_of(answer[0][0])[:2] == ["companyHandle", "jobHandle"]
