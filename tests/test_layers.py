"""The core must not depend on werkzeug, lxml, SOAP or test tools; importing the package
and the plugin must stay cheap."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).parents[1] / "ips_fake"
FORBIDDEN_IN_CORE = (
    "werkzeug",
    "lxml",
    "xmlschema",
    "zeep",
    "hypothesis",
    "pytest",
    "ips_fake.soap",
)
FORBIDDEN_CALLS = ("datetime.now", "time.time", "uuid4", "random.")


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text("utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


@pytest.mark.parametrize("path", sorted((PACKAGE / "core").glob("*.py")), ids=lambda p: p.name)
def test_core_imports_nothing_from_upper_layers(path: Path) -> None:
    bad = {
        name
        for name in imported_modules(path)
        if any(name == f or name.startswith(f + ".") for f in FORBIDDEN_IN_CORE)
    }
    assert not bad, f"{path.name} imports {sorted(bad)}"


@pytest.mark.parametrize("path", sorted((PACKAGE / "core").glob("*.py")), ids=lambda p: p.name)
def test_core_reads_no_wall_clock_or_randomness(path: Path) -> None:
    text = path.read_text("utf-8")
    found = [call for call in FORBIDDEN_CALLS if call in text]
    assert not found, f"{path.name} uses {found}"


@pytest.mark.parametrize("path", sorted((PACKAGE / "soap").glob("*.py")), ids=lambda p: p.name)
def test_protocol_layer_does_not_reach_up(path: Path) -> None:
    upward = {"ips_fake.wsgi", "ips_fake.fake", "ips_fake.server", "ips_fake.pytest_plugin"}
    assert not imported_modules(path) & upward


def test_importing_the_package_loads_nothing_heavy() -> None:
    code = (
        "import sys, ips_fake; "
        "heavy = [m for m in ('lxml', 'werkzeug', 'xmlschema', 'hypothesis', 'zeep') "
        "if m in sys.modules]; print(heavy)"
    )
    output = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert output.stdout.strip() == "[]"
