"""Importing the strategies without Hypothesis names the extra that brings it (issue: a new
user's first hour, item 13)."""

from __future__ import annotations

import subprocess
import sys


def test_importing_the_strategies_without_hypothesis_says_how_to_install_it() -> None:
    code = (
        "import sys\n"
        "sys.modules['hypothesis'] = None  # as if Hypothesis were not installed\n"
        "try:\n"
        "    import ips_fake.strategies\n"
        "except ModuleNotFoundError as error:\n"
        "    print(error.name, '|', error)\n"
        "else:\n"
        "    print('imported')\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    name, _, message = result.stdout.strip().partition(" | ")
    assert name == "hypothesis"
    assert "contract" in message
    assert "pip install" in message
