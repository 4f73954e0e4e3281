"""Installing ips-fake must not slow down or disturb test runs that never use its fixtures."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

HEAVY = ("lxml", "werkzeug", "xmlschema", "hypothesis", "zeep", "requests", "freezegun")


def test_importing_the_plugin_loads_none_of_the_heavy_libraries() -> None:
    probe = (
        "import json, sys\n"
        "import ips_fake.pytest_plugin\n"
        f"print(json.dumps(sorted(m for m in {HEAVY!r} if m in sys.modules)))\n"
    )

    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )

    assert json.loads(done.stdout) == []


def test_the_plugin_is_registered_through_the_pytest11_entry_point(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(
        test_plugin_loaded="""
        import sys

        def test_loaded_before_any_fixture_is_used(pytestconfig):
            plugin = pytestconfig.pluginmanager.get_plugin("ips_fake")
            assert plugin is sys.modules["ips_fake.pytest_plugin"]
            assert "ips_fake.testing" not in sys.modules


        def test_uses_the_fixture(ips_fake):
            assert ips_fake.journal == []
            assert "ips_fake.testing" in sys.modules
        """
    )

    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-p", "no:randomly")

    result.assert_outcomes(passed=2)
