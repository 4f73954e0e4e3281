"""Every valid generated document validates against the fake's XSD and is accepted by the fake,
or gets only the business fault its content implies; the generators agree with the XSD."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import find, given
from hypothesis import strategies as st
from lxml import etree
from soap_exchange import send

from ips_fake.core.clock import DEFAULT_START
from ips_fake.core.cron import QuartzSchedule
from ips_fake.core.errors import FaultCode
from ips_fake.core.handles import HandleStyle, job_handle
from ips_fake.fake import IpsFake
from ips_fake.soap.codec import PAYLOAD_ELEMENTS, parse_date_time
from ips_fake.soap.schema import API_VERSIONS, OPERATION_NAMES, schema_validator
from ips_fake.strategies import (
    OPTION_VOCABULARY,
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
def test_every_valid_document_validates_and_gets_only_its_business_faults(rendered) -> None:
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
def test_every_valid_submit_is_accepted_with_the_handle_its_name_implies(rendered) -> None:
    document = rendered.document
    assert isinstance(document, ValidDocument)
    fake = IpsFake()

    answer = send(fake, rendered)

    assert answer.fault is None, answer.reason
    assert answer.body is not None
    handle = answer.body.findtext(f"{{{document.version.namespace}}}jobHandle")
    assert handle == expected_job_handle(document)


@given(valid_documents("submitJob"))
def test_a_second_submit_gets_name_in_use_exactly_while_the_job_is_scheduled(document) -> None:
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
def test_each_operation_gets_valid_documents_in_every_form(operation: str, data) -> None:
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


def test_payload_elements_in_the_xsd_are_the_codecs_in_order() -> None:
    assert schema_model().payload_names == tuple(PAYLOAD_ELEMENTS)


def test_every_operation_param_is_in_the_schema_model() -> None:
    model = schema_model()
    assert all(f"{operation}Param" in model.sequences for operation in OPERATION_NAMES)


@pytest.mark.parametrize(("type_name", "element"), sorted(OPTION_VOCABULARY))
def test_option_vocabulary_names_xsd_elements_that_accept_its_words(
    type_name: str, element: str
) -> None:
    model = schema_model()
    spec = model.child(type_name, element)
    words = OPTION_VOCABULARY[(type_name, element)]
    if spec.type_name in model.enumerations:
        assert set(words) <= set(model.enumerations[spec.type_name])
    else:
        assert spec.type_name == "xsd:string"


@given(valid_documents("submitJob", payloads=["uploadUrlsJob"], timings=["none"]))
def test_payload_vocabulary_reaches_the_documents(document) -> None:
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
    # the schedule shrinks to the one a real server showed
    assert etree.tostring(smallest.element, encoding="unicode") == (
        '<submitJobParam xmlns="http://www.scene7.com/IpsApi/xsd">'
        "<companyHandle>47</companyHandle><jobName>0</jobName>"
        "<execSchedule>00 00 00 * * </execSchedule>"
        "<optimizeImagesJob><emailSetting>All</emailSetting></optimizeImagesJob>"
        "</submitJobParam>"
    )
