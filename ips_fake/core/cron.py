"""Quartz-style cron expressions: parsing and next-fire-time calculation.

IPS stores a job's ``execSchedule`` as a cron string and its scheduler speaks Quartz, so this
module accepts Quartz's dialect rather than Unix cron's.

Fields, whitespace separated (leading and trailing whitespace ignored)::

    second minute hour day-of-month month day-of-week [year]

Accepted forms:

* 7 fields: as above, year 1970-2099.
* 6 fields: no year (every year).
* 5 fields: ``second minute hour day-of-month month``, the form seen on a real server
  (``"00 00 00 * * "``, every day at midnight); day-of-week is taken as ``?``.

Per field: ``*``, numbers (leading zeros allowed), ranges ``a-b``, lists ``a,b,c`` and steps
``*/n``, ``a/n`` and ``a-b/n``. Ranges that run backwards wrap around the field's cycle as in
Quartz (``FRI-MON``, ``22-2`` in hours), except in the year field where that is an error.
Month names ``JAN``-``DEC`` and day names ``SUN``-``SAT`` are case-insensitive and usable
wherever a number is. Numeric day-of-week is Quartz's **1 = Sunday ... 7 = Saturday**
(not Unix's 0-6; ``0`` is an error).

Special characters, each of which must stand alone in its field (as in Quartz):

* day-of-month: ``L`` (last day of the month), ``L-n`` (n days before the last, n 0-30),
  ``LW`` (last weekday, Monday-Friday, of the month) and ``nW`` (the weekday nearest to day n
  in the same month: a Saturday moves back to Friday, a Sunday forward to Monday, but never
  across the month boundary, so ``1W`` on a Saturday fires on Monday the 3rd and ``31W`` on a
  Sunday on Friday the 29th; when the month has no day n, ``nW`` does not fire that month).
* day-of-week: ``L`` alone (= 7, Saturday), ``nL`` (the last day-n of the month, e.g. ``6L``
  is the last Friday) and ``n#k`` (the k-th day-n of the month, k 1-5; a month without a fifth
  such day does not fire). Names may replace n (``FRIL``, ``FRI#3``).
* ``?`` ("no specific value"): only in day-of-month or day-of-week.

Day-of-month versus day-of-week. Quartz requires ``?`` in exactly one of the two. This module
is lenient where that is harmless: when neither is ``?`` but one of them is a plain ``*``, that
``*`` is read as ``?`` (both ``*`` means every day). When both are restricted (neither ``*`` nor
``?``) or both are ``?``, the expression is rejected, as Quartz would.

Time zones. :meth:`QuartzSchedule.next_fire_after` evaluates the fields on the local wall-clock
time of the ``tzinfo`` of the datetime it is given. Around a daylight-saving change of a
zone such as :class:`zoneinfo.ZoneInfo`:

* a wall time that does not exist (it falls in the gap of a spring-forward change) is skipped,
  it does not fire at all;
* a wall time that occurs twice (the overlap of a fall-back change) fires once, at its first
  occurrence (``fold=0``); the repeated hour does not fire again.

Fire times are whole seconds; the returned datetime carries the same ``tzinfo``.

Every error is a :class:`CronSyntaxError` (a :class:`ValueError`) whose message starts with
the name of the field at fault (``expression`` for faults of the whole string) and quotes the
offending token.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from itertools import islice, pairwise, product
from zoneinfo import ZoneInfo

from ips_fake.core.cron_fields import (
    _EXPRESSION,
    _HOUR_KIND,
    _MINUTE_KIND,
    _MONTH_KIND,
    _SECOND_KIND,
    _YEAR_KIND,
    MAX_YEAR,
    MIN_YEAR,
    CronSyntaxError,
    _DayRule,
    _DaysOfMonth,
    _DaysOfWeek,
    _error,
    _parse_day_rule,
    _parse_values,
)

__all__ = ["MAX_YEAR", "MIN_YEAR", "CronSyntaxError", "QuartzSchedule", "has_fixed_offset"]

_Predicate = Callable[[datetime], bool]

_ONE_SECOND = timedelta(seconds=1)
_ONE_DAY = timedelta(days=1)
#: Months whose matching days a schedule remembers (then it starts over): bounded memory.
_DAYS_CACHED = 64
# Each attempt either returns or jumps past a skipped wall time (DST gap or repeated hour);
# only a handful are ever needed, this merely bounds a pathological tzinfo.
_MAX_ATTEMPTS = 1000


# ---------------------------------------------------------------------------------------------
# the schedule


@dataclass(frozen=True)
class QuartzSchedule:
    """A parsed Quartz cron expression.

    Build one with :meth:`parse` (or the constructor, which parses too); equality and hashing
    go by the original string. Raises :class:`CronSyntaxError` on a bad expression.
    """

    expression: str
    _seconds: tuple[int, ...] = field(init=False, repr=False, compare=False)
    _minutes: tuple[int, ...] = field(init=False, repr=False, compare=False)
    _hours: tuple[int, ...] = field(init=False, repr=False, compare=False)
    _months: tuple[int, ...] = field(init=False, repr=False, compare=False)
    _years: tuple[int, ...] = field(init=False, repr=False, compare=False)
    _day_rule: _DayRule = field(init=False, repr=False, compare=False)
    # the day rule's answers by (year, month): a search asks the same month again and again
    _days: dict[tuple[int, int], list[int]] = field(init=False, repr=False, compare=False)
    _year_set: frozenset[int] = field(init=False, repr=False, compare=False)
    _month_set: frozenset[int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        fields = self.expression.upper().split()
        if not fields:
            raise _error(_EXPRESSION, f"empty cron expression {self.expression!r}")
        if len(fields) == 5:
            fields.append("?")
        if len(fields) not in (6, 7):
            raise _error(
                _EXPRESSION,
                f"expected 6 or 7 fields (second minute hour day-of-month month day-of-week "
                f"[year]), got {len(fields)} in {self.expression!r}",
            )
        year = fields[6] if len(fields) == 7 else "*"
        parsed = {
            "_seconds": _parse_values(fields[0], _SECOND_KIND),
            "_minutes": _parse_values(fields[1], _MINUTE_KIND),
            "_hours": _parse_values(fields[2], _HOUR_KIND),
            "_months": _parse_values(fields[4], _MONTH_KIND),
            "_years": _parse_values(year, _YEAR_KIND),
        }
        for name, values in parsed.items():
            object.__setattr__(self, name, values)
        object.__setattr__(self, "_day_rule", _parse_day_rule(fields[3], fields[5]))
        object.__setattr__(self, "_days", {})
        object.__setattr__(self, "_year_set", frozenset(self._years))
        object.__setattr__(self, "_month_set", frozenset(self._months))

    @classmethod
    def parse(cls, expression: str) -> QuartzSchedule:
        """Parse ``expression``; raises :class:`CronSyntaxError` when it is not valid."""
        return cls(expression)

    def next_fire_after(self, after: datetime) -> datetime | None:
        """The first fire time strictly after ``after``, or ``None`` when there is none.

        ``after`` must be timezone-aware; the fields are matched against its local wall time
        and the result is in the same ``tzinfo``, a whole second (``fold=0``). ``None`` comes
        back when no fire time remains up to the end of :data:`MAX_YEAR` (or none can ever
        exist, such as the 30th of February). Wall times in a DST gap are skipped and a
        repeated wall time fires once, at its first occurrence.
        """
        zone = after.tzinfo
        if zone is None or after.utcoffset() is None:
            raise ValueError(f"next_fire_after needs a timezone-aware datetime, got {after!r}")
        after_utc = after.astimezone(UTC)
        wall = after.replace(tzinfo=None, microsecond=0, fold=0)
        if wall.year > self._years[-1]:
            return None
        candidate = wall + _ONE_SECOND

        def acceptable(moment: datetime) -> bool:
            aware = moment.replace(tzinfo=zone)
            return _exists(aware, zone) and aware.astimezone(UTC) > after_utc

        for _ in range(_MAX_ATTEMPTS):
            found = self._next_wall_time(candidate)
            if found is None:
                return None
            if acceptable(found):
                return found.replace(tzinfo=zone)
            candidate = _skip_unacceptable(found, zone, acceptable)
        return None

    def count_fires_between(self, after: datetime, before: datetime) -> int:
        """How many fire times fall strictly between ``after`` and ``before`` (both aware).

        The cost goes by the matching minutes, not the matching seconds: after each fire
        found with :meth:`next_fire_after`, the later seconds of the same wall minute are
        counted with a bisection when the minute has one UTC offset throughout (DST changes
        happen between minutes; a minute that spans one is walked fire by fire).
        """
        count = 0
        seconds = self._seconds
        before_utc = before.astimezone(UTC)
        found = self.next_fire_after(after)
        while found is not None and (found_utc := found.astimezone(UTC)) < before_utc:
            count += 1
            minute_end = found + timedelta(seconds=59 - found.second)  # wall arithmetic
            if found.utcoffset() == minute_end.utcoffset():
                # later seconds of this wall minute that match and still come before ``before``
                start = bisect_left(seconds, found.second + 1)
                limit = 60
                if minute_end.astimezone(UTC) >= before_utc:
                    gap = before_utc - found_utc
                    limit = found.second + int(gap.total_seconds())
                    if gap % _ONE_SECOND:
                        limit += 1
                stop = bisect_left(seconds, limit)
                if stop > start:
                    count += stop - start
                    found = found + timedelta(seconds=seconds[stop - 1] - found.second)
            found = self.next_fire_after(found)
        return count

    # -- arithmetic over wall times (for fixed-offset zones) ---------------------------------

    @property
    def fires_every_second(self) -> bool:
        """Whether every second of every day from 1970 to 2099 matches (``* * * * * ?``)."""
        return (
            len(self._seconds) == 60
            and len(self._minutes) == 60
            and len(self._hours) == 24
            and len(self._months) == 12
            and len(self._years) == MAX_YEAR - MIN_YEAR + 1
            and self._matches_every_day()
        )

    def _matches_every_day(self) -> bool:
        rule = self._day_rule
        if isinstance(rule, _DaysOfMonth):
            return len(rule.values) == 31
        return isinstance(rule, _DaysOfWeek) and len(rule.weekdays) == 7

    def shortest_gap_seconds(self) -> int:
        """A lower bound, in seconds, of the time between two consecutive fires in a zone
        with a fixed UTC offset: the smallest step between matching seconds, the step from
        a minute's last matching second to the next minute's first included."""
        seconds = self._seconds
        steps = [later - earlier for earlier, later in pairwise(seconds)]
        steps.append(60 - seconds[-1] + seconds[0])
        return min(steps)

    def _day_matches(self, day: date) -> bool:
        if day.year not in self._year_set or day.month not in self._month_set:
            return False
        return day.day in self._days_of(day.year, day.month)

    def _days_of(self, year: int, month: int) -> list[int]:
        days = self._days.get((year, month))
        if days is None:
            if len(self._days) >= _DAYS_CACHED:
                self._days.clear()
            days = self._days[(year, month)] = self._day_rule.days(year, month)
        return days

    def _fires_in_day_before(self, moment: datetime) -> int:
        """Matching times of day strictly before ``moment``'s time of day (its day aside)."""
        hours, minutes, seconds = self._hours, self._minutes, self._seconds
        hour_index = bisect_left(hours, moment.hour)
        count = hour_index * len(minutes) * len(seconds)
        if hour_index < len(hours) and hours[hour_index] == moment.hour:
            minute_index = bisect_left(minutes, moment.minute)
            count += minute_index * len(seconds)
            if minute_index < len(minutes) and minutes[minute_index] == moment.minute:
                count += bisect_left(seconds, moment.second)
        return count

    def count_wall_fires(self, first: datetime, last: datetime) -> int:
        """How many matching wall times ``t`` (whole seconds) have ``first <= t <= last``;
        both naive wall times. Costs one step per day in between, none per fire; meant for
        zones with a fixed UTC offset, where every wall time occurs exactly once."""
        if last < first:
            return 0
        per_day = len(self._hours) * len(self._minutes) * len(self._seconds)
        after_last = last.replace(microsecond=0) + _ONE_SECOND
        count = 0
        day = first.date()
        final = after_last.date()
        while day <= final:
            if self._day_matches(day):
                count += per_day
                if day == first.date():
                    count -= self._fires_in_day_before(_ceil_second(first))
                if day == final:
                    count -= per_day - self._fires_in_day_before(after_last)
            day += _ONE_DAY
        return count

    def nth_wall_fire(self, start: datetime, index: int) -> datetime | None:
        """The matching wall time with ``index`` matching wall times (0-based) between
        ``start`` (included) and it; naive in, naive out, None past :data:`MAX_YEAR`. One step
        per day skipped, like :meth:`count_wall_fires`."""
        hours, minutes, seconds = self._hours, self._minutes, self._seconds
        per_day = len(hours) * len(minutes) * len(seconds)
        first = _ceil_second(start)
        day = first.date()
        skipped = self._fires_in_day_before(first)
        while day.year <= self._years[-1]:
            if self._day_matches(day):
                available = per_day - skipped
                if index < available:
                    position = skipped + index
                    hour, rest = divmod(position, len(minutes) * len(seconds))
                    minute, second = divmod(rest, len(seconds))
                    return datetime(
                        day.year, day.month, day.day, hours[hour], minutes[minute], seconds[second]
                    )
                index -= available
            skipped = 0
            day += _ONE_DAY
        return None

    def wall_fires_from(self, start: datetime) -> Iterator[datetime]:
        """The matching wall times at or after ``start``, in order, up to :data:`MAX_YEAR`;
        naive in, naive out (a fixed-offset zone's fires: see :meth:`count_wall_fires`)."""
        first = _ceil_second(start)
        times = list(product(self._hours, self._minutes, self._seconds))
        skip = self._fires_in_day_before(first)
        day = first.date()
        while day.year <= self._years[-1]:
            if self._day_matches(day):
                year, month, number = day.year, day.month, day.day
                for hour, minute, second in islice(times, skip, None):
                    yield datetime(year, month, number, hour, minute, second)
            skip = 0
            day += _ONE_DAY

    def _next_wall_time(self, start: datetime) -> datetime | None:
        """The first naive wall time at or after ``start`` (a whole second) that matches."""
        years, months = self._years, self._months
        hours, minutes, seconds = self._hours, self._minutes, self._seconds
        for year in years[bisect_left(years, start.year) :]:
            same_year = year == start.year
            for month in months[bisect_left(months, start.month) if same_year else 0 :]:
                same_month = same_year and month == start.month
                days = self._days.get((year, month))
                if days is None:
                    if len(self._days) >= _DAYS_CACHED:
                        self._days.clear()
                    days = self._days[(year, month)] = self._day_rule.days(year, month)
                for day in days[bisect_left(days, start.day) if same_month else 0 :]:
                    same_day = same_month and day == start.day
                    for hour in hours[bisect_left(hours, start.hour) if same_day else 0 :]:
                        same_hour = same_day and hour == start.hour
                        first_minute = bisect_left(minutes, start.minute) if same_hour else 0
                        for minute in minutes[first_minute:]:
                            same_minute = same_hour and minute == start.minute
                            index = bisect_left(seconds, start.second) if same_minute else 0
                            if index < len(seconds):
                                return datetime(year, month, day, hour, minute, seconds[index])
        return None


def _exists(aware: datetime, zone: tzinfo) -> bool:
    """Whether an aware datetime's wall time really occurs in its zone (not in a DST gap)."""
    round_trip = aware.astimezone(UTC).astimezone(zone)
    return round_trip.replace(tzinfo=None, fold=0) == aware.replace(tzinfo=None, fold=0)


def _skip_unacceptable(found: datetime, zone: tzinfo, acceptable: _Predicate) -> datetime:
    """The first wall time after ``found`` that may fire, found by bisection.

    ``found`` is either in a DST gap or a repeated wall time at or before the start of the
    search; both situations end within the size of the offset change, and acceptability is
    monotonic over that stretch.
    """
    early = found.replace(tzinfo=zone, fold=0)
    late = found.replace(tzinfo=zone, fold=1)
    early_offset, late_offset = early.utcoffset(), late.utcoffset()
    if early_offset is None or late_offset is None:
        return found + _ONE_SECOND
    shift = abs(early_offset - late_offset)
    bad, good = found, found + timedelta(seconds=max(1, int(shift.total_seconds())))
    if not acceptable(good):
        return found + _ONE_SECOND
    while (gap := int((good - bad).total_seconds())) > 1:
        middle = bad + timedelta(seconds=gap // 2)
        if acceptable(middle):
            good = middle
        else:
            bad = middle
    return good


def _ceil_second(moment: datetime) -> datetime:
    """``moment`` rounded up to a whole second."""
    if moment.microsecond:
        return moment.replace(microsecond=0) + _ONE_SECOND
    return moment


def has_fixed_offset(zone: tzinfo | None) -> bool:
    """Whether ``zone`` keeps one UTC offset forever (``UTC``, ``Etc/GMT+5``, a
    fixed ``timezone``): there every wall time occurs exactly once."""
    if isinstance(zone, timezone):
        return True
    if isinstance(zone, ZoneInfo):
        key = zone.key
        return key in (
            "UTC",
            "GMT",
            "Etc/UTC",
            "Etc/GMT",
            "Etc/Zulu",
            "Etc/Universal",
            "Zulu",
            "Universal",
            "Etc/UCT",
            "UCT",
            "Etc/Greenwich",
            "Greenwich",
        ) or (key.startswith("Etc/GMT"))
    return False
