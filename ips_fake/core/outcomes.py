"""Scripted outcomes: tests say which jobs fail, warn, skip duplicates, or take N seconds.

Rules are matched newest first, so a test can override a broader rule it set earlier.
With no matching rule a run succeeds with the default work model.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fnmatch import fnmatchcase

from ips_fake.core.model import JobKind, Outcome, job_kind

#: The longest a scripted run may take: a century of simulated seconds (longer ones would
#: end past the last date the clock can hold).
MAX_SECONDS = 100 * 365 * 24 * 3600


@dataclass(frozen=True)
class OutcomeRule:
    """Jobs of ``kind`` (any when None) whose name matches the glob ``name_pattern`` (any when
    None) end with ``outcome``; ``seconds``, when given, is how long their work takes.

    Example::

        OutcomeRule(Outcome.FAIL, kind=JobKind.UPLOAD_URLS)
        OutcomeRule(Outcome.SUCCESS, name_pattern="nightly-*", seconds=3600)
    """

    outcome: Outcome = Outcome.SUCCESS
    kind: JobKind | None = None
    name_pattern: str | None = None
    seconds: float | None = None

    def __post_init__(self) -> None:
        if self.seconds is not None:
            if not isinstance(self.seconds, int | float) or isinstance(self.seconds, bool):
                raise ValueError(f"seconds must be a number, got {self.seconds!r}")
            if not math.isfinite(self.seconds) or self.seconds > MAX_SECONDS:
                raise ValueError(
                    f"seconds must be a finite number of at most {MAX_SECONDS}, got {self.seconds}"
                )
            if self.seconds < 0:
                raise ValueError(f"seconds must not be negative, got {self.seconds}")
        if self.name_pattern is not None and not isinstance(self.name_pattern, str):
            raise ValueError(f"name_pattern must be a string, got {self.name_pattern!r}")

    def matches(self, kind: JobKind, job_name: str) -> bool:
        """Whether a job of this kind and name falls under the rule."""
        if self.kind is not None and self.kind is not kind:
            return False
        return self.name_pattern is None or fnmatchcase(job_name, self.name_pattern)


DEFAULT_RULE = OutcomeRule()


def outcome_rule(
    outcome: str | Outcome = Outcome.SUCCESS,
    *,
    kind: str | JobKind | None = None,
    name_pattern: str | None = None,
    seconds: float | None = None,
) -> OutcomeRule:
    """A scripted-outcome rule from loose values: an outcome name, a job kind by payload
    element, type or enum name (see :func:`~ips_fake.core.model.job_kind`); raises ValueError
    for a bad value. The facade, the plugin and the admin API all build rules here.

    Example::

        outcome_rule("fail", kind="uploadUrlsJob", name_pattern="nightly-*")
    """
    return OutcomeRule(
        outcome=Outcome(outcome),
        kind=job_kind(kind) if kind is not None else None,
        name_pattern=name_pattern,
        seconds=seconds,
    )


class OutcomeScript:
    """The ordered list of rules one fake server follows."""

    def __init__(self) -> None:
        self._rules: list[OutcomeRule] = []

    def add(self, rule: OutcomeRule) -> OutcomeRule:
        """Add a rule; it takes precedence over every rule added before it."""
        self._rules.append(rule)
        return rule

    def clear(self) -> None:
        """Forget every rule: all jobs succeed again."""
        self._rules.clear()

    @property
    def rules(self) -> tuple[OutcomeRule, ...]:
        """The rules, oldest first."""
        return tuple(self._rules)

    def choose(self, kind: JobKind, job_name: str) -> OutcomeRule:
        """The newest rule matching the job, or the default (success)."""
        for rule in reversed(self._rules):
            if rule.matches(kind, job_name):
                return rule
        return DEFAULT_RULE
