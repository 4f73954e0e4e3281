"""A clock move the bulk path does not cover and that would start too many runs one at a time
is refused before the clock moves (docs/limits.md, "Clock moves")."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from ips_fake.core.model import EmailSetting, SubmitJobRequest
from ips_fake.core.moves import MAX_ONE_BY_ONE_EVENTS, MoveTooLong
from ips_fake.fake import IpsFake
from ips_fake.transport import INPROCESS_BASE_URL, in_process_session
from tests.core.job_builders import PUBLISH, T0, ips_user, submit

MAILING = replace(
    PUBLISH,
    email_setting=EmailSetting.ALL,
    options=(("publishType", "Full"), ("emailSetting", "All")),
)
"""A publish that mails on start and end: the bulk path never covers it."""


def mailing_every_second(fake: IpsFake) -> None:
    """Company 47's job 'chatty', mailing on every run of ``* * * * * ?``."""
    request = SubmitJobRequest("47", "chatty", MAILING, exec_schedule="* * * * * ?")
    fake.service.submit_job(ips_user(fake), request)


def snapshot(fake: IpsFake) -> tuple[object, ...]:
    """What a refused move must leave as it was."""
    return (
        fake.clock.now(),
        fake.service.all_scheduled_jobs(),
        fake.service.all_active_jobs(),
        fake.service.all_job_logs(),
        fake.service.notifications(),
        fake.service.skipped_fire_count(),
    )


def test_a_year_of_a_mailing_every_second_schedule_is_refused_and_changes_nothing() -> None:
    fake = IpsFake()
    mailing_every_second(fake)
    fake.advance(seconds=30)
    before = snapshot(fake)

    with pytest.raises(MoveTooLong) as refused:
        fake.advance(days=365)

    assert snapshot(fake) == before
    message = str(refused.value)
    assert "'chatty'" in message
    assert "steps of at most" in message
    assert "nothing changed" in message
    with pytest.raises(MoveTooLong):
        fake.move_to(T0 + timedelta(days=365))
    assert snapshot(fake) == before


def test_the_move_the_message_suggests_is_accepted() -> None:
    fake = IpsFake()
    mailing_every_second(fake)
    with pytest.raises(MoveTooLong) as refused:
        fake.advance(days=365)
    parts = int(str(refused.value).split("Move in ")[1].split(" steps")[0])
    step = timedelta(days=365) / parts
    fake.service.check_move(fake.clock.now(), fake.clock.now() + step)  # no error: allowed


def test_a_year_of_a_lone_quiet_schedule_is_applied_in_bulk_not_refused() -> None:
    fake = IpsFake()
    submit(fake, "quiet", exec_schedule="* * * * * ?")
    fake.advance(days=365)
    assert fake.clock.now() == T0 + timedelta(days=365)
    assert fake.service.skipped_fire_count() > 0


def test_a_short_move_of_a_mailing_schedule_still_runs() -> None:
    fake = IpsFake()
    mailing_every_second(fake)
    fake.advance(minutes=5)
    assert fake.service.notifications()


def test_a_paused_every_second_schedule_counts_a_step_per_fire() -> None:
    fake = IpsFake()
    submit(fake, "held", exec_schedule="* * * * * ?")
    user = ips_user(fake)
    fake.service.pause_job(user, "47", "47|held|")
    seconds = MAX_ONE_BY_ONE_EVENTS + 10
    with pytest.raises(MoveTooLong):
        fake.advance(seconds=seconds)
    fake.advance(seconds=MAX_ONE_BY_ONE_EVENTS // 2)


def test_the_admin_api_answers_a_refused_move_with_400_and_the_clock_stays() -> None:
    fake = IpsFake()
    mailing_every_second(fake)
    session = in_process_session(fake.app)
    before = session.get(f"{INPROCESS_BASE_URL}/_fake/clock").json()["now"]

    answer = session.post(f"{INPROCESS_BASE_URL}/_fake/clock", json={"advance": 365 * 86400})

    assert answer.status_code == 400
    assert "steps of at most" in answer.json()["error"]
    assert session.get(f"{INPROCESS_BASE_URL}/_fake/clock").json()["now"] == before


def test_the_bound_weighs_the_listed_recurring_jobs_only() -> None:
    from ips_fake.core.handles import HandleStyle, job_handle
    from ips_fake.core.jobs import ScheduledJob

    fake = IpsFake()
    user = ips_user(fake)
    for index in range(60):  # one-off jobs a year ahead: a move never fires them one by one
        submit(fake, f"once-{index}", exec_time=T0 + timedelta(days=365))
    submit(fake, "nightly", exec_schedule="0 0 2 * * ?")
    submit(fake, "weekly", exec_schedule="0 0 3 ? * MON")
    submit(fake, "ending", exec_schedule="0 0 4 * * ? 2026")

    def recurring() -> list[ScheduledJob]:
        return list(fake.service._recurring_jobs.values())

    assert sorted(job.name for job in recurring()) == ["ending", "nightly", "weekly"]

    fake.service.delete_job(user, "47", job_handle("47", "weekly", HandleStyle.MODERN))
    assert sorted(job.name for job in recurring()) == ["ending", "nightly"]
    fake.advance(days=365)  # "ending" has fired for the last time: Complete
    assert [job.name for job in recurring()] == ["nightly"]
    submit(fake, "ending", exec_schedule="0 0 5 * * ?")  # replaces the Complete one
    assert [job.name for job in recurring()] == ["nightly", "ending"]
    assert all(job.is_listed and job.schedule is not None for job in recurring())

    mailing_every_second(fake)
    with pytest.raises(MoveTooLong):  # still weighed: the bound holds as before
        fake.advance(days=365)
