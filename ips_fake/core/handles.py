"""Handles: pure functions of company, job name, run name and run id (spec section 6).

Two styles exist. Pre-4.0 (the unversioned namespace) writes ``47|My Test Job|`` for a
job and ``47||My Test Job_2026-01-05-09:00:00.000`` for a run; 4.0 and later write
``j|47|My Test Job||`` and ``j|47||My Test Job_2026-01-05-09:00:00.000|1``. The fake
answers in the style of the request's namespace and accepts both styles on input.

Handles are one to one because company ids are digits only (:data:`COMPANY_ID_PATTERN`) and
job names hold no ``|`` (the service refuses one): :func:`parse_handle` reads every handle
back to the company, name, style and kind it was made from.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from enum import Enum

#: What a company id is: ASCII digits, as in every IPS company handle (``c|47``). A letter
#: would let one company's handle read as another's (company ``j`` + pre-4.0 ``47|X|``).
COMPANY_ID_PATTERN = re.compile(r"[0-9]+")


class HandleStyle(Enum):
    """How handles are written: ``LEGACY`` for the pre-4.0 namespace, ``MODERN`` after."""

    LEGACY = "legacy"
    MODERN = "modern"


def company_id_of(company_handle: str) -> str | None:
    """The company id of ``47`` or ``c|47``, or None when the text is not a company handle
    (the id must be digits).

    >>> company_id_of("c|47"), company_id_of("47"), company_id_of("x|47"), company_id_of("j")
    ('47', '47', None, None)
    """
    text = company_handle.strip()
    if text.startswith("c|"):
        text = text[2:]
    if not COMPANY_ID_PATTERN.fullmatch(text):
        return None
    return text


def company_handle(company_id: str, style: HandleStyle) -> str:
    """``47`` (legacy) or ``c|47`` (modern)."""
    return company_id if style is HandleStyle.LEGACY else f"c|{company_id}"


def job_handle(company_id: str, job_name: str, style: HandleStyle) -> str:
    """The handle of a submitted (scheduled) job.

    >>> job_handle("47", "My Test Job", HandleStyle.LEGACY)
    '47|My Test Job|'
    >>> job_handle("47", "My Test Job", HandleStyle.MODERN)
    'j|47|My Test Job||'
    """
    if style is HandleStyle.LEGACY:
        return f"{company_id}|{job_name}|"
    return f"j|{company_id}|{job_name}||"


def run_handle(company_id: str, run_name: str, run_id: int, style: HandleStyle) -> str:
    """The handle of a run (an ActiveJob and, once finished, its JobLog)."""
    if style is HandleStyle.LEGACY:
        return f"{company_id}||{run_name}"
    return f"j|{company_id}||{run_name}|{run_id}"


@dataclass(frozen=True)
class ParsedHandle:
    """What a job or run handle names: ``kind`` is ``"job"`` (``name`` the job name) or
    ``"run"`` (``name`` the run name, ``run_id`` set in the modern style only)."""

    company_id: str
    name: str
    style: HandleStyle
    kind: str
    run_id: int | None = None


def parse_handle(text: str) -> ParsedHandle | None:
    """Read a job or run handle back, or None when ``text`` is neither.

    >>> parse_handle("j|47|My Test Job||")
    ParsedHandle(company_id='47', name='My Test Job', style=<HandleStyle.MODERN: 'modern'>, \
kind='job', run_id=None)
    >>> parse_handle("47||My Test Job_2026-01-05-09:00:00.000").kind
    'run'
    """
    parts = text.split("|")
    if len(parts) == 5 and parts[0] == "j" and COMPANY_ID_PATTERN.fullmatch(parts[1]):
        _, company_id, name, run, run_id = parts
        if name and not run and not run_id:
            return ParsedHandle(company_id, name, HandleStyle.MODERN, "job")
        if not name and run and run_id.isascii() and run_id.isdigit():
            return ParsedHandle(company_id, run, HandleStyle.MODERN, "run", int(run_id))
        return None
    if len(parts) == 3 and COMPANY_ID_PATTERN.fullmatch(parts[0]):
        company_id, name, run = parts
        if name and not run:
            return ParsedHandle(company_id, name, HandleStyle.LEGACY, "job")
        if not name and run:
            return ParsedHandle(company_id, run, HandleStyle.LEGACY, "run")
    return None


def run_name(job_name: str, started: datetime) -> str:
    """``<jobName>_<yyyy-MM-dd-HH:mm:ss.SSS>`` from the local time the run starts."""
    millis = started.microsecond // 1000
    if started.year < 1000:  # strftime's %Y, not zero-padded to four digits everywhere
        return f"{job_name}_{started:%Y-%m-%d-%H:%M:%S}.{millis:03d}"
    return (
        f"{job_name}_{started.year}-{started.month:02d}-{started.day:02d}-"
        f"{started.hour:02d}:{started.minute:02d}:{started.second:02d}.{millis:03d}"
    )


def user_handle(user_id: int, email: str) -> str:
    """``u|<id>|<email>``."""
    return f"u|{user_id}|{email}"


def asset_handle(company_id: str, first: int, second: int) -> str:
    """``a|<company>|<n>|<m>``."""
    return f"a|{company_id}|{first}|{second}"
