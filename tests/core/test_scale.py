"""What keeps a long-lived or far-moved fake small and responsive: one schedule-started run
per job at a time, a timeline that forgets what can no longer happen, and clock moves that
let other callers in between slices."""

from __future__ import annotations

import gc
import threading
import weakref
from datetime import datetime, timedelta

import pytest

from ips_fake.core import simulation as simulation_module
from ips_fake.core.errors import IpsFault
from ips_fake.core.model import (
    EmailSetting,
    JobKind,
    JobPayload,
    RunState,
    SubmitJobRequest,
    WorkItem,
)
from ips_fake.fake import IpsFake
from ips_fake.transport import INPROCESS_BASE_URL, in_process_session
from tests.core.job_builders import PUBLISH, T0, ips_user, submit


def test_a_fire_while_a_run_is_unfinished_is_skipped_and_counted() -> None:
    fake = IpsFake()
    submit(fake, "tick", exec_schedule="* * * * * ?")  # a run takes 7 s: New 1 s, 3 items

    for _ in range(60):
        fake.advance(seconds=1)
        runs = fake.service.get_active_jobs(ips_user(fake), "47", include_waiting=True)
        assert len(runs) <= 1

    # runs start at 1, 8, 15, ... 57 s; the fires in between are skipped
    assert [log.start_date for log in fake.job_logs] == [
        T0 + timedelta(seconds=s) for s in range(1, 51, 7)
    ]
    [job] = fake.scheduled_jobs
    assert job.skipped_fires == 60 - 9
    assert job.next_fire_time == T0 + timedelta(seconds=61)


def test_skipped_fires_show_in_the_admin_state() -> None:
    fake = IpsFake()
    submit(fake, "tick", exec_schedule="* * * * * ?")
    fake.advance(seconds=10)

    state = fake.app.admin.service.all_scheduled_jobs()
    assert [job.skipped_fires for job in state] == [8]  # runs start at 1 s and 8 s
    answer = in_process_session(fake.app).get(INPROCESS_BASE_URL + "/_fake/state").json()
    assert [job["skipped_fires"] for job in answer["scheduled_jobs"]] == [8]
    assert answer["skipped_fires"] == 8


def test_execute_job_queues_behind_a_run_and_a_fire_meanwhile_is_skipped() -> None:
    fake = IpsFake()
    user = ips_user(fake)
    submit(fake, "minutely", exec_schedule="0 * * * * ?")
    fake.advance(seconds=58)
    fake.service.execute_job(user, "47", "47|minutely|")  # runs 58 s .. 65 s
    fake.service.execute_job(user, "47", "47|minutely|")  # waits, then runs 65 s .. 72 s

    states = [run.state for run in fake.service.get_active_jobs(user, "47", include_waiting=True)]
    assert states == [RunState.NEW, RunState.WAITING_COORDINATOR]
    fake.advance(seconds=2)  # the fire at 09:01:00 comes while both are unfinished
    fake.advance(seconds=60)  # the fire at 09:02:00 finds the job idle
    assert [log.start_date for log in fake.job_logs] == [
        T0 + timedelta(seconds=58),
        T0 + timedelta(seconds=65),
    ]
    [job] = fake.scheduled_jobs
    assert job.skipped_fires == 1
    [running] = fake.active_jobs
    assert running.start_date == T0 + timedelta(minutes=2)


def test_a_deleted_job_is_forgotten_at_once() -> None:
    fake = IpsFake()
    user = ips_user(fake)
    later = T0 + timedelta(days=365)
    gone = []
    for index in range(300):
        fake.service.submit_job(
            user, SubmitJobRequest("47", f"later-{index}", PUBLISH, exec_time=later)
        )
        [job] = [j for j in fake.service._jobs.values() if j.name == f"later-{index}"]
        gone.append(weakref.ref(job))
        del job
        fake.service.delete_job(user, "47", f"47|later-{index}|")

    gc.collect()
    assert fake.service.pending_fire_count() == 0
    assert all(ref() is None for ref in gone)
    assert len(fake.service._timeline._heap) <= fake.service._timeline.SWEEP_FLOOR * 2


def test_pausing_and_resuming_leaves_one_timeline_entry() -> None:
    fake = IpsFake()
    user = ips_user(fake)
    fake.script("success", seconds=1000)
    submit(fake, "slow")
    [run] = fake.active_jobs
    handle = f"47||{run.name}"
    for _ in range(500):
        fake.service.pause_job(user, "47", handle)
        fake.service.resume_job(user, "47", handle)

    assert fake.service.pending_fire_count() == 1
    assert len(fake.service._timeline._heap) <= fake.service._timeline.SWEEP_FLOOR * 2 + 1
    fake.advance(seconds=1001)
    assert len(fake.job_logs) == 1


def test_a_long_move_lets_another_caller_in_and_shows_it_a_whole_instant(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fake = IpsFake()
    user = ips_user(fake)
    submit(fake, "minutely", exec_schedule="0 * * * * ?")
    monkeypatch.setattr(simulation_module, "SLICE_EVENTS", 5)
    seen: list[tuple[datetime, list[datetime], int]] = []

    class Pacing:
        """Stands in for ``time`` in the simulation: between slices, another thread asks."""

        @staticmethod
        def sleep(seconds: float) -> None:
            if len(seen) >= 3:
                return

            def ask() -> None:
                now = fake.service.sync()
                runs = fake.service.get_active_jobs(user, "47", include_waiting=True)
                logs = fake.service.get_job_logs(user, "47")
                seen.append((now, [run.trigger_time for run in runs], len(logs)))

            other = threading.Thread(target=ask)
            other.start()
            other.join(timeout=10)

    monkeypatch.setattr(simulation_module, "time", Pacing)
    fake.advance(hours=1)

    assert len(seen) == 3
    assert len({now for now, _, _ in seen}) == 3
    for now, triggers, logs in seen:
        assert T0 < now < T0 + timedelta(hours=1)
        minutes, rest = divmod(now - T0, timedelta(minutes=1))
        # every fire and run end up to that instant is applied, none after it
        assert logs == (minutes if rest >= timedelta(seconds=7) else minutes - 1)
        expected = [] if rest >= timedelta(seconds=7) else [T0 + minutes * timedelta(minutes=1)]
        assert triggers == expected
    assert len(fake.job_logs) == 59  # the run fired at 10:00 is still in flight
    assert fake.now() == T0 + timedelta(hours=1)


def test_logs_past_the_retention_bound_are_forgotten_oldest_first() -> None:
    fake = IpsFake(log_retention=2)
    user = ips_user(fake)
    mailing = JobPayload(
        kind=JobKind.EXPORT,
        element="exportJob",
        options=(),
        email_setting=EmailSetting.ALL,
        items=(WorkItem("a|47|9|1", asset_handle="a|47|9|1"),),
    )
    for index in range(3):
        fake.service.submit_job(user, SubmitJobRequest("47", f"export-{index}", mailing))
        fake.advance(minutes=1)

    assert [log.run_id for log in fake.job_logs] == [2, 3]
    first_run_handle = "47||export-0_2026-01-05-09:00:00.000"
    with pytest.raises(IpsFault, match="names no job"):
        fake.service.get_job_log_details(user, "47", first_run_handle)
    assert fake.service.get_job_log_details(user, "47", original_name="export-0") == []
    assert fake.service.export_archive(1) is None
    assert fake.service.export_archive(3) is not None
    assert [entry.run_id for entry in fake.service.get_asset_job_logs(user, "47", "a|47|9|1")] == [
        2,
        3,
    ]
    # two mails a run (start and end), two kept
    assert [(mail.run_id, mail.reason) for mail in fake.outbox] == [(3, "start"), (3, "end")]
    answer = in_process_session(fake.app).get(INPROCESS_BASE_URL + "/_fake/exports/1.zip")
    assert answer.status_code == 404
    state = in_process_session(fake.app).get(INPROCESS_BASE_URL + "/_fake/state").json()
    assert state["log_retention"] == 2


def test_retention_is_per_company_and_must_be_positive() -> None:
    fake = IpsFake(log_retention=1)
    admin = fake.directory.authenticate("ipsadmin@example.com", "password")
    for company in ("47", "48", "47"):
        fake.service.submit_job(admin, SubmitJobRequest(company, f"job-{fake.now():%M}", PUBLISH))
        fake.advance(minutes=1)
    assert [(log.company_id, log.run_id) for log in fake.job_logs] == [("48", 2), ("47", 3)]
    with pytest.raises(ValueError, match="at least 1"):
        IpsFake(log_retention=0)


def test_every_second_schedule_for_a_day_skips_fires_without_an_entry_each() -> None:
    fake = IpsFake(log_retention=20_000)
    submit(fake, "tick", exec_schedule="* * * * * ?")  # a run takes 7 s: New 1 s, 3 items
    fake.advance(days=1)

    # computed by hand: 86,400 fires in (T0, T0 + 1 day]; a run starts at 1 s and, since a run
    # end comes before a fire at the same instant, again every 7 s while a fire remains
    fires = 24 * 60 * 60
    starts = [s for s in range(1, fires + 1) if (s - 1) % 7 == 0]
    logs = fake.job_logs
    unfinished = fake.active_jobs
    assert [log.start_date for log in logs] + [run.start_date for run in unfinished] == [
        T0 + timedelta(seconds=s) for s in starts
    ]
    [job] = fake.scheduled_jobs
    assert job.skipped_fires == fires - len(starts)
    assert fake.service.skipped_fire_count() == fires - len(starts)
    assert job.next_fire_time == T0 + timedelta(seconds=fires + 1)
    assert fake.service.pending_fire_count() <= 2  # the job's fire and its run's end


def test_skipped_fires_are_counted_as_time_passes_and_a_stop_lets_the_next_fire_run() -> None:
    fake = IpsFake()
    user = ips_user(fake)
    submit(fake, "tick", exec_schedule="* * * * * ?")
    fake.advance(seconds=3)  # the run started at 1 s ends at 8 s; fires at 2 s, 3 s skipped
    [job] = fake.scheduled_jobs
    assert (job.skipped_fires, job.next_fire_time) == (2, T0 + timedelta(seconds=4))

    fake.service.stop_job(user, "47", "47|tick|")  # stops the job's run
    for second in range(4, 30):
        fake.advance(seconds=1)
        started = len(fake.job_logs) + len(fake.active_jobs)
        [job] = fake.scheduled_jobs
        assert job.skipped_fires + started == second  # every fire either ran or was skipped
        assert job.next_fire_time == T0 + timedelta(seconds=second + 1)
    [stopped, *_] = fake.job_logs
    # stopped at 3 s, the run ends at 4 s; the fire at 4 s got its entry before that end did,
    # so it comes first and is skipped (entries at one instant go in the order they were made)
    assert stopped.end_date == T0 + timedelta(seconds=4)
    assert fake.job_logs[1].start_date == T0 + timedelta(seconds=5)


def test_a_paused_job_stops_counting_skipped_fires() -> None:
    fake = IpsFake()
    user = ips_user(fake)
    submit(fake, "tick", exec_schedule="* * * * * ?")
    fake.advance(seconds=4)
    fake.service.pause_job(user, "47", "47|tick|")
    fake.advance(seconds=20)  # fires while paused are neither run nor counted as skipped

    [job] = fake.scheduled_jobs
    assert job.skipped_fires == 3  # 2, 3 and 4 s
    assert len(fake.job_logs) + len(fake.active_jobs) == 1
