"""getActiveJobs keeps the last snapshot it showed of each unfinished run and shows it again
while the run and the clock stand still: never a stale one after the run changes (started,
paused, resumed, stopped, finished, the server reset or reconfigured), and the same answer
bytes as snapshots worked out anew each time."""

from __future__ import annotations

import dataclasses
import gc
import pickle
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from ips_fake.core.handles import HandleStyle, job_handle, run_handle
from ips_fake.core.model import (
    ActiveJobInfo,
    JobKind,
    JobPayload,
    RunState,
    SubmitJobRequest,
    WorkItem,
)
from ips_fake.fake import IpsFake
from tests.core.job_builders import ips_user

V2014 = "http://www.scene7.com/IpsApi/xsd/2014-04-03"
SOAP11 = "http://schemas.xmlsoap.org/soap/envelope/"
UPLOAD = JobPayload(
    kind=JobKind.UPLOAD_URLS,
    element="uploadUrlsJob",
    options=(),
    items=tuple(WorkItem(f"in/{n}.jpg") for n in range(1, 4)),
)
ACTIVE_JOBS = (
    f'<s:Envelope xmlns:s="{SOAP11}"><s:Header><authHeader xmlns="{V2014}">'
    "<user>ipsuser@example.com</user><password>password</password></authHeader></s:Header>"
    f'<s:Body><getActiveJobsParam xmlns="{V2014}"><companyHandle>c|47</companyHandle>'
    "</getActiveJobsParam></s:Body></s:Envelope>"
).encode()


def uncached(fake: IpsFake) -> IpsFake:
    """``fake`` with every snapshot worked out anew and every answer item written anew."""
    fake.service._active_info = fake.service._new_active_info  # type: ignore[method-assign]
    fake.app.endpoint.shapes.limit = 0
    return fake


def active(fake: IpsFake) -> list[ActiveJobInfo]:
    return fake.service.get_active_jobs(ips_user(fake), "47", include_waiting=True)


def answer(fake: IpsFake) -> bytes:
    exchange = fake.app.endpoint.handle(ACTIVE_JOBS, content_type="text/xml")
    assert exchange.status == 200, exchange.body
    return exchange.body


def submit(fake: IpsFake, name: str) -> None:
    fake.service.submit_job(ips_user(fake), SubmitJobRequest("47", name, UPLOAD))


def handle_of(run: ActiveJobInfo) -> str:
    return run_handle("47", run.name, run.run_id, HandleStyle.MODERN)


def first_of(fake: IpsFake, job: str, state: RunState | None = None) -> ActiveJobInfo:
    return next(
        run
        for run in active(fake)
        if run.original_name == job and (state is None or run.state is state)
    )


def test_a_still_clock_shows_the_same_snapshot_of_an_unchanged_run() -> None:
    fake = IpsFake()
    submit(fake, "upload")
    fake.advance(seconds=2)

    first, again = active(fake), active(fake)

    assert first == again
    assert first[0] is again[0]
    fake.advance(seconds=1)
    later = active(fake)
    assert later[0] is not first[0]
    assert later[0].tasks[0].items[0].progress != first[0].tasks[0].items[0].progress


def test_stopping_a_run_at_the_instant_it_was_shown_shows_it_stopping() -> None:
    fake = IpsFake()
    submit(fake, "upload")
    fake.advance(seconds=2)
    [shown] = active(fake)
    assert shown.state is RunState.RUNNING

    fake.service.stop_job(ips_user(fake), "47", handle_of(shown))

    [after] = active(fake)
    assert after.state is RunState.STOPPING
    assert after.tasks[0].task_state == "Stopping"


def fake_with_a_waiting_run() -> tuple[IpsFake, ActiveJobInfo]:
    """A fake whose job "upload" has a run going and a second one waiting (executeJob), and
    that waiting run as getActiveJobs shows it."""
    fake = IpsFake()
    submit(fake, "upload")
    fake.service.execute_job(ips_user(fake), "47", job_handle("47", "upload", HandleStyle.MODERN))
    return fake, first_of(fake, "upload", RunState.WAITING_COORDINATOR)


def test_a_waiting_run_stopped_at_the_instant_it_was_shown_is_shown_started() -> None:
    fake, waiting = fake_with_a_waiting_run()

    fake.service.stop_job(ips_user(fake), "47", handle_of(waiting))

    stopped = next(run for run in active(fake) if run.run_id == waiting.run_id)
    assert stopped.state is RunState.STOPPING
    assert stopped.progress_message != waiting.progress_message


def test_a_waiting_run_that_starts_at_the_instant_it_was_shown_is_shown_started() -> None:
    fake, waiting = fake_with_a_waiting_run()
    service = fake.service
    run = service._unfinished_run(waiting.run_id)
    assert run is not None

    # what the end of the run before it does (at the same instant here)
    with service.lock:
        service._begin_work(run, service.sync())

    started = next(each for each in active(fake) if each.run_id == waiting.run_id)
    assert started.state is RunState.NEW
    assert started.progress_message != waiting.progress_message


def test_a_new_server_name_shows_at_once() -> None:
    fake = IpsFake()
    submit(fake, "upload")
    assert active(fake)[0].server_name == "ips-fake-1"

    fake.service.settings = replace(fake.service.settings, server_name="other-host")

    assert active(fake)[0].server_name == "other-host"


def test_a_new_time_zone_shows_at_once() -> None:
    fake = IpsFake()
    submit(fake, "upload")
    assert active(fake)[0].start_date.utcoffset() == timedelta(0)

    fake.service.zone = ZoneInfo("Asia/Tokyo")

    assert active(fake)[0].start_date.utcoffset() == timedelta(hours=9)


def test_after_a_reset_a_run_with_the_same_id_and_instant_is_shown_as_itself() -> None:
    fake = IpsFake()
    submit(fake, "before")
    [before] = active(fake)

    fake.reset()
    submit(fake, "after")

    [after] = active(fake)
    assert after.run_id == before.run_id
    assert after.trigger_time == before.trigger_time
    assert after.original_name == "after"


def test_a_finished_run_leaves_no_snapshot_behind() -> None:
    fake = IpsFake()
    submit(fake, "upload")
    active(fake)
    assert len(fake.service._active_views) == 1

    fake.advance(minutes=1)

    assert active(fake) == []
    assert fake.service._active_views == {}


def _scenario() -> list[Callable[[IpsFake], object]]:
    """Steps that change runs with the clock standing still, and clock moves between them."""
    user = ips_user

    def execute(fake: IpsFake) -> None:
        fake.service.execute_job(user(fake), "47", job_handle("47", "a", HandleStyle.MODERN))

    def control(operation: str, job: str, state: RunState | None = None) -> Callable[..., None]:
        def step(fake: IpsFake) -> None:
            run = first_of(fake, job, state)
            getattr(fake.service, operation)(user(fake), "47", handle_of(run))

        return step

    return [
        lambda fake: submit(fake, "a"),
        lambda fake: submit(fake, "b"),
        execute,
        lambda fake: fake.advance(seconds=1),
        lambda fake: fake.advance(seconds=2.5),
        control("pause_job", "b"),
        lambda fake: fake.advance(seconds=2),
        control("resume_job", "b"),
        control("stop_job", "a", RunState.RUNNING),
        lambda fake: fake.advance(seconds=1),
        control("pause_job", "a"),
        lambda fake: fake.advance(seconds=0.5),
        control("resume_job", "a"),
        control("delete_job", "b"),
        lambda fake: fake.advance(seconds=1),
        lambda fake: fake.advance(seconds=10),
    ]


def test_snapshots_and_answer_bytes_match_ones_worked_out_anew_after_every_step() -> None:
    kept, fresh = IpsFake(), uncached(IpsFake())
    for number, step in enumerate(_scenario()):
        for fake in (kept, fresh):
            step(fake)
        # shown twice: the second time from what the first kept
        for _ in range(2):
            assert active(kept) == active(fresh), f"after step {number}"
            assert answer(kept) == answer(fresh), f"after step {number}"
    assert kept.service._active_views == {}


def test_a_snapshot_hashes_as_its_fields_do_and_holds_only_its_fields() -> None:
    from ips_fake.core.model import _ACTIVE_JOB_HASHES

    fake = IpsFake()
    submit(fake, "upload")
    [shown] = active(fake)
    twin = replace(shown)  # an equal snapshot, built apart
    other = replace(shown, progress=shown.progress + 1)

    assert hash(shown) == hash(twin)
    assert len({shown, twin, other}) == 2
    # the hash worked out is kept beside the snapshot, not in it
    assert set(vars(shown)) == {field.name for field in dataclasses.fields(shown)}
    assert ActiveJobInfo(**vars(shown)) == shown
    restored = pickle.loads(pickle.dumps(shown))
    assert restored == shown
    assert hash(restored) == hash(shown)
    # and goes with it
    key = id(other)
    assert key in _ACTIVE_JOB_HASHES
    del other
    gc.collect()
    assert key not in _ACTIVE_JOB_HASHES


def test_snapshots_in_the_repeated_hour_of_a_fall_back_are_the_ones_worked_out_anew() -> None:
    from tests.core.test_dst_work_time import snapshots_over_the_fall_back

    def offsets(info: object) -> list[object]:
        """The UTC offset of every time the snapshot shows, in order."""
        found: list[object] = []

        def walk(value: object) -> None:
            if isinstance(value, datetime):
                found.append(value.utcoffset())
            elif isinstance(value, tuple):
                for each in value:
                    walk(each)
            elif dataclasses.is_dataclass(value):
                for field in dataclasses.fields(value):
                    walk(getattr(value, field.name))

        walk(info)
        return found

    fresh = [offsets(info) for info in snapshots_over_the_fall_back(kept_views=False)]
    assert len(fresh[0]) == len(fresh[1]) > 3
    # the kept snapshot of 01:30 EDT is not given again at 01:30 EST (its key holds the
    # fold); what the fresh one shows there is docs/fidelity.md's "work across a fall-back"
    assert [offsets(info) for info in snapshots_over_the_fall_back(kept_views=True)] == fresh
