"""The fields of a Quartz cron expression: their names and ranges, the day rules that pick a
month's matching days, and the parsing of each field (the syntax is described in
:mod:`ips_fake.core.cron`, which builds :class:`~ips_fake.core.cron.QuartzSchedule` on this).

Every error is a :class:`CronSyntaxError` (a :class:`ValueError`) whose message starts with
the name of the field at fault and quotes the offending token.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Mapping
from dataclasses import dataclass

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
