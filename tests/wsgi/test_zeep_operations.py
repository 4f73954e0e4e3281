"""All eleven job operations through zeep, built from the served WSDL, over SOAP 1.1 and 1.2.

Every test runs once per port (``IpsApiSoapPort`` and ``IpsApiSoap12Port``) and checks the
journal to make sure the calls really went out in that SOAP version. The module speaks
2016-01-14-beta, the first version with ``includeWaitingJobs`` and ``detailTotalRows``
(tests/wsgi/test_versions.py calls every version).
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import zeep

from ips_fake.fake import IpsFake
from tests.zeep_clients import ServiceFactory, listed

START = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
IMAGE_SERVING = {"publishType": "Full", "emailSetting": "Error"}


@pytest.fixture
def zeep_wsdl() -> str:
    return "/scene7/webservice/IpsApi-2016-01-14-beta.wsdl"


def soap_versions_used(fake: IpsFake) -> set[str | None]:
    return {exchange.soap_version for exchange in fake.journal}


def test_the_manual_clock_starts_where_the_readme_says(fake: IpsFake) -> None:
    assert fake.now() == START


def test_scheduled_job_is_listed_paused_resumed_and_deleted(
    fake: IpsFake, service: zeep.proxy.ServiceProxy, soap_version: str
) -> None:
    handle = service.submitJob(
        companyHandle="c|47",
        jobName="Nightly publish",
        execSchedule="0 0 0 * * ?",
        description="every midnight",
        imageServingPublishJob=IMAGE_SERVING,
    )
    assert handle == "j|47|Nightly publish||"

    (job,) = service.getScheduledJobs(companyHandle="c|47")
    assert job.jobHandle == handle
    assert job.companyHandle == "c|47"
    assert (job.name, job.originalName) == ("Nightly publish", "Nightly publish")
    assert job.type == "ImageServingPublish"
    assert job.submitUserEmail == "ipsuser@example.com"
    assert job.description == "every midnight"
    assert job.execSchedule == "0 0 0 * * ?"
    assert job.nextFireTime == datetime(2026, 1, 6, 0, 0, tzinfo=UTC)
    assert job.timeZone == "UTC"
    assert job.triggerState == "Normal"
    assert job.imageServingPublishJob.publishType == "Full"
    assert job.imageServingPublishJob.emailSetting == "Error"
    # IPS echoes an empty httpCompletionUrl, which zeep reads as None
    assert job.imageServingPublishJob.httpCompletionUrl is None
    assert b"<httpCompletionUrl></httpCompletionUrl>" in fake.journal[-1].response

    assert service.pauseJob(companyHandle="c|47", jobHandle=handle) is None
    (paused,) = service.getScheduledJobs(companyHandle="c|47", jobHandle=handle)
    assert paused.triggerState == "Paused"

    # Midnight passes while paused: nothing fires.
    fake.advance(hours=16)
    assert listed(service.getActiveJobs(companyHandle="c|47", includeWaitingJobs=True)) == []
    assert listed(service.getJobLogs(companyHandle="c|47")) == []

    assert service.resumeJob(companyHandle="c|47", jobHandle=handle) is None
    (resumed,) = service.getScheduledJobs(companyHandle="c|47", originalName="Nightly publish")
    assert resumed.triggerState == "Normal"
    assert resumed.nextFireTime == datetime(2026, 1, 7, 0, 0, tzinfo=UTC)

    assert service.deleteJob(companyHandle="c|47", jobHandle=handle) is None
    assert listed(service.getScheduledJobs(companyHandle="c|47")) == []
    assert soap_versions_used(fake) == {soap_version}


def test_runs_progress_stop_and_leave_job_logs(
    fake: IpsFake, service: zeep.proxy.ServiceProxy, soap_version: str
) -> None:
    handle = service.submitJob(
        companyHandle="c|47",
        jobName="Publish now",
        imageServingPublishJob=IMAGE_SERVING,
    )
    assert handle == "j|47|Publish now||"

    (run,) = service.getActiveJobs(companyHandle="c|47")
    assert run.name == "Publish now_2026-01-05-09:00:00.000"
    assert run.jobHandle == "j|47||Publish now_2026-01-05-09:00:00.000|1"
    assert run.originalName == "Publish now"
    assert run.state == "New"
    assert run.progress == 0
    assert run.startDate == START
    assert run.totalSize == 3
    assert run.imageServingPublishJob.publishType == "Full"

    fake.advance(seconds=3)
    (running,) = service.getActiveJobs(companyHandle="c|47", jobHandle=run.jobHandle)
    assert running.state == "Running"
    (task,) = running.taskProgressArray["items"]
    assert task.taskType == "ImageServingPublish"
    assert task.numProcessed == 1
    assert task.numProcessed + task.numProcessing + task.numPending == 3

    fake.advance(seconds=10)
    assert listed(service.getActiveJobs(companyHandle="c|47")) == []
    (log,) = service.getJobLogs(companyHandle="c|47")
    assert log.jobHandle == run.jobHandle
    assert (log.jobName, log.originalJobName) == (run.name, "Publish now")
    assert log.logType == "EndImageServingPublish"
    assert log.jobSubType == "full"
    assert (log.fileSuccessCount, log.fileErrorCount, log.totalFileCount) == (3, 0, 3)
    assert log.fatalError is False
    assert log.startDate == START
    assert log.endDate == datetime(2026, 1, 5, 9, 0, 7, tzinfo=UTC)
    assert log.detailArray is None

    (detailed,) = service.getJobLogDetails(companyHandle="c|47", originalName="Publish now")
    rows = detailed.detailArray["items"]
    assert detailed.detailTotalRows == len(rows) == 8
    assert [row.logType for row in rows] == [
        "OriginalJobName",
        "JobClient",
        "JobType",
        "BeginImageServingPublish",
        "ImageServingPublishSuccess",
        "ImageServingPublishSuccess",
        "ImageServingPublishSuccess",
        "EndImageServingPublish",
    ]
    assert rows[0].logMessage == "Publish now"
    assert rows[-1].logMessage == (
        "Job Publish now_2026-01-05-09:00:00.000 finished: 3 succeeded, 0 failed, 0 warnings"
    )

    # executeJob starts a second run of the same job; pause, resume and stop it.
    assert service.executeJob(companyHandle="c|47", jobHandle=handle) is None
    (second,) = service.getActiveJobs(companyHandle="c|47")
    assert second.name == "Publish now_2026-01-05-09:00:13.000"
    assert second.jobHandle == "j|47||Publish now_2026-01-05-09:00:13.000|2"
    fake.advance(seconds=2)
    assert service.pauseJob(companyHandle="c|47", jobHandle=second.jobHandle) is None
    fake.advance(minutes=10)
    (held,) = service.getActiveJobs(companyHandle="c|47")
    assert held.jobHandle == second.jobHandle  # a paused run does not finish
    assert service.resumeJob(companyHandle="c|47", jobHandle=second.jobHandle) is None
    assert service.stopJob(companyHandle="c|47", jobHandle=second.jobHandle) is None
    (stopping,) = service.getActiveJobs(companyHandle="c|47")
    assert stopping.state == "Stopping"
    fake.advance(minutes=1)
    assert listed(service.getActiveJobs(companyHandle="c|47")) == []

    logs = service.getJobLogs(companyHandle="c|47", sortBy="StartDate", sortDirection="Ascending")
    assert [entry.jobHandle for entry in logs] == [run.jobHandle, second.jobHandle]
    assert logs[1].fileSuccessCount < 3
    newest = service.getJobLogs(
        companyHandle="c|47", sortBy="StartDate", sortDirection="Descending", numRows=1
    )
    assert [entry.jobHandle for entry in newest] == [second.jobHandle]
    assert soap_versions_used(fake) == {soap_version}


def test_asset_job_logs_follow_one_asset(
    fake: IpsFake, service: zeep.proxy.ServiceProxy, soap_version: str
) -> None:
    handle = service.submitJob(
        companyHandle="c|47",
        jobName="Reprocess two",
        reprocessAssetsJob={
            "assetHandleArray": {"items": ["a|47|100|1", "a|47|200|1"]},
            "createMask": False,
            "emailSetting": "None",
        },
    )
    assert handle == "j|47|Reprocess two||"
    fake.advance(minutes=1)

    entries = service.getAssetJobLogs(companyHandle="c|47", assetHandle="a|47|200|1")
    assert entries, "the asset's log lines are missing"
    (log,) = service.getJobLogs(companyHandle="c|47")
    for entry in entries:
        assert entry.jobHandle == log.jobHandle
        assert entry.jobName == log.jobName == "Reprocess two_2026-01-05-09:00:00.000"
        assert entry.submitUserEmail == "ipsuser@example.com"
        assert START <= entry.logDate <= fake.now()
    assert all("a|47|100|1" not in entry.logMessage for entry in entries)
    assert listed(service.getAssetJobLogs(companyHandle="c|47", assetHandle="a|47|999|1")) == []
    assert soap_versions_used(fake) == {soap_version}


def test_each_user_sees_the_jobs_of_their_own_company(service_as: ServiceFactory) -> None:
    ipsuser = service_as("ipsuser@example.com", "password")
    company_admin = service_as("companyadmin@example.com", "password")
    ips_admin = service_as("ipsadmin@example.com", "password")
    other = service_as("other@example.com", "password")
    ipsuser.submitJob(
        companyHandle="47",
        jobName="Shared",
        execSchedule="0 0 0 * * ?",
        imageServingPublishJob=IMAGE_SERVING,
    )
    other.submitJob(
        companyHandle="48",
        jobName="Elsewhere",
        execSchedule="0 0 0 * * ?",
        imageServingPublishJob=IMAGE_SERVING,
    )
    (seen,) = company_admin.getScheduledJobs(companyHandle="c|47")
    assert (seen.jobHandle, seen.submitUserEmail) == ("j|47|Shared||", "ipsuser@example.com")
    (elsewhere,) = other.getScheduledJobs()
    assert elsewhere.jobHandle == "j|48|Elsewhere||"
    everything = ips_admin.getScheduledJobs()
    assert sorted(job.jobHandle for job in everything) == ["j|47|Shared||", "j|48|Elsewhere||"]
