"""The names the admin API and the dashboard show: each job kind's payload element, the
outcomes a rule may script, a clock's mode."""

from __future__ import annotations

from typing import Any

from ips_fake.admin.json_answers import jsonable
from ips_fake.core.clock import Clock, ManualClock
from ips_fake.core.model import PAYLOAD_ELEMENTS, Outcome
from ips_fake.core.outcomes import OutcomeRule

#: Each job kind's submitJob payload element (``JobKind.UPLOAD_URLS`` → ``uploadUrlsJob``).
PAYLOAD_ELEMENT_OF_KIND = {kind: element for element, kind in PAYLOAD_ELEMENTS.items()}
#: The outcomes ``POST /_fake/outcomes`` takes.
OUTCOME_NAMES = tuple(outcome.value for outcome in Outcome)


def clock_mode(clock: Clock) -> str:
    """The clock's mode in the words of ``ips-fake serve --clock`` and the plugin:
    ``manual`` for a clock moved only through the admin API, ``real`` for the wall clock,
    ``freezegun`` for one that follows freezegun, and the class name for any other clock."""
    from ips_fake.clocks import FreezegunClock, WallClock

    if isinstance(clock, ManualClock):
        return "manual"
    if isinstance(clock, WallClock):
        return "real"
    if isinstance(clock, FreezegunClock):
        return "freezegun"
    return type(clock).__name__


def rule_data(rule: OutcomeRule) -> dict[str, Any]:
    """An outcome rule as JSON, its kind named by its submitJob payload element."""
    data: dict[str, Any] = jsonable(rule)
    if rule.kind is not None:
        data["kind"] = PAYLOAD_ELEMENT_OF_KIND.get(rule.kind, rule.kind.value)
    return data
