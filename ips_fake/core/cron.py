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

import calendar
import re
from bisect import bisect_left
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from itertools import islice, pairwise, product
from zoneinfo import ZoneInfo

__all__ = ["MAX_YEAR", "MIN_YEAR", "CronSyntaxError", "QuartzSchedule", "has_fixed_offset"]

MIN_YEAR = 1970
MAX_YEAR = 2099

_SECOND = "second"
_MINUTE = "minute"
_HOUR = "hour"
_DOM = "day-of-month"
_MONTH = "month"
_DOW = "day-of-week"
_YEAR = "year"
_EXPRESSION = "expression"

_MONTH_NAMES: Mapping[str, int] = {
    name: number
    for number, name in enumerate(
        ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"),
        start=1,
    )
}
_DAY_NAMES: Mapping[str, int] = {
    name: number
    for number, name in enumerate(("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"), start=1)
}
_NO_NAMES: Mapping[str, int] = {}

_Predicate = Callable[[datetime], bool]

_ONE_SECOND = timedelta(seconds=1)
_ONE_DAY = timedelta(days=1)
#: Months whose matching days a schedule remembers (then it starts over): bounded memory.
_DAYS_CACHED = 64
# Each attempt either returns or jumps past a skipped wall time (DST gap or repeated hour);
# only a handful are ever needed, this merely bounds a pathological tzinfo.
_MAX_ATTEMPTS = 1000

_LAST_OFFSET = re.compile(r"L-(\d+)")
_NEAREST_WEEKDAY = re.compile(r"(\d+)W")
_LAST_OF_WEEKDAY = re.compile(r"([0-9]+|[A-Z]+)L")
_NTH_WEEKDAY = re.compile(r"([0-9]+|[A-Z]+)#(\d+)")


class CronSyntaxError(ValueError):
    """A cron expression that cannot be parsed; the message names the field and the token."""


def _error(field_name: str, message: str) -> CronSyntaxError:
    return CronSyntaxError(f"{field_name}: {message}")


# ---------------------------------------------------------------------------------------------
# calendar helpers


def _last_day(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]


def _quartz_weekday(year: int, month: int, day: int) -> int:
    """Quartz day-of-week of a date: 1 = Sunday ... 7 = Saturday."""
    return (calendar.weekday(year, month, day) + 1) % 7 + 1


# ---------------------------------------------------------------------------------------------
# day rules: which days of a given month match the day-of-month / day-of-week fields


class _DayRule:
    def days(self, year: int, month: int) -> list[int]:
        """The matching days of the month, ascending."""
        raise NotImplementedError


@dataclass(frozen=True)
class _DaysOfMonth(_DayRule):
    values: tuple[int, ...]

    def days(self, year: int, month: int) -> list[int]:
        last = _last_day(year, month)
        return [day for day in self.values if day <= last]


@dataclass(frozen=True)
class _LastDayOfMonth(_DayRule):
    offset: int

    def days(self, year: int, month: int) -> list[int]:
        day = _last_day(year, month) - self.offset
        return [day] if day >= 1 else []


@dataclass(frozen=True)
class _LastWeekdayOfMonth(_DayRule):
    def days(self, year: int, month: int) -> list[int]:
        day = _last_day(year, month)
        weekday = _quartz_weekday(year, month, day)
        if weekday == 7:  # Saturday
            day -= 1
        elif weekday == 1:  # Sunday
            day -= 2
        return [day]


@dataclass(frozen=True)
class _NearestWeekday(_DayRule):
    day: int

    def days(self, year: int, month: int) -> list[int]:
        last = _last_day(year, month)
        day = self.day
        if day > last:
            return []
        weekday = _quartz_weekday(year, month, day)
        if weekday == 7:  # Saturday: the Friday before, or Monday when that leaves the month
            day = day + 2 if day == 1 else day - 1
        elif weekday == 1:  # Sunday: the Monday after, or Friday when that leaves the month
            day = day - 2 if day == last else day + 1
        return [day]


@dataclass(frozen=True)
class _DaysOfWeek(_DayRule):
    weekdays: frozenset[int]

    def days(self, year: int, month: int) -> list[int]:
        first = _quartz_weekday(year, month, 1)
        return [
            day
            for day in range(1, _last_day(year, month) + 1)
            if (first - 1 + day - 1) % 7 + 1 in self.weekdays
        ]


@dataclass(frozen=True)
class _LastWeekdayOf(_DayRule):
    weekday: int

    def days(self, year: int, month: int) -> list[int]:
        last = _last_day(year, month)
        back = (_quartz_weekday(year, month, last) - self.weekday) % 7
        return [last - back]


@dataclass(frozen=True)
class _NthWeekdayOf(_DayRule):
    weekday: int
    nth: int

    def days(self, year: int, month: int) -> list[int]:
        first = (self.weekday - _quartz_weekday(year, month, 1)) % 7 + 1
        day = first + 7 * (self.nth - 1)
        return [day] if day <= _last_day(year, month) else []


# ---------------------------------------------------------------------------------------------
# parsing


@dataclass(frozen=True)
class _FieldKind:
    name: str
    low: int
    high: int
    names: Mapping[str, int]
    wraps: bool = True

    def range_text(self) -> str:
        text = f"{self.low}-{self.high}"
        return f"{text} (1 = Sunday)" if self.name == _DOW else text


_SECOND_KIND = _FieldKind(_SECOND, 0, 59, _NO_NAMES)
_MINUTE_KIND = _FieldKind(_MINUTE, 0, 59, _NO_NAMES)
_HOUR_KIND = _FieldKind(_HOUR, 0, 23, _NO_NAMES)
_DOM_KIND = _FieldKind(_DOM, 1, 31, _NO_NAMES)
_MONTH_KIND = _FieldKind(_MONTH, 1, 12, _MONTH_NAMES)
_DOW_KIND = _FieldKind(_DOW, 1, 7, _DAY_NAMES)
_YEAR_KIND = _FieldKind(_YEAR, MIN_YEAR, MAX_YEAR, _NO_NAMES, wraps=False)


def _parse_value(text: str, kind: _FieldKind, token: str) -> int:
    """One number or name, checked against the field's range."""
    if text.isdigit() and text.isascii():
        value = int(text)
    elif text in kind.names:
        value = kind.names[text]
    elif not text:
        raise _error(kind.name, f"missing value in {token!r}")
    else:
        raise _error(kind.name, f"{text!r} is not a valid value (in {token!r})")
    if not kind.low <= value <= kind.high:
        raise _error(kind.name, f"{value} is out of range {kind.range_text()}")
    return value


def _parse_item(item: str, kind: _FieldKind, token: str) -> list[int]:
    """One list item: ``*``, ``a``, ``a-b``, optionally followed by ``/step``."""
    base, slash, step_text = item.partition("/")
    span = kind.high - kind.low + 1
    step = 1
    if slash:
        if not (step_text.isdigit() and step_text.isascii()):
            raise _error(kind.name, f"step {step_text!r} is not a number (in {token!r})")
        step = int(step_text)
        if not 1 <= step <= span:
            raise _error(kind.name, f"step {step} is out of range 1-{span} (in {token!r})")
    if base == "*":
        start, stop = kind.low, kind.high
    elif "-" in base:
        start_text, _, stop_text = base.partition("-")
        start = _parse_value(start_text, kind, token)
        stop = _parse_value(stop_text, kind, token)
    else:
        start = _parse_value(base, kind, token)
        stop = kind.high if slash else start
    if stop < start and not kind.wraps:
        raise _error(kind.name, f"range {base!r} runs backwards")
    length = (stop - start) % span + 1
    return [kind.low + (start - kind.low + offset) % span for offset in range(0, length, step)]


def _parse_values(token: str, kind: _FieldKind) -> tuple[int, ...]:
    """A general field: a comma-separated list of items; returns the sorted set of values."""
    if token == "?":
        raise _error(kind.name, "'?' is only allowed in day-of-month or day-of-week")
    values: set[int] = set()
    for item in token.split(","):
        if not item:
            raise _error(kind.name, f"empty list item in {token!r}")
        values.update(_parse_item(item, kind, token))
    return tuple(sorted(values))


def _parse_day_of_month(token: str) -> _DayRule:
    if token == "L":
        return _LastDayOfMonth(0)
    if token == "LW":
        return _LastWeekdayOfMonth()
    if match := _LAST_OFFSET.fullmatch(token):
        offset = int(match.group(1))
        if offset > 30:
            raise _error(_DOM, f"offset in {token!r} is out of range 0-30")
        return _LastDayOfMonth(offset)
    if match := _NEAREST_WEEKDAY.fullmatch(token):
        return _NearestWeekday(_parse_value(match.group(1), _DOM_KIND, token))
    if "L" in token or "W" in token:
        raise _error(
            _DOM,
            f"{token!r}: 'L' and 'W' must stand alone (L, L-n, LW or nW), not in a list or range",
        )
    return _DaysOfMonth(_parse_values(token, _DOM_KIND))


def _parse_day_of_week(token: str) -> _DayRule:
    if token == "L":
        return _DaysOfWeek(frozenset({7}))
    if match := _LAST_OF_WEEKDAY.fullmatch(token):
        return _LastWeekdayOf(_parse_value(match.group(1), _DOW_KIND, token))
    if match := _NTH_WEEKDAY.fullmatch(token):
        weekday = _parse_value(match.group(1), _DOW_KIND, token)
        nth = int(match.group(2))
        if not 1 <= nth <= 5:
            raise _error(_DOW, f"{token!r}: occurrence {nth} is out of range 1-5")
        return _NthWeekdayOf(weekday, nth)
    if "L" in token or "#" in token:
        raise _error(
            _DOW,
            f"{token!r}: 'L' and '#' must stand alone (L, nL or n#k), not in a list or range",
        )
    return _DaysOfWeek(frozenset(_parse_values(token, _DOW_KIND)))


def _parse_day_rule(dom: str, dow: str) -> _DayRule:
    """Combine the day-of-month and day-of-week fields; exactly one of them may restrict."""
    if dom == "?" and dow == "?":
        raise _error(f"{_DOM}/{_DOW}", "'?' may be given in only one of the two fields")
    if dom != "?" and dow != "?":
        if dow == "*":
            dow = "?"
        elif dom == "*":
            dom = "?"
        else:
            raise _error(
                f"{_DOM}/{_DOW}",
                f"both are restricted ({dom!r} and {dow!r}); one of them must be '?'",
            )
    if dow == "?":
        return _parse_day_of_month(dom)
    return _parse_day_of_week(dow)


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
