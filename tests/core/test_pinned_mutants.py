"""Behaviours of the core that the sampled mutation run (benchmarks/mutation_score.py) found
no test pinning: the default time per item of a service built without settings, and the
cron fields where ``?`` and ``*`` are told apart."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from ips_fake.core.clock import ManualClock
from ips_fake.core.cron import CronSyntaxError, QuartzSchedule
from ips_fake.core.directory import Directory
from ips_fake.core.model import RunState, SubmitJobRequest
from ips_fake.core.service import IpsService
from tests.core.job_builders import PUBLISH, T0


def test_a_service_built_without_settings_works_two_seconds_per_item() -> None:
    clock = ManualClock()
    service = IpsService(Directory.default(), clock)
    user = service.directory.authenticate("ipsuser@example.com", "password")
    service.submit_job(user, SubmitJobRequest("47", "publish", PUBLISH))

    clock.advance(seconds=1)  # the run starts one second after it is triggered
    clock.advance(seconds=2)
    [run] = service.get_active_jobs(user, "47")
    assert (run.state, run.progress_message) == (RunState.RUNNING, "Processed 1 of 3")

    clock.advance(seconds=4)
    assert service.get_active_jobs(user, "47") == []
    [log] = service.all_job_logs()
    assert (log.start_date, log.end_date) == (T0, T0 + timedelta(seconds=7))


@pytest.mark.parametrize("field", [0, 1, 2, 4, 6])
def test_a_question_mark_outside_the_day_fields_is_refused(field: int) -> None:
    fields = ["0", "0", "12", "?", "*", "MON", "2030"]
    fields[field] = "?"
    with pytest.raises(CronSyntaxError, match="only allowed in day-of-month or day-of-week"):
        QuartzSchedule.parse(" ".join(fields))


def test_a_restricted_day_of_month_with_any_day_of_week_fires_on_that_day_only() -> None:
    schedule = QuartzSchedule.parse("0 0 12 15 * *")
    after = datetime(2024, 5, 1, tzinfo=UTC)
    assert schedule.next_fire_after(after) == datetime(2024, 5, 15, 12, tzinfo=UTC)
    assert schedule.count_fires_between(after, datetime(2024, 8, 1, tzinfo=UTC)) == 3
