"""One protocol for a fake you drive: the in-process fake and the same fake over its admin API
answer with the same values of the same types."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from ips_fake.control import ClockNotMovable, FakeControl, HttpFake
from ips_fake.core.model import JobKind, Outcome, SubmitJobRequest
from ips_fake.core.outcomes import OutcomeRule
from ips_fake.fake import IpsFake
from ips_fake.server import FakeServer
from tests.zeep_clients import zeep_client

PUBLISH = {"publishType": "Full", "emailSetting": "All"}


@pytest.fixture
def served() -> Iterator[FakeServer]:
    with FakeServer(IpsFake()) as server:
        yield server


def drive(fake: FakeControl, service_url_wsdl: str) -> None:
    """The same steps, whichever implementation drives the fake."""
    fake.add_company("49", "Acme")
    fake.add_user("qa@example.com", roles=["IpsCompanyAdmin"], companies=["49"])
    fake.script("fail", kind="uploadUrlsJob", name_pattern="nightly-*", seconds=30)
    client = zeep_client(service_url_wsdl)
    client.service.submitJob(
        companyHandle="c|47",
        jobName="nightly",
        execSchedule="0 0 2 * * ?",
        imageServingPublishJob=PUBLISH,
    )
    fake.move_to(datetime(2026, 1, 6, 2, 0, tzinfo=UTC))
    fake.advance(minutes=1)
    client.service.getJobLogs(
        companyHandle="c|47", startDate=datetime(2026, 1, 1, tzinfo=UTC), numRows=5
    )


@pytest.mark.parametrize("driver", ["in-process", "http"])
def test_both_implementations_are_a_fake_control(served: FakeServer, driver: str) -> None:
    fake: FakeControl = served.fake if driver == "in-process" else HttpFake(served.base_url)
    assert isinstance(fake, FakeControl)
    drive(fake, served.wsdl_url())
    assert [log.original_job_name for log in fake.job_logs] == ["nightly"]


def test_the_http_fake_answers_with_the_types_of_the_local_one(served: FakeServer) -> None:
    local: IpsFake = served.fake
    remote = HttpFake(served.base_url + "/scene7/services/IpsApiService")
    drive(remote, served.wsdl_url())

    assert remote.now() == local.now()
    assert remote.scheduled_jobs == local.scheduled_jobs
    assert remote.active_jobs == local.active_jobs
    assert remote.job_logs == local.job_logs
    assert remote.outbox == local.outbox
    assert remote.directory_data() == local.directory_data()
    # the admin API masks the password in the request bytes it shows; the rest is alike
    assert [replace(e, request=b"") for e in remote.journal] == [
        replace(e, request=b"") for e in local.journal
    ]
    assert all(b"<ns0:password>***<" in e.request for e in remote.journal)
    submit, logs = remote.journal[-2:]
    assert isinstance(submit.params["request"], SubmitJobRequest)
    assert logs.params["startDate"] == datetime(2026, 1, 1, tzinfo=UTC)


def test_rules_and_directory_entries_come_back_as_added(served: FakeServer) -> None:
    remote = HttpFake(served.base_url)
    rule = remote.script("warn", kind="exportJob", seconds=5)
    assert rule == OutcomeRule(Outcome.WARN, JobKind.EXPORT, None, 5)
    assert served.fake.service.outcomes.rules == (rule,)
    user = remote.add_user("new@example.com", "s3cret", companies="all")
    assert user == served.fake.directory.users["new@example.com"]
    with pytest.raises(ValueError, match="already exists"):
        remote.add_company("47")
    remote.reset()
    assert not served.fake.service.outcomes.rules


def test_a_clock_that_cannot_move_says_so() -> None:
    from ips_fake.clocks import WallClock

    with (
        FakeServer(IpsFake(clock=WallClock())) as server,
        pytest.raises(ClockNotMovable, match="cannot move its clock"),
    ):
        HttpFake(server.base_url).advance(60)


def test_verify_moves_a_served_clock_through_the_protocol_and_reports_a_refusal() -> None:
    from ips_fake.clocks import WallClock
    from ips_fake.recording import CassetteError, http_clock_mover

    with FakeServer(IpsFake()) as server:
        http_clock_mover(server.base_url)(datetime(2026, 2, 1, tzinfo=UTC))
        assert server.fake.now() == datetime(2026, 2, 1, tzinfo=UTC)
    with (
        FakeServer(IpsFake(clock=WallClock())) as server,
        pytest.raises(CassetteError, match=r"could not move the clock of .*cannot move"),
    ):
        http_clock_mover(server.base_url)(datetime(8000, 1, 1, tzinfo=UTC))
