"""The dashboard's routes without a browser: the snapshot a page without JavaScript shows,
trimmed lists, filters, masked passwords, and the admin API's protections (Host, token,
origin) on the page and on the writes it makes."""

from __future__ import annotations

import io
import re

import pytest
import zeep
from werkzeug.test import Client

from ips_fake.admin import TOKEN_COOKIE
from ips_fake.dashboard import (
    DETAIL_LIMIT,
    LIST_LIMIT,
    PAYLOAD_LINES,
    Filters,
    dom_id,
    payload_lines,
    pretty_xml,
)
from ips_fake.fake import IpsFake
from ips_fake.transport import INPROCESS_BASE_URL, InProcessTransport

WSDL = INPROCESS_BASE_URL + "/scene7/webservice/IpsApi-2014-04-03.wsdl"


def soap(fake: IpsFake, password: str = "password") -> zeep.proxy.ServiceProxy:
    client = zeep.Client(WSDL, transport=InProcessTransport(fake.app))
    header = client.get_element("ns0:authHeader")
    client.set_default_soapheaders([header(user="ipsuser@example.com", password=password)])
    return client.service


def submit(fake: IpsFake, name: str, company: str = "c|47") -> None:
    soap(fake).submitJob(
        companyHandle=company,
        jobName=name,
        imageServingPublishJob={"publishType": "Full", "emailSetting": "All"},
    )


@pytest.fixture
def fake() -> IpsFake:
    return IpsFake()


@pytest.fixture
def client(fake: IpsFake) -> Client:
    return Client(fake.app)


def test_without_javascript_the_page_is_a_snapshot_of_every_panel(
    fake: IpsFake, client: Client
) -> None:
    submit(fake, "Snapshot me")
    client.post("/_fake/clock", json={"advance": 3})
    page = client.get("/_fake/")
    html = page.get_data(as_text=True)

    assert page.status_code == 200
    assert page.mimetype == "text/html"
    assert '<time id="clock-now" datetime="2026-01-05T09:00:03+00:00">' in html
    assert 'progress id="progress-1" max="100" value="33"' in html
    assert "Snapshot me" in html
    assert "#1 <strong>submitJob</strong> by ipsuser@example.com" in html
    for panel in ("clock", "jobs", "runs", "logs", "outbox", "journal"):
        assert f'id="panel-{panel}"' in html
    assert "<noscript>" in html
    # nothing from elsewhere: every script and stylesheet is the server's own
    assert re.findall(r'(?:src|href)="(https?:)?//', html) == []


def test_the_panels_route_is_what_the_script_swaps_in(fake: IpsFake, client: Client) -> None:
    submit(fake, "Polled")
    panels = client.get("/_fake/dashboard/panels").get_data(as_text=True)
    assert panels.lstrip().startswith("<section")
    assert 'id="progress-1"' in panels
    assert "<html" not in panels


def test_lists_are_trimmed_to_the_newest_and_say_how_many_match(
    fake: IpsFake, client: Client
) -> None:
    for number in range(LIST_LIMIT + 7):
        submit(fake, f"job {number:03d}")
    html = client.get("/_fake/dashboard/panels").get_data(as_text=True)

    assert f"{LIST_LIMIT} newest of {LIST_LIMIT + 7}" in html
    assert html.count('<li class="run"') == LIST_LIMIT
    assert f"job {LIST_LIMIT + 6:03d}" in html
    assert "job 000" not in html


def test_filters_narrow_runs_logs_and_journal_to_one_company_and_job(
    fake: IpsFake, client: Client
) -> None:
    fake.add_company("49", "Other")
    submit(fake, "Alpha")
    submit(fake, "Beta")
    html = client.get("/_fake/dashboard/panels?company=47&job=alp").get_data(as_text=True)

    assert re.findall(r'data-job="([^"]+)"', html) == ["Alpha"]
    assert re.findall(r'id="exchange-(\d+)"', html) == ["1"]
    assert "Beta" not in html
    other = client.get("/_fake/dashboard/panels?company=49").get_data(as_text=True)
    assert "No run in flight." in other
    assert "No request yet." in other


def test_filters_ignore_what_is_not_a_company_id_and_cap_the_name() -> None:
    filters = Filters.from_args({"company": "x|47", "job": "j" * 1000})
    assert filters.company is None
    assert filters.job == "j" * 200
    assert Filters.from_args({"company": "c|47"}).query(job="a b") == "?company=47&job=a+b"


def test_a_log_opens_to_its_lines_and_an_unknown_one_is_a_404(
    fake: IpsFake, client: Client
) -> None:
    submit(fake, "Logged")
    client.post("/_fake/clock", json={"advance": 60})
    part = client.get("/_fake/dashboard/logs/1?part").get_data(as_text=True)
    page = client.get("/_fake/dashboard/logs/1")

    assert "<html" not in part
    assert "OriginalJobName" in part
    assert "8 of 8 line(s)" in part
    assert page.status_code == 200
    assert "<html" in page.get_data(as_text=True)
    missing = client.get("/_fake/dashboard/logs/99")
    assert missing.status_code == 404
    assert "no job log with run id 99" in missing.get_data(as_text=True)
    assert DETAIL_LIMIT >= 100


def test_an_exchange_shows_its_xml_with_passwords_masked(fake: IpsFake, client: Client) -> None:
    with pytest.raises(zeep.exceptions.Fault):
        soap(fake, password="hunter2-secret").getActiveJobs(companyHandle="c|47")
    html = client.get("/_fake/dashboard/journal/1?part").get_data(as_text=True)
    panels = client.get("/_fake/dashboard/panels").get_data(as_text=True)

    assert "hunter2-secret" not in html
    assert "hunter2-secret" not in panels
    assert "&lt;ns0:password&gt;***&lt;/ns0:password&gt;" in html
    assert "Fault" in html
    assert client.get("/_fake/dashboard/journal/7").status_code == 404


def test_pretty_xml_indents_xml_and_leaves_the_rest_alone() -> None:
    assert pretty_xml(b"<a><b>1</b></a>") == "<a>\n  <b>1</b>\n</a>\n"
    cut = b"<a><b>1</b>\n[ips-fake journal: cut at 4 of 9 bytes]"
    assert pretty_xml(cut) == cut.decode()
    doctype = b'<!DOCTYPE a [<!ENTITY x "y">]><a>&x;</a>'
    assert pretty_xml(doctype) == doctype.decode()


def test_pages_forbid_framing_and_anything_from_elsewhere(client: Client) -> None:
    page = client.get("/_fake/")
    policy = page.headers["Content-Security-Policy"]
    assert "default-src 'none'" in policy
    assert "frame-ancestors 'none'" in policy
    assert page.headers["X-Frame-Options"] == "DENY"
    assert page.headers["Referrer-Policy"] == "no-referrer"
    assert "Access-Control-Allow-Origin" not in page.headers
    script = client.get("/_fake/dashboard/static/dashboard.js")
    assert script.status_code == 200
    assert script.mimetype == "text/javascript"
    assert client.get("/_fake/dashboard/static/../__init__.py").status_code == 404
    assert client.get("/_fake/dashboard/static/nothing.js").status_code == 404


def test_a_foreign_host_gets_403_like_the_admin_api(client: Client) -> None:
    for path in ("/_fake/", "/_fake/dashboard/panels", "/_fake/dashboard/static/dashboard.css"):
        answer = client.get(path, headers={"Host": "evil.example"})
        assert answer.status_code == 403, path
        assert "loopback" in answer.get_data(as_text=True)


def test_with_a_token_the_page_asks_for_it_then_keeps_it_in_a_same_site_cookie() -> None:
    fake = IpsFake(admin_token="s3cret")
    client = Client(fake.app)

    asked = client.get("/_fake/?job=x")
    assert asked.status_code == 401
    assert 'name="token" type="password"' in asked.get_data(as_text=True)
    assert client.get("/_fake/dashboard/panels").status_code == 401
    wrong = client.get("/_fake/?token=nope")
    assert wrong.status_code == 401
    assert "not this server's admin token" in wrong.get_data(as_text=True)

    taken = client.get("/_fake/?token=s3cret&job=x")
    assert taken.status_code == 303
    assert taken.headers["Location"] == "/_fake/?job=x"
    cookie = taken.headers["Set-Cookie"]
    assert f"{TOKEN_COOKIE}=s3cret" in cookie
    assert "HttpOnly" in cookie
    assert "SameSite=Strict" in cookie
    assert "Path=/_fake/" in cookie

    assert client.get("/_fake/").status_code == 200  # the cookie is sent back
    moved = client.post("/_fake/clock", json={"advance": 1})
    assert moved.status_code == 200
    refused = client.post(
        "/_fake/clock", json={"advance": 1}, headers={"Origin": "http://evil.example"}
    )
    assert refused.status_code == 403
    form = client.post("/_fake/reset", data="{}", content_type="text/plain")
    assert form.status_code == 415  # what a cross-site form could send
    assert Client(fake.app).get("/_fake/dashboard/panels").status_code == 401


def test_on_the_real_clock_the_clock_controls_are_disabled_with_the_reason() -> None:
    from ips_fake.clocks import WallClock

    html = Client(IpsFake(clock=WallClock()).app).get("/_fake/").get_data(as_text=True)
    assert '<fieldset disabled aria-describedby="clock-fixed">' in html
    assert "The server runs on the real clock, which cannot be moved" in html


def test_the_admin_api_still_answers_its_own_routes(client: Client) -> None:
    clock = client.get("/_fake/clock").json
    assert clock is not None
    assert clock["mode"] == "manual"
    assert client.get("/_fake/dashboard/nothing").status_code == 404
    assert client.post("/_fake/").status_code == 405


def test_runs_and_jobs_show_their_payload_and_a_long_one_is_cut(
    fake: IpsFake, client: Client
) -> None:
    soap(fake).submitJob(
        companyHandle="c|47",
        jobName="Many URLs",
        execSchedule="0 0 3 * * ?",
        uploadUrlsJob={
            "urlArray": {
                "items": [
                    {"sourceUrl": f"http://example.com/{n}.jpg", "destPath": f"in/{n}.jpg"}
                    for n in range(40)
                ]
            },
            "overwrite": True,
            "readyForPublish": True,
            "createMask": False,
            "emailSetting": "None",
        },
    )
    html = client.get("/_fake/dashboard/panels").get_data(as_text=True)

    assert "<summary>uploadUrlsJob</summary>" in html
    assert "http://example.com/0.jpg" in html
    assert "http://example.com/39.jpg" not in html
    total = 1 + 40 * 3 + 4  # urlArray, 40 items of 2 fields, the four flags
    assert f"{total - PAYLOAD_LINES + 1} more option(s) not shown" in html


def test_payload_lines_nest_and_count_what_they_leave_out() -> None:
    options = (("a", "1"), ("b", (("c", "2"), ("d", (("e", "3"),)))), ("f", "4"))
    assert payload_lines(options) == [
        (0, "a", "1"), (0, "b", ""), (1, "c", "2"), (1, "d", ""), (2, "e", "3"), (0, "f", "4"),
    ]  # fmt: skip
    assert payload_lines(options, limit=3) == [
        (0, "a", "1"), (0, "b", ""), (0, "…", "4 more option(s) not shown"),
    ]  # fmt: skip
    assert dom_id("job", "47", "a b") == dom_id("job", "47", "a b") != dom_id("job", "47", "ab")
    assert " " not in dom_id("job", "47", "a b")


def test_the_token_form_posts_the_token_in_its_body_never_in_an_address() -> None:
    fake = IpsFake(admin_token="s3cret")
    client = Client(fake.app)
    form = client.get("/_fake/?job=x").get_data(as_text=True)
    assert '<form method="post" action="/_fake/dashboard/token">' in form
    assert '<input type="hidden" name="job" value="x">' in form

    wrong = client.post("/_fake/dashboard/token", data={"token": "nope", "job": "x"})
    assert wrong.status_code == 401
    text = wrong.get_data(as_text=True)
    assert "not this server's admin token" in text
    assert '<input type="hidden" name="job" value="x">' in text  # the filter is kept
    assert "Set-Cookie" not in wrong.headers

    # the page's own form: its no-referrer policy makes the browser send Origin "null"
    taken = client.post(
        "/_fake/dashboard/token", data={"token": "s3cret", "job": "x"}, headers={"Origin": "null"}
    )
    assert taken.status_code == 303
    assert taken.headers["Location"] == "/_fake/?job=x"
    assert "s3cret" not in taken.headers["Location"]
    assert f"{TOKEN_COOKIE}=s3cret" in taken.headers["Set-Cookie"]
    assert "SameSite=Strict" in taken.headers["Set-Cookie"]
    assert client.get("/_fake/dashboard/panels").status_code == 200


def test_the_token_form_refuses_what_a_foreign_page_or_a_script_could_send() -> None:
    client = Client(IpsFake(admin_token="s3cret").app)
    route = "/_fake/dashboard/token"
    foreign = client.post(
        route, data={"token": "s3cret"}, headers={"Origin": "http://evil.example"}
    )
    assert foreign.status_code == 403
    assert "Set-Cookie" not in foreign.headers
    assert (
        client.post(route, data={"token": "s3cret"}, headers={"Host": "evil.example"}).status_code
        == 403
    )
    as_json = client.post(route, json={"token": "s3cret"})
    assert as_json.status_code == 415
    huge = client.post(route, data={"token": "s3cret", "job": "j" * 5000})
    assert huge.status_code == 413
    assert "at most 4096 bytes" in huge.get_data(as_text=True)
    unsized = client.post(
        route,
        input_stream=io.BytesIO(b"token=s3cret"),
        content_type="application/x-www-form-urlencoded",
        headers={"Transfer-Encoding": "chunked"},
    )
    assert unsized.status_code == 411
    assert client.get(route).status_code == 405
    # nothing above stored the token
    assert client.get("/_fake/dashboard/panels").status_code == 401
