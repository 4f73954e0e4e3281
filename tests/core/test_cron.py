"""Quartz cron parsing and next-fire-time calculation (``ips_fake.core.cron``).

Every expected fire time below is a literal, worked out from a printed calendar.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from ips_fake.core.cron import CronSyntaxError, QuartzSchedule

STOCKHOLM = ZoneInfo("Europe/Stockholm")


def utc(
    year: int,
    month: int,
    day: int,
    hour: int = 0,
    minute: int = 0,
    second: int = 0,
    microsecond: int = 0,
) -> datetime:
    return datetime(year, month, day, hour, minute, second, microsecond, tzinfo=UTC)


NEXT_FIRE_CASES: list[tuple[str, datetime, datetime | None]] = [
    # hourly, from inside an hour and from exactly on a fire time across a year end
    ("0 0 * * * ?", utc(2024, 5, 10, 10, 20, 30), utc(2024, 5, 10, 11)),
    ("0 0 * * * ?", utc(2024, 12, 31, 23), utc(2025, 1, 1, 0)),
    # fire times are whole seconds: microseconds of `after` are dropped, strictly after
    ("0 0 * * * ?", utc(2024, 5, 10, 10, 59, 59, 999_999), utc(2024, 5, 10, 11)),
    ("0 0 * * * ?", utc(2024, 5, 10, 11, 0, 0, 500_000), utc(2024, 5, 10, 12)),
    # every 15 minutes in office hours; 2024-05-10 is a Friday
    ("0 */15 9-17 ? * MON-FRI", utc(2024, 5, 10, 17, 50), utc(2024, 5, 13, 9)),
    ("0 */15 9-17 ? * MON-FRI", utc(2024, 5, 13, 9, 7, 30), utc(2024, 5, 13, 9, 15)),
    # numeric day-of-week is 1 = Sunday ... 7 = Saturday; 2024-05-08 is a Wednesday
    ("0 0 12 ? * 2", utc(2024, 5, 8, 9), utc(2024, 5, 13, 12)),  # Monday
    ("0 0 12 ? * 1", utc(2024, 5, 8, 9), utc(2024, 5, 12, 12)),  # Sunday
    ("0 0 12 ? * 7", utc(2024, 5, 8, 9), utc(2024, 5, 11, 12)),  # Saturday
    ("0 0 12 ? * L", utc(2024, 5, 8, 9), utc(2024, 5, 11, 12)),  # L alone = Saturday
    ("0 0 9 ? * sun", utc(2024, 5, 8, 9), utc(2024, 5, 12, 9)),  # lower-case name
    ("0 0 0 ? * FRI-MON", utc(2024, 5, 13), utc(2024, 5, 17)),  # wrapping name range
    # L in day-of-month: last day, leap February, and on a fire time into the next month
    ("0 0 0 L * ?", utc(2024, 2, 10), utc(2024, 2, 29)),
    ("0 0 0 L * ?", utc(2023, 2, 28), utc(2023, 3, 31)),
    ("0 0 0 L-2 * ?", utc(2024, 4, 1), utc(2024, 4, 28)),
    ("0 0 0 L-2 * ?", utc(2024, 2, 27), utc(2024, 3, 29)),
    ("0 0 0 L-30 * ?", utc(2024, 2, 1), utc(2024, 3, 1)),  # only months of 31 days
    # LW: last weekday; 2024-08-31 is a Saturday, 2024-03-31 a Sunday, 2024-05-31 a Friday
    ("0 0 0 LW * ?", utc(2024, 8, 1), utc(2024, 8, 30)),
    ("0 0 0 LW * ?", utc(2024, 3, 1), utc(2024, 3, 29)),
    ("0 0 0 LW * ?", utc(2024, 5, 1), utc(2024, 5, 31)),
    # nW: 2024-06-15 is a Saturday, 2024-09-15 a Sunday, 2024-07-15 a Monday
    ("0 0 0 15W * ?", utc(2024, 6, 1), utc(2024, 6, 14)),
    ("0 0 0 15W * ?", utc(2024, 9, 1), utc(2024, 9, 16)),
    ("0 0 0 15W * ?", utc(2024, 6, 14), utc(2024, 7, 15)),
    # 2024-06-01 is a Saturday: Monday the 3rd, never back into May
    ("0 0 0 1W * ?", utc(2024, 5, 15), utc(2024, 6, 3)),
    # 2025-08-31 is a Sunday: Friday the 29th; April has no 31st, 2024-05-31 is a Friday
    ("0 0 0 31W * ?", utc(2025, 8, 1), utc(2025, 8, 29)),
    ("0 0 0 31W * ?", utc(2024, 4, 1), utc(2024, 5, 31)),
    # n#k: Fridays of May 2024 are 3, 10, 17, 24, 31; of June 2024 7, 14, 21, 28
    ("0 0 10 ? * 6#3", utc(2024, 5, 1), utc(2024, 5, 17, 10)),
    ("0 0 10 ? * 6#3", utc(2024, 5, 17, 10), utc(2024, 6, 21, 10)),
    ("0 15 10 ? * FRI#3", utc(2024, 5, 1), utc(2024, 5, 17, 10, 15)),
    # fifth Thursday: 2024-05-30, none in June or July, then 2024-08-29
    ("0 0 0 ? * 5#5", utc(2024, 5, 31), utc(2024, 8, 29)),
    # nL: last Friday; 2024-05-31, 2024-12-27, and 2025-01-31 across the year end
    ("0 0 10 ? * 6L", utc(2024, 5, 1), utc(2024, 5, 31, 10)),
    ("0 0 10 ? * 6L", utc(2024, 11, 30), utc(2024, 12, 27, 10)),
    ("0 0 10 ? * FRIL", utc(2024, 12, 28), utc(2025, 1, 31, 10)),
    # 29 February only in leap years (the trailing space is part of the real form)
    ("0 0 0 29 2 ? ", utc(2027, 1, 1), utc(2028, 2, 29)),
    ("0 0 0 29 2 ?", utc(2028, 2, 29), utc(2032, 2, 29)),
    # year field: a single year, a stepped range, before 1970, after 2099
    ("0 0 0 1 1 ? 2030", utc(2024, 6, 1), utc(2030, 1, 1)),
    ("0 0 0 1 1 ? 2030", utc(2030, 1, 1), None),
    ("0 0 0 1 1 ? 2030-2040/5", utc(2030, 1, 1), utc(2035, 1, 1)),
    ("0 0 0 1 1 ?", utc(1960, 6, 1), utc(1970, 1, 1)),
    ("0 0 0 * * ?", utc(2099, 12, 31), None),
    # impossible dates never fire
    ("0 0 0 30 2 ?", utc(2024, 1, 1), None),
    ("0 0 0 31 4,6,9,11 ?", utc(2024, 1, 1), None),
    # the 5-field form seen on a real server: every day at midnight
    ("00 00 00 * * ", utc(2024, 5, 10, 12), utc(2024, 5, 11)),
    ("00 00 00 * * ", utc(2024, 12, 31), utc(2025, 1, 1)),
    # names in lists and ranges; 2024-07-01 is a Monday
    ("0 0 8 ? JAN,JUL,DEC MON,WED", utc(2024, 5, 15), utc(2024, 7, 1, 8)),
    ("0 0 0 1 MAR-MAY ?", utc(2024, 6, 15), utc(2025, 3, 1)),
    ("0 0 0 1 jan-mar/2 ?", utc(2024, 2, 1), utc(2024, 3, 1)),
    # steps and lists in the time fields
    ("5/20 * * * * ?", utc(2024, 5, 10, 12, 0, 46), utc(2024, 5, 10, 12, 1, 5)),
    ("5/20 * * * * ?", utc(2024, 5, 10, 12, 0, 5), utc(2024, 5, 10, 12, 0, 25)),
    ("0,30 * * * * ?", utc(2024, 5, 10, 12, 0, 0), utc(2024, 5, 10, 12, 0, 30)),
    ("0 0 */6 * * ?", utc(2024, 5, 10, 13), utc(2024, 5, 10, 18)),
    ("0 0 22-2 * * ?", utc(2024, 5, 10, 2), utc(2024, 5, 10, 22)),  # wrapping hour range
    ("0 0 0 1 */3 ?", utc(2024, 5, 10), utc(2024, 7, 1)),
    ("59 59 23 31 12 ?", utc(2024, 12, 31, 23, 59, 59), utc(2025, 12, 31, 23, 59, 59)),
    # month rollover: April has no 31st
    ("0 30 23 31 * ?", utc(2024, 4, 1), utc(2024, 5, 31, 23, 30)),
    # leniency: a plain * beside a restricted day field is read as ?
    ("0 0 0 * * *", utc(2024, 5, 10, 12), utc(2024, 5, 11)),
    ("0 0 0 15 * *", utc(2024, 5, 15), utc(2024, 6, 15)),
    ("0 0 0 * * 2", utc(2024, 5, 8), utc(2024, 5, 13)),
    # surrounding and repeated whitespace is ignored
    ("\t0  0 12 * * ?  ", utc(2024, 5, 10, 12), utc(2024, 5, 11, 12)),
]


@pytest.mark.parametrize(("expression", "after", "expected"), NEXT_FIRE_CASES)
def test_next_fire_after(expression: str, after: datetime, expected: datetime | None) -> None:
    fire = QuartzSchedule.parse(expression).next_fire_after(after)
    assert fire == expected
    if fire is not None:
        assert fire.tzinfo is after.tzinfo


def test_expression_is_kept_verbatim() -> None:
    schedule = QuartzSchedule.parse("00 00 00 * * ")
    assert schedule.expression == "00 00 00 * * "
    assert schedule == QuartzSchedule("00 00 00 * * ")


def test_hourly_iteration_gives_every_hour_of_the_day() -> None:
    schedule = QuartzSchedule.parse("0 0 * * * ?")
    moment = utc(2024, 5, 10)
    fires = []
    for _ in range(24):
        next_fire = schedule.next_fire_after(moment)
        assert next_fire is not None
        fires.append(next_fire)
        moment = next_fire
    assert [fire.hour for fire in fires] == [*range(1, 24), 0]
    assert fires[0] == utc(2024, 5, 10, 1)
    assert fires[-1] == utc(2024, 5, 11)


def test_far_and_impossible_dates_end_in_none_or_the_rare_date() -> None:
    assert QuartzSchedule.parse("0 0 0 29 2 ? ").next_fire_after(utc(2097, 3, 1)) is None
    assert QuartzSchedule.parse("0 0 0 30 2 ?").next_fire_after(utc(1970, 1, 1)) is None
    assert QuartzSchedule.parse("0 0 0 ? 2 6#5").next_fire_after(utc(2027, 1, 1)) == utc(
        2036, 2, 29
    )


def test_fixed_offset_zone_uses_local_wall_time() -> None:
    new_york_winter = timezone(timedelta(hours=-5))
    after = datetime(2024, 1, 10, 8, 0, tzinfo=new_york_winter)
    fire = QuartzSchedule.parse("0 30 8 * * ?").next_fire_after(after)
    assert fire == datetime(2024, 1, 10, 8, 30, tzinfo=new_york_winter)
    assert fire is not None
    assert fire.tzinfo is new_york_winter


def stockholm(
    year: int, month: int, day: int, hour: int, minute: int = 0, second: int = 0, fold: int = 0
) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=STOCKHOLM, fold=fold)


def test_stockholm_spring_forward_skips_the_gap() -> None:
    # 2024-03-31: clocks go from 02:00 CET straight to 03:00 CEST
    daily = QuartzSchedule.parse("0 30 2 * * ?")
    fire = daily.next_fire_after(stockholm(2024, 3, 30, 3))
    assert fire is not None
    assert fire.tzinfo is STOCKHOLM
    assert (fire.year, fire.month, fire.day, fire.hour, fire.minute) == (2024, 4, 1, 2, 30)
    assert fire.utcoffset() == timedelta(hours=2)

    hourly = QuartzSchedule.parse("0 0 * * * ?")
    fire = hourly.next_fire_after(stockholm(2024, 3, 31, 1, 30))
    assert fire is not None
    assert (fire.day, fire.hour) == (31, 3)
    assert fire.astimezone(UTC) == utc(2024, 3, 31, 1)

    every_second = QuartzSchedule.parse("* * * * * ?")
    fire = every_second.next_fire_after(stockholm(2024, 3, 31, 1, 59, 59))
    assert fire is not None
    assert fire.astimezone(UTC) == utc(2024, 3, 31, 1)


def test_stockholm_fall_back_fires_a_repeated_time_once() -> None:
    # 2024-10-27: clocks go from 03:00 CEST back to 02:00 CET; 02:00-02:59 happens twice
    daily = QuartzSchedule.parse("0 30 2 * * ?")
    first = daily.next_fire_after(stockholm(2024, 10, 26, 12))
    assert first is not None
    assert first.astimezone(UTC) == utc(2024, 10, 27, 0, 30)  # 02:30 CEST, the first pass
    second = daily.next_fire_after(first)
    assert second is not None
    assert second.astimezone(UTC) == utc(2024, 10, 28, 1, 30)  # next day, 02:30 CET

    hourly = QuartzSchedule.parse("0 0 * * * ?")
    fire = hourly.next_fire_after(stockholm(2024, 10, 27, 2))
    assert fire is not None
    assert fire.astimezone(UTC) == utc(2024, 10, 27, 2)  # 03:00 CET

    # from inside the second pass of the repeated hour, the first-pass times are in the past
    quarterly = QuartzSchedule.parse("0 */15 * * * ?")
    fire = quarterly.next_fire_after(stockholm(2024, 10, 27, 2, 30, fold=1))
    assert fire is not None
    assert fire.astimezone(UTC) == utc(2024, 10, 27, 2)  # 03:00 CET


def test_naive_datetime_is_rejected() -> None:
    schedule = QuartzSchedule.parse("0 0 * * * ?")
    with pytest.raises(ValueError, match="timezone-aware"):
        schedule.next_fire_after(datetime(2024, 5, 10, 12))


BAD_EXPRESSIONS: list[tuple[str, str]] = [
    ("0 0 12 ? * 0", "day-of-week"),
    ("0 0 12 ? * 8", "day-of-week"),
    ("? 0 12 * * ?", "second"),
    ("0 0 0 1 1 ? 2030 5", "expression"),
    ("0 0 0 *", "expression"),
    ("", "expression"),
    ("   ", "expression"),
    ("61 0 0 * * ?", "second"),
    ("0 60 0 * * ?", "minute"),
    ("0 0 24 * * ?", "hour"),
    ("0 0 0 32 * ?", "day-of-month"),
    ("0 0 0 * 13 ?", "month"),
    ("0 0 0 1 1 ? 2100", "year"),
    ("0 0 0 1 1 ? 1969", "year"),
    ("0 0 0 1 1 ? ?", "year"),
    ("0 0 0 1 1 ? 2040-2030", "year"),
    ("0 0 0 15 * MON", "day-of-week"),
    ("0 0 0 ? * ?", "day-of-month"),
    ("0 0 10 ? * 6#6", "day-of-week"),
    ("0 0 10 ? * 6#0", "day-of-week"),
    ("0 0 0 1-15W * ?", "day-of-month"),
    ("0 0 0 L,15 * ?", "day-of-month"),
    ("0 0 0 L-31 * ?", "day-of-month"),
    ("0 0 0 ? * 6L,2", "day-of-week"),
    ("0 0 abc * * ?", "hour"),
    ("0 0 0 * FOO ?", "month"),
    ("0 0 0 ? * MONDAY", "day-of-week"),
    ("0 0 0 ? * SUN-", "day-of-week"),
    ("0 0 0 1,,2 * ?", "day-of-month"),
    ("*/0 * * * * ?", "second"),
    ("0 -5 * * * ?", "minute"),
]


@pytest.mark.parametrize(("expression", "field_name"), BAD_EXPRESSIONS)
def test_bad_expressions_name_the_field(expression: str, field_name: str) -> None:
    with pytest.raises(CronSyntaxError) as caught:
        QuartzSchedule.parse(expression)
    assert isinstance(caught.value, ValueError)
    assert str(caught.value).startswith(field_name) or f"/{field_name}" in str(caught.value)


def test_error_messages_quote_the_offending_token() -> None:
    out_of_range = r"^day-of-week: 0 is out of range 1-7 \(1 = Sunday\)"
    with pytest.raises(CronSyntaxError, match=out_of_range):
        QuartzSchedule.parse("0 0 12 ? * 0")
    with pytest.raises(CronSyntaxError, match=r"^second: 61 is out of range 0-59"):
        QuartzSchedule.parse("61 0 0 * * ?")
    with pytest.raises(CronSyntaxError, match=r"'15'.*'MON'"):
        QuartzSchedule.parse("0 0 0 15 * MON")
    with pytest.raises(CronSyntaxError, match=r"^day-of-month: '1-15W'"):
        QuartzSchedule.parse("0 0 0 1-15W * ?")


@pytest.mark.parametrize(
    "expression",
    ["* * * * * ?", "*/7 * * * * ?", "0 * * * * ?", "5,10,50-59 */2 * * * ?", "0/3 * 1-2 ? * SUN"],
)
def test_count_fires_between_agrees_with_stepping_through_fires(expression: str) -> None:
    schedule = QuartzSchedule(expression)
    zone = ZoneInfo("America/New_York")
    utc = ZoneInfo("UTC")
    rng = random.Random(expression)  # seeded: the same cases every run
    bases = [datetime(2024, 3, 10, 1, 58, tzinfo=zone), datetime(2024, 11, 3, 0, 59, tzinfo=zone)]
    for _ in range(200):
        after = rng.choice(bases) + timedelta(
            seconds=rng.randint(0, 7200), microseconds=rng.choice([0, 500_000])
        )
        before = after + timedelta(
            seconds=rng.randint(0, 400), microseconds=rng.choice([0, 1, 999_999])
        )
        expected = 0
        found = schedule.next_fire_after(after)
        while found is not None and found.astimezone(utc) < before.astimezone(utc):
            expected += 1
            found = schedule.next_fire_after(found)
        assert schedule.count_fires_between(after, before) == expected, (after, before)
