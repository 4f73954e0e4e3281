"""The service as a whole: scripted outcomes, a client's polling loop over SOAP, reset."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
import zeep

from ips_fake.clocks import WallClock
from ips_fake.core.errors import IpsFault
from ips_fake.core.model import (
    EmailSetting,
    JobKind,
    JobLogInfo,
    JobPayload,
    Outcome,
    SubmitJobRequest,
    WorkItem,
)
from ips_fake.fake import IpsFake
from ips_fake.transport import INPROCESS_BASE_URL, InProcessTransport, in_process_session
from tests.core.job_builders import PUBLISH, T0, ips_user, upload_urls_job

WSDL = INPROCESS_BASE_URL + "/scene7/webservice/IpsApi-2014-04-03.wsdl"


def publish(setting: EmailSetting = EmailSetting.NONE) -> JobPayload:
    return JobPayload(
        kind=JobKind.IMAGE_SERVING_PUBLISH,
        element="imageServingPublishJob",
        options=(("publishType", "Full"), ("emailSetting", setting.value)),
        email_setting=setting,
        publish_type="Full",
    )


UPLOAD = JobPayload(
    kind=JobKind.UPLOAD_URLS,
    element="uploadUrlsJob",
    options=(),
    items=tuple(WorkItem(f"in/{n}.jpg") for n in range(1, 4)),
)


def run_jobs(fake: IpsFake, *jobs: tuple[str, JobPayload]) -> dict[str, JobLogInfo]:
    """Submit the jobs now, let them all finish, and return their logs by job name."""
    for name, payload in jobs:
        fake.service.submit_job(ips_user(fake), SubmitJobRequest("47", name, payload))
    fake.advance(hours=1)
    return {log.original_job_name: log for log in fake.job_logs}


def test_default_outcome_is_success() -> None:
    fake = IpsFake()

    log = run_jobs(fake, ("publish", publish()))["publish"]

    assert (log.file_success_count, log.file_error_count, log.fatal_error) == (3, 0, False)
    assert log.log_type == "EndImageServingPublish"


def test_scripted_failure_gives_fatal_error_error_types_and_an_error_mail() -> None:
    fake = IpsFake()
    fake.script("fail")

    logs = run_jobs(
        fake, ("mailed", publish(EmailSetting.ERROR)), ("silent", publish(EmailSetting.NONE))
    )

    for log in logs.values():
        assert log.fatal_error
        assert log.log_type == "FatalError"
        assert (log.file_success_count, log.file_error_count) == (0, 1)
        assert [d.log_type for d in log.details][4:] == [
            "ImageServingPublishError",
            "FatalError",
            "EndImageServingPublish",
        ]
        assert log.end_date == log.start_date + timedelta(seconds=3)  # aborts after one item
    assert [(mail.job_name, mail.subject) for mail in fake.outbox] == [
        ("mailed", "IPS job failed: mailed")
    ]


def test_scripted_warning_and_duplicates() -> None:
    fake = IpsFake()
    fake.script("warn", name_pattern="warned")
    fake.script(Outcome.DUPLICATES, name_pattern="dupes")

    logs = run_jobs(fake, ("warned", UPLOAD), ("dupes", UPLOAD))

    warned, dupes = logs["warned"], logs["dupes"]
    assert (warned.file_success_count, warned.file_warning_count) == (3, 3)
    assert warned.transfer_warning_count == 3
    assert [d.log_type for d in warned.details].count("UploadWarning") == 3
    assert not warned.fatal_error
    assert (dupes.file_success_count, dupes.file_duplicate_count) == (0, 3)
    assert [d.log_type for d in dupes.details].count("DuplicateSkipped") == 3
    assert dupes.details[4].log_message == "in/1.jpg: duplicate skipped"


def test_scripted_seconds_set_how_long_the_work_takes() -> None:
    fake = IpsFake()
    fake.script(seconds=60, name_pattern="slow")
    user = ips_user(fake)
    fake.service.submit_job(user, SubmitJobRequest("47", "slow", publish()))

    fake.advance(seconds=31)
    [run] = fake.active_jobs
    assert run.progress == 50
    fake.advance(seconds=30)

    [log] = fake.job_logs
    assert log.end_date == T0 + timedelta(seconds=61)
    assert log.file_success_count == 3


def test_rules_match_by_kind_and_by_name_pattern() -> None:
    fake = IpsFake()
    fake.script("fail", kind="uploadUrlsJob")
    fake.script("warn", kind=JobKind.IMAGE_SERVING_PUBLISH, name_pattern="nightly-*")

    logs = run_jobs(
        fake,
        ("upload", UPLOAD),
        ("nightly-publish", publish()),
        ("daily-publish", publish()),
    )

    assert logs["upload"].fatal_error
    assert logs["nightly-publish"].file_warning_count == 3
    assert (logs["daily-publish"].file_warning_count, logs["daily-publish"].fatal_error) == (
        0,
        False,
    )


def test_the_newest_matching_rule_wins() -> None:
    fake = IpsFake()
    fake.script("fail")
    fake.script("success", name_pattern="keep-*")
    fake.script("warn", name_pattern="keep-warned")

    logs = run_jobs(fake, ("other", publish()), ("keep-ok", publish()), ("keep-warned", publish()))

    assert logs["other"].fatal_error
    assert not logs["keep-ok"].fatal_error
    assert logs["keep-ok"].file_warning_count == 0
    assert logs["keep-warned"].file_warning_count == 3


def test_each_run_follows_the_rules_in_force_when_it_starts() -> None:
    fake = IpsFake()
    fake.service.submit_job(
        ips_user(fake), SubmitJobRequest("47", "hourly", publish(), exec_schedule="0 0 * * * ?")
    )
    fake.advance(hours=1, minutes=1)
    fake.script("fail", name_pattern="hourly")
    fake.advance(hours=1)
    fake.service.outcomes.clear()
    fake.advance(hours=1)

    assert [log.fatal_error for log in fake.job_logs] == [False, True, False]


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"outcome": "explode"}, "explode"),
        ({"kind": "noSuchJob"}, "unknown job kind"),
        ({"seconds": -1}, "must not be negative"),
        ({"seconds": float("nan")}, "finite"),
        ({"seconds": 10**12}, "at most"),
        ({"name_pattern": 5}, "name_pattern must be a string"),
    ],
)
def test_bad_rules_are_refused(arguments: dict[str, Any], message: str) -> None:
    fake = IpsFake()

    with pytest.raises(ValueError, match=message):
        fake.script(**arguments)

    assert fake.service.outcomes.rules == ()


def test_outcomes_set_through_the_admin_api_apply_to_soap_jobs() -> None:
    fake = IpsFake()
    admin = in_process_session(fake.app)
    created = admin.post(
        INPROCESS_BASE_URL + "/_fake/outcomes",
        json={"outcome": "fail", "kind": "imageServingPublishJob", "name_pattern": "nightly-*"},
    )
    assert created.status_code == 201
    assert created.json()["kind"] == "imageServingPublishJob"
    client = zeep.Client(WSDL, transport=InProcessTransport(fake.app))
    auth = client.get_element("ns0:authHeader")(user="ipsuser@example.com", password="password")
    for name in ("nightly-1", "daily-1"):
        client.service.submitJob(
            companyHandle="c|47",
            jobName=name,
            imageServingPublishJob={"publishType": "Full", "emailSetting": "Error"},
            _soapheaders=[auth],
        )
    fake.advance(minutes=1)

    logs = client.service.getJobLogs(companyHandle="c|47", _soapheaders=[auth])

    assert {log.originalJobName: log.fatalError for log in logs} == {
        "nightly-1": True,
        "daily-1": False,
    }
    assert [mail.job_name for mail in fake.outbox] == ["nightly-1"]


def test_a_client_polling_loop_sees_progress_rise_and_then_the_log() -> None:
    fake = IpsFake()
    client = zeep.Client(WSDL, transport=InProcessTransport(fake.app))
    auth = client.get_element("ns0:authHeader")(user="ipsuser@example.com", password="password")
    client.service.submitJob(
        companyHandle="c|47",
        jobName="upload",
        uploadUrlsJob=upload_urls_job(5),
        _soapheaders=[auth],
    )

    seen: list[tuple[str, int, str]] = []
    for _ in range(100):
        jobs = client.service.getActiveJobs(
            companyHandle="c|47", originalName="upload", _soapheaders=[auth]
        )
        if not jobs:
            break
        [job] = jobs
        seen.append((job.state, job.progress, job.progressMessage))
        fake.advance(seconds=1)
    [log] = client.service.getJobLogDetails(
        companyHandle="c|47", originalName="upload", _soapheaders=[auth]
    )

    assert [progress for _, progress, _ in seen] == [0, 0, 10, 20, 30, 40, 50, 60, 70, 80, 90]
    assert [state for state, _, _ in seen] == ["New"] + ["Running"] * 10
    assert seen[3][2] == "Processed 1 of 5"
    assert log.originalJobName == "upload"
    assert log.endDate == T0 + timedelta(seconds=11)
    assert (log.fileSuccessCount, log.transferSuccessCount, log.totalFileCount) == (5, 5, 5)
    handles = [d.assetHandle for d in log.detailArray["items"] if d.logType == "UploadSuccess"]
    assert handles == [f"a|47|{n}|1" for n in range(1, 6)]


def test_reset_forgets_jobs_logs_mail_outcomes_and_counters() -> None:
    fake = IpsFake()
    fake.script("fail")
    fake.add_company("49")
    run_jobs(fake, ("publish", publish(EmailSetting.ALL)), ("upload", UPLOAD))
    fake.service.submit_job(
        ips_user(fake), SubmitJobRequest("47", "hourly", publish(), exec_schedule="0 0 * * * ?")
    )
    assert fake.now() > T0

    fake.reset()

    assert (fake.job_logs, fake.outbox, fake.scheduled_jobs, fake.active_jobs) == ([], [], [], [])
    assert fake.service.outcomes.rules == ()
    assert "49" not in fake.directory.companies
    assert fake.now() == T0
    assert fake.service.pending_fire_count() == 0
    logs = run_jobs(fake, ("upload", UPLOAD))
    assert logs["upload"].run_id == 1
    assert not logs["upload"].fatal_error
    assert logs["upload"].details[4].asset_handle == "a|47|1|1"


@pytest.mark.parametrize("name", ["|x", "a|b", "x|"])
def test_a_job_name_with_a_bar_is_refused_naming_job_name(name: str) -> None:
    fake = IpsFake()

    with pytest.raises(IpsFault) as raised:
        fake.service.submit_job(ips_user(fake), SubmitJobRequest("47", name, PUBLISH))

    assert raised.value.code == 30001
    assert raised.value.reason.startswith(f"jobName {name!r} contains '|'")
    assert fake.scheduled_jobs == []


@pytest.mark.parametrize(
    ("exec_time", "message"),
    [
        ("9999-12-31T23:59:59-14:00", "execTime 9999-12-31T23:59:59-14:00 cannot be represented"),
        ("0001-01-01T00:00:00+14:00", "execTime 0001-01-01T00:00:00+14:00 cannot be represented"),
        ("9000-01-01T00:00:01+00:00", "execTime 9000-01-01T00:00:01+00:00 is past the fake's"),
    ],
)
def test_exec_times_at_the_calendars_ends_are_refused_naming_exec_time(
    exec_time: str, message: str
) -> None:
    fake = IpsFake()
    request = SubmitJobRequest("47", "late", PUBLISH, exec_time=datetime.fromisoformat(exec_time))

    with pytest.raises(IpsFault) as raised:
        fake.service.submit_job(ips_user(fake), request)

    assert raised.value.code == 30001
    assert raised.value.reason.startswith(message)
    assert fake.scheduled_jobs == []
    later = SubmitJobRequest("47", "late", PUBLISH, exec_schedule="0 0 * * * ?")
    assert fake.service.submit_job(ips_user(fake), later).name == "late"


def test_reset_puts_a_manual_clock_back_to_its_start_and_leaves_a_wall_clock_alone() -> None:
    fake = IpsFake()
    fake.advance(hours=5)

    fake.reset()

    assert fake.now() == T0
    walled = IpsFake(clock=WallClock())
    before = walled.now()
    walled.reset()
    assert walled.now() >= before
