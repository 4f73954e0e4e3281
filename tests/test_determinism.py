"""Same requests and same clock moves give the same bytes: one scripted scenario run on fresh
fakes (and on a fake that was used and reset) answers byte for byte alike."""

from __future__ import annotations

import contextlib

import zeep

from ips_fake.fake import IpsFake
from ips_fake.transport import INPROCESS_BASE_URL, InProcessTransport, in_process_session

# 2016-01-14-beta: the scenario uses includeWaitingJobs and getJobLogDetails paging
WSDL = INPROCESS_BASE_URL + "/scene7/webservice/IpsApi-2016-01-14-beta.wsdl"
LEGACY_WSDL = INPROCESS_BASE_URL + "/scene7/webservice/IpsApi.wsdl"


def play_scenario(fake: IpsFake) -> list[bytes]:
    """Submits, clock moves, pause/resume, a failure, faults and queries; returns the admin
    API's view of the end state (the SOAP answers are in the fake's journal)."""
    client = zeep.Client(WSDL, transport=InProcessTransport(fake.app))
    auth = client.get_element("ns0:authHeader")(user="ipsuser@example.com", password="password")
    service = client.service
    admin = in_process_session(fake.app)
    admin.post(
        INPROCESS_BASE_URL + "/_fake/outcomes", json={"outcome": "fail", "name_pattern": "bad-*"}
    )

    service.submitJob(
        companyHandle="c|47",
        jobName="hourly",
        execSchedule="0 0 * * * ?",
        locale="fr-FR",
        imageServingPublishJob={"publishType": "Incremental", "emailSetting": "All"},
        _soapheaders=[auth],
    )
    service.submitJob(
        companyHandle="c|47",
        jobName="upload",
        uploadUrlsJob={
            "urlArray": {
                "items": [
                    {"sourceUrl": f"http://example.com/{n}.jpg", "destPath": f"in/{n}.jpg"}
                    for n in range(4)
                ]
            },
            "overwrite": True,
            "readyForPublish": True,
            "createMask": False,
            "emailSetting": "ErrorAndWarning",
        },
        _soapheaders=[auth],
    )
    service.submitJob(
        companyHandle="c|47",
        jobName="bad-export",
        execTime="2026-01-05T11:30:00+02:00",
        exportJob={
            "assetHandleArray": {"items": ["a|47|1|1"]},
            "fmt": "orig",
            "emailSetting": "Error",
        },
        _soapheaders=[auth],
    )
    fake.advance(seconds=4)
    [upload] = service.getActiveJobs(
        companyHandle="c|47", originalName="upload", _soapheaders=[auth]
    )
    service.pauseJob(companyHandle="c|47", jobHandle=upload.jobHandle, _soapheaders=[auth])
    fake.advance(minutes=10)
    service.getActiveJobs(companyHandle="c|47", _soapheaders=[auth])
    service.resumeJob(companyHandle="c|47", jobHandle=upload.jobHandle, _soapheaders=[auth])
    fake.advance(hours=2, minutes=3)
    service.executeJob(companyHandle="c|47", jobHandle="j|47|hourly||", _soapheaders=[auth])
    service.executeJob(companyHandle="c|47", jobHandle="j|47|hourly||", _soapheaders=[auth])
    service.getActiveJobs(companyHandle="c|47", includeWaitingJobs=True, _soapheaders=[auth])
    with contextlib.suppress(zeep.exceptions.Fault):
        service.resumeJob(companyHandle="c|47", jobHandle="j|47|nothing||", _soapheaders=[auth])
    fake.advance(seconds=30)
    service.getScheduledJobs(companyHandle="c|47", _soapheaders=[auth])
    service.getJobLogs(
        companyHandle="c|47", sortBy="JobName", sortDirection="Ascending", _soapheaders=[auth]
    )
    service.getJobLogDetails(companyHandle="c|47", originalName="hourly", _soapheaders=[auth])
    service.getJobLogDetails(
        companyHandle="c|47",
        originalName="bad-export",
        recordsPerPage=3,
        resultsPage=2,
        _soapheaders=[auth],
    )
    service.getAssetJobLogs(companyHandle="c|47", assetHandle="a|47|2|1", _soapheaders=[auth])
    legacy = zeep.Client(LEGACY_WSDL, transport=InProcessTransport(fake.app))
    legacy_auth = legacy.get_element("ns0:authHeader")(
        user="ipsuser@example.com", password="password"
    )
    legacy.service.getJobLogs(companyHandle="47", numRows=3, _soapheaders=[legacy_auth])
    return [
        admin.get(INPROCESS_BASE_URL + "/_fake/" + route).content
        for route in ("state", "journal")
    ]  # fmt: skip


def exchanges(fake: IpsFake) -> list[tuple[str | None, int, bytes, bytes]]:
    return [(e.operation, e.status, e.request, e.response) for e in fake.journal]


def test_the_scenario_covers_what_it_claims() -> None:
    fake = IpsFake()

    play_scenario(fake)

    operations = [operation for operation, _, _, _ in exchanges(fake)]
    assert operations.count("submitJob") == 3
    assert {"pauseJob", "resumeJob", "executeJob", "getAssetJobLogs"} <= set(operations)
    assert [e.fault_code for e in fake.journal if e.fault_code] == [30001]
    assert any(log.fatal_error for log in fake.job_logs)
    assert len([log for log in fake.job_logs if log.original_job_name == "hourly"]) == 4
    assert fake.outbox


def test_two_fresh_fakes_answer_the_same_scenario_byte_for_byte() -> None:
    first, second = IpsFake(), IpsFake()

    first_views = play_scenario(first)
    second_views = play_scenario(second)

    assert len(first.journal) == len(second.journal) == 17
    for one, other in zip(exchanges(first), exchanges(second), strict=True):
        assert one == other
    assert first_views == second_views


def test_a_reset_fake_answers_like_a_fresh_one() -> None:
    fresh, reused = IpsFake(), IpsFake()
    play_scenario(reused)
    reused.reset()
    fresh.advance(seconds=(reused.now() - fresh.now()).total_seconds())

    play_scenario(fresh)
    play_scenario(reused)

    assert exchanges(fresh) == exchanges(reused)
