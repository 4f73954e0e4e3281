"""What keeps a finished job, a kept run and the indexes over them small: shared profiles,
payloads packed with a learned vocabulary, rarely set fields held apart, runs that rebuild
their items, and dicts that give back the room of a burst once it is over."""

from __future__ import annotations

import gc
import sys
import weakref
from datetime import timedelta
from typing import Any

from ips_fake.core.compaction import ROOM_FLOOR, compacted
from ips_fake.core.handles import run_name
from ips_fake.core.jobs import (
    JobProfiles,
    ScheduledJob,
    learned_vocabulary,
    pack_payload,
    unpack_payload,
)
from ips_fake.core.model import EmailSetting, JobKind, JobPayload, SubmitJobRequest, WorkItem
from ips_fake.fake import IpsFake
from tests.core.job_builders import PUBLISH, T0, ips_user


def upload_payload(index: int) -> JobPayload:
    """An uploadUrlsJob of three URLs of its own."""
    urls = tuple(
        (
            "items",
            (
                ("sourceUrl", f"http://example.com/{index}-{n}.jpg"),
                ("destPath", f"in/{index}-{n}.jpg"),
            ),
        )
        for n in range(3)
    )
    return JobPayload(
        kind=JobKind.UPLOAD_URLS,
        element="uploadUrlsJob",
        options=(("urlArray", urls), ("overwrite", "true"), ("emailSetting", "None")),
        email_setting=EmailSetting.NONE,
        items=tuple(WorkItem(f"in/{index}-{n}.jpg") for n in range(3)),
    )


def profile_fields(**changes: str | None) -> dict[str, Any]:
    """The profile fields of most test jobs, with ``changes``."""
    fields: dict[str, Any] = {
        "submitter_email": "a@example.com",
        "notify_email": "a@example.com",
        "locale": None,
        "description": None,
        "time_zone": "UTC",
    }
    fields.update(changes)
    return fields


def test_a_payload_packed_with_a_learned_vocabulary_unpacks_equal_and_smaller() -> None:
    vocabulary = learned_vocabulary(upload_payload(0))
    assert len(vocabulary) <= 1024
    for index in (1, 2, 999):
        payload = upload_payload(index)
        packed = pack_payload(payload, vocabulary)
        assert unpack_payload(packed, vocabulary) == payload
        assert len(packed) * 2 < len(pack_payload(payload))


def test_jobs_with_the_same_fields_share_one_profile_and_it_goes_with_them() -> None:
    profiles = JobProfiles()
    first = profiles.profile(upload_payload(0), **profile_fields())
    again = profiles.profile(upload_payload(1), **profile_fields())
    other = profiles.profile(upload_payload(2), **profile_fields(description="mine"))
    publish = profiles.profile(PUBLISH, **profile_fields())

    assert first is again
    assert other is not first
    assert other.description == "mine"
    assert other.vocabulary is first.vocabulary  # one vocabulary per kind
    assert publish.kind is JobKind.IMAGE_SERVING_PUBLISH
    assert publish.vocabulary != first.vocabulary
    gone = weakref.ref(other)
    del other
    gc.collect()
    assert gone() is None


def test_a_rarely_set_field_reads_its_default_until_set() -> None:
    profile = JobProfiles().profile(PUBLISH, **profile_fields())
    job = ScheduledJob.of(1, "47", "x", PUBLISH, profile)
    job.deleted = False  # setting a default keeps the job without its dict of rare fields
    assert (job.deleted, job.skipped_fires, job.skipping_since, job._rare) == (
        False,
        0,
        None,
        None,
    )

    job.skipped_fires += 2
    job.skipping_since = T0
    assert (job.deleted, job.skipped_fires, job.skipping_since) == (False, 2, T0)
    assert job.payload == PUBLISH
    assert job.is_listed
    job.deleted = True
    assert not job.is_listed


def test_a_dict_that_emptied_out_is_copied_small_and_equal() -> None:
    entries = {n: str(n) for n in range(5000)}
    assert compacted(entries) is entries  # full: left alone
    for n in range(4990):
        del entries[n]
    shrunk = compacted(entries)
    assert shrunk is not entries
    assert shrunk == entries
    assert list(shrunk) == list(entries)
    assert sys.getsizeof(shrunk) < ROOM_FLOOR < sys.getsizeof(entries)
    small = {1: 1, 2: 2}
    del small[1]
    assert compacted(small) is small  # too small to matter


def test_a_burst_of_runs_leaves_its_indexes_small_and_its_items_unheld() -> None:
    fake = IpsFake()
    user = ips_user(fake)
    due = T0 + timedelta(hours=1)
    for index in range(2000):
        request = SubmitJobRequest("47", f"upload-{index}", upload_payload(index), exec_time=due)
        fake.service.submit_job(user, request)
    fake.advance(hours=1)  # all 2,000 fire together

    service = fake.service
    in_progress = service._runs_by_company["47"]
    assert len(in_progress) == 2000
    assert all(run.held_items is None for run in in_progress.values())
    assert not any(run.names_assets for run in in_progress.values())  # uploads name none
    [shown] = fake.service.get_active_jobs(user, "47", handle=f"47||{run_name('upload-7', due)}")
    assert [item.item_name for item in shown.tasks[0].items] == [
        "in/7-0.jpg",
        "in/7-1.jpg",
        "in/7-2.jpg",
    ]
    emptied_before = sys.getsizeof(in_progress)
    fake.advance(minutes=1)  # all of them finish

    assert len(service._runs_by_company["47"]) == 0
    assert len(fake.job_logs) == 2000
    assert sys.getsizeof(service._runs_by_company["47"]) < ROOM_FLOOR < emptied_before
    assert sys.getsizeof(service._listed_jobs["47"]) < ROOM_FLOOR
    log = fake.service.get_job_log_details(user, "47", handle=f"47||{run_name('upload-7', due)}")
    assert [detail.asset_name for detail in log[0].log.details if detail.asset_name] == [
        "in/7-0.jpg",
        "in/7-1.jpg",
        "in/7-2.jpg",
    ]


def test_the_index_of_created_assets_forgets_runs_retention_dropped() -> None:
    fake = IpsFake(log_retention=5)
    user = ips_user(fake)
    for index in range(40):
        request = SubmitJobRequest("47", f"upload-{index}", upload_payload(index))
        fake.service.submit_job(user, request)
        fake.advance(seconds=10)  # each run (3 items, 7 s) finishes before the next starts

    service = fake.service
    assert len(fake.job_logs) == 5
    assert len(service._asset_run_ids) <= 2 * 5 + 1
    # run n (1-based) created assets 3n-2 .. 3n: the last five runs' are found, older not
    assert len(service.get_asset_job_logs(user, "47", "a|47|120|1")) == 1
    assert len(service.get_asset_job_logs(user, "47", "a|47|106|1")) == 1
    assert service.get_asset_job_logs(user, "47", "a|47|105|1") == []
    assert service.get_asset_job_logs(user, "47", "a|47|1|1") == []


def test_a_job_holds_its_one_run_in_progress_without_a_tuple() -> None:
    fake = IpsFake()
    user = ips_user(fake)
    fake.service.submit_job(user, SubmitJobRequest("47", "twice", PUBLISH))
    [job] = fake.service._jobs.values()
    [first] = job.runs
    assert job._unfinished is first
    fake.service.execute_job(user, "47", "47|twice|")  # queues behind the first
    assert [run.run_id for run in job.runs] == [first.run_id, first.run_id + 1]
    fake.advance(seconds=8)  # the first ends, the second starts
    assert [run.run_id for run in job.runs] == [first.run_id + 1]
    assert job._unfinished is job.runs[0]
    fake.advance(seconds=8)
    assert job.runs == ()


def test_a_kept_run_works_out_when_it_ended() -> None:
    fake = IpsFake()
    user = ips_user(fake)
    for name in ("plain", "stopped"):
        fake.service.submit_job(user, SubmitJobRequest("47", name, PUBLISH))
    fake.advance(seconds=2)
    [_, stopped] = fake.service.get_active_jobs(user, "47")
    fake.service.stop_job(user, "47", f"47||{stopped.name}")  # Stopping for 1 s
    fake.advance(seconds=10)

    runs = {run.job.name: run for run in fake.service._logs["47"].values()}
    assert runs["plain"].ended_at == T0 + timedelta(seconds=7)  # New 1 s, 3 items of 2 s
    assert runs["stopped"].ended_at == T0 + timedelta(seconds=3)
    assert runs["plain"]._rare is None  # no instant of its own
    assert runs["stopped"]._rare is not None
    assert runs["stopped"]._rare.get("_ended_elsewhen") is None
    logs = {log.original_job_name: log for log in fake.job_logs}
    assert logs["plain"].end_date == T0 + timedelta(seconds=7)
    assert logs["stopped"].end_date == T0 + timedelta(seconds=3)


def test_runs_of_a_burst_share_the_instant_they_end_at() -> None:
    fake = IpsFake()
    user = ips_user(fake)
    for index in range(50):
        request = SubmitJobRequest("47", f"now-{index}", upload_payload(index))
        fake.service.submit_job(user, request)  # each fires at once: all start together
    entries = list(fake.service._timeline._live.values())
    ends = {id(entry[0]) for entry in entries}
    assert len(entries) == 50
    assert len(ends) == 1  # one datetime for the 50 runs, not one each
    runs = list(fake.service._runs_by_company["47"].values())
    assert len(runs) == 50
    assert len({id(run.trigger_time) for run in runs}) == 1  # fired at one shared instant


def test_only_an_equal_instant_in_the_same_zone_and_fold_is_shared() -> None:
    from datetime import UTC, datetime
    from zoneinfo import ZoneInfo

    from ips_fake.core.jobs import Timeline

    timeline = Timeline()
    utc = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
    pushed = {
        "same": datetime(2026, 1, 5, 9, 0, tzinfo=UTC),
        "other zone": utc.astimezone(ZoneInfo("Europe/Paris")),  # the same instant
        "other fold": datetime(2026, 1, 5, 9, 0, tzinfo=UTC, fold=1),
        "later": datetime(2026, 1, 5, 9, 1, tzinfo=UTC),
    }
    first = object.__new__(ScheduledJob)  # targets are keyed by identity only
    timeline.push(utc, "fire", first)
    targets = {label: object.__new__(ScheduledJob) for label in pushed}
    for label, at in pushed.items():
        timeline.push(at, "fire", targets[label])
    due = {label: timeline.due_of(target) for label, target in targets.items()}
    assert due["same"] is timeline.due_of(first)
    assert due == pushed  # equal values, and each keeps its zone and fold
    for label in ("other zone", "other fold", "later"):
        assert due[label] is pushed[label]
