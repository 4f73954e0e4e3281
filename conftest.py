"""The doctests of ips_fake (``--doctest-modules``, see pyproject.toml): examples that use
Hypothesis run under a short, derandomized profile so they check the example without the
cost or flakiness of a full search on a busy machine. Test items are left as they are."""

from __future__ import annotations

from collections.abc import Iterator
from importlib.util import find_spec

import pytest


@pytest.fixture(autouse=True)
def _short_hypothesis_runs_in_doctests(request: pytest.FixtureRequest) -> Iterator[None]:
    """Load the ``doctest`` Hypothesis profile for a doctest item only, and restore the one
    in force afterwards."""
    if not isinstance(request.node, pytest.DoctestItem) or find_spec("hypothesis") is None:
        yield
        return
    from hypothesis import HealthCheck, settings

    settings.register_profile(
        "doctest",
        max_examples=10,
        derandomize=True,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    previous = settings.get_current_profile_name()
    settings.load_profile("doctest")
    try:
        yield
    finally:
        settings.load_profile(previous)
