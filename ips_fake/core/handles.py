"""Handles: pure functions of company, job name, run name and run id (spec section 6).

Two styles exist. Pre-4.0 (the unversioned namespace) writes ``47|My Test Job|`` for a
job and ``47||My Test Job_2026-01-05-09:00:00.000`` for a run; 4.0 and later write
``j|47|My Test Job||`` and ``j|47||My Test Job_2026-01-05-09:00:00.000|1``. The fake
answers in the style of the request's namespace and accepts both styles on input.
"""

from __future__ import annotations

from datetime import datetime
from enum import Enum


class HandleStyle(Enum):
    """How handles are written: ``LEGACY`` for the pre-4.0 namespace, ``MODERN`` after."""

    LEGACY = "legacy"
    MODERN = "modern"


def company_id_of(company_handle: str) -> str | None:
    """The company id of ``47`` or ``c|47``, or None when the text is not a company handle.

    >>> company_id_of("c|47"), company_id_of("47"), company_id_of("x|47")
    ('47', '47', None)
    """
    text = company_handle.strip()
    if text.startswith("c|"):
        text = text[2:]
    if not text or "|" in text:
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


def run_name(job_name: str, started: datetime) -> str:
    """``<jobName>_<yyyy-MM-dd-HH:mm:ss.SSS>`` from the local time the run starts."""
    millis = started.microsecond // 1000
    return f"{job_name}_{started:%Y-%m-%d-%H:%M:%S}.{millis:03d}"


def user_handle(user_id: int, email: str) -> str:
    """``u|<id>|<email>``."""
    return f"u|{user_id}|{email}"


def asset_handle(company_id: str, first: int, second: int) -> str:
    """``a|<company>|<n>|<m>``."""
    return f"a|{company_id}|{first}|{second}"
