"""Mapped identities (``--identity map``: users and company ids stored as stand-ins) and the
``record`` and ``serve --replay`` commands run as processes, with a served fake standing in
for IPS."""

from __future__ import annotations

import json
import queue
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from ips_fake.core.directory import Directory
from ips_fake.fake import IpsFake
from ips_fake.proxy import RecordingProxy
from ips_fake.recording import Cassette, CassetteMetadata
from ips_fake.scrubbing import Scrubber
from ips_fake.server import AppServer, FakeServer
from ips_fake.stub import ReplayServer
from ips_fake.verify import localize, verify_in_process
from tests.test_record_proxy import (
    LIVE_PASSWORD,
    SERVICE,
    WSDL,
    _decoded_texts,
    _soap,
    _zeep,
    assert_no_live_secret,
    zeep_scenario,
)

REAL_USER = "real.person@acme.test"
REAL_COMPANY = "7312"
OTHER_COMPANY = "9020"


@pytest.fixture
def account() -> Iterator[FakeServer]:
    """A stand-in for a real account: company 7312 (and 9020), a user of both."""
    directory = Directory.from_json_data(
        {
            "companies": [{"id": REAL_COMPANY, "name": "Acme"}, {"id": OTHER_COMPANY, "name": "B"}],
            "users": [
                {
                    "email": REAL_USER,
                    "password": LIVE_PASSWORD,
                    "roles": ["IpsUser"],
                    "companies": [REAL_COMPANY],
                }
            ],
        }
    )
    with FakeServer(IpsFake(directory)) as served:
        yield served


def _record_mapped(account: FakeServer, out: Path) -> list[str]:
    cassette = Cassette(
        metadata=CassetteMetadata(upstream=account.base_url, identity="map"),
        scrubber=Scrubber("map"),
    )
    proxy = RecordingProxy(account.base_url, cassette, out, upstream_clock=True, timeout=10)
    with AppServer(proxy) as served:
        seen = zeep_scenario(_zeep(served.base_url, REAL_USER), account, f"c|{REAL_COMPANY}")
        with requests.Session() as session:  # a foreign company, legacy handles, AuthUser
            session.trust_env = False
            body = _soap(
                f"<i:getJobLogsParam><i:companyHandle>{OTHER_COMPANY}</i:companyHandle>"
                "</i:getJobLogsParam>",
                f"<i:authHeader><i:user>{REAL_USER}</i:user>"
                f"<i:password>{LIVE_PASSWORD}</i:password></i:authHeader>",
            )
            session.post(served.base_url + SERVICE, data=body, headers={"Content-Type": "text/xml"})
    return seen


def _identity_leaks(path: Path) -> list[str]:
    return [
        text
        for text in _decoded_texts(path)
        if REAL_USER in text or REAL_COMPANY in text or OTHER_COMPANY in text
    ]


def test_mapped_identities_never_reach_the_cassette_and_verify_clean_against_the_fake(
    account: FakeServer, tmp_path: Path
) -> None:
    out = tmp_path / "mapped.json"
    seen = _record_mapped(account, out)
    assert seen[0] == f"j|{REAL_COMPANY}|evening publish||"  # the client saw its own company
    assert_no_live_secret(out)
    assert _identity_leaks(out) == []
    text = out.read_text(encoding="utf-8")
    assert "j|1|evening publish||" in text  # handles in answers and requests, consistently
    assert "c|1" in text
    assert ">2<" in text  # the second company got the next stand-in
    assert "user-1@example.invalid" in text
    cassette = Cassette.load(out)
    assert cassette.metadata.identity == "map"
    assert json.loads(text)["metadata"]["identity"] == "map"

    report = verify_in_process(cassette)  # 1 → 47, 2 → 48, the user → ipsuser@example.com
    assert report.ok, report.summary()
    assert len(report.steps) == 6  # the SOAP calls
    local = localize(cassette, ["47"], "ipsuser@example.com")
    assert b"j|47|evening publish||" in local.interactions[1].response.body
    # a stand-in beyond --company stays itself: company 2 is then unknown to the fake
    assert b"<i:companyHandle>2<" in local.interactions[-1].request.body


def test_keep_stores_the_identity_as_sent(account: FakeServer, tmp_path: Path) -> None:
    out = tmp_path / "kept.json"
    cassette = Cassette(metadata=CassetteMetadata(upstream=account.base_url))
    proxy = RecordingProxy(account.base_url, cassette, out, upstream_clock=True, timeout=10)
    with AppServer(proxy) as served:
        zeep_scenario(_zeep(served.base_url, REAL_USER), account, f"c|{REAL_COMPANY}")
    assert _identity_leaks(out)
    assert Cassette.load(out).metadata.identity == "keep"


def test_the_scrubber_maps_every_form_of_a_company_id() -> None:
    scrubber = Scrubber("map")
    assert scrubber.identity_text("companyHandle", "c|555") == "c|1"
    assert scrubber.identity_text("companyHandle", "555") == "1"
    assert scrubber.identity_text("jobHandle", "j|555|x||") == "j|1|x||"
    assert scrubber.identity_text("jobHandle", "555|x|") == "1|x|"  # pre-4.0
    assert scrubber.identity_text("logHandle", "j|555||x_2026|7") == "j|1||x_2026|7"
    assert scrubber.identity_text("assetHandle", "a|777|1|2") == "a|2|1|2"
    assert scrubber.identity_text("logMessage", "job j|777|x|| done") == "job j|2|x|| done"
    assert scrubber.identity_text("user", "me@acme.test") == "user-1@example.invalid"
    assert scrubber.identity_text("userHandle", "u|9|me@acme.test") == "u|9|user-1@example.invalid"
    assert scrubber.identity_text("logMessage", "by me@acme.test") == "by user-1@example.invalid"
    assert scrubber.identity_text("jobName", "555 files") == "555 files"  # not a handle
    assert Scrubber("keep").identity_text("companyHandle", "c|555") == "c|555"


def test_the_stub_matches_a_mapped_cassette_whatever_user_and_company_the_client_sends(
    account: FakeServer, tmp_path: Path
) -> None:
    out = tmp_path / "mapped.json"
    recorded = _record_mapped(account, out)
    with ReplayServer.from_file(out) as stub:
        # the client that recorded it: its real user and company
        seen = zeep_scenario(_zeep(stub.base_url, REAL_USER), None, f"c|{REAL_COMPANY}")
        # another user and company match too (a repeat gets the last recorded answer)
        other = _zeep(stub.base_url, "someone@else.test").service.getScheduledJobs(
            companyHandle="c|47"
        )
    assert seen[0] == "j|1|evening publish||"  # answers carry the stand-ins
    assert [value.replace("|1|", f"|{REAL_COMPANY}|") for value in seen[:4]] == recorded[:4]
    assert other[0].jobHandle == "j|1|evening publish||"
    assert stub.stub.unmatched == []


# -- the commands as processes -----------------------------------------------------------------


class _Process:
    """A command run with ``python -m ips_fake``, its output read line by line."""

    def __init__(self, *arguments: str) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "ips_fake", *arguments],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=Path(__file__).parents[1],
        )
        self.lines: queue.Queue[str | None] = queue.Queue()
        self.seen: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(line.rstrip("\n"))
        self.lines.put(None)

    def line_starting(self, prefix: str, timeout: float = 20.0) -> str:
        """The first line (from now on) that starts with ``prefix``."""
        while True:
            try:
                line = self.lines.get(timeout=timeout)
            except queue.Empty:
                self.kill()
                pytest.fail(f"no line starting {prefix!r} within {timeout}s: {self.seen}")
            if line is None:
                pytest.fail(f"the process ended before {prefix!r}: {self.stderr()}")
            self.seen.append(line)
            if line.startswith(prefix):
                return line

    def stop(self, signum: int) -> int:
        """Send ``signum`` and wait (bounded) for the exit status."""
        self.process.send_signal(signum)
        try:
            return self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.kill()
            pytest.fail(f"the process did not stop on signal {signum}")

    def rest(self) -> list[str]:
        """The lines printed after the ones read (the process has ended)."""
        rest = []
        while (line := self.lines.get(timeout=5)) is not None:
            rest.append(line)
        return rest

    def stderr(self) -> str:
        self.kill()
        assert self.process.stderr is not None
        return self.process.stderr.read()

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)


@pytest.fixture
def upstream_fake() -> Iterator[FakeServer]:
    data = json.loads((Path(__file__).parents[1] / "fixtures" / "directory.json").read_text())
    for user in data["users"]:
        user["password"] = LIVE_PASSWORD
    with FakeServer(IpsFake(Directory.from_json_data(data))) as served:
        yield served


def test_the_record_and_serve_replay_commands_as_processes(
    upstream_fake: FakeServer, tmp_path: Path
) -> None:
    out = tmp_path / "cli.json"
    record = _Process(
        "record", "--upstream", upstream_fake.base_url, "--port", "0", "--out", str(out),
        "--upstream-clock", "--identity", "map", "--timeout", "10",
    )  # fmt: skip
    try:
        service = record.line_starting("IPS service:").split()[-1]
        wsdl = record.line_starting("WSDL:").split()[-1]
        record.line_starting("Press Ctrl-C")
        assert service.endswith(SERVICE)
        assert wsdl == service + "?wsdl"
        base = service.removesuffix(SERVICE)
        recorded = zeep_scenario(_zeep(base), upstream_fake)
        assert recorded[0] == "j|47|evening publish||"
    finally:
        code = record.stop(signal.SIGINT)
    assert code == 0, record.stderr()
    rest = record.rest()
    assert any(line.startswith("ips-fake record stopped: 6 exchanges") for line in rest), rest
    assert not out.with_name(out.name + ".partial").exists()
    cassette = Cassette.load(out)  # whole: it reads
    assert len(cassette.interactions) == 6  # the WSDL fetch and five calls
    assert cassette.metadata.identity == "map"
    assert_no_live_secret(out)
    assert "ipsuser@example.com" not in out.read_text(encoding="utf-8")
    assert verify_in_process(cassette).ok

    replay = _Process("serve", "--replay", str(out), "--port", "0")
    try:
        service = replay.line_starting("IPS service:").split()[-1]
        wsdl_line = replay.line_starting("WSDL:")
        replay.line_starting("Press Ctrl-C")
        base = service.removesuffix(SERVICE)
        assert wsdl_line.split()[-1] == base + WSDL  # the version the cassette recorded
        assert (
            zeep_scenario(_zeep(base), None)
            == [value.replace("|47|", "|1|") for value in recorded[:5]] + recorded[5:]
        )
        with requests.Session() as session:
            session.trust_env = False
            admin = session.get(base + "/_fake/state", timeout=10)
            clock = session.post(base + "/_fake/clock", json={}, timeout=10)
    finally:
        code = replay.stop(signal.SIGTERM)
    assert code == 0, replay.stderr()
    for answer in (admin, clock):
        assert answer.status_code == 404
        assert answer.headers["Content-Type"].startswith("application/json")
        assert answer.json() == {"error": "a replay stub has no admin API"}


def test_serve_replay_says_when_the_cassette_recorded_no_wsdl(tmp_path: Path) -> None:
    fixture = Path(__file__).parents[1] / "fixtures" / "cassettes" / "seed-submit-job.json"
    replay = _Process("serve", "--replay", str(fixture), "--port", "0")
    try:
        assert replay.line_starting("WSDL:").split(None, 1)[1] == (
            "none (the cassette recorded no WSDL fetch)"
        )
        replay.line_starting("Press Ctrl-C")  # serving: a signal now is a clean stop
    finally:
        code = replay.stop(signal.SIGINT)
    assert code == 0, replay.stderr()


def test_verify_takes_the_companies_and_user_of_a_mapped_cassette(
    account: FakeServer, tmp_path: Path
) -> None:
    from ips_fake.cli import main

    out = tmp_path / "mapped.json"
    _record_mapped(account, out)
    assert main(["verify", str(out)]) == 0
    assert main(["verify", str(out), "--company", "48"]) == 1  # ipsuser may not use 48
    assert main(["verify", str(out), "--company", "c|47,48", "--user", "ipsuser@example.com"]) == 0
    assert main(["verify", str(out), "--company", "acme"]) == 2
