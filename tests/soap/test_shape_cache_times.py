"""Listing answers are the same bytes from a fresh fake and from one whose kept items
(ShapeCache) were shaped before: times that Python calls equal but that are written apart
(the two 01:30 of a fall-back, one instant in two zones) and progress that rounds to zero."""

from __future__ import annotations

from datetime import UTC, datetime

from ips_fake.core.handles import HandleStyle, job_handle
from ips_fake.core.model import JobKind, JobPayload, SubmitJobRequest, WorkItem
from ips_fake.fake import IpsFake
from tests.core.job_builders import ips_user
from tests.core.test_active_views import ACTIVE_JOBS, UPLOAD

EDT_0130 = datetime(2026, 11, 1, 5, 30, tzinfo=UTC)  # 01:30-04:00 in New York (fold 0)
EST_0130 = datetime(2026, 11, 1, 6, 30, tzinfo=UTC)  # 01:30-05:00, an hour later (fold 1)


def active_jobs_answer(fake: IpsFake) -> bytes:
    exchange = fake.app.endpoint.handle(ACTIVE_JOBS, content_type="text/xml")
    assert exchange.status == 200, exchange.body
    return exchange.body


def run_submitted_at(fake: IpsFake, instant: datetime) -> bytes:
    fake.move_to(instant)
    fake.service.submit_job(ips_user(fake), SubmitJobRequest("47", "upload", UPLOAD))
    return active_jobs_answer(fake)


def test_after_a_reset_a_run_in_the_repeated_hour_is_shown_with_its_own_offset() -> None:
    fresh = IpsFake(time_zone="America/New_York")
    expected = run_submitted_at(fresh, EST_0130)
    assert b"-05:00" in expected

    warm = IpsFake(time_zone="America/New_York")
    first = run_submitted_at(warm, EDT_0130)  # the same run one real hour earlier
    assert b"-04:00" in first
    warm.reset()

    # the 01:30-04:00 run's record equals this one (same zone, wall times differing only
    # in fold): its item must not be copied
    assert run_submitted_at(warm, EST_0130) == expected


SCHEDULED_JOBS = ACTIVE_JOBS.replace(b"getActiveJobsParam", b"getScheduledJobsParam")
PUBLISH = JobPayload(
    kind=JobKind.IMAGE_SERVING_PUBLISH,
    element="imageServingPublishJob",
    options=(("publishType", "Full"), ("emailSetting", "None")),
    publish_type="Full",
)


def scheduled_jobs_answer(fake: IpsFake) -> bytes:
    exchange = fake.app.endpoint.handle(SCHEDULED_JOBS, content_type="text/xml")
    assert exchange.status == 200, exchange.body
    return exchange.body


def schedule_publish(fake: IpsFake, at: datetime) -> bytes:
    fake.service.submit_job(
        ips_user(fake), SubmitJobRequest("47", "nightly", PUBLISH, exec_time=at)
    )
    return scheduled_jobs_answer(fake)


def test_a_job_resubmitted_for_the_repeated_hour_is_listed_with_its_own_offset() -> None:
    start = datetime(2026, 11, 1, 4, 0, tzinfo=UTC)  # 00:00 EDT
    fresh = IpsFake(time_zone="America/New_York")
    fresh.move_to(start)
    expected = schedule_publish(fresh, EST_0130)
    assert b"01:30:00.000-05:00" in expected

    warm = IpsFake(time_zone="America/New_York")
    warm.move_to(start)
    assert b"01:30:00.000-04:00" in schedule_publish(warm, EDT_0130)
    warm.service.delete_job(ips_user(warm), "47", job_handle("47", "nightly", HandleStyle.MODERN))

    # no reset needed: the item shaped for the job due at 01:30-04:00 must not be copied
    assert schedule_publish(warm, EST_0130) == expected


THIRTEEN = JobPayload(
    kind=JobKind.UPLOAD_URLS,
    element="uploadUrlsJob",
    options=(),
    items=tuple(WorkItem(f"in/{n}.jpg") for n in range(13)),
)


def upload_shown_after(fake: IpsFake, seconds: float) -> bytes:
    fake.service.submit_job(ips_user(fake), SubmitJobRequest("47", "x", THIRTEEN))
    fake.advance(seconds=seconds)
    return active_jobs_answer(fake)


def test_an_item_just_begun_is_shown_with_progress_zero_not_minus_zero() -> None:
    # 1 s New, then 0.03 s per item: exactly one item done; the next item's fraction is
    # round(-tiny, 3), a negative zero, written as str(-0.0)
    body = upload_shown_after(IpsFake(seconds_per_item=0.03), 1.03)

    assert b"<progress>-0.0</progress>" not in body  # IPS writes no negative zero
    assert b"<progress>0.0</progress>" in body


def test_warm_and_fresh_fakes_answer_the_same_bytes_when_records_differ_in_zero_sign() -> None:
    expected = upload_shown_after(IpsFake(seconds_per_item=0.03), 1.03)

    warm = IpsFake(seconds_per_item=0.03)
    upload_shown_after(warm, 1.030001)  # one microsecond later: a positive 0.0, else equal
    warm.reset()

    # 0.0 == -0.0: an item shaped before the reset is copied only if both write the same
    assert upload_shown_after(warm, 1.03) == expected


def test_a_new_time_zone_shows_at_once_in_the_soap_answer() -> None:
    from zoneinfo import ZoneInfo

    def answer_after_zone_change(fake: IpsFake) -> bytes:
        upload_shown_after(fake, 2)  # shown (and, when kept, shaped) in UTC
        fake.service.zone = ZoneInfo("Asia/Tokyo")  # as tests/core/test_active_views.py does
        return active_jobs_answer(fake)

    unkept = IpsFake()
    unkept.app.endpoint.shapes.limit = 0  # every item written anew
    expected = answer_after_zone_change(unkept)
    assert b"+09:00" in expected

    # the Tokyo snapshot equals the UTC one (same instants): the UTC item must not be copied
    assert answer_after_zone_change(IpsFake()) == expected


def test_items_are_kept_only_while_the_zone_keeps_one_offset() -> None:
    utc = IpsFake()
    run_submitted_at(utc, EDT_0130)
    assert len(utc.app.endpoint.shapes) == 1  # a fixed offset: the item is kept

    new_york = IpsFake(time_zone="America/New_York")
    run_submitted_at(new_york, EDT_0130)
    assert len(new_york.app.endpoint.shapes) == 0  # written anew for each answer
