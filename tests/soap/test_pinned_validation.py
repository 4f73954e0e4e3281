"""validation.py's rule for a child that breaks its parent's sequence, pinned case by case:
a required element that never comes is *missing* (30002, named after it); one that comes, but
after a later element, makes that later element *out of order* (30001, named after the
element that came too early); an unknown or once-too-often element is 30001."""

from __future__ import annotations

import pytest
from lxml import etree

from ips_fake.core.errors import FaultCode
from ips_fake.soap.schema import find_version
from ips_fake.soap.validation import SchemaViolation, first_structural_problem, validate_element

V2014 = find_version("2014-04-03")
NS = V2014.namespace
UPLOAD_TAIL = "<overwrite>true</overwrite><readyForPublish>true</readyForPublish>"
URLS = (
    "<urlArray><items><sourceUrl>http://example.com/a.jpg</sourceUrl>"
    "<destPath>in/a.jpg</destPath></items></urlArray>"
)
TAIL_END = "<createMask>0</createMask><emailSetting>None</emailSetting>"


def submit(children: str) -> etree._Element:
    return etree.fromstring(f'<submitJobParam xmlns="{NS}">{children}</submitJobParam>')


def upload(children: str) -> etree._Element:
    return submit(
        f"<companyHandle>c|47</companyHandle><jobName>j</jobName><uploadUrlsJob>{children}"
        "</uploadUrlsJob>"
    )


@pytest.mark.parametrize(
    ("element", "expected"),
    [
        # the required companyHandle comes, but after jobName: jobName is out of order
        (submit("<jobName>j</jobName><companyHandle>c|47</companyHandle>"), (30001, "jobName")),
        # companyHandle never comes: it is missing
        (submit("<jobName>j</jobName>"), (30002, "companyHandle")),
        # the sequence ends before a required element
        (submit("<companyHandle>c|47</companyHandle>"), (30002, "jobName")),
        # once too often
        (
            submit("<companyHandle>a</companyHandle><companyHandle>b</companyHandle>"),
            (30001, "companyHandle"),
        ),
        # unknown to the version
        (submit("<companyHandle>c|47</companyHandle><nope/>"), (30001, "nope")),
        # inside a payload: urlArray comes after overwrite (out of order), or never (missing)
        (upload(UPLOAD_TAIL + URLS), (30001, "overwrite")),
        (upload(UPLOAD_TAIL), (30002, "urlArray")),
        # the optional numUrls may be left out; createMask may not
        (upload(URLS + UPLOAD_TAIL + "<emailSetting>None</emailSetting>"), (30002, "createMask")),
        # every sequence holds
        (
            upload(
                URLS + UPLOAD_TAIL + "<createMask>0</createMask><emailSetting>None</emailSetting>"
            ),
            None,
        ),
    ],
    ids=[
        "late-required",
        "never-required",
        "ends-early",
        "repeated",
        "unknown",
        "payload-late",
        "payload-never",
        "payload-skips-optional",
        "valid",
    ],
)
def test_first_structural_problem(
    element: etree._Element, expected: tuple[int, str] | None
) -> None:
    assert first_structural_problem(element, V2014) == expected


def test_an_element_outside_the_structure_has_no_structural_problem() -> None:
    element = etree.fromstring(f'<notAnOperation xmlns="{NS}"><x/></notAnOperation>')

    assert first_structural_problem(element, V2014) is None


LXML_SAYS = (
    "Element 'jobName': This element is not expected. Expected is ( companyHandle ). "
    "(at /submitJobParam)"
)


def test_one_lxml_message_two_faults_out_of_order_or_missing() -> None:
    """lxml says the same thing in both cases; the code and reason follow the rule."""
    with pytest.raises(SchemaViolation) as late:
        validate_element(submit("<jobName>j</jobName><companyHandle>c|47</companyHandle>"), V2014)
    with pytest.raises(SchemaViolation) as never:
        validate_element(submit("<jobName>j</jobName>"), V2014)

    assert (late.value.code, late.value.reason) == (FaultCode.INVALID_PARAMETER, LXML_SAYS)
    assert (never.value.code, never.value.reason) == (
        FaultCode.MISSING_PARAMETER,
        "element 'companyHandle' is required here: " + LXML_SAYS,
    )
