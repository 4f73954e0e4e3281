"""``--ips-fake-url``: the same fixtures against an ``ips-fake serve`` in another process."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

REMOTE_TESTS = """
from datetime import UTC, datetime

import pytest

PUBLISH = {"publishType": "Full", "emailSetting": "All"}


def test_clock_moves_through_the_admin_api(ips_fake):
    assert ips_fake.url.startswith("{origin}/")
    assert ips_fake.scheduled_jobs == []
    client = ips_fake.client()
    client.service.submitJob(companyHandle="c|47", jobName="remote", execSchedule="0 0 2 * * ?",
                             imageServingPublishJob=PUBLISH)
    ips_fake.move_to(datetime(2026, 1, 6, 2, 0, tzinfo=UTC))
    ips_fake.advance(minutes=1)
    [log] = ips_fake.job_logs
    assert log.start_date == datetime(2026, 1, 6, 2, 0, tzinfo=UTC)
    assert [mail.reason for mail in ips_fake.outbox] == ["start", "end"]
    [job] = ips_fake.scheduled_jobs
    assert job.next_fire_time == datetime(2026, 1, 7, 2, 0, tzinfo=UTC)
    [submit] = ips_fake.journal
    assert (submit.operation, submit.caller) == ("submitJob", "ipsuser@example.com")
    assert ips_fake.login("IpsCompanyAdmin", company="48").email == "ipscompanyadmin.48@example.com"
    ips_fake.script("fail")


def test_the_next_test_starts_empty(ips_fake):
    assert ips_fake.scheduled_jobs == []
    assert ips_fake.job_logs == []
    assert ips_fake.journal == []
    emails = [user["email"] for user in ips_fake.directory["users"]]
    assert "ipscompanyadmin.48@example.com" not in emails
    ips_fake.client().service.submitJob(companyHandle="c|47", jobName="again",
                                        imageServingPublishJob=PUBLISH)
    ips_fake.advance(minutes=1)
    assert ips_fake.job_logs[0].file_error_count == 0


def test_reaching_into_the_fake_skips(ips_fake):
    ips_fake.fake.advance(60)


def test_the_in_process_transport_skips(ips_fake):
    ips_fake.client(transport="inprocess")


@pytest.mark.ips_fake(directory="elsewhere.json")
def test_a_fake_of_its_own_skips(ips_fake):
    pass


@pytest.mark.ips_fake(clock="freezegun")
def test_freezegun_skips(ips_fake):
    pass


def test_a_bad_request_is_still_reported(ips_fake):
    ips_fake.requests_session().post(ips_fake.url, data=b"<oops/>",
                                     headers={"Content-Type": "text/xml"})
"""


@pytest.fixture
def served_origin() -> Iterator[str]:
    """An ``ips-fake serve --port 0 --clock manual`` of its own; its origin URL."""
    with subprocess.Popen(
        [sys.executable, "-m", "ips_fake", "serve", "--port", "0", "--clock", "manual"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    ) as server:
        try:
            assert server.stdout is not None
            first_line = server.stdout.readline()
            found = re.match(r"IPS service: (http://[^/]+)/", first_line)
            assert found, f"unexpected first line from ips-fake serve: {first_line!r}"
            yield found.group(1)
        finally:
            server.kill()
            server.wait(timeout=10)


def test_fixtures_against_an_ips_fake_serve(
    pytester: pytest.Pytester, served_origin: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytester.makepyfile(test_remote=REMOTE_TESTS.replace("{origin}", served_origin))
    # a proxy nobody listens on: a server on this machine must be reached without it
    for name in ("HTTP_PROXY", "http_proxy"):
        monkeypatch.setenv(name, "http://127.0.0.1:9")
    for name in ("NO_PROXY", "no_proxy"):
        monkeypatch.delenv(name, raising=False)

    result = pytester.runpytest_subprocess(
        "-p", "no:cacheprovider", "-p", "no:randomly", "-rs", "--ips-fake-url", served_origin
    )

    result.assert_outcomes(passed=3, skipped=4, errors=1)
    result.stdout.fnmatch_lines([f"ips-fake: fixtures use the server at {served_origin}"])
    result.stdout.fnmatch_lines(
        [
            "SKIPPED*this test reaches into the fake's objects; this run uses the ips-fake at*",
            "SKIPPED*the in-process transport needs the fake in this process*",
            "SKIPPED*ips_fake(directory=...) needs a fake of the test's own*",
            "SKIPPED*freezegun cannot move the clock of the ips-fake at*",
        ],
        consecutive=False,
    )
    result.stdout.fnmatch_lines(
        [
            "*ERROR at teardown of test_a_bad_request_is_still_reported*",
            "*1 request(s) in this test went wrong (1 bad request(s)*",
            "<oops/>",
        ]
    )


def test_an_unreachable_url_errors_every_test_that_needs_the_fake(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile("def test_needs_the_fake(ips_fake):\n    pass\n")

    result = pytester.runpytest_inprocess(
        "-p", "no:cacheprovider", "--ips-fake-url", "http://127.0.0.1:9/"
    )

    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*--ips-fake-url http://127.0.0.1:9/: cannot reach the server*"])


def test_the_readme_example_runs_twice_against_one_served_fake(
    pytester: pytest.Pytester, served_origin: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The README's example test, as written, against ``ips-fake serve --clock manual``: its
    HTTP case passes (journal params typed as in-process), its in-process case skips, and a
    second run against the same server passes too (reset rewinds the manual clock)."""
    example = Path(__file__).parent / "example" / "downstream_example.py"
    pytester.makepyfile(test_readme_example=example.read_text(encoding="utf-8"))
    for name in ("NO_PROXY", "no_proxy", "HTTP_PROXY", "http_proxy"):
        monkeypatch.delenv(name, raising=False)
    for _ in range(2):
        result = pytester.runpytest_subprocess(
            "-p", "no:cacheprovider", "-p", "no:randomly", "--ips-fake-url", served_origin
        )
        result.assert_outcomes(passed=1, skipped=1)


DOCUMENTS = (Path(__file__).parents[2] / "README.md", Path(__file__).parents[2] / "docs/plugin.md")
#: The documented examples a served fake cannot run (in-process only), by test id.
SKIPPED_REMOTELY = (
    "test_plugin_0.py::test_nightly_publish_runs_at_two_and_mails_the_submitter[inprocess]",
    "test_plugin_1.py::test_follows_freezegun",
    "test_readme_0.py::test_nightly_publish_runs_at_two_and_mails_the_submitter[inprocess]",
)
#: Why they skip, as the short summary counts it.
SKIP_REASONS = (
    "SKIPPED [[]2[]] *the in-process transport needs the fake in this process*",
    "SKIPPED [[]1[]] *freezegun cannot move the clock of the ips-fake at*",
)


def documented_tests() -> dict[str, str]:
    """Every runnable test file in the README and the plugin guide, by its file name: the
    ``python`` blocks defining a test, minus placeholders (a bare ``...`` body)."""
    found: dict[str, str] = {}
    for document in DOCUMENTS:
        blocks = re.findall(r"```python\n(.*?)```", document.read_text("utf-8"), re.S)
        runnable = [
            block
            for block in blocks
            if "def test_" in block and not re.search(r"^\s+\.\.\.$", block, re.M)
        ]
        for index, block in enumerate(runnable):
            name = f"test_{document.stem.lower()}_{index}"
            found[name] = block if "import pytest" in block else "import pytest\n" + block
    return found


def test_the_documented_examples_find_every_runnable_block() -> None:
    assert set(documented_tests()) == {"test_readme_0", "test_plugin_0", "test_plugin_1"}


@pytest.mark.parametrize("backend", ["in-process", "served"])
def test_the_documented_examples_pass_in_process_and_against_a_served_fake(
    pytester: pytest.Pytester,
    served_origin: str,
    monkeypatch: pytest.MonkeyPatch,
    backend: str,
) -> None:
    """The README's and the plugin guide's example tests, as written: all pass in process;
    against ``ips-fake serve --clock manual`` all pass but the listed in-process-only ones,
    which skip saying why."""
    pytester.makepyfile(**documented_tests())
    for name in ("NO_PROXY", "no_proxy", "HTTP_PROXY", "http_proxy"):
        monkeypatch.delenv(name, raising=False)
    flags = ["--ips-fake-url", served_origin] if backend == "served" else []
    result = pytester.runpytest_subprocess(
        "-p", "no:cacheprovider", "-p", "no:randomly", "-rs", "-v", *flags
    )

    total = 2 + 2 + 1
    skipped = SKIPPED_REMOTELY if backend == "served" else ()
    result.assert_outcomes(passed=total - len(skipped), skipped=len(skipped))
    result.stdout.re_match_lines([re.escape(test_id) + " SKIPPED" for test_id in skipped])
    if skipped:
        result.stdout.fnmatch_lines(list(SKIP_REASONS), consecutive=False)
