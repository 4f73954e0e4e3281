"""The ini options and ``--ips-fake-*`` flags, and what bad values do."""

from __future__ import annotations

import json

import pytest

TEAM_DIRECTORY = {
    "companies": [{"id": "77", "name": "Team 77"}],
    "users": [
        {
            "email": "qa@example.com",
            "password": "secret",
            "roles": ["IpsUser"],
            "companies": ["77"],
        },
    ],
}
OTHER_DIRECTORY = {
    "companies": [{"id": "88", "name": "Other 88"}],
    "users": [
        {
            "email": "ops@example.com",
            "password": "hunter2",
            "roles": ["IpsAdmin"],
            "companies": "all",
        },
    ],
}

INI = """
[pytest]
ips_fake_directory = directories/team.json
ips_fake_clock = freezegun
ips_fake_api_version = 4.0
ips_fake_transport = inprocess
ips_fake_user = qa@example.com
ips_fake_password = secret
"""

FROM_INI = """
import freezegun
import pytest
from ips_fake.testing import ClockModeError


def test_settings_come_from_the_ini_file(ips_fake):
    assert [c["id"] for c in ips_fake.directory["companies"]] == ["77"]
    assert ips_fake.url == "http://ips-fake.invalid/scene7/services/IpsApiService"
    assert ips_fake.wsdl_url().endswith("/IpsApi-2008-01-15.wsdl")
    assert ips_fake.clock_mode == "freezegun"
    with freezegun.freeze_time("2026-04-01 08:00:00") as frozen:
        handle = ips_fake.client().service.submitJob(
            companyHandle="c|77", jobName="from-ini",
            imageServingPublishJob={"publishType": "Full", "emailSetting": "None"})
        frozen.tick(600)
        [log] = ips_fake.job_logs
    assert handle == "j|77|from-ini||"
    assert log.start_date.isoformat() == "2026-04-01T08:00:00+00:00"
    [submit] = ips_fake.journal
    assert submit.caller == "qa@example.com"
    assert submit.namespace == "http://www.scene7.com/IpsApi/xsd/2008-01-15"
    with pytest.raises(ClockModeError, match="move freezegun instead"):
        ips_fake.advance(60)
"""

FROM_FLAGS = """
from datetime import UTC, datetime


def test_flags_win_over_the_ini_file(ips_fake):
    assert [c["id"] for c in ips_fake.directory["companies"]] == ["88"]
    assert ips_fake.url.startswith("http://127.0.0.1:")
    assert ips_fake.wsdl_url().endswith("/IpsApi-2013-02-15.wsdl")
    assert ips_fake.clock_mode == "manual"
    assert ips_fake.advance(60) == datetime(2026, 1, 5, 9, 1, tzinfo=UTC)
    admin = ips_fake.client(user="ops@example.com")
    assert not admin.service.getActiveJobs(companyHandle="c|88")
    assert ips_fake.journal[0].caller == "ops@example.com"
    assert ips_fake.journal[0].namespace == "http://www.scene7.com/IpsApi/xsd/2013-02-15"
"""


@pytest.fixture
def configured_project(pytester: pytest.Pytester) -> pytest.Pytester:
    folder = pytester.mkdir("directories")
    (folder / "team.json").write_text(json.dumps(TEAM_DIRECTORY), encoding="utf-8")
    (folder / "other.json").write_text(json.dumps(OTHER_DIRECTORY), encoding="utf-8")
    pytester.makeini(INI)
    return pytester


def test_ini_options_and_flags_configure_the_fixture(configured_project: pytest.Pytester) -> None:
    configured_project.makepyfile(test_from_ini=FROM_INI, test_from_flags=FROM_FLAGS)

    from_ini = configured_project.runpytest_subprocess("-p", "no:cacheprovider", "test_from_ini.py")
    from_flags = configured_project.runpytest_subprocess(
        "-p",
        "no:cacheprovider",
        "--ips-fake-directory",
        "directories/other.json",
        "--ips-fake-clock",
        "manual",
        "--ips-fake-api-version",
        "2013-02-15",
        "--ips-fake-transport",
        "http",
        "test_from_flags.py",
    )

    from_ini.assert_outcomes(passed=1)
    from_flags.assert_outcomes(passed=1)


@pytest.mark.parametrize(
    ("ini_line", "message"),
    [
        (
            "ips_fake_clock = sometimes",
            "*ips_fake_clock must be one of manual, freezegun; got 'sometimes'*",
        ),
        (
            "ips_fake_transport = pigeon",
            "*ips_fake_transport must be one of http, inprocess; got 'pigeon'*",
        ),
        ("ips_fake_api_version = 9.9", "*ips_fake_api_version: unknown IPS API version '9.9'*"),
        ("ips_fake_directory = missing.json", "*ips_fake_directory: no directory file at *"),
    ],
)
def test_a_bad_ini_value_is_a_usage_error(
    pytester: pytest.Pytester, ini_line: str, message: str
) -> None:
    pytester.makeini(f"[pytest]\n{ini_line}\n")
    pytester.makepyfile("def test_nothing():\n    pass\n")

    result = pytester.runpytest_inprocess("-p", "no:cacheprovider")

    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([message])


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (["--ips-fake-clock", "sometimes"], "*--ips-fake-clock: invalid choice: 'sometimes'*"),
        (["--ips-fake-transport", "pigeon"], "*--ips-fake-transport: invalid choice: 'pigeon'*"),
        (["--ips-fake-api-version", "2999-01-01"], "*unknown IPS API version '2999-01-01'*"),
        (["--ips-fake-directory", "nowhere.json"], "*no directory file at *nowhere.json*"),
    ],
)
def test_a_bad_flag_is_a_usage_error(
    pytester: pytest.Pytester, flags: list[str], message: str
) -> None:
    pytester.makepyfile("def test_nothing():\n    pass\n")

    result = pytester.runpytest_inprocess("-p", "no:cacheprovider", *flags)

    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([message])


def test_a_remote_server_under_xdist_is_a_usage_error(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("def test_nothing():\n    pass\n")

    result = pytester.runpytest_subprocess(
        "-p", "no:cacheprovider", "-p", "xdist", "-n", "2", "--ips-fake-url", "http://127.0.0.1:9"
    )

    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*--ips-fake-url: every xdist worker would drive*"])
