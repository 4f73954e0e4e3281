"""Every test starts from the starting directory, an empty job store and the clock at its
start, whichever tests ran before it, in this process or in another xdist worker."""

from __future__ import annotations

import pytest

# Each copy creates the same job, changes the directory, scripts a failure and moves the
# clock, so whichever runs second sees any of it that leaked.
SAME_JOB_TEST = """
from datetime import UTC, datetime

import pytest


@pytest.mark.parametrize("transport", ["http", "inprocess"])
def test_{name}_creates_the_nightly_job(ips_fake, transport):
    assert ips_fake.now() == datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
    assert ips_fake.scheduled_jobs == []
    assert ips_fake.job_logs == []
    assert ips_fake.outbox == []
    assert ips_fake.journal == []
    assert [c["id"] for c in ips_fake.directory["companies"]] == ["47", "48"]
    assert "leak-{name}@example.com" not in [u["email"] for u in ips_fake.directory["users"]]

    client = ips_fake.client(transport=transport)
    handle = client.service.submitJob(
        companyHandle="c|47",
        jobName="nightly",
        execSchedule="0 0 2 * * ?",
        imageServingPublishJob={{"publishType": "Full", "emailSetting": "All"}},
    )
    ips_fake.move_to(datetime(2026, 1, 6, 2, 0, tzinfo=UTC))
    ips_fake.advance(minutes=1)

    assert handle == "j|47|nightly||"
    [log] = ips_fake.job_logs
    assert (log.run_id, log.file_error_count, log.file_success_count) == (1, 0, 3)
    assert [entry.sequence for entry in ips_fake.journal] == [1]
    # leave as much behind as a test can
    ips_fake.add_company("49")
    ips_fake.add_user("leak-{name}@example.com", companies=["49"])
    ips_fake.add_user("leak-{other}@example.com", companies=["49"])
    ips_fake.script("fail")
"""


@pytest.fixture
def two_test_files(pytester: pytest.Pytester) -> tuple[str, str]:
    pytester.makepyfile(
        test_first=SAME_JOB_TEST.format(name="first", other="second"),
        test_second=SAME_JOB_TEST.format(name="second", other="first"),
    )
    return "test_first.py", "test_second.py"


def test_the_same_job_name_passes_in_either_order(
    pytester: pytest.Pytester, two_test_files: tuple[str, str]
) -> None:
    first, second = two_test_files

    forward = pytester.runpytest_subprocess(
        "-p", "no:cacheprovider", "-p", "no:randomly", "-v", first, second
    )
    backward = pytester.runpytest_subprocess(
        "-p", "no:cacheprovider", "-p", "no:randomly", "-v", second, first
    )

    forward.assert_outcomes(passed=4)
    backward.assert_outcomes(passed=4)
    forward.stdout.fnmatch_lines(["test_first.py::*http* PASSED*", "test_second.py::*PASSED*"])
    backward.stdout.fnmatch_lines(["test_second.py::*http* PASSED*", "test_first.py::*PASSED*"])


def test_the_same_job_name_passes_under_two_xdist_workers(
    pytester: pytest.Pytester, two_test_files: tuple[str, str]
) -> None:
    result = pytester.runpytest_subprocess(
        "-p", "no:cacheprovider", "-p", "xdist", "-n", "2", "-v", *two_test_files
    )

    result.assert_outcomes(passed=4)
    # both workers ran tests; their lines interleave in no fixed order
    passed_on = {
        worker
        for line in result.outlines
        for worker in ("gw0", "gw1")
        if f"[{worker}]" in line and "PASSED" in line
    }
    assert passed_on == {"gw0", "gw1"}, result.stdout.str()
