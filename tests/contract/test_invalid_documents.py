"""Every labelled invalid document gets exactly its labelled fault from the fake, in every form
and API version; the label's kind says whether the XSD alone can catch it."""

from __future__ import annotations

import pytest
from hypothesis import Phase, find, given, settings
from hypothesis import strategies as st
from lxml import etree

from ips_fake.core.errors import FaultCode
from ips_fake.fake import IpsFake
from ips_fake.soap.schema import API_VERSIONS, ApiVersion, find_version, schema_validator
from ips_fake.strategies import (
    InvalidDocument,
    InvalidKind,
    Rendered,
    in_forms,
    invalid_documents,
    render,
)
from tests.contract.soap_exchange import send

#: Kinds only the fake's code can catch: the document is valid against the XSD.
BEYOND_THE_XSD = {
    InvalidKind.NO_PAYLOAD,
    InvalidKind.TWO_PAYLOADS,
    InvalidKind.EXEC_TIME_AND_SCHEDULE,
    InvalidKind.BAD_LOCALE,
    InvalidKind.BAD_SCHEDULE,
    InvalidKind.BLANK_JOB_NAME,
    InvalidKind.BAR_IN_JOB_NAME,
    InvalidKind.UNKNOWN_COMPANY,
    InvalidKind.FOREIGN_COMPANY,
    InvalidKind.UNKNOWN_JOB_HANDLE,
    InvalidKind.UNKNOWN_USER_HANDLE,
}
#: Kinds the XSD rejects.
AGAINST_THE_XSD = {
    InvalidKind.MISSING_REQUIRED,
    InvalidKind.WRONG_TYPE,
    InvalidKind.BAD_ENUM,
    InvalidKind.OUT_OF_ORDER,
    InvalidKind.WRONG_NAMESPACE,
    InvalidKind.NOT_IN_VERSION,
}

#: Examples per test and version (17 versions; each kind also gets the profile's examples).
PER_VERSION_EXAMPLES = 10

#: For find(): the first example that fits, unshrunk (shrinking big documents is slow).
FIRST_FOUND = settings(max_examples=2000, phases=[Phase.generate], database=None, derandomize=True)


FAULT_CODES = {value for name, value in vars(FaultCode).items() if name.isupper()}


#: libxml2 names at most this many elements in "Expected is one of ( ... )".
def check_labelled_fault(rendered: Rendered) -> None:
    document = rendered.document
    kind = document.kind if isinstance(document, InvalidDocument) else None
    assert isinstance(document, InvalidDocument)
    assert document.code in FAULT_CODES
    schema_valid = schema_validator(document.version).validate(document.element)
    if kind in AGAINST_THE_XSD:
        assert not schema_valid
    if kind in BEYOND_THE_XSD:
        assert schema_valid, "only the fake's code can catch this kind"

    answer = send(IpsFake(), rendered)

    assert answer.status == 500
    assert (answer.fault, answer.code) == (document.fault, document.code), answer.reason
    assert document.mentions in (answer.reason or "")


@pytest.mark.parametrize("kind", [pytest.param(kind, id=kind.name) for kind in InvalidKind])
@given(data=st.data())
def test_each_invalid_document_gets_exactly_its_labelled_fault(
    kind: InvalidKind, data: st.DataObject
) -> None:
    check_labelled_fault(data.draw(in_forms(invalid_documents([kind]))))


@pytest.mark.parametrize(
    "version", [pytest.param(version, id=version.label) for version in API_VERSIONS]
)
@settings(max_examples=PER_VERSION_EXAMPLES)
@given(data=st.data())
def test_every_version_gets_invalid_documents_of_each_kind_it_can_have(
    version: ApiVersion, data: st.DataObject
) -> None:
    rendered = data.draw(in_forms(invalid_documents(versions=[version])))
    assert rendered.document.version == version
    check_labelled_fault(rendered)


@pytest.mark.parametrize(
    ("label", "operation", "name", "payload"),
    [
        ("pre-4.0", "submitJob", "locale", None),
        ("pre-4.0", "submitJob", "exportJob", None),
        ("4.4", "submitJob", "layerOptions", "uploadUrlsJob"),
        ("4.5", "submitJob", "numUrls", "uploadUrlsJob"),
        ("6.8", "getActiveJobs", "includeWaitingJobs", None),
        ("6.8", "submitJob", "maintainLayers", "uploadDirectoryJob"),
        # after more than ten optional names, which libxml2's "Expected is one of" list cuts
        ("2016-01-14-beta", "submitJob", "videoEncodingPreset", "uploadDirectoryJob"),
        # inside a type that is empty in 4.5: the reason must name the child, not only the parent
        ("4.5", "submitJob", "videoEncodingPresetsArray", "uploadUrlsJob"),
        ("2023-01-15", "submitJob", "anchor", "uploadUrlsJob"),
    ],
)
def test_an_element_of_another_version_is_generated_and_faulted(
    label: str, operation: str, name: str, payload: str | None
) -> None:
    document = find(
        invalid_documents(
            [InvalidKind.NOT_IN_VERSION],
            versions=[find_version(label)],
            payloads=None if payload is None else [payload],
        ),
        lambda document: document.operation == operation and document.mentions == name,
        settings=FIRST_FOUND,
    )
    assert (document.fault, document.code) == ("ipsApiFault", FaultCode.INVALID_PARAMETER)
    assert document.element.find(f".//{{*}}{name}") is not None
    check_labelled_fault(render(document, "soap11"))


@pytest.mark.parametrize("version", [pytest.param(v, id=v.label) for v in API_VERSIONS])
def test_every_version_lacks_something_and_gets_that_kind(version: ApiVersion) -> None:
    find(
        invalid_documents([InvalidKind.NOT_IN_VERSION], versions=[version]),
        lambda document: document.version == version,
        settings=FIRST_FOUND,
    )


def test_urlarray_is_missing_only_where_it_is_required() -> None:
    """urlArray is required up to 6.8 and optional from 2016-01-14-beta."""
    for label in ("pre-4.0", "4.5", "6.8"):
        find(
            invalid_documents(
                [InvalidKind.MISSING_REQUIRED],
                versions=[find_version(label)],
                payloads=["uploadUrlsJob"],
            ),
            lambda document: document.mentions == "urlArray",
            settings=FIRST_FOUND,
        )

    @settings(max_examples=100)
    @given(
        invalid_documents(
            [InvalidKind.MISSING_REQUIRED],
            versions=[find_version("2016-01-14-beta"), find_version("2023-01-15")],
            payloads=["uploadUrlsJob"],
        )
    )
    def never_urlarray(document: InvalidDocument) -> None:
        assert document.mentions != "urlArray"

    never_urlarray()


@settings(max_examples=200)
@given(in_forms(invalid_documents([InvalidKind.OUT_OF_ORDER]), ["soap11"]))
def test_out_of_order_children_get_invalid_parameter_not_missing(rendered: Rendered) -> None:
    # an element moved behind a point where only optional elements may follow is still
    # out of order, not missing: more examples here, as only a few documents show that
    check_labelled_fault(rendered)


def test_every_kind_is_classified_once() -> None:
    assert BEYOND_THE_XSD | AGAINST_THE_XSD | {
        InvalidKind.MALFORMED_DATE_TIME,
        InvalidKind.UNKNOWN_BODY_NAMESPACE,
    } == set(InvalidKind)
    assert not BEYOND_THE_XSD & AGAINST_THE_XSD


def test_an_invalid_document_shrinks_to_a_small_readable_one() -> None:
    smallest = find(
        invalid_documents([InvalidKind.BAD_LOCALE], payloads=["optimizeImagesJob"]),
        lambda document: len(document.element) >= 3,
    )
    assert etree.tostring(smallest.element, encoding="unicode") == (
        '<submitJobParam xmlns="http://www.scene7.com/IpsApi/xsd/2008-01-15">'
        "<companyHandle>47</companyHandle><jobName>0</jobName><locale/>"
        "<optimizeImagesJob><emailSetting>All</emailSetting></optimizeImagesJob>"
        "</submitJobParam>"
    )
