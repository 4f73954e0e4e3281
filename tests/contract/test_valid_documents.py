"""Every valid generated document validates against the fake's XSD and is accepted by the fake,
or gets only the business fault its content implies; the generators agree with the XSD."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import Phase, find, given, settings
from hypothesis import strategies as st
from lxml import etree

from ips_fake.core.clock import DEFAULT_START
from ips_fake.core.cron import QuartzSchedule
from ips_fake.core.errors import FaultCode
from ips_fake.core.handles import HandleStyle, job_handle
from ips_fake.fake import IpsFake
from ips_fake.soap.codec import PAYLOAD_ELEMENTS, parse_date_time
from ips_fake.soap.schema import (
    API_VERSIONS,
    OPERATION_NAMES,
    ApiVersion,
    find_version,
    operations_of,
    schema_validator,
)
from ips_fake.strategies import (
    OPTION_VOCABULARY,
    Rendered,
    ValidDocument,
    date_time_texts,
    in_forms,
    job_names,
    locales,
    quartz_expressions,
    render,
    schema_model,
    valid_documents,
)
from tests.contract.soap_exchange import send

#: For find(): the first example that fits, unshrunk (shrinking big documents is slow).
FIRST_FOUND = settings(max_examples=2000, phases=[Phase.generate], database=None, derandomize=True)


def expected_job_handle(document: ValidDocument) -> str:
    company = (document.child_text("companyHandle") or "").removeprefix("c|")
    style = HandleStyle.LEGACY if document.version.is_legacy else HandleStyle.MODERN
    return job_handle(company, document.child_text("jobName") or "", style)


def still_scheduled(document: ValidDocument) -> bool:
    """Whether a fresh fake keeps listing the job right after accepting it."""
    if document.child_text("execSchedule") is not None:
        return True
    exec_time = document.child_text("execTime")
    if exec_time is None:
        return False
    moment = parse_date_time("execTime", exec_time)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment > DEFAULT_START


@given(in_forms(valid_documents()))
def test_every_valid_document_validates_and_gets_only_its_business_faults(
    rendered: Rendered,
) -> None:
    document = rendered.document
    assert isinstance(document, ValidDocument)
    validator = schema_validator(document.version)
    assert validator.validate(document.element), str(validator.error_log)

    answer = send(IpsFake(), rendered)

    if answer.fault is None:
        assert answer.status == 200
        assert answer.body is not None
        assert answer.body.tag == f"{{{document.version.namespace}}}{document.operation}Return"
    else:
        assert answer.code in document.business_faults, answer.reason
        assert "jobHandle" in (answer.reason or "")


@given(in_forms(valid_documents("submitJob"), ["soap11", "soap12"]))
def test_every_valid_submit_is_accepted_with_the_handle_its_name_implies(
    rendered: Rendered,
) -> None:
    document = rendered.document
    assert isinstance(document, ValidDocument)
    fake = IpsFake()

    answer = send(fake, rendered)

    assert answer.fault is None, answer.reason
    assert answer.body is not None
    handle = answer.body.findtext(f"{{{document.version.namespace}}}jobHandle")
    assert handle == expected_job_handle(document)


@given(valid_documents("submitJob"))
def test_a_second_submit_gets_name_in_use_exactly_while_the_job_is_scheduled(
    document: ValidDocument,
) -> None:
    fake = IpsFake()
    first = send(fake, render(document, "soap11"))
    assert first.fault is None, first.reason

    second = send(fake, render(document, "soap11"))

    if still_scheduled(document):
        assert (second.fault, second.code) == ("ipsApiFault", FaultCode.GENERAL_FAILURE)
        assert "already in use" in (second.reason or "")
    else:
        assert second.fault is None, second.reason


@pytest.mark.parametrize("operation", OPERATION_NAMES)
@given(data=st.data())
def test_each_operation_gets_valid_documents_in_every_form(
    operation: str, data: st.DataObject
) -> None:
    rendered = data.draw(in_forms(valid_documents(operation)))
    document = rendered.document
    content = rendered.content
    element = content if isinstance(content, etree._Element) else etree.fromstring(content)
    if rendered.form.startswith("soap"):
        body = element[-1]
        assert etree.QName(body).localname == "Body"
        element = body[0]
    assert element.tag == f"{{{document.version.namespace}}}{operation}Param"
    assert schema_validator(document.version).validate(element)


# ------------------------------------------------------------- generators agree with the XSD


VERSION_IDS = [pytest.param(version, id=version.label) for version in API_VERSIONS]


@pytest.mark.parametrize("version", VERSION_IDS)
@settings(max_examples=10)
@given(data=st.data())
def test_every_version_gets_valid_documents_of_its_own_operations(
    version: ApiVersion, data: st.DataObject
) -> None:
    document = data.draw(valid_documents(versions=[version]))

    assert document.version == version
    assert document.operation in operations_of(version)
    validator = schema_validator(version)
    assert validator.validate(document.element), str(validator.error_log)
    answer = send(IpsFake(), render(document, "soap11"))
    assert answer.fault is None or answer.code in document.business_faults, answer.reason


def test_an_operation_a_version_lacks_is_never_offered() -> None:
    pre40 = find_version("pre-4.0")
    with pytest.raises(ValueError, match="getAssetJobLogs"):
        valid_documents("getAssetJobLogs", versions=[pre40])
    with pytest.raises(ValueError, match="exportJob"):
        valid_documents("submitJob", versions=[pre40], payloads=["exportJob"])
    find(
        valid_documents("getAssetJobLogs"),
        lambda document: document.version.label == "4.0",
        settings=FIRST_FOUND,
    )


def test_documents_have_exactly_their_versions_elements() -> None:
    """The per-version facts the generators must follow (spec/versions.md)."""
    pre40 = find(
        valid_documents(
            "submitJob", versions=[find_version("pre-4.0")], payloads=["uploadUrlsJob"]
        ),
        lambda document: document.element.find(".//{*}photoshopOptions") is not None,
        settings=FIRST_FOUND,
    )
    options = pre40.element.find(".//{*}photoshopOptions")
    assert options is not None
    assert [etree.QName(child).localname for child in options] == [
        "maintainLayers",
        "layerNaming",
        "anchor",
    ]
    # urlArray is required up to 6.8 and optional from 2016-01-14-beta
    assert schema_model(find_version("6.8")).child("UploadUrlsJob", "urlArray").required
    assert (
        not schema_model(find_version("2016-01-14-beta"))
        .child("UploadUrlsJob", "urlArray")
        .required
    )
    find(
        valid_documents(
            "submitJob", versions=[find_version("2016-01-14-beta")], payloads=["uploadUrlsJob"]
        ),
        lambda document: document.element.find(".//{*}urlArray") is None,
        settings=FIRST_FOUND,
    )


def test_payload_elements_in_the_xsd_are_the_codecs_in_order() -> None:
    newest = schema_model(API_VERSIONS[-1]).payload_names
    assert newest == tuple(PAYLOAD_ELEMENTS)
    for version in API_VERSIONS:
        own = schema_model(version).payload_names
        assert own == tuple(name for name in PAYLOAD_ELEMENTS if name in own)


@pytest.mark.parametrize("version", VERSION_IDS)
def test_every_operation_param_of_a_version_is_in_its_schema_model(version: ApiVersion) -> None:
    model = schema_model(version)
    present = {operation for operation in OPERATION_NAMES if f"{operation}Param" in model.sequences}
    assert present == set(operations_of(version))
    assert model.operations == operations_of(version)


@pytest.mark.parametrize(("type_name", "element"), sorted(OPTION_VOCABULARY))
def test_option_vocabulary_names_xsd_elements_that_accept_its_words(
    type_name: str, element: str
) -> None:
    words = OPTION_VOCABULARY[(type_name, element)]
    having = [version for version in API_VERSIONS if schema_model(version).has(type_name, element)]
    assert having, f"no API version has {type_name}/{element}"
    for version in having:
        spec = schema_model(version).child(type_name, element)
        if spec.enumeration:
            assert set(words) <= set(spec.enumeration)
        else:
            assert spec.simple == "string"


@given(valid_documents("submitJob", payloads=["uploadUrlsJob"], timings=["none"]))
def test_payload_vocabulary_reaches_the_documents(document: ValidDocument) -> None:
    # a document built from the vocabulary still validates (the words are in place)
    assert schema_validator(document.version).validate(document.element)


@given(quartz_expressions())
def test_generated_schedules_parse_and_fire_after_the_clock_start(expression: str) -> None:
    assert QuartzSchedule.parse(expression).next_fire_after(DEFAULT_START) is not None


@given(locales())
def test_generated_locales_are_ll_or_ll_cc(locale: str) -> None:
    language, _, country = locale.partition("-")
    assert len(language) == 2
    assert language.islower()
    assert country == "" or (len(country) == 2 and country.isupper())


@given(date_time_texts())
def test_generated_date_times_are_xsd_and_python_readable(text: str) -> None:
    version = API_VERSIONS[0]
    param = etree.fromstring(
        f'<getJobLogsParam xmlns="{version.namespace}"><startDate>{text}</startDate>'
        "</getJobLogsParam>"
    )
    assert schema_validator(version).validate(param)
    assert isinstance(parse_date_time("startDate", text), datetime)


@given(job_names())
def test_generated_job_names_are_not_blank(name: str) -> None:
    assert name.strip()


# ------------------------------------------------------------------------------- shrinking


def test_a_document_shrinks_to_the_smallest_one_with_the_wanted_feature() -> None:
    smallest = find(
        valid_documents("submitJob", payloads=["optimizeImagesJob"]),
        lambda document: document.child_text("execSchedule") is not None,
    )
    # the schedule shrinks to the one a real server showed; the version to the first one
    # with optimizeImagesJob (4.0)
    assert etree.tostring(smallest.element, encoding="unicode") == (
        '<submitJobParam xmlns="http://www.scene7.com/IpsApi/xsd/2008-01-15">'
        "<companyHandle>47</companyHandle><jobName>0</jobName>"
        "<execSchedule>00 00 00 * * </execSchedule>"
        "<optimizeImagesJob><emailSetting>All</emailSetting></optimizeImagesJob>"
        "</submitJobParam>"
    )
