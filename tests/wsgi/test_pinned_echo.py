"""The echo of an uploadUrlsJob that sends both ``urlArray`` and ``numUrls``: getScheduledJobs
gives the urlArray back empty and numUrls counting the URLs sent, whatever numUrls said, in
the schema's place (right after urlArray); an empty urlArray with numUrls, that many."""

from __future__ import annotations

from lxml import etree
from werkzeug.test import Client

from ips_fake.fake import IpsFake
from tests.wsgi.soap_wire import V2014, body_element, envelope, param, post

TWO_URLS = (
    "<urlArray>"
    "<items><sourceUrl>http://example.com/a.jpg</sourceUrl><destPath>in/a.jpg</destPath></items>"
    "<items><sourceUrl>http://example.com/b.jpg</sourceUrl><destPath>in/b.jpg</destPath></items>"
    "</urlArray>"
)
REST = (
    "<overwrite>true</overwrite><readyForPublish>true</readyForPublish>"
    "<createMask>false</createMask><emailSetting>None</emailSetting>"
)


def echoed_upload(raw: Client, payload: str) -> list[tuple[str, str | None]]:
    """Submit an hourly uploadUrlsJob with ``payload``; the (name, text) children of the
    uploadUrlsJob getScheduledJobs echoes, the urlArray's text being its child count."""
    submitted = post(
        raw,
        envelope(
            param(
                "submitJob",
                "<companyHandle>c|47</companyHandle><jobName>urls</jobName>"
                f"<execSchedule>0 0 * * * ?</execSchedule><uploadUrlsJob>{payload}</uploadUrlsJob>",
            )
        ),
    )
    assert submitted.status_code == 200, submitted.get_data(as_text=True)
    listed = post(raw, envelope(param("getScheduledJobs", "<companyHandle>c|47</companyHandle>")))
    assert listed.status_code == 200, listed.get_data(as_text=True)
    (upload,) = body_element(listed.get_data()).iter(f"{{{V2014}}}uploadUrlsJob")
    return [
        (
            etree.QName(child).localname,
            str(len(child)) if etree.QName(child).localname == "urlArray" else child.text,
        )
        for child in upload
    ]


def test_url_array_and_num_urls_echo_the_count_of_urls_sent(raw: Client, fake: IpsFake) -> None:
    echoed = echoed_upload(raw, TWO_URLS + "<numUrls>7</numUrls>" + REST)

    assert echoed[:3] == [("urlArray", "0"), ("numUrls", "2"), ("overwrite", "true")]
    assert [name for name, _ in echoed].count("numUrls") == 1
    (job,) = fake.scheduled_jobs
    assert [item.name for item in job.payload.items] == ["in/a.jpg", "in/b.jpg"]


def test_url_array_alone_gets_num_urls_added(raw: Client) -> None:
    echoed = echoed_upload(raw, TWO_URLS + REST)

    assert echoed[:3] == [("urlArray", "0"), ("numUrls", "2"), ("overwrite", "true")]


def test_an_empty_url_array_with_num_urls_echoes_that_many(raw: Client, fake: IpsFake) -> None:
    echoed = echoed_upload(raw, "<urlArray/><numUrls>5</numUrls>" + REST)

    assert echoed[:3] == [("urlArray", "0"), ("numUrls", "5"), ("overwrite", "true")]
    (job,) = fake.scheduled_jobs
    assert [item.name for item in job.payload.items] == [f"url-{n}" for n in range(1, 6)]
