"""The shape cache behind listing answers: bounded, never stale, and invisible in the bytes."""

from __future__ import annotations

import io
from collections.abc import Callable

from lxml import etree
from werkzeug.wrappers import Request

from ips_fake import IpsFake
from ips_fake.soap.structure import ShapeCache, ShapeKey

V2014 = "http://www.scene7.com/IpsApi/xsd/2014-04-03"
SOAP11 = "http://schemas.xmlsoap.org/soap/envelope/"


def _element(children: int) -> etree._Element:
    root = etree.Element("items")
    for index in range(children):
        etree.SubElement(root, "child").text = str(index)
    return root


def test_the_cache_keeps_at_most_its_limit_in_elements_oldest_dropped_first() -> None:
    cache = ShapeCache(limit=10)
    made: list[str] = []

    def maker(label: str) -> Callable[[], etree._Element]:
        def make() -> etree._Element:
            made.append(label)
            return _element(3)

        return make

    for name in ("a", "b", "c"):
        cache.shaped(ShapeKey(name), maker(name))
    assert (len(cache), cache.elements) == (2, 8)  # 4 elements each: "a" went first
    cache.shaped(ShapeKey("b"), maker("b again"))
    cache.shaped(ShapeKey("a"), maker("a again"))
    assert made == ["a", "b", "c", "a again"]  # "b" was kept, "a" was made again
    assert cache.elements <= cache.limit


def test_an_item_larger_than_the_limit_is_made_each_time_and_not_kept() -> None:
    cache = ShapeCache(limit=5)
    first = cache.shaped(ShapeKey("big"), lambda: _element(10))
    second = cache.shaped(ShapeKey("big"), lambda: _element(10))
    assert first is not second
    assert (len(cache), cache.elements) == (0, 0)


def _post(fake: IpsFake, user: str, body: str) -> bytes:
    data = (
        f'<s:Envelope xmlns:s="{SOAP11}"><s:Header><authHeader xmlns="{V2014}">'
        f"<user>{user}</user><password>password</password></authHeader></s:Header>"
        f"<s:Body>{body}</s:Body></s:Envelope>"
    ).encode()
    answer = fake.app.endpoint.handle(data, content_type="text/xml")
    assert answer.status == 200, answer.body
    return answer.body


def _submit(fake: IpsFake, name: str, when: str = "2099-01-01T00:00:00Z") -> str:
    """Submit a job named ``name`` at ``when``; its job handle."""
    answer = _post(
        fake,
        "ipsuser@example.com",
        f'<submitJobParam xmlns="{V2014}"><companyHandle>c|47</companyHandle>'
        f"<jobName>{name}</jobName><execTime>{when}</execTime><imageServingPublishJob>"
        "<publishType>Full</publishType><emailSetting>Error</emailSetting>"
        "</imageServingPublishJob></submitJobParam>",
    )
    return etree.fromstring(answer).findtext(f".//{{{V2014}}}jobHandle") or ""


SCHEDULED = (
    f'<getScheduledJobsParam xmlns="{V2014}"><companyHandle>c|47</companyHandle>'
    "</getScheduledJobsParam>"
)


def test_listing_answers_are_the_same_bytes_from_the_cache_and_follow_every_change() -> None:
    cached, fresh = IpsFake(), IpsFake()
    handles = {}
    for fake in (cached, fresh):
        handles[fake] = _submit(fake, "one")
        _submit(fake, "two")
    first = _post(cached, "ipsuser@example.com", SCHEDULED)
    assert len(cached.app.endpoint.shapes) == 2
    again = _post(cached, "ipsuser@example.com", SCHEDULED)
    fresh.app.endpoint.shapes.limit = 0  # keeps nothing: every item written and shaped anew
    uncached = _post(fresh, "ipsuser@example.com", SCHEDULED)
    assert first == again == uncached
    assert first.count(b"<items>") == 2
    # a paused job is a new record, a new job a new item: the answer shows both
    for fake in (cached, fresh):
        _post(
            fake,
            "ipsuser@example.com",
            f'<pauseJobParam xmlns="{V2014}"><companyHandle>c|47</companyHandle>'
            f"<jobHandle>{handles[fake]}</jobHandle></pauseJobParam>",
        )
        _submit(fake, "three", "2098-06-01T00:00:00Z")
    changed = _post(cached, "ipsuser@example.com", SCHEDULED)
    assert changed == _post(fresh, "ipsuser@example.com", SCHEDULED)
    assert changed.count(b"<items>") == 3
    assert b"2098-06-01" in changed
    assert changed.count(b"<triggerState>") == 3
    assert changed.count(b"<triggerState>Normal") == 2


def _environ(body: bytes, path: str = "/scene7/services/IpsApiService") -> dict[str, object]:
    return {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": path,
        "SCRIPT_NAME": "",
        "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": "127.0.0.1",
        "CONTENT_TYPE": "text/xml; charset=UTF-8",
        "CONTENT_LENGTH": str(len(body)),
        "wsgi.input": io.BytesIO(body),
        "wsgi.url_scheme": "http",
    }


def test_the_soap_fast_path_answers_as_the_werkzeug_response_would() -> None:
    """A SOAP POST skips werkzeug's Request and Response: same status line (an unusual
    faultHttpStatusCode included), headers and body as respond() gives."""
    for status in ("", "<faultHttpStatusCode>599</faultHttpStatusCode>"):
        body = (
            f'<s:Envelope xmlns:s="{SOAP11}"><s:Header><authHeader xmlns="{V2014}">'
            f"<user>ipsuser@example.com</user><password>wrong</password>{status}"
            f'</authHeader></s:Header><s:Body><getActiveJobsParam xmlns="{V2014}">'
            "<companyHandle>c|47</companyHandle></getActiveJobsParam></s:Body></s:Envelope>"
        ).encode()
        seen: list[tuple[str, list[tuple[str, str]]]] = []

        def start_response(status: str, headers: list[tuple[str, str]], *_: object) -> None:
            seen.append((status, headers))  # noqa: B023 (used before the loop moves on)

        fast_fake, slow_fake = IpsFake(), IpsFake()
        fast = b"".join(fast_fake.app(_environ(body), start_response))  # type: ignore[arg-type]
        response = slow_fake.app.respond(Request(_environ(body)))
        slow_headers = response.get_wsgi_headers(_environ(body)).to_wsgi_list()
        assert (seen[0][0], seen[0][1], fast) == (
            response.status,
            slow_headers,
            response.get_data(),
        )
        assert seen[0][0] == ("599 UNKNOWN" if status else "500 INTERNAL SERVER ERROR")
