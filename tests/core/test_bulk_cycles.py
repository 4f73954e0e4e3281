"""A long move over a lone schedule is applied in bulk (runs whose logs retention would drop at
once are counted, never built); what it leaves must be exactly what applying every fire,
skipped fire and run end one by one leaves, at every instant a caller can see."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest

from ips_fake.fake import IpsFake
from tests.core.job_builders import T0, ips_user, submit

Setup = Callable[[IpsFake], None]


def snapshot(fake: IpsFake) -> dict[str, Any]:
    """Everything a caller can observe, and the counters later runs are numbered from."""
    service = fake.service
    user = ips_user(fake)
    return {
        "now": service.sync(),
        "logs": service.all_job_logs(),
        "logs_newest_first": service.get_job_logs(user, "47"),
        "details": service.get_job_log_details(user, "47", records_per_page=3, results_page=2),
        "scheduled": service.all_scheduled_jobs(),
        "active": service.all_active_jobs(),
        "skipped": service.skipped_fire_count(),
        "mails": service.notifications(),
        "pending": service.pending_fire_count(),
        "run_serial": service._run_serial,
        "finish_serial": service._finish_serial,
        "handles": sorted(
            (company, sorted(names.items())) for company, names in service._run_names.items()
        ),
    }


def observed(
    setup: Setup, steps: list[timedelta], *, bulk: bool, **options: Any
) -> tuple[list[dict[str, Any]], int]:
    """Snapshots after each clock step, with bulk application on or off, and how many fires
    were applied one by one."""
    fake = IpsFake(**options)
    fake.service.bulk_cycles = bulk
    fired = 0
    ordinary_fire = fake.service._fire

    def counting_fire(*args: Any) -> None:
        nonlocal fired
        fired += 1
        ordinary_fire(*args)

    fake.service._fire = counting_fire  # type: ignore[method-assign,assignment]
    setup(fake)
    states = []
    for step in steps:
        fake.advance(seconds=step.total_seconds())
        states.append(snapshot(fake))
    # the counters carry on alike: a run started now gets the same id and name either way
    submit(fake, "after", exec_time=fake.now())
    states.append(snapshot(fake))
    return states, fired


def every_minute(fake: IpsFake) -> None:
    submit(fake, "minutely", exec_schedule="0 * * * * ?")


def every_second(fake: IpsFake) -> None:
    submit(fake, "tick", exec_schedule="* * * * * ?")


def every_second_short_runs(seconds: float) -> Setup:
    def setup(fake: IpsFake) -> None:
        fake.script("warn", name_pattern="tick", seconds=seconds)
        every_second(fake)

    return setup


def with_neighbours(fake: IpsFake) -> None:
    """Logs of another job kept before the move, an hourly job and a one-off in between."""
    submit(fake, "earlier", exec_time=T0)
    submit(fake, "hourly", exec_schedule="0 30 * * * ?")
    submit(fake, "once", exec_time=T0 + timedelta(hours=5, seconds=3))
    submit(fake, "tick", exec_schedule="*/10 * * * * ?")


def export_minutely(fake: IpsFake) -> None:
    from ips_fake.core.model import EmailSetting, JobKind, JobPayload, SubmitJobRequest

    export = JobPayload(
        kind=JobKind.EXPORT,
        element="exportJob",
        options=(("emailSetting", "None"),),
        email_setting=EmailSetting.NONE,
    )
    fake.service.submit_job(
        ips_user(fake),
        SubmitJobRequest("47", "nightly", export, exec_schedule="0 * * * * ?"),
    )


HOUR = timedelta(hours=1)
UNEVEN = [timedelta(seconds=5), 3 * HOUR + timedelta(seconds=13), HOUR, 9 * HOUR, timedelta(0)]

CASES: dict[str, tuple[Setup, list[timedelta], dict[str, Any]]] = {
    "every minute, one move": (every_minute, [timedelta(days=3)], {"log_retention": 50}),
    "every minute, uneven moves": (every_minute, UNEVEN, {"log_retention": 50}),
    "every minute, retention above the runs": (every_minute, UNEVEN, {"log_retention": 5000}),
    "every second, 7 s runs": (every_second, UNEVEN, {"log_retention": 50}),
    "every second, 2.5 s runs": (every_second_short_runs(1.5), UNEVEN, {"log_retention": 40}),
    "every second, 1.5 s runs": (every_second_short_runs(0.5), UNEVEN, {"log_retention": 40}),
    "every second, 1 s runs": (every_second_short_runs(0), UNEVEN, {"log_retention": 40}),
    "neighbours bound the steps": (with_neighbours, UNEVEN, {"log_retention": 60}),
    "fixed-offset zone": (every_second, UNEVEN, {"log_retention": 30, "time_zone": "Etc/GMT-5"}),
    "exports": (export_minutely, UNEVEN, {"log_retention": 25}),
}


@pytest.mark.parametrize("case", list(CASES))
def test_bulk_and_one_by_one_leave_the_same_state_at_every_step(case: str) -> None:
    setup, steps, options = CASES[case]

    one_by_one, fired_slowly = observed(setup, steps, bulk=False, **options)
    bulk, fired_in_bulk = observed(setup, steps, bulk=True, **options)

    assert len(bulk[-1]["logs"]) >= 2
    for step, (slow_state, bulk_state) in enumerate(zip(one_by_one, bulk, strict=True)):
        for key in slow_state:
            assert bulk_state[key] == slow_state[key], f"step {step}: {key} differs"
    # the bulk path was taken: far fewer fires went through the ordinary path
    assert fired_in_bulk * 4 < fired_slowly


@pytest.mark.parametrize(
    "expression",
    [
        "0 * * * * ?",
        "* * * * * ?",
        "*/7 5-9 1,13 ? * MON-FRI",
        "0 0 12 L * ?",
        "15,45 */10 * 1W * ?",
    ],
)
def test_wall_fire_arithmetic_agrees_with_the_fire_by_fire_search(expression: str) -> None:
    from datetime import UTC, datetime
    from itertools import islice

    from ips_fake.core.cron import QuartzSchedule

    schedule = QuartzSchedule(expression)
    start = datetime(2026, 2, 27, 13, 4, 5, 500, tzinfo=UTC)
    fires: list[datetime] = []
    found = schedule.next_fire_after(start)
    while found is not None and len(fires) < 3000:
        fires.append(found.replace(tzinfo=None))
        found = schedule.next_fire_after(found)
    wall = start.replace(tzinfo=None)
    assert list(islice(schedule.wall_fires_from(wall), len(fires))) == fires
    for index in (0, 1, 59, 60, 61, len(fires) - 1):
        assert schedule.nth_wall_fire(wall, index) == fires[index]
        assert schedule.count_wall_fires(wall, fires[index]) == index + 1
        assert schedule.count_wall_fires(wall, fires[index] - timedelta(microseconds=1)) == index


def test_a_packed_payload_unpacks_equal() -> None:
    from ips_fake.core.jobs import pack_payload, unpack_payload
    from ips_fake.core.model import EmailSetting, JobKind, JobPayload, WorkItem

    payload = JobPayload(
        kind=JobKind.REPROCESS_ASSETS,
        element="reprocessAssetsJob",
        options=(("assetHandleArray", (("items", "a|47|1|1"), ("items", "a|47|2|1"))),),
        email_setting=EmailSetting.ERROR,
        publish_type=None,
        items=(WorkItem("a|47|1|1", "a|47|1|1"), WorkItem("a|47|2|1", "a|47|2|1")),
        server_dir="in/",
    )
    assert unpack_payload(pack_payload(payload)) == payload
    assert len(pack_payload(payload)) < 200
