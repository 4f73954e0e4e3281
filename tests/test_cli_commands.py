"""The command line's one-line answers: ``--version``, ``serve``'s argument checks and an
interrupted start-up, ``check`` on one file, a missing path and the shipped cases, and
``cases DIR``."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from ips_fake import __version__
from ips_fake.cli import INTERRUPTED_EXIT, main
from ips_fake.contracts import Credentials, check_in_process, load_cases
from ips_fake.shipped import cassettes_folder, contract_cases_folder

REPOSITORY = Path(__file__).resolve().parent.parent
CASES = REPOSITORY / "contracts" / "cases"


def test_version_prints_the_package_version() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "ips_fake", "--version"],
        capture_output=True,
        text=True,
        timeout=30,
        stdin=subprocess.DEVNULL,
    )

    assert (result.returncode, result.stdout, result.stderr) == (
        0,
        f"ips-fake {__version__}\n",
        "",
    )


@pytest.mark.parametrize(
    ("arguments", "problem"),
    [
        (["--port", "99999"], "--port 99999 is not a TCP port (0-65535; 0 picks a free one)"),
        (["--port", "-1"], "--port -1 is not a TCP port (0-65535; 0 picks a free one)"),
        (["--time-zone", "Mars/Phobos"], "--time-zone 'Mars/Phobos' is not an IANA time zone"),
        (["--time-zone", "../etc/passwd"], "--time-zone '../etc/passwd' is not an IANA time"),
        (["--admin-token", ""], "--admin-token is empty: give a token, or leave the flag out"),
    ],
)
def test_bad_serve_arguments_give_one_line_and_exit_2(
    arguments: list[str], problem: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["serve", *arguments]) == 2

    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith(f"ips-fake: cannot start: {problem}")
    assert err.count("\n") == 1


def test_ctrl_c_while_the_server_starts_exits_130_without_a_traceback(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from ips_fake.server import FakeServer

    def interrupted(*arguments: object, **options: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(FakeServer, "__init__", interrupted)

    assert main(["serve", "--port", "0"]) == INTERRUPTED_EXIT
    assert capsys.readouterr() == ("", "ips-fake: interrupted\n")


def test_check_takes_one_case_file(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", str(CASES / "wrong-password.json")]) == 0

    assert capsys.readouterr().out.splitlines() == ["wrong-password: ok", "1 cases, 0 broken"]


def test_check_of_a_missing_path_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["check", str(tmp_path / "nowhere")]) == 2

    assert capsys.readouterr().err == f"ips-fake: no such file or folder: {tmp_path / 'nowhere'}\n"


def test_check_without_a_folder_checks_the_shipped_cases(
    capsys: pytest.CaptureFixture[str],
) -> None:
    shipped = sorted(path.stem for path in CASES.glob("*.json"))

    assert main(["check"]) == 0

    lines = capsys.readouterr().out.splitlines()
    assert lines[-1] == f"{len(shipped)} cases, 0 broken"
    assert [line.split(":")[0] for line in lines[:-1]] == shipped


@pytest.mark.parametrize("company", ["47", "c|47"])
def test_expected_handles_carry_the_company_id_however_it_is_written(company: str) -> None:
    cases = [
        load_cases(CASES / f"{name}.json")[0]
        for name in ("seed-submit-job-2014", "seed-submit-job-legacy")
    ]

    results = check_in_process(cases, Credentials(company=company))

    assert [str(result) for result in results] == [
        "seed-submit-job-2014: ok",
        "seed-submit-job-legacy: ok",
    ]


def test_cases_writes_the_shipped_cases_and_cassettes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "kit"

    assert main(["cases", str(target)]) == 0

    written_cases = sorted(path.name for path in (target / "cases").glob("*.json"))
    written_cassettes = sorted(path.name for path in (target / "cassettes").glob("*.json"))
    assert written_cases == sorted(path.name for path in contract_cases_folder().glob("*.json"))
    assert written_cassettes == sorted(path.name for path in cassettes_folder().glob("*.json"))
    assert json.loads((target / "cases" / "two-payloads.json").read_text("utf-8"))["expect"]
    assert "contract cases and" in capsys.readouterr().out
    assert main(["check", str(target / "cases")]) == 0

    assert main(["cases", str(target)]) == 2  # never overwrites
    assert "exists already" in capsys.readouterr().err
