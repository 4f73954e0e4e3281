"""The wheel a user installs: LICENSE, ``py.typed``, metadata, the version, and the contract
cases and cassettes as package data that ``ips-fake check`` and ``ips-fake cases`` find."""

from __future__ import annotations

import email
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from ips_fake import __version__

REPOSITORY = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel built from this checkout (no build isolation: hatchling is a test extra)."""
    pytest.importorskip("hatchling")
    folder = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [
            sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps",
            "--no-build-isolation", "--wheel-dir", str(folder), str(REPOSITORY),
        ],
        check=True,
        timeout=300,
        stdin=subprocess.DEVNULL,
    )  # fmt: skip
    [built] = folder.glob("ips_fake-*.whl")
    return built


def test_the_wheel_carries_license_types_cases_and_cassettes(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    dist_info = f"ips_fake-{__version__}.dist-info"

    assert "ips_fake/py.typed" in names
    assert f"{dist_info}/licenses/LICENSE" in names
    for case in (REPOSITORY / "contracts" / "cases").glob("*.json"):
        assert f"ips_fake/data/cases/{case.name}" in names
    for cassette in (REPOSITORY / "fixtures" / "cassettes").glob("*.json"):
        assert f"ips_fake/data/cassettes/{cassette.name}" in names


def test_the_wheel_metadata_names_version_license_authors_and_pythons(wheel: Path) -> None:
    dist_info = f"ips_fake-{__version__}.dist-info"
    metadata = email.message_from_bytes(zipfile.ZipFile(wheel).read(f"{dist_info}/METADATA"))
    classifiers = metadata.get_all("Classifier") or []

    assert metadata["Version"] == __version__
    assert metadata["License-Expression"] == "MIT"
    assert metadata["Author"] == "ips-fake contributors"
    assert "Programming Language :: Python :: 3.11" in classifiers
    assert "Typing :: Typed" in classifiers
    assert sorted(metadata.get_all("Provides-Extra") or []) == [
        "client",
        "contract",
        "freezegun",
        "mutation",
        "test",
    ]


def test_an_unpacked_wheel_checks_and_writes_out_its_own_cases(wheel: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    environment = {**os.environ, "PYTHONPATH": str(site)}
    kit = tmp_path / "kit"

    def ips_fake(*arguments: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "ips_fake", *arguments],
            capture_output=True,
            text=True,
            timeout=120,
            env=environment,
            cwd=tmp_path,  # not the clone: the cases must come from the wheel
            stdin=subprocess.DEVNULL,
        )

    where = subprocess.run(
        [sys.executable, "-c", "import ips_fake.shipped as s; print(s.contract_cases_folder())"],
        capture_output=True, text=True, timeout=60, env=environment, check=True, cwd=tmp_path,
    )  # fmt: skip
    checked = ips_fake("check")
    written = ips_fake("cases", str(kit))

    assert where.stdout.strip() == str(site / "ips_fake" / "data" / "cases")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert checked.stdout.splitlines()[-1].endswith(" cases, 0 broken")
    assert written.returncode == 0, written.stderr
    assert sorted(path.name for path in (kit / "cassettes").glob("*.json")) == sorted(
        path.name for path in (REPOSITORY / "fixtures" / "cassettes").glob("*.json")
    )
    assert ips_fake("--version").stdout == f"ips-fake {__version__}\n"


def test_the_wheel_carries_the_dashboards_templates_and_static_files(
    wheel: Path, tmp_path: Path
) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    dashboard = REPOSITORY / "ips_fake" / "dashboard"
    shipped = sorted(
        path.relative_to(REPOSITORY).as_posix()
        for folder in ("templates", "static")
        for path in (dashboard / folder).iterdir()
    )
    assert "ips_fake/dashboard/templates/page.html" in shipped
    assert "ips_fake/dashboard/static/dashboard.js" in shipped
    assert set(shipped) <= names

    # an unpacked wheel renders the page from its own templates, script and stylesheet
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    script = (
        "from werkzeug.test import Client\n"
        "from ips_fake.fake import IpsFake\n"
        "import ips_fake.dashboard as d\n"
        "client = Client(IpsFake().app)\n"
        "page = client.get('/_fake/')\n"
        "js = client.get('/_fake/dashboard/static/dashboard.js')\n"
        "print(d.__file__, page.status_code, b'id=\"panels\"' in page.data, js.status_code)\n"
    )
    rendered = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True, text=True, timeout=60, check=True, cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(site)},
    )  # fmt: skip
    module, status, has_panels, script_status = rendered.stdout.split()
    assert module.startswith(str(site))
    assert (status, has_panels, script_status) == ("200", "True", "200")
