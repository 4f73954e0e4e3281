"""Behaviours of the core that a mutation run showed no test pinned: deleteJob on a live run,
getActiveJobs by jobHandle across companies, the order of fires due at one instant, ``n#1`` in
a cron, ``seconds=0``, a one-item run's timing, ``numPending`` at its lower bound, mail in the
job's language, and the milliseconds of run names."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from ips_fake.core.cron import CronSyntaxError, QuartzSchedule
from ips_fake.core.errors import FaultCode, FaultKind, IpsFault
from ips_fake.core.handles import HandleStyle, run_handle
from ips_fake.core.model import (
    EmailSetting,
    JobKind,
    JobPayload,
    RunState,
    SubmitJobRequest,
    WorkItem,
)
from ips_fake.fake import IpsFake
from tests.core.job_builders import PUBLISH, T0, ips_user, submit


def upload(count: int) -> JobPayload:
    """An uploadUrlsJob of ``count`` items that mails nobody."""
    return JobPayload(
        kind=JobKind.UPLOAD_URLS,
        element="uploadUrlsJob",
        options=(),
        items=tuple(WorkItem(f"in/{n}.jpg") for n in range(count)),
    )


def mailing_publish(setting: EmailSetting) -> JobPayload:
    """A full Image Serving publish that mails the submitter per ``setting``."""
    return JobPayload(
        kind=JobKind.IMAGE_SERVING_PUBLISH,
        element="imageServingPublishJob",
        options=(("publishType", "Full"), ("emailSetting", setting.value)),
        email_setting=setting,
        publish_type="Full",
    )


def modern_handle(fake: IpsFake, name: str) -> str:
    """The 4.0-style handle of the only active run of job ``name``."""
    (active,) = [job for job in fake.active_jobs if job.original_name == name]
    return run_handle(active.company_id, active.name, active.run_id, HandleStyle.MODERN)


# -- deleteJob on a live run -------------------------------------------------------------------


def test_delete_job_on_a_running_run_stops_it_and_leaves_a_stopped_log() -> None:
    fake = IpsFake()
    fake.service.submit_job(ips_user(fake), SubmitJobRequest("47", "three", upload(3)))
    fake.advance(seconds=2)  # New for 1 s, then the first item is half done
    handle = modern_handle(fake, "three")

    fake.service.delete_job(ips_user(fake), "c|47", handle)

    (active,) = fake.active_jobs
    assert active.state is RunState.STOPPING
    fake.advance(seconds=1)  # Stopping lasts one second
    assert fake.active_jobs == []
    (log,) = fake.job_logs
    assert log.original_job_name == "three"
    assert log.end_date == T0 + timedelta(seconds=3)
    assert log.file_success_count == 0  # stopped before its first item was done


def test_delete_job_on_a_stopping_run_changes_nothing() -> None:
    fake = IpsFake()
    fake.service.submit_job(ips_user(fake), SubmitJobRequest("47", "three", upload(3)))
    fake.advance(seconds=2)
    handle = modern_handle(fake, "three")
    fake.service.stop_job(ips_user(fake), "c|47", handle)
    fake.advance(seconds=0.5)

    fake.service.delete_job(ips_user(fake), "c|47", handle)

    fake.advance(seconds=0.5)  # still ends one second after the stop, not after the delete
    assert fake.active_jobs == []
    (log,) = fake.job_logs
    assert log.end_date == T0 + timedelta(seconds=3)


def test_delete_job_on_a_run_keeps_the_scheduled_job() -> None:
    fake = IpsFake()
    submit(fake, "hourly", exec_schedule="0 0 * * * ?")
    fake.move_to(T0 + timedelta(hours=1, seconds=2))
    handle = modern_handle(fake, "hourly")

    fake.service.delete_job(ips_user(fake), "c|47", handle)

    assert [job.name for job in fake.scheduled_jobs] == ["hourly"]
    assert fake.active_jobs[0].state is RunState.STOPPING


# -- getActiveJobs by jobHandle, company by company --------------------------------------------


@pytest.fixture
def two_companies() -> IpsFake:
    """Jobs named "same" in companies 47 and 48, both running, and a user of both."""
    fake = IpsFake()
    fake.add_user("both@example.com", companies=["47", "48"])
    both = fake.directory.authenticate("both@example.com", "password")
    for company in ("47", "48"):
        fake.service.submit_job(
            both, SubmitJobRequest(company, "same", PUBLISH, exec_schedule="0 0 * * * ?")
        )
    fake.move_to(T0 + timedelta(hours=1, seconds=2))
    return fake


def test_active_jobs_by_job_handle_list_that_companys_runs_only(two_companies: IpsFake) -> None:
    both = two_companies.directory.authenticate("both@example.com", "password")

    listed = two_companies.service.get_active_jobs(both, handle="j|48|same||")

    assert [(run.company_id, run.original_name) for run in listed] == [("48", "same")]


def test_active_jobs_by_another_of_my_companies_job_handle_name_the_mismatch(
    two_companies: IpsFake,
) -> None:
    both = two_companies.directory.authenticate("both@example.com", "password")

    with pytest.raises(IpsFault) as raised:
        two_companies.service.get_active_jobs(both, "c|47", "j|48|same||")

    assert raised.value.code == FaultCode.INVALID_PARAMETER
    assert "belongs to company 48, not to companyHandle 47" in raised.value.reason


def test_active_jobs_by_a_run_handle_of_a_company_i_cannot_use_names_no_job(
    two_companies: IpsFake,
) -> None:
    (run_48,) = [run for run in two_companies.active_jobs if run.company_id == "48"]
    handle = run_handle("48", run_48.name, run_48.run_id, HandleStyle.MODERN)

    with pytest.raises(IpsFault) as raised:
        two_companies.service.get_active_jobs(ips_user(two_companies), handle=handle)

    assert raised.value.reason == f"jobHandle {handle!r} names no job"


# -- fires due at the same instant -------------------------------------------------------------


def test_fires_due_at_one_instant_run_in_submission_order() -> None:
    fake = IpsFake()
    due = T0 + timedelta(minutes=5)
    names = ["zulu", "alpha", "mike", "bravo"]
    for name in names:
        submit(fake, name, exec_time=due)

    fake.advance(minutes=5)

    runs = sorted(fake.active_jobs, key=lambda run: run.run_id)
    assert [run.original_name for run in runs] == names
    assert {run.trigger_time for run in runs} == {due}


def test_a_schedule_and_a_one_off_due_together_keep_submission_order() -> None:
    fake = IpsFake()
    submit(fake, "cron", exec_schedule="0 0 10 * * ?")
    submit(fake, "once", exec_time=T0 + timedelta(hours=1))

    fake.advance(hours=1)

    runs = sorted(fake.active_jobs, key=lambda run: run.run_id)
    assert [run.original_name for run in runs] == ["cron", "once"]


# -- the first day-n of a month in a cron ------------------------------------------------------


def utc(year: int, month: int, day: int, hour: int = 0) -> datetime:
    return datetime(year, month, day, hour, tzinfo=UTC)


@pytest.mark.parametrize(
    ("expression", "after", "expected"),
    [
        # 2024-05-01 is a Wednesday: the first Wednesday is the 1st itself
        ("0 0 10 ? * 4#1", utc(2024, 4, 30), utc(2024, 5, 1, 10)),
        ("0 0 10 ? * WED#1", utc(2024, 5, 1, 10), utc(2024, 6, 5, 10)),
        # the first Tuesday of May 2024 is the 7th (the day before the 1st's weekday)
        ("0 0 10 ? * 3#1", utc(2024, 5, 1), utc(2024, 5, 7, 10)),
        ("0 0 10 ? * 2#1", utc(2024, 5, 1), utc(2024, 5, 6, 10)),
        ("0 0 10 ? * 1#2", utc(2024, 5, 1), utc(2024, 5, 12, 10)),
    ],
)
def test_the_first_day_n_of_the_month(expression: str, after: datetime, expected: datetime) -> None:
    assert QuartzSchedule.parse(expression).next_fire_after(after) == expected


@pytest.mark.parametrize("token", ["2#0", "2#6"])
def test_an_occurrence_outside_1_to_5_is_refused(token: str) -> None:
    with pytest.raises(CronSyntaxError, match="out of range 1-5"):
        QuartzSchedule.parse(f"0 0 10 ? * {token}")


# -- the top code of each fault range ----------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "kind"),
    [
        (10000, FaultKind.AUTHENTICATION),
        (19999, FaultKind.AUTHENTICATION),
        (20000, FaultKind.AUTHORIZATION),
        (29999, FaultKind.AUTHORIZATION),
        (30000, FaultKind.IPS_API),
        (39999, FaultKind.IPS_API),
    ],
)
def test_each_fault_range_runs_to_its_top_code(code: int, kind: FaultKind) -> None:
    assert IpsFault(code, "reason").kind is kind


@pytest.mark.parametrize("code", [9999, 40000])
def test_codes_outside_the_ranges_are_refused(code: int) -> None:
    with pytest.raises(ValueError, match=f"{code} is not an IPS fault code"):
        IpsFault(code, "reason")


# -- scripted seconds=0, and a one-item run ----------------------------------------------------


def test_an_outcome_of_zero_seconds_finishes_as_soon_as_new_is_over() -> None:
    fake = IpsFake()
    fake.script("success", seconds=0)
    fake.service.submit_job(ips_user(fake), SubmitJobRequest("47", "instant", upload(3)))

    fake.advance(seconds=0.5)
    (active,) = fake.active_jobs
    assert active.state is RunState.NEW
    assert active.progress == 100  # no work to do: all of it is done
    assert active.tasks[0].num_processed == 3
    assert active.tasks[0].progress == 1.0

    fake.advance(seconds=0.5)
    assert fake.active_jobs == []
    (log,) = fake.job_logs
    assert (log.end_date, log.file_success_count) == (T0 + timedelta(seconds=1), 3)


def test_a_one_item_run_takes_new_plus_one_item() -> None:
    fake = IpsFake()
    fake.service.submit_job(ips_user(fake), SubmitJobRequest("47", "single", upload(1)))

    fake.advance(seconds=2)  # New for 1 s, then half of the 2 s the item takes
    (active,) = fake.active_jobs
    assert (active.state, active.progress) == (RunState.RUNNING, 50)
    (task,) = active.tasks
    assert (task.num_processed, task.num_processing, task.num_pending) == (0, 1, 0)
    assert task.items[0].progress == 0.5

    fake.advance(seconds=0.999)
    assert len(fake.active_jobs) == 1
    fake.advance(seconds=0.001)
    assert fake.active_jobs == []
    (log,) = fake.job_logs
    assert log.end_date == T0 + timedelta(seconds=3)
    assert log.file_success_count == 1


# -- numPending --------------------------------------------------------------------------------


def test_num_pending_counts_down_to_zero_and_no_lower() -> None:
    fake = IpsFake()
    fake.service.submit_job(ips_user(fake), SubmitJobRequest("47", "three", upload(3)))
    seen = []
    for _ in range(6):  # New, then each item's two seconds
        (active,) = fake.active_jobs
        (task,) = active.tasks
        seen.append((task.num_processed, task.num_processing, task.num_pending))
        fake.advance(seconds=1)

    assert seen == [(0, 0, 3), (0, 1, 2), (0, 1, 2), (1, 1, 1), (1, 1, 1), (2, 1, 0)]


def test_a_failing_run_keeps_its_later_items_pending() -> None:
    fake = IpsFake()
    fake.script("fail", seconds=10)
    fake.service.submit_job(ips_user(fake), SubmitJobRequest("47", "doomed", upload(3)))

    fake.advance(seconds=6)  # past New and half of the work
    (task,) = fake.active_jobs[0].tasks

    assert (task.num_processed, task.num_processing, task.num_pending) == (0, 1, 2)


# -- mail in the job's language ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("locale", "subject", "start"),
    [
        (None, "IPS job completed: mailed", "IPS job started: mailed"),
        ("en-US", "IPS job completed: mailed", "IPS job started: mailed"),
        ("fr-FR", "Tâche IPS terminée : mailed", "Tâche IPS démarrée : mailed"),
        ("ko-KR", "IPS 작업 완료됨: mailed", "IPS 작업 시작됨: mailed"),
    ],
)
def test_mail_speaks_the_jobs_language(locale: str | None, subject: str, start: str) -> None:
    fake = IpsFake()
    fake.service.submit_job(
        ips_user(fake),
        SubmitJobRequest("47", "mailed", mailing_publish(EmailSetting.ALL), locale=locale),
    )

    fake.advance(minutes=1)

    started, ended = fake.outbox
    assert (started.subject, started.reason) == (start, "start")
    assert (ended.subject, ended.reason) == (subject, "end")
    assert ended.locale == (locale or "en-US")
    assert ended.run_name in ended.body


def test_a_failure_mail_in_french() -> None:
    fake = IpsFake()
    fake.script("fail")
    fake.service.submit_job(
        ips_user(fake),
        SubmitJobRequest("47", "raté", mailing_publish(EmailSetting.ERROR), locale="fr-CA"),
    )

    fake.advance(minutes=1)

    (mail,) = fake.outbox
    assert mail.subject == "Échec de la tâche IPS : raté"


# -- the milliseconds of run names -------------------------------------------------------------


def test_run_names_carry_the_milliseconds_of_their_start() -> None:
    fake = IpsFake()
    fake.advance(seconds=1.25)
    submit(fake, "ms")

    (active,) = fake.active_jobs

    assert active.name == "ms_2026-01-05-09:00:01.250"


def test_two_runs_started_in_one_millisecond_get_names_a_millisecond_apart() -> None:
    fake = IpsFake()
    submit(fake, "twice", exec_schedule="0 0 0 1 1 ? 2099")
    fake.advance(seconds=0.0071)

    for _ in range(2):
        fake.service.execute_job(ips_user(fake), "c|47", "j|47|twice||")

    names = sorted(run.name for run in fake.active_jobs)
    assert names == ["twice_2026-01-05-09:00:00.007", "twice_2026-01-05-09:00:00.008"]


# -- found by the mutation run -----------------------------------------------------------------


@pytest.mark.parametrize("day_of_month", ["L", "LW", "15W", "L-2"])
def test_a_special_day_of_month_with_a_restricted_day_of_week_is_refused(
    day_of_month: str,
) -> None:
    with pytest.raises(CronSyntaxError, match="both are restricted"):
        QuartzSchedule.parse(f"0 0 0 {day_of_month} * MON")


@pytest.mark.parametrize("day_of_month", ["L", "LW", "15W", "L-2"])
def test_a_special_day_of_month_with_any_day_of_week_is_accepted(day_of_month: str) -> None:
    assert QuartzSchedule.parse(f"0 0 0 {day_of_month} * *").next_fire_after(T0) is not None


def test_a_finished_items_progress_message_is_its_log_line() -> None:
    fake = IpsFake()
    fake.service.submit_job(ips_user(fake), SubmitJobRequest("47", "three", upload(3)))
    fake.advance(seconds=3.5)  # New, then the first item (2 s) is done

    (task,) = fake.active_jobs[0].tasks
    fake.advance(minutes=1)
    (log,) = fake.job_logs

    lines = {detail.asset_name: detail.log_message for detail in log.details}
    assert task.items[0].progress_message == lines["in/0.jpg"]
    assert task.items[0].progress_message != "UploadSuccess"


# the last serial is a fullwidth 1
@pytest.mark.parametrize("asset", ["a|47|x|1", "a|47|1x|1", "a|47|\uff11|1"])
def test_an_asset_handle_with_a_serial_that_is_not_ascii_digits_has_no_logs(asset: str) -> None:
    fake = IpsFake()
    fake.service.submit_job(ips_user(fake), SubmitJobRequest("47", "three", upload(3)))
    fake.advance(minutes=1)

    assert fake.service.get_asset_job_logs(ips_user(fake), "c|47", asset) == []
    assert fake.service.get_asset_job_logs(ips_user(fake), "c|47", "a|47|1|1") != []
