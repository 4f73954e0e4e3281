"""The plugin's tests run pytest inside pytest (``pytester``). Those inner runs keep the order
their test files are written in, whatever random-order plugin is installed: pytest-randomly
and pytest-random-order are blocked through ``PYTEST_ADDOPTS`` for every test that uses
``pytester`` (which clears that variable when it starts, hence set after it)."""

from __future__ import annotations

import pytest

NO_RANDOM_ORDER = "-p no:randomly -p no:random_order"


@pytest.fixture(autouse=True)
def _inner_runs_keep_their_order(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Block the random-order plugins in the inner runs of a test that uses ``pytester``."""
    if "pytester" in request.fixturenames:
        request.getfixturevalue("pytester")
        monkeypatch.setenv("PYTEST_ADDOPTS", NO_RANDOM_ORDER)
