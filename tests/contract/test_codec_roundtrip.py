"""Codec round trips: what decode_submit_job reads is what the document says; a payload's
option tree writes back the same XML; dateTimes survive format and parse; and a submitted job
comes back from getScheduledJobs with its fields and payload as sent, reshaped to its API
version and with the server defaults IPS echoes (rule: :func:`expected_echo`)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta

import pytest
from hypothesis import given
from lxml import etree

from ips_fake.core.handles import HandleStyle
from ips_fake.fake import IpsFake
from ips_fake.soap.codec import (
    ECHO_DEFAULTS,
    PAYLOAD_ELEMENTS,
    Writer,
    decode_submit_job,
    format_date_time,
    option_tree,
    parse_date_time,
)
from ips_fake.soap.schema import API_VERSIONS, ApiVersion, find_version
from ips_fake.strategies import (
    ValidDocument,
    build_param,
    date_time_texts,
    envelope,
    schema_model,
    valid_documents,
)
from tests.contract.soap_exchange import post


def payload_of(document: ValidDocument) -> etree._Element:
    return next(
        child for child in document.element if etree.QName(child).localname in PAYLOAD_ELEMENTS
    )


def canonical(element: etree._Element) -> tuple[object, ...]:
    """Qualified name, text and children; namespace declarations and empty-tag style aside."""
    children = tuple(canonical(child) for child in element if isinstance(child.tag, str))
    return (element.tag, "" if children else element.text or "", children)


@given(valid_documents("submitJob"))
def test_decode_submit_job_reads_what_the_document_says(document: ValidDocument) -> None:
    request = decode_submit_job(document.element)

    assert request.company_handle == document.child_text("companyHandle")
    assert request.job_name == document.child_text("jobName")
    assert request.user_handle == document.child_text("userHandle")
    assert request.locale == document.child_text("locale")
    assert request.exec_schedule == document.child_text("execSchedule")
    assert request.description == document.child_text("description")
    exec_time = document.child_text("execTime")
    expected_time = None if exec_time is None else parse_date_time("execTime", exec_time)
    assert request.exec_time == expected_time
    payload = payload_of(document)
    assert request.payload.element == etree.QName(payload).localname
    assert request.payload.kind is PAYLOAD_ELEMENTS[request.payload.element]


@given(valid_documents("submitJob"))
def test_a_payloads_option_tree_writes_back_the_same_xml(document: ValidDocument) -> None:
    payload = payload_of(document)
    writer = Writer(document.version.namespace, HandleStyle.MODERN, "http://localhost")
    holder = writer.element(etree.QName(payload).localname)

    writer.options(holder, option_tree(payload))

    assert canonical(holder) == canonical(payload)


@given(date_time_texts())
def test_date_times_survive_format_and_parse_to_the_millisecond(text: str) -> None:
    parsed = parse_date_time("execTime", text)
    if parsed.tzinfo is None:
        return  # a wall time without an offset is read in the server's zone, not echoed as is
    again = parse_date_time("execTime", format_date_time(parsed))

    assert again == parsed - timedelta(microseconds=parsed.microsecond % 1000)
    assert again.utcoffset() == parsed.utcoffset()


def expected_echo(payload: etree._Element, version: ApiVersion) -> etree._Element:
    """The payload as IPS echoes it in ``version``, computed from the request alone:

    * every child sent comes back as sent, in the version's order (nested ones too);
    * an UploadUrlsJob that listed URLs comes back with an empty urlArray, followed by
      numUrls counting the URLs sent when the version has numUrls (from 6.0);
    * in an element whose type has ECHO_DEFAULTS entries (UploadUrlsJob; ImageServingPublishJob,
      also as an upload's postImageServingPublishJob), each child the request left out that
      the version's type has comes back with its default: a text, or an option block whose
      children are those of the default's children the version's type has, in the version's
      order; a block of whose children the version's type has none is left out (pre-4.0 gets
      no photoshopOptions {process}, and a postScriptOptions without process and alpha).
    """
    model = schema_model(version)
    namespace = etree.QName(payload).namespace

    def make(name: str, text: str = "") -> etree._Element:
        element = etree.Element(f"{{{namespace}}}{name}")
        element.text = text
        return element

    def echo(sent: etree._Element, owner: str) -> etree._Element:
        result = make(etree.QName(sent).localname, sent.text or "")
        by_name: dict[str, list[etree._Element]] = {}
        for child in sent:
            by_name.setdefault(etree.QName(child).localname, []).append(child)
        defaults = ECHO_DEFAULTS.get(owner, {})
        url_count = None
        if owner == "UploadUrlsJob" and "urlArray" in by_name:
            url_count = len(by_name["urlArray"][0])
            by_name.pop("numUrls", None)
        for spec in model.children(owner):
            if spec.name in by_name:
                for child in by_name[spec.name]:
                    if spec.name == "urlArray" and url_count is not None:
                        result.append(make("urlArray"))
                    elif spec.type_name is not None:
                        result.append(echo(child, spec.type_name))
                    else:
                        result.append(make(spec.name, child.text or ""))
            elif spec.name == "numUrls" and url_count is not None:
                result.append(make("numUrls", str(url_count)))
            elif spec.name in defaults:
                default = defaults[spec.name]
                if isinstance(default, str):
                    result.append(make(spec.name, default))
                    continue
                assert isinstance(default, Mapping)
                assert spec.type_name is not None
                inner = model.children(spec.type_name)
                if default and not set(default) & {child.name for child in inner}:
                    continue
                block = make(spec.name)
                for inner_spec in inner:
                    if inner_spec.name in default:
                        block.append(make(inner_spec.name, str(default[inner_spec.name])))
                result.append(block)
        return result

    submit = model.child("submitJobParam", etree.QName(payload).localname)
    assert submit.type_name is not None
    return echo(payload, submit.type_name)


def counts_urls_without_listing_them(document: ValidDocument) -> bool:
    payload = payload_of(document)
    namespace = document.version.namespace
    return (
        payload.find(f"{{{namespace}}}urlArray") is None
        and payload.find(f"{{{namespace}}}numUrls") is not None
    )


#: Versions in which an uploadUrlsJob may count URLs without listing them: urlArray is
#: optional (from 2016-01-14-beta) and numUrls exists (from 6.0).
COUNTING_VERSIONS = [
    version
    for version in API_VERSIONS
    if schema_model(version).has("UploadUrlsJob", "numUrls")
    and not schema_model(version).child("UploadUrlsJob", "urlArray").required
]


@given(
    valid_documents("submitJob", timings=["execSchedule"]).filter(
        lambda document: not counts_urls_without_listing_them(document)
    )
)
def test_a_scheduled_job_comes_back_as_submitted_with_the_versions_echo(
    document: ValidDocument,
) -> None:
    check_echo(document)


@given(
    valid_documents(
        "submitJob",
        versions=COUNTING_VERSIONS,
        payloads=["uploadUrlsJob"],
        timings=["execSchedule"],
    ).filter(counts_urls_without_listing_them)
)
def test_an_upload_counting_urls_it_does_not_list_echoes_its_count(
    document: ValidDocument,
) -> None:
    check_echo(document)


def test_the_echo_rule_depends_on_the_version() -> None:
    """The expected echo is not the request: it differs between versions."""
    sent = {}
    for label in ("pre-4.0", "4.5", "6.8"):
        version = find_version(label)
        payload = etree.fromstring(
            f'<uploadUrlsJob xmlns="{version.namespace}"><urlArray><items><sourceUrl>'
            "https://example.com/a.jpg</sourceUrl><destPath>a/a.jpg</destPath></items>"
            "</urlArray><overwrite>true</overwrite><readyForPublish>true</readyForPublish>"
            "<createMask>true</createMask><emailSetting>All</emailSetting></uploadUrlsJob>"
        )
        sent[label] = [etree.QName(child).localname for child in expected_echo(payload, version)]
    assert "numUrls" not in sent["4.5"]
    assert "numUrls" in sent["6.8"]
    assert "photoshopOptions" not in sent["pre-4.0"]
    assert "photoshopOptions" in sent["4.5"]
    assert "preserveCrop" not in sent["pre-4.0"]
    assert "preserveCrop" in sent["4.5"]


def check_echo(document: ValidDocument) -> None:
    payload = payload_of(document)
    fake = IpsFake()
    submitted = post(fake, envelope(document.element), "text/xml")
    assert submitted.fault is None, submitted.reason
    query = build_param(
        "getScheduledJobs",
        document.version,
        {
            "companyHandle": document.child_text("companyHandle"),
            "originalName": document.child_text("jobName"),
        },
    )

    answer = post(fake, envelope(query), "text/xml")

    assert answer.body is not None, answer.reason
    namespace = document.version.namespace
    items = answer.body.findall(f"{{{namespace}}}jobArray/{{{namespace}}}items")
    assert len(items) == 1
    item = items[0]
    for name, echoed_as in (
        ("jobName", "originalName"),
        ("locale", "locale"),
        ("description", "description"),
        ("execSchedule", "execSchedule"),
    ):
        assert item.findtext(f"{{{namespace}}}{echoed_as}") == document.child_text(name)
    echoed = item.find(payload.tag)
    assert echoed is not None
    assert canonical(echoed) == canonical(expected_echo(payload, document.version))


def test_a_huge_unlisted_url_count_is_capped_not_allocated() -> None:
    from ips_fake.soap.codec import MAX_UNLISTED_URLS, decode_submit_job

    param = etree.fromstring(
        '<submitJobParam xmlns="http://www.scene7.com/IpsApi/xsd"><companyHandle>47'
        "</companyHandle><jobName>many</jobName><uploadUrlsJob><numUrls>2147483647</numUrls>"
        "<overwrite>true</overwrite><readyForPublish>true</readyForPublish><createMask>true"
        "</createMask><emailSetting>None</emailSetting></uploadUrlsJob></submitJobParam>"
    )
    request = decode_submit_job(param)
    assert request.payload is not None
    assert len(request.payload.items) == MAX_UNLISTED_URLS == 1000


def test_an_empty_option_block_is_echoed_as_a_valid_response(
    request: pytest.FixtureRequest,
) -> None:
    tracked: list[IpsFake] = request.getfixturevalue("_fakes_answer_validly")
    version = find_version("6.8")
    ns = version.namespace
    param = etree.fromstring(
        f'<submitJobParam xmlns="{ns}"><companyHandle>47</companyHandle><jobName>x</jobName>'
        "<execSchedule>00 00 00 * * </execSchedule><uploadUrlsJob><urlArray/>"
        "<overwrite>true</overwrite><readyForPublish>true</readyForPublish>"
        "<createMask>true</createMask><emailSetting>All</emailSetting><mediaOptions/>"
        "</uploadUrlsJob></submitJobParam>"
    )
    fake = IpsFake()
    tracked.remove(fake)  # checked here, not again at teardown
    assert post(fake, envelope(param), "text/xml").fault is None
    query = build_param("getScheduledJobs", version, {"companyHandle": "47"})
    assert post(fake, envelope(query), "text/xml").fault is None

    assert [exchange.problem for exchange in fake.journal if exchange.problem] == []
