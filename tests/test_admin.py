"""The admin API under /_fake/: every route in the README's table, its errors, and a client
driven over real HTTP with the clock moved through the admin API."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests
import zeep

from ips_fake.clocks import WallClock
from ips_fake.core.model import EmailSetting, JobKind, JobPayload, SubmitJobRequest
from ips_fake.fake import IpsFake
from ips_fake.server import FakeServer
from ips_fake.transport import INPROCESS_BASE_URL, InProcessTransport, in_process_session

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
ADMIN = INPROCESS_BASE_URL + "/_fake"
VIDEO_PUBLISH = JobPayload(
    kind=JobKind.VIDEO_PUBLISH,
    element="videoPublishJob",
    options=(("emailSetting", "None"),),
    email_setting=EmailSetting.NONE,
)


@pytest.fixture
def fake() -> IpsFake:
    return IpsFake()


@pytest.fixture
def session(fake: IpsFake) -> requests.Session:
    return in_process_session(fake.app)


def soap_client(app: Any, base_url: str = INPROCESS_BASE_URL) -> tuple[zeep.Client, object]:
    if base_url == INPROCESS_BASE_URL:
        client = zeep.Client(
            base_url + "/scene7/webservice/IpsApi-2014-04-03.wsdl",
            transport=InProcessTransport(app),
        )
    else:
        client = zeep.Client(base_url + "/scene7/webservice/IpsApi-2014-04-03.wsdl")
    auth = client.get_element("ns0:authHeader")(user="ipsuser@example.com", password="password")
    return client, auth


def submit_publish(client: zeep.Client, auth: object, name: str, **extra: object) -> str:
    handle: str = client.service.submitJob(
        companyHandle="c|47",
        jobName=name,
        imageServingPublishJob={"publishType": "Full", "emailSetting": "All"},
        _soapheaders=[auth],
        **extra,
    )
    return handle


# -- clock ------------------------------------------------------------------------------------


def test_get_clock_reports_time_mode_and_zone(session: requests.Session) -> None:
    response = session.get(ADMIN + "/clock")

    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/json")
    assert response.json() == {
        "now": "2026-01-05T09:00:00.000+00:00",
        "mode": "manual",
        "movable": True,
        "time_zone": "UTC",
    }


def test_post_clock_advances_and_moves_to_and_jobs_follow(
    fake: IpsFake, session: requests.Session
) -> None:
    client, auth = soap_client(fake.app)
    submit_publish(client, auth, "hourly", execSchedule="0 0 * * * ?")

    advanced = session.post(ADMIN + "/clock", json={"advance": 3600})
    moved = session.post(ADMIN + "/clock", json={"move_to": "2026-01-05T13:30:00+01:00"})

    assert advanced.json()["now"] == "2026-01-05T10:00:00.000+00:00"
    assert moved.json()["now"] == "2026-01-05T12:30:00.000+00:00"
    assert fake.now() == T0 + timedelta(hours=3, minutes=30)
    assert [log.start_date.hour for log in fake.job_logs] == [10, 11, 12]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"{not json", "not JSON"),
        (b"[1, 2]", "JSON object"),
        (b'{"forward": 5}', "unknown key(s): 'forward'"),
        (b'{"advance": "soon"}', "soon"),
        (b'{"advance": -5}', "only moves forward"),
        (b'{"move_to": "2020-01-01T00:00:00+00:00"}', "only moves forward"),
        (b'{"move_to": "yesterday"}', "yesterday"),
        (b'{"move_to": "2026-01-06T00:00:00"}', "timezone-aware"),
        (b'{"advance": 1e12}', "horizon 9000-01-01"),
        (b'{"advance": 1e308}', "horizon 9000-01-01"),
        (b'{"move_to": "9999-12-31T23:59:58+00:00"}', "horizon 9000-01-01"),
        (b'{"move_to": "9999-12-31T23:59:58-14:00"}', "horizon 9000-01-01"),
    ],
)
def test_bad_clock_requests_answer_400_with_a_message(
    fake: IpsFake, session: requests.Session, body: bytes, message: str
) -> None:
    response = session.post(
        ADMIN + "/clock", data=body, headers={"Content-Type": "application/json"}
    )

    assert response.status_code == 400
    assert message in response.json()["error"]
    assert fake.now() == T0


def test_a_wall_clock_cannot_be_moved() -> None:
    fake = IpsFake(clock=WallClock())
    session = in_process_session(fake.app)

    state = session.get(ADMIN + "/clock").json()
    response = session.post(ADMIN + "/clock", json={"advance": 60})

    assert (state["mode"], state["movable"]) == ("real", False)
    assert response.status_code == 400
    assert "cannot be moved" in response.json()["error"]
    assert "ips-fake serve --clock manual" in response.json()["error"]


# -- state ------------------------------------------------------------------------------------


def test_state_and_its_parts_show_jobs_runs_logs_and_mail(
    fake: IpsFake, session: requests.Session
) -> None:
    client, auth = soap_client(fake.app)
    submit_publish(client, auth, "done-now")
    session.post(ADMIN + "/clock", json={"advance": 10})
    submit_publish(client, auth, "running")
    submit_publish(client, auth, "nightly", execSchedule="0 0 2 * * ?")

    state = session.get(ADMIN + "/state").json()
    scheduled = session.get(ADMIN + "/scheduled-jobs").json()
    active = session.get(ADMIN + "/active-jobs").json()
    logs = session.get(ADMIN + "/job-logs").json()
    outbox = session.get(ADMIN + "/outbox").json()

    assert set(state) == {
        "clock",
        "directory",
        "scheduled_jobs",
        "active_jobs",
        "job_logs",
        "outbox",
        "skipped_fires",
        "log_retention",
    }
    assert (state["skipped_fires"], state["log_retention"]) == (0, 10_000)
    assert state["clock"]["now"] == "2026-01-05T09:00:10.000+00:00"
    assert [job["name"] for job in scheduled] == ["nightly"]
    assert scheduled[0]["next_fire_time"] == "2026-01-06T02:00:00.000+00:00"
    assert scheduled[0]["trigger_state"] == "Normal"
    assert [(run["original_name"], run["state"]) for run in active] == [("running", "New")]
    assert [log["original_job_name"] for log in logs] == ["done-now"]
    assert logs[0]["details"][0]["log_type"] == "OriginalJobName"
    assert [(mail["job_name"], mail["reason"]) for mail in outbox] == [
        ("done-now", "start"),
        ("done-now", "end"),
        ("running", "start"),
    ]
    assert (state["scheduled_jobs"], state["active_jobs"], state["job_logs"], state["outbox"]) == (
        scheduled,
        active,
        logs,
        outbox,
    )
    assert state["directory"]["users"][0]["email"] == "ipsuser@example.com"


# -- outcomes ---------------------------------------------------------------------------------


def test_outcomes_can_be_added_listed_and_cleared(fake: IpsFake, session: requests.Session) -> None:
    first = session.post(ADMIN + "/outcomes", json={"outcome": "fail"})
    second = session.post(
        ADMIN + "/outcomes",
        json={"outcome": "warn", "kind": "uploadUrlsJob", "name_pattern": "n-*", "seconds": 30},
    )
    listed = session.get(ADMIN + "/outcomes").json()

    assert (first.status_code, second.status_code) == (201, 201)
    assert second.json()["kind"] == "uploadUrlsJob"  # the word sent, not the ActiveJob type
    assert listed == [
        {"outcome": "fail", "kind": None, "name_pattern": None, "seconds": None},
        {"outcome": "warn", "kind": "uploadUrlsJob", "name_pattern": "n-*", "seconds": 30.0},
    ]
    assert len(fake.service.outcomes.rules) == 2

    cleared = session.delete(ADMIN + "/outcomes")

    assert (cleared.status_code, cleared.json()) == (200, [])
    assert session.get(ADMIN + "/outcomes").json() == []


def test_a_rule_from_the_admin_api_decides_the_next_run(
    fake: IpsFake, session: requests.Session
) -> None:
    client, auth = soap_client(fake.app)
    session.post(ADMIN + "/outcomes", json={"outcome": "fail", "name_pattern": "doomed"})
    submit_publish(client, auth, "doomed")
    submit_publish(client, auth, "fine")
    session.post(ADMIN + "/clock", json={"advance": 60})

    logs = {log["original_job_name"]: log for log in session.get(ADMIN + "/job-logs").json()}

    assert (logs["doomed"]["fatal_error"], logs["fine"]["fatal_error"]) == (True, False)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"outcome": "explode"}, "'success', 'fail', 'warn', 'duplicates'"),
        ({"kind": "noSuchJob"}, "unknown job kind"),
        ({"seconds": -3}, "must not be negative"),
        ({"seconds": "long"}, "long"),
        ({"seconds": "inf"}, "'seconds' must be a number"),
        ({"name_pattern": 5}, "'name_pattern' must be a string"),
    ],
)
def test_bad_outcomes_answer_400(
    fake: IpsFake, session: requests.Session, body: dict[str, object], message: str
) -> None:
    response = session.post(ADMIN + "/outcomes", json=body)

    assert response.status_code == 400
    assert message in response.json()["error"]
    assert fake.service.outcomes.rules == ()


def test_bad_json_on_outcomes_answers_400(session: requests.Session) -> None:
    response = session.post(
        ADMIN + "/outcomes", data=b'{"outcome": ', headers={"Content-Type": "application/json"}
    )

    assert response.status_code == 400
    assert response.json()["error"].startswith("the body is not JSON")


# -- directory --------------------------------------------------------------------------------


def test_companies_and_users_can_be_added_and_used(
    fake: IpsFake, session: requests.Session
) -> None:
    company = session.post(ADMIN + "/directory/companies", json={"id": "c|49", "name": "Acme"})
    user = session.post(
        ADMIN + "/directory/users",
        json={"email": "qa@example.com", "password": "secret", "companies": ["49"]},
    )

    assert company.status_code == 201
    assert company.json() == {"id": "49", "name": "Acme"}
    assert user.status_code == 201
    assert user.json()["handle"] == f"u|{user.json()['id']}|qa@example.com"
    directory = session.get(ADMIN + "/directory").json()
    assert {"id": "49", "name": "Acme"} in directory["companies"]
    [qa] = [entry for entry in directory["users"] if entry["email"] == "qa@example.com"]
    assert (qa["companies"], qa["roles"]) == (["49"], ["IpsUser"])
    qa_user = fake.directory.authenticate("qa@example.com", "secret")
    fake.service.submit_job(qa_user, SubmitJobRequest("c|49", "acme-job", VIDEO_PUBLISH))
    assert [run.company_id for run in fake.active_jobs] == ["49"]


@pytest.mark.parametrize(
    ("path", "body", "message"),
    [
        ("/directory/companies", {"id": "c|47", "name": "Renamed"}, "company '47' already exists"),
        ("/directory/companies", {"id": 48}, "company '48' already exists"),
        (
            "/directory/users",
            {"email": "IPSUSER@example.com", "password": "new"},
            "user 'IPSUSER@example.com' already exists",
        ),
    ],
)
def test_adding_an_existing_company_or_user_answers_409_and_keeps_it(
    fake: IpsFake, session: requests.Session, path: str, body: dict[str, object], message: str
) -> None:
    before = fake.directory.as_json_data()

    response = session.post(ADMIN + path, json=body)

    assert response.status_code == 409
    assert message in response.json()["error"]
    assert fake.directory.as_json_data() == before
    assert fake.directory.authenticate("ipsuser@example.com", "password")


@pytest.mark.parametrize(
    ("path", "body", "message"),
    [
        ("/directory/companies", {"name": "no id"}, "id"),
        ("/directory/companies", {"id": "x|1"}, "company id 'x|1' is not digits"),
        ("/directory/companies", {"id": "j"}, "company id 'j' is not digits"),
        ("/directory/users", {"email": "x@example.com", "companies": ["99"]}, "unknown company"),
        ("/directory/users", {"email": "x@example.com", "roles": ["Boss"]}, "Boss"),
        ("/directory/users", {"password": "no e-mail"}, "email"),
    ],
)
def test_bad_directory_requests_answer_400(
    session: requests.Session, path: str, body: dict[str, object], message: str
) -> None:
    response = session.post(ADMIN + path, json=body)

    assert response.status_code == 400
    assert message in response.json()["error"]


# -- journal, reset, exports, unknown routes --------------------------------------------------


def test_journal_lists_every_exchange(fake: IpsFake, session: requests.Session) -> None:
    client, auth = soap_client(fake.app)
    submit_publish(client, auth, "one")
    client.service.getActiveJobs(companyHandle="c|47", _soapheaders=[auth])

    journal = session.get(ADMIN + "/journal").json()

    assert [entry["operation"] for entry in journal] == ["submitJob", "getActiveJobs"]
    assert [entry["sequence"] for entry in journal] == [1, 2]
    assert journal[0]["caller"] == "ipsuser@example.com"
    assert "<jobHandle>j|47|one||</jobHandle>" in journal[0]["response"]
    assert journal[0]["status"] == 200


def test_reset_clears_everything_and_puts_the_manual_clock_back(
    fake: IpsFake, session: requests.Session
) -> None:
    client, auth = soap_client(fake.app)
    session.post(ADMIN + "/directory/companies", json={"id": "49"})
    session.post(ADMIN + "/outcomes", json={"outcome": "fail"})
    submit_publish(client, auth, "one")
    session.post(ADMIN + "/clock", json={"advance": 60})

    response = session.post(ADMIN + "/reset", json={})

    assert (response.status_code, response.json()) == (200, {"reset": True})
    state = session.get(ADMIN + "/state").json()
    assert (state["job_logs"], state["outbox"], state["scheduled_jobs"]) == ([], [], [])
    assert "49" not in [company["id"] for company in state["directory"]["companies"]]
    assert session.get(ADMIN + "/outcomes").json() == []
    assert session.get(ADMIN + "/journal").json() == []
    assert state["clock"]["now"] == "2026-01-05T09:00:00.000+00:00"


def test_export_route_serves_the_archive_of_a_finished_export(
    fake: IpsFake, session: requests.Session
) -> None:
    client, auth = soap_client(fake.app)
    client.service.submitJob(
        companyHandle="c|47",
        jobName="export",
        exportJob={
            "assetHandleArray": {"items": ["a|47|5|1"]},
            "fmt": "orig",
            "emailSetting": "None",
        },
        _soapheaders=[auth],
    )
    early = session.get(ADMIN + "/exports/1.zip")
    session.post(ADMIN + "/clock", json={"advance": 60})

    response = session.get(ADMIN + "/exports/1.zip")

    assert early.status_code == 404
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == 'attachment; filename="export-1.zip"'
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        assert archive.read("manifest.txt") == b"a|47|5|1\n"


def test_unknown_route_and_wrong_method_answer_json_errors(session: requests.Session) -> None:
    missing = session.get(ADMIN + "/nothing-here")
    wrong_method = session.delete(ADMIN + "/clock")

    assert missing.status_code == 404
    assert "error" in missing.json()
    assert wrong_method.status_code == 405
    assert "error" in wrong_method.json()


# -- over real HTTP ---------------------------------------------------------------------------


@pytest.fixture
def server() -> Iterator[FakeServer]:
    with FakeServer(IpsFake()) as running:
        yield running


def test_a_client_polls_a_served_fake_while_the_admin_api_moves_the_clock(
    server: FakeServer,
) -> None:
    client, auth = soap_client(None, server.base_url)
    admin = requests.Session()
    admin_url = server.base_url + "/_fake"
    client.service.submitJob(
        companyHandle="c|47",
        jobName="export",
        exportJob={
            "assetHandleArray": {"items": ["a|47|1|1", "a|47|2|1"]},
            "fmt": "orig",
            "emailSetting": "JobCompletion",
        },
        _soapheaders=[auth],
    )

    progress: list[int] = []
    for _ in range(50):
        jobs = client.service.getActiveJobs(
            companyHandle="c|47", originalName="export", _soapheaders=[auth]
        )
        if not jobs:
            break
        progress.append(jobs[0].progress)
        moved = admin.post(admin_url + "/clock", json={"advance": 1}, timeout=10)
        assert moved.status_code == 200
    [log] = client.service.getJobLogDetails(
        companyHandle="c|47", originalName="export", _soapheaders=[auth]
    )

    assert progress == [0, 0, 25, 50, 75]
    assert log.endDate == T0 + timedelta(seconds=5)
    [archive_row] = [d for d in log.detailArray["items"] if d.logType == "FileEnd"]
    assert archive_row.assetName == server.base_url + "/_fake/exports/1.zip"
    download = requests.get(archive_row.assetName, timeout=10)
    with zipfile.ZipFile(io.BytesIO(download.content)) as archive:
        assert archive.read("manifest.txt").decode().split() == ["a|47|1|1", "a|47|2|1"]
    outbox = admin.get(admin_url + "/outbox", timeout=10).json()
    assert [(mail["to"], mail["reason"]) for mail in outbox] == [("ipsuser@example.com", "end")]
    assert admin.get(admin_url + "/clock", timeout=10).json()["now"] == (
        "2026-01-05T09:00:05.000+00:00"
    )
