"""Inner pytest runs keep their written order even where a random-order plugin is installed
(tests/plugin/conftest.py blocks pytest-randomly and pytest-random-order for them)."""

from __future__ import annotations

import pytest

NAMES = ["zulu", "alpha", "mike", "bravo", "yankee", "charlie", "xray", "delta"]


def test_an_inner_run_keeps_the_written_order(pytester: pytest.Pytester) -> None:
    body = "import os\nSEEN = []\n\n"
    for name in NAMES:
        body += f"def test_{name}():\n    SEEN.append({name!r})\n\n"
    body += (
        "def test_zz_last():\n"
        f"    assert SEEN == {NAMES!r}\n"
        "    assert '-p no:randomly' in os.environ['PYTEST_ADDOPTS']\n"
    )
    pytester.makepyfile(test_order=body)

    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-v")

    result.assert_outcomes(passed=len(NAMES) + 1)
    result.stdout.fnmatch_lines([f"*test_{name} PASSED*" for name in NAMES])
