"""The ``ips_fake`` handle as tests use it: marker keys, the freezegun clock, logging in by
role, clients for every SOAP and API version, and the request journal."""

from __future__ import annotations

import json

import pytest

HANDLE_TESTS = """
from datetime import UTC, datetime, timedelta

import freezegun
import pytest
import requests
import zeep

from ips_fake.testing import ClockModeError, Login

PUBLISH = {"publishType": "Full", "emailSetting": "None"}


def submit(client, name="job", **extra):
    return client.service.submitJob(
        companyHandle="c|47", jobName=name, imageServingPublishJob=PUBLISH, **extra)


@pytest.mark.ips_fake(start="2026-02-01T10:00:00+00:00")
def test_start_as_text(ips_fake):
    assert ips_fake.now() == datetime(2026, 2, 1, 10, 0, tzinfo=UTC)


@pytest.mark.ips_fake(start=datetime(2026, 7, 1, 6, 30, tzinfo=UTC))
def test_start_as_datetime(ips_fake):
    submit(ips_fake.client())
    assert ips_fake.active_jobs[0].trigger_time == datetime(2026, 7, 1, 6, 30, tzinfo=UTC)


@pytest.mark.ips_fake(version="pre-4.0")
def test_version_marker(ips_fake):
    assert submit(ips_fake.client(), "legacy") == "47|legacy|"
    assert ips_fake.journal[0].namespace == "http://www.scene7.com/IpsApi/xsd"


@pytest.mark.ips_fake(user="other@example.com")
def test_user_marker(ips_fake):
    with pytest.raises(zeep.exceptions.Fault):
        submit(ips_fake.client())  # other@ belongs to company 48 only
    [refused] = ips_fake.journal
    assert (refused.caller, refused.status, refused.problem) == ("other@example.com", 500, None)
    assert refused.fault_code is not None


@pytest.mark.ips_fake(user="IpsAdmin")
def test_user_marker_naming_a_role(ips_fake):
    submit(ips_fake.client())
    assert ips_fake.journal[0].caller == "ipsadmin@example.com"


@pytest.mark.ips_fake(directory="directories/small.json")
def test_directory_marker(ips_fake):
    assert [u["email"] for u in ips_fake.directory["users"]] == ["solo@example.com"]
    assert submit(ips_fake.client(user="solo@example.com")) == "j|47|job||"


@pytest.mark.ips_fake(time_zone="Europe/Berlin")
def test_time_zone_marker(ips_fake):
    assert ips_fake.now().utcoffset() == timedelta(hours=1)
    assert ips_fake.now() == datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


@pytest.mark.ips_fake(seconds_per_item=30)
def test_seconds_per_item_marker(ips_fake):
    submit(ips_fake.client())
    ips_fake.advance(minutes=10)
    [log] = ips_fake.job_logs
    assert log.end_date - log.start_date >= timedelta(seconds=90)


@pytest.mark.ips_fake(colour="blue")
def test_unknown_marker_key(ips_fake):
    pass


@pytest.mark.ips_fake("freezegun")
def test_positional_marker_argument(ips_fake):
    pass


@pytest.mark.ips_fake(version="pre-4.0", start="2026-03-03T03:00:00+00:00")
class TestClassMarker:
    @pytest.mark.ips_fake(version="4.0")
    def test_closest_marker_wins(self, ips_fake):
        assert submit(ips_fake.client(), "close") == "j|47|close||"
        assert ips_fake.journal[0].namespace.endswith("/2008-01-15")
        assert ips_fake.now() == datetime(2026, 3, 3, 3, 0, tzinfo=UTC)


@pytest.mark.ips_fake(clock="freezegun")
def test_freezegun_clock(ips_fake):
    with freezegun.freeze_time("2026-05-05 12:00:00") as frozen:
        assert ips_fake.now() == datetime(2026, 5, 5, 12, 0, tzinfo=UTC)
        submit(ips_fake.client(), "frozen", execSchedule="0 0 13 * * ?")
        frozen.tick(3600)
        ips_fake.now()  # reading the time lets due jobs fire
        frozen.tick(60)
        [log] = ips_fake.job_logs
        assert log.start_date == datetime(2026, 5, 5, 13, 0, tzinfo=UTC)
        frozen.move_to("2026-05-06 13:01:00")
        assert len(ips_fake.job_logs) == 2
        with pytest.raises(ClockModeError, match="advance"):
            ips_fake.advance(minutes=1)
        with pytest.raises(ClockModeError, match="move_to"):
            ips_fake.move_to(datetime(2026, 6, 1, tzinfo=UTC))


def test_login_by_role(ips_fake):
    assert ips_fake.login("ImagePortalUser") == Login("portaluser@example.com", "password")
    assert ips_fake.login("IpsAdmin") == Login("ipsadmin@example.com", "password")
    created = ips_fake.login("IpsCompanyAdmin", company="48")
    assert created == Login("ipscompanyadmin.48@example.com", "password")
    [user] = [u for u in ips_fake.directory["users"] if u["email"] == created.email]
    assert (user["roles"], user["companies"]) == (["IpsCompanyAdmin"], ["48"])
    client = ips_fake.client(user="IpsCompanyAdmin")
    assert not client.service.getActiveJobs(companyHandle="c|47")
    assert ips_fake.journal[0].caller == "companyadmin@example.com"


def test_directory_changes(ips_fake):
    company = ips_fake.add_company("49", "Forty-nine")
    ips_fake.add_user("qa49@example.com", "pw49", roles=["IpsUser"], companies=["49"])
    client = ips_fake.client(user="qa49@example.com")
    handle = client.service.submitJob(
        companyHandle="c|49", jobName="x", imageServingPublishJob=PUBLISH)
    assert (company.name, handle) == ("Forty-nine", "j|49|x||")
    assert ips_fake.login("qa49@example.com") == Login("qa49@example.com", "pw49")


@pytest.mark.parametrize("transport", ["http", "inprocess"])
@pytest.mark.parametrize("version", ["pre-4.0", "4.5", "6.6", "2014-04-03", "beta"])
def test_soap_12_and_older_versions(ips_fake, transport, version):
    client = ips_fake.client(version, soap="1.2", transport=transport)
    submit(client, "soap12")
    [exchange] = ips_fake.journal
    assert (exchange.operation, exchange.soap_version, exchange.status) == ("submitJob", "1.2", 200)


def test_journal_contents(ips_fake):
    client = ips_fake.client()
    submit(client, "journalled", execSchedule="0 0 2 * * ?")
    with pytest.raises(zeep.exceptions.Fault):
        client.service.executeJob(companyHandle="c|47", jobHandle="j|47|nope||")
    ok, fault = ips_fake.journal
    assert (ok.sequence, ok.operation, ok.caller, ok.status, ok.fault_code) == (
        1, "submitJob", "ipsuser@example.com", 200, None)
    assert ok.params["request"].job_name == "journalled"
    assert ok.params["request"].exec_schedule == "0 0 2 * * ?"
    assert b"journalled" in ok.request
    assert b"j|47|journalled||" in ok.response
    assert (fault.operation, fault.status, fault.params["jobHandle"]) == (
        "executeJob", 500, "j|47|nope||")
    assert fault.fault_code == 30001
    assert "nope" in fault.fault_reason
    assert ips_fake.problems == []  # a fault IPS would give is no problem


def test_scripted_outcome_and_outbox(ips_fake):
    ips_fake.script("fail", name_pattern="doomed-*", seconds=30)
    client = ips_fake.client()
    client.service.submitJob(companyHandle="c|47", jobName="doomed-1",
                             imageServingPublishJob={"publishType": "Full", "emailSetting": "All"})
    ips_fake.advance(seconds=29)
    assert [run.original_name for run in ips_fake.active_jobs] == ["doomed-1"]
    ips_fake.advance(seconds=2)
    [log] = ips_fake.job_logs
    assert log.file_error_count > 0
    assert [mail.reason for mail in ips_fake.outbox] == ["start", "end"]


@pytest.mark.ips_fake(transport="inprocess")
def test_in_process_urls_and_sessions(ips_fake, ips_fake_client, ips_fake_server):
    assert ips_fake.url == "http://ips-fake.invalid/scene7/services/IpsApiService"
    assert ips_fake.base_url("http") == ips_fake_server.base_url("http")
    assert not ips_fake_client.service.getScheduledJobs(companyHandle="c|47")
    session = ips_fake.requests_session()
    assert session.get(ips_fake.wsdl_url("6.0")).status_code == 200
    with pytest.raises(requests.ConnectionError, match="only serves"):
        session.get("http://example.com/")
    with zeep.Client(ips_fake.wsdl_url(), transport=ips_fake.transport()) as own:
        assert own.wsdl.services["IpsApiService"].ports["IpsApiSoapPort"] is not None
"""

SMALL_DIRECTORY = {
    "companies": [{"id": "47", "name": "Only"}],
    "users": [
        {"email": "solo@example.com", "password": "pw", "roles": ["IpsUser"], "companies": ["47"]}
    ],
}


def test_marker_keys_clock_login_clients_and_journal(pytester: pytest.Pytester) -> None:
    folder = pytester.mkdir("directories")
    (folder / "small.json").write_text(json.dumps(SMALL_DIRECTORY), encoding="utf-8")
    pytester.makepyfile(test_handle=HANDLE_TESTS)

    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-rfE")

    result.assert_outcomes(passed=25, errors=2)
    result.stdout.fnmatch_lines(
        [
            "*ERROR at setup of test_unknown_marker_key _*",
            "@pytest.mark.ips_fake got unknown setting(s) colour; it accepts clock, start, *",
            "*ERROR at setup of test_positional_marker_argument _*",
            "@pytest.mark.ips_fake takes keywords only, e.g. *",
            "*short test summary info*",
        ]
    )
