"""Hypothesis settings for the contract tests: the "ci" profile (derandomized, so CI runs the
same examples every time; no deadline, since every example calls the fake). Set
HYPOTHESIS_PROFILE to run another registered profile, e.g. "thorough" for a longer search."""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci",
    derandomize=True,
    deadline=None,
    max_examples=40,
    database=None,
    print_blob=False,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.function_scoped_fixture,
    ],
)
settings.register_profile("thorough", parent=settings.get_profile("ci"), max_examples=1000)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
