"""Scheduled jobs over time: Quartz schedules, execTime, what getScheduledJobs reports."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
import zeep

from ips_fake.core.clock import ManualClock
from ips_fake.core.errors import FaultCode, IpsFault
from ips_fake.core.model import (
    RunState,
    TriggerState,
)
from ips_fake.fake import IpsFake
from ips_fake.transport import INPROCESS_BASE_URL, InProcessTransport
from tests.core.job_builders import T0, ips_user, submit

MONDAY_9AM = T0


def start_dates(fake: IpsFake, name: str) -> list[datetime]:
    return [log.start_date for log in fake.job_logs if log.original_job_name == name]


def test_the_fake_starts_on_a_monday_morning() -> None:
    fake = IpsFake()

    assert fake.now() == MONDAY_9AM
    assert fake.now().strftime("%A") == "Monday"


def test_hourly_schedule_over_one_day_gives_24_runs_each_at_its_own_hour() -> None:
    fake = IpsFake()
    submit(fake, "hourly", exec_schedule="0 0 * * * ?")

    fake.advance(days=1, minutes=1)

    expected = [MONDAY_9AM + timedelta(hours=hour) for hour in range(1, 25)]
    assert start_dates(fake, "hourly") == expected
    assert len(fake.job_logs) == 24
    assert [log.job_name for log in fake.job_logs][:2] == [
        "hourly_2026-01-05-10:00:00.000",
        "hourly_2026-01-05-11:00:00.000",
    ]
    assert all(log.end_date == log.start_date + timedelta(seconds=7) for log in fake.job_logs)
    assert fake.active_jobs == []
    [job] = fake.scheduled_jobs
    assert job.next_fire_time == MONDAY_9AM + timedelta(days=1, hours=1)


def test_many_small_clock_moves_give_the_same_runs_as_one_big_move() -> None:
    in_steps, at_once = IpsFake(), IpsFake()
    for fake in (in_steps, at_once):
        submit(fake, "hourly", exec_schedule="0 0 * * * ?")
    for _ in range(24 * 4 + 1):
        in_steps.advance(minutes=15)
    at_once.advance(days=1, minutes=15)

    assert start_dates(in_steps, "hourly") == start_dates(at_once, "hourly")
    assert [log.end_date for log in in_steps.job_logs] == [log.end_date for log in at_once.job_logs]


def test_weekday_schedule_with_names_fires_monday_to_friday_only() -> None:
    fake = IpsFake()
    submit(fake, "weekdays", exec_schedule="0 0 9 ? * MON-FRI")

    fake.advance(days=14, minutes=1)

    days = [start.date().isoformat() for start in start_dates(fake, "weekdays")]
    assert days == [
        "2026-01-06", "2026-01-07", "2026-01-08", "2026-01-09",
        "2026-01-12", "2026-01-13", "2026-01-14", "2026-01-15", "2026-01-16",
        "2026-01-19",
    ]  # fmt: skip
    assert {start.time().isoformat() for start in start_dates(fake, "weekdays")} == {"09:00:00"}


def test_numeric_day_of_week_counts_from_sunday_as_one() -> None:
    fake = IpsFake()
    submit(fake, "sundays", exec_schedule="0 30 8 ? * 1")
    submit(fake, "mon-and-fri", exec_schedule="0 0 12 ? * 2,6")

    fake.advance(days=14, minutes=1)

    sundays = start_dates(fake, "sundays")
    assert [start.date().isoformat() for start in sundays] == ["2026-01-11", "2026-01-18"]
    assert {start.strftime("%A %H:%M") for start in sundays} == {"Sunday 08:30"}
    mondays_fridays = start_dates(fake, "mon-and-fri")
    assert [start.strftime("%d %A") for start in mondays_fridays] == [
        "05 Monday", "09 Friday", "12 Monday", "16 Friday",
    ]  # fmt: skip


def test_the_five_field_form_seen_on_real_servers_fires_daily_at_midnight() -> None:
    fake = IpsFake()
    submit(fake, "midnight", exec_schedule="00 00 00 * * ")

    fake.advance(days=3)

    assert start_dates(fake, "midnight") == [
        datetime(2026, 1, day, tzinfo=UTC) for day in (6, 7, 8)
    ]
    [job] = fake.scheduled_jobs
    assert job.exec_schedule == "00 00 00 * * "


def test_schedule_is_read_in_the_server_zone() -> None:
    fake = IpsFake(time_zone="Europe/Stockholm")
    submit(fake, "stockholm-noon", exec_schedule="0 0 12 * * ?")

    fake.advance(days=1)

    [start] = start_dates(fake, "stockholm-noon")
    assert start.isoformat() == "2026-01-05T12:00:00+01:00"
    assert start.astimezone(UTC).hour == 11


def test_exec_time_with_an_offset_is_converted_to_the_server_zone() -> None:
    fake = IpsFake(time_zone="America/New_York")
    plus_two = timezone(timedelta(hours=2))
    submit(fake, "later", exec_time=datetime(2026, 1, 5, 12, 0, tzinfo=plus_two))

    [job] = fake.scheduled_jobs
    assert job.next_fire_time is not None
    assert job.next_fire_time.isoformat() == "2026-01-05T05:00:00-05:00"
    assert job.trigger_state is TriggerState.NORMAL
    assert job.time_zone == "America/New_York"

    fake.move_to(datetime(2026, 1, 5, 9, 59, 59, tzinfo=UTC))
    assert fake.active_jobs == []
    fake.advance(seconds=1)
    [run] = fake.active_jobs
    assert run.trigger_time.isoformat() == "2026-01-05T05:00:00-05:00"
    assert fake.scheduled_jobs == []


def test_exec_time_without_an_offset_is_read_in_the_server_zone() -> None:
    fake = IpsFake(time_zone="Europe/Stockholm")
    submit(fake, "naive", exec_time=datetime(2026, 1, 5, 11, 0))

    [job] = fake.scheduled_jobs
    assert job.next_fire_time == datetime(2026, 1, 5, 10, 0, tzinfo=UTC)


def test_exec_time_in_the_past_runs_at_once() -> None:
    fake = IpsFake()
    submit(fake, "overdue", exec_time=MONDAY_9AM - timedelta(days=2))

    [run] = fake.active_jobs
    assert run.trigger_time == MONDAY_9AM
    assert run.state is RunState.NEW
    assert fake.scheduled_jobs == []


def test_no_exec_time_and_no_schedule_fires_now_and_completes() -> None:
    fake = IpsFake()
    submit(fake, "now")

    [run] = fake.active_jobs
    assert run.name == "now_2026-01-05-09:00:00.000"
    assert fake.scheduled_jobs == []


def test_a_schedule_limited_by_year_completes_after_its_last_fire() -> None:
    fake = IpsFake()
    submit(fake, "once-by-cron", exec_schedule="0 0 10 5 1 ? 2026")
    [job] = fake.scheduled_jobs
    assert job.next_fire_time == datetime(2026, 1, 5, 10, 0, tzinfo=UTC)

    fake.advance(hours=2)

    assert start_dates(fake, "once-by-cron") == [datetime(2026, 1, 5, 10, 0, tzinfo=UTC)]
    assert fake.scheduled_jobs == []


def test_a_schedule_that_never_fires_again_is_refused() -> None:
    fake = IpsFake()

    with pytest.raises(IpsFault) as raised:
        submit(fake, "past-year", exec_schedule="0 0 0 1 1 ? 2020")

    assert raised.value.code == FaultCode.INVALID_PARAMETER
    assert "never fires" in raised.value.reason
    assert fake.scheduled_jobs == []


def test_both_exec_time_and_schedule_are_refused() -> None:
    fake = IpsFake()

    with pytest.raises(IpsFault) as raised:
        submit(fake, "both", exec_time=MONDAY_9AM, exec_schedule="0 0 * * * ?")

    assert raised.value.code == FaultCode.INVALID_PARAMETER


def test_paused_schedule_skips_missed_fires_and_resumes_with_the_next_one() -> None:
    fake = IpsFake()
    submit(fake, "hourly", exec_schedule="0 0 * * * ?")
    user = ips_user(fake)
    fake.service.pause_job(user, "47", "47|hourly|")
    [job] = fake.scheduled_jobs
    assert job.trigger_state is TriggerState.PAUSED

    fake.advance(hours=3, minutes=30)
    assert fake.job_logs == []
    fake.service.resume_job(user, "47", "47|hourly|")
    fake.advance(hours=1)

    assert start_dates(fake, "hourly") == [datetime(2026, 1, 5, 13, 0, tzinfo=UTC)]


def test_paused_one_off_job_fires_on_resume() -> None:
    fake = IpsFake()
    submit(fake, "at-ten", exec_time=datetime(2026, 1, 5, 10, 0, tzinfo=UTC))
    user = ips_user(fake)
    fake.service.pause_job(user, "47", "47|at-ten|")

    fake.advance(hours=2)
    assert fake.active_jobs == []
    fake.service.resume_job(user, "47", "47|at-ten|")

    [run] = fake.active_jobs
    assert run.trigger_time == datetime(2026, 1, 5, 11, 0, tzinfo=UTC)


def test_get_scheduled_jobs_over_soap_reports_next_fire_state_and_zone() -> None:
    fake = IpsFake(time_zone="Europe/Stockholm")
    client = zeep.Client(
        INPROCESS_BASE_URL + "/scene7/webservice/IpsApi-2014-04-03.wsdl",
        transport=InProcessTransport(fake.app),
    )
    auth = client.get_element("ns0:authHeader")(user="ipsuser@example.com", password="password")
    client.service.submitJob(
        companyHandle="c|47",
        jobName="nightly",
        execSchedule="0 0 2 * * ?",
        imageServingPublishJob={"publishType": "Full", "emailSetting": "None"},
        _soapheaders=[auth],
    )

    [job] = client.service.getScheduledJobs(companyHandle="c|47", _soapheaders=[auth])

    assert job.jobHandle == "j|47|nightly||"
    assert job.execSchedule == "0 0 2 * * ?"
    assert job.triggerState == "Normal"
    assert job.timeZone == "Europe/Stockholm"
    assert job.nextFireTime.isoformat() == "2026-01-06T02:00:00+01:00"
    wire = fake.journal[-1].response
    assert b"<nextFireTime>2026-01-06T02:00:00.000+01:00</nextFireTime>" in wire

    client.service.pauseJob(companyHandle="c|47", jobHandle=job.jobHandle, _soapheaders=[auth])
    [paused] = client.service.getScheduledJobs(
        companyHandle="c|47", jobHandle="j|47|nightly||", _soapheaders=[auth]
    )
    assert paused.triggerState == "Paused"


def test_schedule_that_never_fires_again_is_a_soap_fault() -> None:
    fake = IpsFake()
    client = zeep.Client(
        INPROCESS_BASE_URL + "/scene7/webservice/IpsApi-2014-04-03.wsdl",
        transport=InProcessTransport(fake.app),
    )
    auth = client.get_element("ns0:authHeader")(user="ipsuser@example.com", password="password")

    with pytest.raises(zeep.exceptions.Fault) as raised:
        client.service.submitJob(
            companyHandle="c|47",
            jobName="never",
            execSchedule="0 0 0 1 1 ? 2020",
            imageServingPublishJob={"publishType": "Full", "emailSetting": "None"},
            _soapheaders=[auth],
        )

    namespaces = {"ns": "http://www.scene7.com/IpsApi/xsd"}
    assert raised.value.detail.findtext(".//ns:code", namespaces=namespaces) == "30001"
    assert "never fires" in raised.value.detail.findtext(".//ns:reason", namespaces=namespaces)


def test_a_daily_time_in_the_spring_gap_is_skipped_and_an_autumn_one_fires_once() -> None:
    fake = IpsFake(
        time_zone="Europe/Stockholm", clock=ManualClock(datetime(2026, 3, 27, 0, 0, tzinfo=UTC))
    )
    submit(fake, "half-past-two", exec_schedule="0 30 2 * * ?")

    fake.advance(days=4)
    spring = [start.isoformat() for start in start_dates(fake, "half-past-two")]
    fake.move_to(datetime(2026, 10, 24, 12, 0, tzinfo=UTC))
    before_autumn = len(fake.job_logs)
    fake.advance(days=2)
    autumn = [start.isoformat() for start in start_dates(fake, "half-past-two")][before_autumn:]

    assert spring == [
        "2026-03-27T02:30:00+01:00",
        "2026-03-28T02:30:00+01:00",
        "2026-03-30T02:30:00+02:00",
    ]
    assert autumn == ["2026-10-25T02:30:00+02:00", "2026-10-26T02:30:00+01:00"]
