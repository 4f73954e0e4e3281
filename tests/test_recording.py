"""Cassettes: recording exchanges, replaying them against the fake (in-process and over HTTP),
and the canonical diff that reports what changed.

The cassettes under ``fixtures/cassettes/`` are the fake's recorded wire behaviour for a few
scenarios. Each test run records the scenarios again and requires the same bytes, then replays
the stored files; a change in what the fake answers fails here with a diff. After an intended
change, rewrite them with ``IPS_FAKE_UPDATE_CASSETTES=1 python -m pytest tests/test_recording.py``.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import requests
import zeep

from ips_fake.fake import IpsFake
from ips_fake.recording import (
    Cassette,
    CassetteError,
    Interaction,
    RecordedResponse,
    canonical_xml,
    record_session,
    replay_in_process,
    replay_over_http,
)
from ips_fake.server import FakeServer
from ips_fake.transport import INPROCESS_BASE_URL, in_process_session

CASSETTES = Path(__file__).resolve().parent.parent / "fixtures" / "cassettes"
WSDL_PATH = "/scene7/webservice/IpsApi-2014-04-03.wsdl"
SERVICE_PATH = "/scene7/services/IpsApiService"
LEGACY_NS = "http://www.scene7.com/IpsApi/xsd"
SOAP11 = "http://schemas.xmlsoap.org/soap/envelope/"


def _envelope(body: str, namespace: str = LEGACY_NS, password: str = "password") -> bytes:
    return (
        f'<soapenv:Envelope xmlns:soapenv="{SOAP11}" xmlns:ips="{namespace}"><soapenv:Header>'
        "<ips:authHeader><ips:user>ipsuser@example.com</ips:user>"
        f"<ips:password>{password}</ips:password></ips:authHeader></soapenv:Header>"
        f"<soapenv:Body>{body}</soapenv:Body></soapenv:Envelope>"
    ).encode()


def _post(session: requests.Session, body: bytes) -> requests.Response:
    return session.post(
        INPROCESS_BASE_URL + SERVICE_PATH,
        data=body,
        headers={"Content-Type": "text/xml; charset=utf-8", "Accept-Encoding": "identity"},
    )


def seed_submit_job(fake: IpsFake, session: requests.Session) -> None:
    """The seeds' example: submit, then execute by the returned handle (legacy namespace)."""
    submit = _post(
        session,
        _envelope(
            '<submitJobParam xmlns="http://www.scene7.com/IpsApi/xsd">'
            "<companyHandle>47</companyHandle><jobName>My Test Job</jobName>"
            "<imageServingPublishJob><publishType>Full</publishType>"
            "<emailSetting>Error</emailSetting></imageServingPublishJob></submitJobParam>"
        ),
    )
    assert b"<jobHandle>47|My Test Job|</jobHandle>" in submit.content
    _post(
        session,
        _envelope(
            '<executeJobParam xmlns="http://www.scene7.com/IpsApi/xsd">'
            "<companyHandle>47</companyHandle><jobHandle>47|My Test Job|</jobHandle>"
            "</executeJobParam>"
        ),
    )


def publish_lifecycle(fake: IpsFake, session: requests.Session) -> None:
    """A job scheduled for later, watched through its run, then its logs (zeep, 2014-04-03)."""
    client = zeep.Client(INPROCESS_BASE_URL + WSDL_PATH, transport=zeep.Transport(session=session))
    header = client.get_element("{http://www.scene7.com/IpsApi/xsd/2014-04-03}authHeader")
    client.set_default_soapheaders([header(user="ipsuser@example.com", password="password")])
    service = client.service
    service.submitJob(
        companyHandle="c|47",
        jobName="evening publish",
        execTime=fake.now() + timedelta(hours=1),
        imageServingPublishJob={"publishType": "Full", "emailSetting": "All"},
    )
    service.getScheduledJobs(companyHandle="c|47")
    fake.advance(hours=1, seconds=3)
    service.getActiveJobs(companyHandle="c|47")
    fake.advance(minutes=5)
    service.getActiveJobs(companyHandle="c|47")
    service.getJobLogs(companyHandle="c|47")
    service.getJobLogDetails(companyHandle="c|47", originalName="evening publish")


def faults(fake: IpsFake, session: requests.Session) -> None:
    """Wrong password, two payloads, an unknown handle and malformed XML."""
    _post(
        session,
        _envelope(
            "<ips:getActiveJobsParam><ips:companyHandle>47</ips:companyHandle>"
            "</ips:getActiveJobsParam>",
            password="wrong",
        ),
    )
    _post(
        session,
        _envelope(
            "<ips:submitJobParam><ips:companyHandle>47</ips:companyHandle>"
            "<ips:jobName>two</ips:jobName><ips:imageServingPublishJob><ips:publishType>Full"
            "</ips:publishType></ips:imageServingPublishJob><ips:imageRenderingPublishJob>"
            "<ips:publishType>Full</ips:publishType></ips:imageRenderingPublishJob>"
            "</ips:submitJobParam>"
        ),
    )
    _post(
        session,
        _envelope(
            "<ips:stopJobParam><ips:companyHandle>47</ips:companyHandle>"
            "<ips:jobHandle>47|nobody|</ips:jobHandle></ips:stopJobParam>"
        ),
    )
    _post(session, b"<soapenv:Envelope><unclosed>")


SCENARIOS: dict[str, Callable[[IpsFake, requests.Session], None]] = {
    "seed-submit-job": seed_submit_job,
    "publish-lifecycle": publish_lifecycle,
    "faults": faults,
}


def record(scenario: str) -> tuple[IpsFake, Cassette]:
    """Run a scenario on a fresh fake, recording its exchanges."""
    fake = IpsFake()
    session = in_process_session(fake.app)
    cassette = record_session(
        session, Cassette(description=SCENARIOS[scenario].__doc__ or ""), now=fake.now
    )
    SCENARIOS[scenario](fake, session)
    return fake, cassette


@pytest.fixture(params=sorted(SCENARIOS))
def scenario(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def test_recording_a_scenario_gives_the_stored_cassette(scenario: str) -> None:
    _, cassette = record(scenario)
    stored = CASSETTES / f"{scenario}.json"
    if os.environ.get("IPS_FAKE_UPDATE_CASSETTES") == "1":
        cassette.save(stored)
    assert stored.exists(), f"missing {stored}: run with IPS_FAKE_UPDATE_CASSETTES=1"
    recorded, kept = cassette.to_json(), stored.read_text(encoding="utf-8")
    if recorded != kept:
        report = replay_in_process(Cassette.load(stored))
        pytest.fail(
            f"the fake no longer answers {scenario} as recorded in {stored.name}:\n"
            f"{report.summary()}\nIf the change is intended: IPS_FAKE_UPDATE_CASSETTES=1",
            pytrace=False,
        )


def test_a_stored_cassette_replays_cleanly_in_process(scenario: str) -> None:
    cassette = Cassette.load(CASSETTES / f"{scenario}.json")
    report = replay_in_process(cassette)
    assert report.steps, "a cassette without SOAP exchanges tests nothing"
    assert report.ok, report.summary()


def test_cassettes_keep_the_clock_and_every_exchange() -> None:
    cassette = Cassette.load(CASSETTES / "publish-lifecycle.json")
    soap_steps = [step for step in cassette.interactions if step.request.is_soap]
    assert len(soap_steps) == 6
    times = [step.at for step in soap_steps]
    start = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
    assert times[0] == start
    assert times[-1] == start + timedelta(hours=1, minutes=5, seconds=3)
    # the WSDL fetch is kept too, but only SOAP calls are compared
    assert cassette.interactions[0].request.method == "GET"
    assert b"submitJobReturn" in soap_steps[0].response.body


def test_the_seed_cassette_holds_the_exact_legacy_handle() -> None:
    cassette = Cassette.load(CASSETTES / "seed-submit-job.json")
    submit = cassette.interactions[0]
    assert submit.response.status == 200
    assert b"<jobHandle>47|My Test Job|</jobHandle>" in submit.response.body


def test_a_changed_answer_is_reported_with_a_diff_naming_the_element() -> None:
    cassette = Cassette.load(CASSETTES / "seed-submit-job.json")
    first = cassette.interactions[0]
    tampered = RecordedResponse(
        first.response.status,
        first.response.headers,
        first.response.body.replace(b"47|My Test Job|", b"47|Other Job|"),
    )
    cassette.interactions[0] = Interaction(first.request, tampered, first.at)

    report = replay_in_process(cassette)

    assert [step.label for step in report.mismatches] == ["submitJobParam"]
    diff = report.mismatches[0].diff or ""
    assert "-      <jobHandle>47|Other Job|</jobHandle>" in diff
    assert "+      <jobHandle>47|My Test Job|</jobHandle>" in diff
    assert "1 differ" in report.summary().splitlines()[0]


def test_a_changed_status_is_a_mismatch_even_with_the_same_body() -> None:
    cassette = Cassette.load(CASSETTES / "faults.json")
    fault = cassette.interactions[0]
    assert fault.response.status == 500
    cassette.interactions[0] = Interaction(
        fault.request, RecordedResponse(200, fault.response.headers, fault.response.body), fault.at
    )

    report = replay_in_process(cassette)

    assert report.mismatches[0].diff is not None
    assert report.mismatches[0].diff.startswith("status 200 recorded, 500 replayed")


def test_ignored_elements_are_blanked_on_both_sides() -> None:
    recorded = b"<r><jobHandle>a</jobHandle><name>x</name></r>"
    replayed = b"<r>\n  <jobHandle>b</jobHandle>\n  <name>x</name>\n</r>"
    assert canonical_xml(recorded, ["jobHandle"]) == canonical_xml(replayed, ["jobHandle"])
    assert canonical_xml(recorded) != canonical_xml(replayed)
    assert canonical_xml(b"not xml") == "not xml"


def test_replay_moves_the_clock_so_time_dependent_answers_match() -> None:
    cassette = Cassette.load(CASSETTES / "publish-lifecycle.json")
    fake = IpsFake()

    report = replay_in_process(cassette, fake)

    assert report.ok, report.summary()
    assert fake.now() == datetime(2026, 1, 5, 10, 5, 3, tzinfo=UTC)
    assert [log.original_job_name for log in fake.job_logs] == ["evening publish"]


def test_replaying_without_moving_the_clock_shows_the_difference() -> None:
    cassette = Cassette.load(CASSETTES / "publish-lifecycle.json")
    for step in cassette.interactions:
        object.__setattr__(step, "at", None)

    report = replay_in_process(cassette)

    assert not report.ok
    assert {step.label for step in report.mismatches} >= {"getJobLogsParam"}


@pytest.fixture(scope="module")
def served() -> Iterator[tuple[FakeServer, IpsFake]]:
    fake = IpsFake(validate_responses=True)
    server = FakeServer(fake)
    server.start()
    try:
        yield server, fake
    finally:
        server.close()


def test_replay_over_http_moves_the_served_clock_through_the_admin_api(
    served: tuple[FakeServer, IpsFake],
) -> None:
    server, fake = served
    with requests.Session() as session:
        session.trust_env = False
        report = replay_over_http(
            Cassette.load(CASSETTES / "publish-lifecycle.json"), server.base_url, session=session
        )
    assert report.ok, report.summary()
    assert len(report.steps) == 6
    assert fake.now() == datetime(2026, 1, 5, 10, 5, 3, tzinfo=UTC)


def test_recording_over_http_against_a_server_keeps_gzip_out_of_the_cassette(
    served: tuple[FakeServer, IpsFake],
) -> None:
    server, _ = served
    with requests.Session() as session:
        session.trust_env = False
        cassette = record_session(session)
        session.post(
            server.base_url + SERVICE_PATH,
            data=_envelope(
                "<ips:getActiveJobsParam><ips:companyHandle>47</ips:companyHandle>"
                "</ips:getActiveJobsParam>"
            ),
            headers={"Content-Type": "text/xml", "Accept-Encoding": "gzip"},
        )
    [step] = cassette.interactions
    assert step.at is None
    assert step.request.header("accept-encoding") == "gzip"
    assert step.response.body.startswith(b"<?xml") or step.response.body.startswith(b"<soapenv")
    assert dict(step.response.headers).get("content-encoding") is None
    assert Cassette.from_json(cassette.to_json()) == cassette


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[]", "'format' field"),
        ('{"format": "ips-fake-cassette/1"}', "'interactions' list"),
        ("{", "must be JSON"),
        (
            '{"format": "ips-fake-cassette/1", "interactions": [{"request": {}, "response": '
            '{"status": 200, "body": {"base64": "%%%"}}}]}',
            "interactions[0].response: body.base64 is not base64",
        ),
        (
            '{"format": "ips-fake-cassette/1", "interactions": [{"at": "2026-01-05T09:00:00", '
            '"request": {}, "response": {"status": 200}}]}',
            "interactions[0]: 'at' needs a UTC offset",
        ),
    ],
)
def test_a_broken_cassette_file_says_what_is_wrong(text: str, message: str) -> None:
    with pytest.raises(CassetteError, match=message.replace("[", r"\[").replace("]", r"\]")):
        Cassette.from_json(text)


def test_binary_bodies_survive_a_save_and_load(tmp_path: Path) -> None:
    cassette = Cassette()
    step = Cassette.load(CASSETTES / "seed-submit-job.json").interactions[0]
    cassette.interactions.append(
        Interaction(step.request, RecordedResponse(200, (), b"\x1f\x8b\xff binary"), step.at)
    )
    path = tmp_path / "nested" / "binary.json"
    cassette.save(path)
    assert '"base64"' in path.read_text(encoding="utf-8")
    assert Cassette.load(path).interactions[0].response.body == b"\x1f\x8b\xff binary"
