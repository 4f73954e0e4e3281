"""The suite collects whatever folders it is given, in any order: no test module imports a
``conftest`` by name (pytest loads each folder's conftest.py under that one name, so the import
would get whichever was loaded last), and shared test helpers live in modules of their own,
imported through the ``tests`` package (``from tests.wsgi.soap_wire import post``)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent
REPO = TESTS.parent


def conftest_imports(path: Path) -> list[int]:
    """Line numbers where ``path`` imports a module named ``conftest``."""
    lines = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            names = [node.module or ""]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        else:
            continue
        if "conftest" in names:
            lines.append(node.lineno)
    return lines


def test_conftest_imports_are_found(tmp_path: Path) -> None:
    """The scan sees both spellings of the import (so the check below can fail)."""
    module = tmp_path / "test_module.py"
    module.write_text(
        "import os\nimport conftest\nfrom conftest import ServiceFactory\nfrom x import conftest\n",
        encoding="utf-8",
    )
    assert conftest_imports(module) == [2, 3]


def test_no_test_module_imports_a_conftest_by_name() -> None:
    offenders = {
        str(path.relative_to(REPO)): lines
        for path in sorted(TESTS.rglob("*.py"))
        if "node_modules" not in path.parts and (lines := conftest_imports(path))
    }
    assert offenders == {}


@pytest.mark.parametrize(
    "folders",
    [("tests/wsgi", "tests/contract"), ("tests/contract", "tests/wsgi")],
    ids=["wsgi-then-contract", "contract-then-wsgi"],
)
def test_two_folders_collect_in_either_order(folders: tuple[str, str]) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "--collect-only",
            "-q",
            "-p",
            "no:cacheprovider",
            "-p",
            "no:randomly",
            *folders,
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert " tests collected" in result.stdout
