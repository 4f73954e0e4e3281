"""Runs over time: states, progress, pause/resume, stop, delete, executeJob, waiting runs,
and how many items each kind of job works through."""

from __future__ import annotations

from datetime import timedelta

import pytest
import zeep

from ips_fake.core.errors import FaultCode, IpsFault
from ips_fake.core.model import (
    ActiveJobInfo,
    RunState,
    SubmitJobRequest,
    TriggerState,
)
from ips_fake.fake import IpsFake
from ips_fake.transport import INPROCESS_BASE_URL, InProcessTransport
from tests.core.job_builders import PUBLISH, T0, ips_user, submit, upload_urls_job


def only_run(fake: IpsFake) -> ActiveJobInfo:
    [run] = fake.service.get_active_jobs(ips_user(fake), "47")
    return run


def run_handle_of(run: ActiveJobInfo) -> str:
    return f"47||{run.name}"


def test_a_run_goes_new_running_done_with_progress_following_the_clock() -> None:
    fake = IpsFake()
    submit(fake, "publish")

    run = only_run(fake)
    assert (run.state, run.progress, run.total_size) == (RunState.NEW, 0, 3)
    assert run.progress_message == "Waiting to start"
    assert run.start_date == run.trigger_time == T0
    assert run.tasks[0].task_state == "New"

    fake.advance(seconds=1)
    run = only_run(fake)
    assert (run.state, run.progress) == (RunState.RUNNING, 0)
    assert run.progress_message == "Processed 0 of 3"
    assert run.tasks[0].task_state == "Processing"
    assert run.tasks[0].num_processing == 1

    fake.advance(seconds=2)
    run = only_run(fake)
    assert (run.state, run.progress) == (RunState.RUNNING, 33)
    assert run.progress_message == "Processed 1 of 3"
    assert run.last_progress_update == T0 + timedelta(seconds=3)
    task = run.tasks[0]
    assert (task.num_processed, task.num_processing, task.num_pending) == (1, 1, 1)
    assert task.progress == pytest.approx(0.333)
    assert [item.progress for item in task.items] == [1.0, 0.0, 0.0]
    assert task.items[0].last_progress_update == T0 + timedelta(seconds=3)

    fake.advance(seconds=1)
    run = only_run(fake)
    assert run.progress == 50
    assert [item.progress for item in run.tasks[0].items] == [1.0, 0.5, 0.0]
    assert run.last_progress_update == T0 + timedelta(seconds=3)

    fake.advance(seconds=1)
    assert only_run(fake).progress == 66

    fake.advance(seconds=2)
    assert fake.service.get_active_jobs(ips_user(fake), "47") == []
    [log] = fake.job_logs
    assert (log.start_date, log.end_date) == (T0, T0 + timedelta(seconds=7))
    assert log.file_success_count == 3


def test_pause_holds_progress_and_resume_continues_it() -> None:
    fake = IpsFake()
    user = ips_user(fake)
    submit(fake, "publish")
    fake.advance(seconds=3)
    handle = run_handle_of(only_run(fake))

    fake.service.pause_job(user, "47", handle)
    fake.advance(hours=1)
    paused = only_run(fake)
    assert paused.progress == 33
    assert paused.state is RunState.RUNNING
    assert paused.last_progress_update == T0 + timedelta(seconds=3)

    fake.service.resume_job(user, "47", handle)
    fake.advance(seconds=1)
    resumed = only_run(fake)
    assert resumed.progress == 50
    assert resumed.last_progress_update == T0 + timedelta(seconds=3)
    fake.advance(seconds=1)
    assert only_run(fake).progress == 66
    assert only_run(fake).last_progress_update == T0 + timedelta(hours=1, seconds=5)
    fake.advance(seconds=2)

    [log] = fake.job_logs
    assert log.end_date == T0 + timedelta(hours=1, seconds=7)
    item_dates = [d.date_created for d in log.details if d.log_type == "ImageServingPublishSuccess"]
    assert item_dates == [
        T0 + timedelta(seconds=3),
        T0 + timedelta(hours=1, seconds=5),
        T0 + timedelta(hours=1, seconds=7),
    ]


def test_pausing_twice_or_resuming_a_running_run_is_a_fault_naming_the_handle() -> None:
    fake = IpsFake()
    user = ips_user(fake)
    submit(fake, "publish")
    handle = run_handle_of(only_run(fake))

    with pytest.raises(IpsFault) as not_paused:
        fake.service.resume_job(user, "47", handle)
    fake.service.pause_job(user, "47", handle)
    with pytest.raises(IpsFault) as paused_twice:
        fake.service.pause_job(user, "47", handle)

    assert not_paused.value.code == paused_twice.value.code == FaultCode.INVALID_PARAMETER
    assert handle in not_paused.value.reason
    assert "paused" in paused_twice.value.reason


def test_stop_turns_the_run_stopping_then_gone_with_a_log_of_cancelled_items() -> None:
    fake = IpsFake()
    user = ips_user(fake)
    submit(fake, "publish")
    fake.advance(seconds=3)
    handle = run_handle_of(only_run(fake))

    fake.service.stop_job(user, "47", handle)
    stopping = only_run(fake)
    assert stopping.state is RunState.STOPPING
    assert stopping.tasks[0].task_state == "Stopping"

    fake.advance(seconds=1)
    assert fake.active_jobs == []
    [log] = fake.job_logs
    assert log.end_date == T0 + timedelta(seconds=4)
    assert log.file_success_count == 1
    assert not log.fatal_error
    assert [d.log_type for d in log.details].count("FileCancel") == 2
    assert any(d.log_message == f"Job {log.job_name} was stopped" for d in log.details)
    with pytest.raises(IpsFault, match="already finished"):
        fake.service.stop_job(user, "47", handle)


def test_stopping_a_scheduled_job_stops_its_run_and_keeps_the_schedule() -> None:
    fake = IpsFake()
    user = ips_user(fake)
    submit(fake, "hourly", exec_schedule="0 0 * * * ?")
    fake.advance(hours=1)

    fake.service.stop_job(user, "47", "47|hourly|")
    fake.advance(seconds=1)

    [log] = fake.job_logs
    assert [d.log_type for d in log.details].count("FileCancel") == 3
    [job] = fake.scheduled_jobs
    assert job.trigger_state is TriggerState.NORMAL
    with pytest.raises(IpsFault, match="no run to stop"):
        fake.service.stop_job(user, "47", "47|hourly|")


def test_delete_stops_the_run_and_ends_the_schedule() -> None:
    fake = IpsFake()
    user = ips_user(fake)
    submit(fake, "hourly", exec_schedule="0 0 * * * ?")
    fake.advance(hours=1, seconds=2)

    fake.service.delete_job(user, "47", "j|47|hourly||")

    assert only_run(fake).state is RunState.STOPPING
    assert fake.scheduled_jobs == []
    fake.advance(days=1)
    assert len(fake.job_logs) == 1
    with pytest.raises(IpsFault) as raised:
        fake.service.delete_job(user, "47", "j|47|hourly||")
    assert raised.value.code == FaultCode.INVALID_PARAMETER
    submit(fake, "hourly", exec_schedule="0 0 * * * ?")  # the name is free again
    assert [job.name for job in fake.scheduled_jobs] == ["hourly"]


def test_a_listed_job_holds_its_name_and_a_finished_one_off_frees_it() -> None:
    fake = IpsFake()
    submit(fake, "nightly", exec_schedule="0 0 2 * * ?")

    with pytest.raises(IpsFault) as raised:
        submit(fake, "nightly")

    assert raised.value.code == FaultCode.GENERAL_FAILURE
    assert "already in use" in raised.value.reason
    submit(fake, "once")
    submit(fake, "once")
    assert len(fake.active_jobs) == 2


def test_execute_job_starts_a_run_now_and_leaves_the_schedule_alone() -> None:
    fake = IpsFake()
    user = ips_user(fake)
    submit(fake, "tomorrow", exec_time=T0 + timedelta(days=1))
    fake.advance(minutes=5)

    fake.service.execute_job(user, "47", "47|tomorrow|")

    run = only_run(fake)
    assert run.original_name == "tomorrow"
    assert run.trigger_time == T0 + timedelta(minutes=5)
    [job] = fake.scheduled_jobs
    assert (job.next_fire_time, job.trigger_state) == (T0 + timedelta(days=1), TriggerState.NORMAL)
    fake.advance(days=1, minutes=1)
    assert len(fake.job_logs) == 2


def test_execute_job_on_a_run_or_unknown_handle_is_a_fault() -> None:
    fake = IpsFake()
    user = ips_user(fake)
    submit(fake, "publish")
    handle = run_handle_of(only_run(fake))

    with pytest.raises(IpsFault, match="names a run") as on_run:
        fake.service.execute_job(user, "47", handle)
    with pytest.raises(IpsFault, match="names no job") as unknown:
        fake.service.execute_job(user, "47", "47|nope|")

    assert on_run.value.code == unknown.value.code == FaultCode.INVALID_PARAMETER


def test_a_second_run_of_a_busy_job_waits_and_shows_only_with_include_waiting() -> None:
    fake = IpsFake()
    user = ips_user(fake)
    submit(fake, "publish")
    fake.service.execute_job(user, "47", "47|publish|")

    visible = fake.service.get_active_jobs(user, "47")
    everything = fake.service.get_active_jobs(user, "47", include_waiting=True)

    assert [run.state for run in visible] == [RunState.NEW]
    assert [run.state for run in everything] == [RunState.NEW, RunState.WAITING_COORDINATOR]
    assert everything[1].progress == 0
    assert everything[1].progress_message == "Waiting for the previous run of publish"
    fake.advance(seconds=7)
    [second] = fake.service.get_active_jobs(user, "47")
    assert second.state is RunState.NEW
    assert second.start_date == T0 + timedelta(seconds=7)
    assert second.trigger_time == T0
    fake.advance(seconds=7)
    assert [log.end_date for log in fake.job_logs] == [
        T0 + timedelta(seconds=7),
        T0 + timedelta(seconds=14),
    ]


def test_runs_of_one_job_started_in_the_same_millisecond_get_distinct_names() -> None:
    fake = IpsFake()
    user = ips_user(fake)
    submit(fake, "publish")
    fake.service.execute_job(user, "47", "47|publish|")

    names = [run.name for run in fake.active_jobs]

    assert names == ["publish_2026-01-05-09:00:00.000", "publish_2026-01-05-09:00:00.001"]


def test_get_active_jobs_filters_by_company_handle_and_original_name() -> None:
    fake = IpsFake()
    other = fake.directory.authenticate("other@example.com", "password")
    admin = fake.directory.authenticate("ipsadmin@example.com", "password")
    submit(fake, "a")
    submit(fake, "b")
    fake.service.submit_job(other, SubmitJobRequest("48", "a", PUBLISH))

    assert [r.original_name for r in fake.service.get_active_jobs(admin)] == ["a", "b", "a"]
    assert [r.company_id for r in fake.service.get_active_jobs(admin, "c|48")] == ["48"]
    assert [r.name for r in fake.service.get_active_jobs(admin, "47", original_name="b")] == [
        "b_2026-01-05-09:00:00.000"
    ]
    assert [r.original_name for r in fake.service.get_active_jobs(admin, "47", "47|a|")] == ["a"]
    assert [r.company_id for r in fake.service.get_active_jobs(other)] == ["48"]
    with pytest.raises(IpsFault) as raised:  # 47's job is invisible to 48's user
        fake.service.get_active_jobs(other, "48", "47|a|")
    assert raised.value.code == FaultCode.INVALID_PARAMETER
    assert raised.value.reason == "jobHandle '47|a|' names no job"


SOAP_JOBS: list[tuple[str, dict[str, object], int]] = [
    (
        "uploadUrlsJob",
        upload_urls_job(5),
        5,
    ),
    (
        "uploadUrlsJob",
        {
            "numUrls": 4,
            "overwrite": True,
            "readyForPublish": True,
            "createMask": False,
            "emailSetting": "None",
        },
        4,
    ),
    (
        "exportJob",
        {"assetHandleArray": {"items": ["a|47|1|1", "a|47|2|1"]}, "fmt": "orig",
         "emailSetting": "None"},
        2,
    ),
    (
        "reprocessAssetsJob",
        {"assetHandleArray": {"items": ["a|47|1|1"]}, "createMask": False,
         "emailSetting": "None"},
        1,
    ),
    (
        "uploadDirectoryJob",
        {"serverDir": "incoming/", "overwrite": True, "readyForPublish": True,
         "includeSubfolders": False, "createMask": False, "processMetadataFiles": False,
         "emailSetting": "None"},
        3,
    ),
    ("imageServingPublishJob", {"publishType": "Full", "emailSetting": "None"}, 3),
    ("videoPublishJob", {"emailSetting": "None"}, 3),
    ("optimizeImagesJob", {"emailSetting": "None"}, 3),
]  # fmt: skip


@pytest.mark.parametrize(
    ("element", "payload", "items"),
    SOAP_JOBS,
    ids=[f"{element}-{items}" for element, _, items in SOAP_JOBS],
)
def test_item_count_per_job_kind(element: str, payload: dict[str, object], items: int) -> None:
    fake = IpsFake()
    # urlArray is required through 2014-04-03: a count-only uploadUrlsJob needs 2016-01-14-beta
    count_only = element == "uploadUrlsJob" and "urlArray" not in payload
    date = "2016-01-14-beta" if count_only else "2014-04-03"
    client = zeep.Client(
        f"{INPROCESS_BASE_URL}/scene7/webservice/IpsApi-{date}.wsdl",
        transport=InProcessTransport(fake.app),
    )
    auth = client.get_element("ns0:authHeader")(user="ipsuser@example.com", password="password")
    client.service.submitJob(
        companyHandle="c|47", jobName="job", _soapheaders=[auth], **{element: payload}
    )

    [run] = client.service.getActiveJobs(companyHandle="c|47", _soapheaders=[auth])
    assert run.totalSize == items
    [task] = run.taskProgressArray["items"]
    assert len(task.taskItemProgressArray["items"]) == items
    assert task.numPending == items

    fake.advance(seconds=1 + 2 * items)
    assert not client.service.getActiveJobs(companyHandle="c|47", _soapheaders=[auth])
    [log] = fake.job_logs
    assert (log.total_file_count, log.file_success_count) == (items, items)


def test_stopping_a_waiting_run_ends_it_without_disturbing_the_queue_order() -> None:
    fake = IpsFake()
    user = ips_user(fake)
    submit(fake, "publish")
    fake.service.execute_job(user, "47", "47|publish|")
    fake.service.execute_job(user, "47", "47|publish|")
    first, second, third = fake.service.get_active_jobs(user, "47", include_waiting=True)

    fake.service.stop_job(user, "47", run_handle_of(second))

    by_company = fake.service.get_active_jobs(user, "47", include_waiting=True)
    by_job = fake.service.get_active_jobs(user, "47", "47|publish|", include_waiting=True)
    assert [run.run_id for run in by_company] == [run.run_id for run in by_job] == [1, 2, 3]
    assert [run.state for run in by_job] == [
        RunState.NEW,
        RunState.STOPPING,
        RunState.WAITING_COORDINATOR,
    ]
    fake.advance(seconds=1)
    [stopped] = fake.job_logs
    assert stopped.run_id == second.run_id
    assert [d.log_type for d in stopped.details].count("FileCancel") == 3
    fake.advance(seconds=6)
    [remaining] = fake.service.get_active_jobs(user, "47")
    assert (remaining.run_id, remaining.state) == (third.run_id, RunState.NEW)
    assert first.run_id == 1


def test_progress_mid_item_agrees_at_every_level() -> None:
    """Half-way through an item, the item, its task and the job tell the same story: the
    item is under way (not waiting), and the task's progress is the job's percent / 100."""
    fake = IpsFake()
    submit(fake, "publish")

    fake.advance(seconds=2.5)  # New for 1 s, then 1.5 s into the first of three 2 s items
    run = only_run(fake)
    task = run.tasks[0]
    assert run.progress == 25
    assert task.progress == pytest.approx(0.25)
    assert [item.progress for item in task.items] == [0.75, 0.0, 0.0]
    assert [item.progress_message for item in task.items] == [
        "Processing",
        "Waiting to start",
        "Waiting to start",
    ]
