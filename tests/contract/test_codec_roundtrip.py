"""Codec round trips: what decode_submit_job reads is what the document says; a payload's
option tree writes back the same XML; dateTimes survive format and parse; and a submitted job
comes back from getScheduledJobs with its fields and payload exactly as sent."""

from __future__ import annotations

from datetime import timedelta

from hypothesis import given
from lxml import etree
from soap_exchange import post

from ips_fake.core.handles import HandleStyle
from ips_fake.fake import IpsFake
from ips_fake.soap.codec import (
    PAYLOAD_ELEMENTS,
    Writer,
    decode_submit_job,
    format_date_time,
    option_tree,
    parse_date_time,
)
from ips_fake.strategies import (
    ValidDocument,
    build_param,
    date_time_texts,
    envelope,
    valid_documents,
)


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


def expected_echo(payload: etree._Element) -> etree._Element:
    """The payload as IPS echoes it: an UploadUrlsJob's urlArray comes back empty, followed by
    numUrls counting the URLs sent."""
    echo = etree.fromstring(etree.tostring(payload))
    namespace = etree.QName(echo).namespace
    url_array = echo.find(f"{{{namespace}}}urlArray")
    if url_array is None:
        return echo
    for old in echo.findall(f"{{{namespace}}}numUrls"):
        echo.remove(old)
    count = len(url_array)
    for item in list(url_array):
        url_array.remove(item)
    number = etree.Element(f"{{{namespace}}}numUrls")
    number.text = str(count)
    url_array.addnext(number)
    return echo


def counts_urls_without_listing_them(document: ValidDocument) -> bool:
    payload = payload_of(document)
    namespace = document.version.namespace
    return (
        payload.find(f"{{{namespace}}}urlArray") is None
        and payload.find(f"{{{namespace}}}numUrls") is not None
    )


@given(
    valid_documents("submitJob", timings=["execSchedule"]).filter(
        lambda document: not counts_urls_without_listing_them(document)
    )
)
def test_a_scheduled_job_comes_back_exactly_as_submitted(document: ValidDocument) -> None:
    check_echo(document)


@given(
    valid_documents("submitJob", payloads=["uploadUrlsJob"], timings=["execSchedule"]).filter(
        counts_urls_without_listing_them
    )
)
def test_an_upload_counting_urls_it_does_not_list_echoes_its_count(
    document: ValidDocument,
) -> None:
    check_echo(document)


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
    assert canonical(echoed) == canonical(expected_echo(payload))


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
