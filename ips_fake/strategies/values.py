"""Strategies for leaf values: job names, locales, dates, Quartz expressions, numbers, handles
and realistic words for free-text options."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta

from hypothesis import strategies as st

from ips_fake.strategies.schema_model import _CLOCK_START

# XML 1.0 text without surrogates, control characters (tab and newline are added back),
# unassigned code points (which include the non-characters U+FFFE and U+FFFF) or private use.
_XML_CHARACTERS = st.characters(
    exclude_categories=("Cs", "Cc", "Cn", "Co"), include_characters="\t\n"
)
# A character that str.strip() keeps and that makes a name non-blank.
_VISIBLE_CHARACTERS = st.characters(exclude_categories=("Cs", "Cc", "Cn", "Co", "Zs", "Zl", "Zp"))
# a job name never holds "|": it separates the parts of a handle (the fake refuses it, 30001)
_NAME_CHARACTERS = _VISIBLE_CHARACTERS.filter(lambda character: character != "|")
_NAME_EXTRAS = st.sampled_from(
    [" ", "  ", "\t", "-", "_", ".", "é", "ü", "日本", "Ω", "😀", "ñ", "ß", "٣"]
)


def _plain_text(max_size: int = 16) -> st.SearchStrategy[str]:
    return st.text(_XML_CHARACTERS, max_size=max_size)


def job_names() -> st.SearchStrategy[str]:
    """Job names the fake accepts: non-blank, mixing Unicode and inner and outer whitespace,
    never the ``|`` that handles use as a separator. Shrinks to ``"0"``.

    Example::

        >>> from hypothesis import given
        >>> @given(job_names())
        ... def test(name):
        ...     assert name.strip()
        >>> test()
    """
    middle = st.lists(st.one_of(_NAME_CHARACTERS, _NAME_EXTRAS), max_size=8).map("".join)
    padding = st.sampled_from(["", " ", "\t", "  "])
    return st.builds(
        lambda lead, first, rest, trail: lead + first + rest + trail,
        padding,
        _NAME_CHARACTERS,
        middle,
        padding,
    )


_COMMON_LOCALES = ("en-US", "en", "de-DE", "fr-FR", "ja-JP", "ko-KR", "sv-SE", "es")


def locales() -> st.SearchStrategy[str]:
    """``ll`` or ``ll-CC`` locales: common ones first, then any two lower-case letters with an
    optional upper-case country. Shrinks to ``"en-US"``.

    Example::

        >>> import re
        >>> from hypothesis import given
        >>> @given(locales())
        ... def test(locale):
        ...     assert re.fullmatch(r"[a-z]{2}(-[A-Z]{2})?", locale)
        >>> test()
    """
    lower = st.text("abcdefghijklmnopqrstuvwxyz", min_size=2, max_size=2)
    upper = st.text("ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=2, max_size=2)
    made_up = st.builds(
        lambda language, country: language + (f"-{country}" if country else ""),
        lower,
        st.one_of(st.none(), upper),
    )
    return st.one_of(st.sampled_from(_COMMON_LOCALES), made_up)


def _offset_text(minutes: int | None, zulu: bool) -> str:
    if minutes is None:
        return ""
    if minutes == 0 and zulu:
        return "Z"
    sign = "-" if minutes < 0 else "+"
    hours, rest = divmod(abs(minutes), 60)
    return f"{sign}{hours:02d}:{rest:02d}"


def date_time_texts(
    start: datetime = _CLOCK_START - timedelta(days=3),
    end: datetime = _CLOCK_START + timedelta(days=30),
    *,
    with_offset: bool | None = None,
) -> st.SearchStrategy[str]:
    """xsd:dateTime texts that Python can read too: wall times between ``start`` and ``end``
    (naive), with no offset, ``Z`` or an offset from -14:00 to +14:00, and with no fraction or
    one to nine fractional digits. ``with_offset`` True/False forces or forbids the offset.

    Example::

        >>> from datetime import datetime
        >>> from hypothesis import given
        >>> @given(date_time_texts(with_offset=True))
        ... def test(text):
        ...     assert datetime.fromisoformat(text.replace("Z", "+00:00")[:19]).year >= 2026
        >>> test()
    """
    if with_offset is None:
        offsets: st.SearchStrategy[int | None] = st.one_of(
            st.just(0), st.integers(-14 * 60, 14 * 60), st.none()
        )
    elif with_offset:
        offsets = st.one_of(st.just(0), st.integers(-14 * 60, 14 * 60))
    else:
        offsets = st.none()
    fractions = st.one_of(st.just(""), st.text("0123456789", min_size=1, max_size=9))

    def text(wall: datetime, fraction: str, minutes: int | None, zulu: bool) -> str:
        dot = f".{fraction}" if fraction else ""
        return f"{wall:%Y-%m-%dT%H:%M:%S}{dot}{_offset_text(minutes, zulu)}"

    return st.builds(
        text,
        st.datetimes(min_value=start, max_value=end).map(
            lambda moment: moment.replace(microsecond=0)
        ),
        fractions,
        offsets,
        st.booleans(),
    )


def _cron_values(low: int, high: int, names: Sequence[str] = ()) -> st.SearchStrategy[str]:
    number = st.integers(low, high)
    single = st.one_of(number.map(str), number.map(lambda n: f"{n:02d}"))
    if names:
        single = st.one_of(single, st.sampled_from(list(names)))
    ranged = st.builds(lambda a, b: f"{min(a, b)}-{max(a, b)}", number, number)
    stepped = st.builds(
        lambda start, step: f"{start}/{step}",
        st.one_of(st.just("*"), number.map(str)),
        st.integers(1, min(15, high - low + 1)),
    )
    listed = st.lists(number, min_size=2, max_size=3, unique=True).map(
        lambda values: ",".join(str(v) for v in sorted(values))
    )
    return st.one_of(st.just("*"), single, ranged, stepped, listed)


_MONTH_NAMES = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
_DAY_NAMES = ("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT")


def quartz_expressions() -> st.SearchStrategy[str]:
    """Quartz cron expressions that fire again after the fake's start (2026-01-05): seconds,
    minutes, hours, months with names, ranges, lists and steps; ``?`` in exactly one of
    day-of-month and day-of-week; ``L``, ``LW``, ``nW``, ``nL``, ``n#k``; an optional year
    range from 2027; and the 5-field form a real server showed (``"00 00 00 * * "``). Day of
    month stays at or below 28 so every month has it. Shrinks to ``"00 00 00 * * "``.

    Example::

        >>> from hypothesis import given
        >>> from ips_fake.core.cron import QuartzSchedule
        >>> @given(quartz_expressions())
        ... def test(expression):
        ...     QuartzSchedule.parse(expression)
        >>> test()
    """
    seconds = _cron_values(0, 59)
    minutes = _cron_values(0, 59)
    hours = _cron_values(0, 23)
    months = _cron_values(1, 12, _MONTH_NAMES)
    day_of_month = st.one_of(
        _cron_values(1, 28),
        st.sampled_from(["L", "LW"]),
        st.integers(0, 20).map(lambda n: f"L-{n}"),
        st.integers(1, 28).map(lambda n: f"{n}W"),
    )
    day_of_week = st.one_of(
        _cron_values(1, 7, _DAY_NAMES),
        st.sampled_from(["L"]),
        st.one_of(st.integers(1, 7).map(str), st.sampled_from(_DAY_NAMES)).map(lambda d: f"{d}L"),
        st.builds(
            lambda day, nth: f"{day}#{nth}",
            st.one_of(st.integers(1, 7).map(str), st.sampled_from(_DAY_NAMES)),
            st.integers(1, 4),
        ),
    )
    days = st.one_of(
        st.builds(lambda dom: (dom, "?"), day_of_month),
        st.builds(lambda dow: ("?", dow), day_of_week),
    )
    years = st.one_of(
        st.just(""),
        st.just(" *"),
        st.builds(
            lambda a, b: f" {min(a, b)}-{max(a, b)}",
            st.integers(2027, 2099),
            st.integers(2027, 2099),
        ),
    )
    six_or_seven = st.builds(
        lambda s, m, h, d, mon, year, sep: sep.join([s, m, h, d[0], mon, d[1]]) + year,
        seconds,
        minutes,
        hours,
        days,
        months,
        years,
        st.sampled_from([" ", "  "]),
    )
    five = st.builds(
        lambda s, m, h, dom, mon, trail: f"{s} {m} {h} {dom} {mon}{trail}",
        seconds,
        minutes,
        hours,
        _cron_values(1, 28),
        months,
        st.sampled_from([" ", ""]),
    )
    return st.one_of(st.just("00 00 00 * * "), five, six_or_seven)


def _int_text(low: int = -(2**31), high: int = 2**31 - 1) -> st.SearchStrategy[str]:
    return st.integers(low, high).map(str)


def _double_text() -> st.SearchStrategy[str]:
    return st.one_of(
        st.integers(-1000, 1000).map(str),
        st.floats(allow_nan=False, allow_infinity=False).map(repr),
    )


_BOOLEAN_TEXTS = ("true", "false", "1", "0")


# Realistic words for options the XSD types as xsd:string (values a real server echoes,
# payload-options.md). The tests check that each (type, element) exists in the XSD and that
# the XSD accepts every word.
OPTION_VOCABULARY: Mapping[tuple[str, str], tuple[str, ...]] = {
    ("KnockoutBackgroundOptions", "corner"): ("UpperLeft", "UpperRight", "LowerLeft", "LowerRight"),
    ("KnockoutBackgroundOptions", "fillMethod"): ("FloodFill", "MatchPixel"),
    ("AutoColorCropOptions", "corner"): ("UpperLeft", "UpperRight", "LowerLeft", "LowerRight"),
    ("PhotoshopOptions", "process"): ("None", "MaintainLayers", "Flatten", "Thumbnail"),
    ("PhotoshopOptions", "layerNaming"): ("Layer", "Photoshop", "AppendName"),
    ("PhotoshopOptions", "anchor"): ("Center", "TopLeft", "BottomRight"),
    ("PhotoshopLayerOptions", "layerNaming"): ("Layer", "Photoshop", "AppendName"),
    ("PhotoshopLayerOptions", "anchor"): ("Center", "TopLeft", "BottomRight"),
    ("PostScriptOptions", "process"): ("None", "Rasterize"),
    ("PostScriptOptions", "colorspace"): ("Auto", "RGB", "CMYK", "Grayscale"),
    ("PDFOptions", "process"): ("None", "render", "Rasterize", "Thumbnail"),
    ("PDFOptions", "colorspace"): ("Auto", "RGB", "CMYK", "Grayscale"),
    ("IllustratorOptions", "process"): ("None", "Rasterize"),
    ("IllustratorOptions", "colorspace"): ("Auto", "RGB", "CMYK", "Grayscale"),
    ("ColorManagementOptions", "colorManagement"): ("Default", "Convert", "Preserve"),
    ("InDesignOptions", "process"): ("None", "Rasterize", "Thumbnail"),
    ("UnCompressOptions", "process"): ("None", "UnCompress"),
}
"""Hand-written words for free-text options: ``(type, element)`` → values."""

_LOG_TYPES = ("FileBegin", "FileEnd", "UploadSuccess", "UploadError", "FatalError", "JobType")


def _asset_handles(company: str) -> st.SearchStrategy[str]:
    return st.builds(lambda n, m: f"a|{company}|{n}|{m}", st.integers(1, 999), st.integers(1, 9))


def _urls() -> st.SearchStrategy[str]:
    return st.builds(
        lambda host, path: f"https://{host}/{path}",
        st.sampled_from(["example.com", "images.example.org", "cdn.example.net"]),
        st.text("abcdefghijklmnopqrstuvwxyz0123456789-", min_size=1, max_size=10).map(
            lambda stem: f"{stem}.jpg"
        ),
    )


def _folders() -> st.SearchStrategy[str]:
    return st.lists(
        st.text("abcdefghijklmnopqrstuvwxyz0123456789 _-", min_size=1, max_size=8), max_size=3
    ).map(lambda parts: "/".join(parts) + "/")


def _unknown_job_handles(companies: Sequence[str]) -> st.SearchStrategy[str]:
    company = st.sampled_from(list(companies))
    return st.one_of(
        st.builds(lambda c, name: f"{c}|{name}|", company, job_names()),
        st.builds(lambda c, name: f"j|{c}|{name}||", company, job_names()),
        st.builds(
            lambda c, name, run: f"j|{c}||{name}_2026-01-05-09:00:00.000|{run}",
            company,
            job_names(),
            st.integers(1, 99),
        ),
    )
