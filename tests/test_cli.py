"""``python -m ips_fake serve`` as a user runs it: a real process, its printed URLs, a WSDL and
a SOAP call over them, a clean stop on Ctrl-C or SIGTERM, and clear errors for bad input."""

from __future__ import annotations

import json
import queue
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests
import zeep
import zeep.exceptions
from lxml import etree

STARTUP_SECONDS = 30
STOP_SECONDS = 30
WSDL_ADDRESS = ".//{http://schemas.xmlsoap.org/wsdl/soap/}address"


@dataclass
class ServeProcess:
    """A running ``ips-fake serve`` with its stdout read line by line on a thread."""

    process: subprocess.Popen[str]
    lines: queue.Queue[str | None] = field(default_factory=queue.Queue)

    def __post_init__(self) -> None:
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(line.rstrip("\n"))
        self.lines.put(None)

    def next_line(self) -> str:
        line = self.lines.get(timeout=STARTUP_SECONDS)
        assert line is not None, "ips-fake serve ended before printing: " + self.stderr()
        return line

    def rest_of_output(self) -> list[str]:
        rest: list[str] = []
        while (line := self.lines.get(timeout=STOP_SECONDS)) is not None:
            rest.append(line)
        return rest

    def stderr(self) -> str:
        if self.process.poll() is None or self.process.stderr is None:
            return ""
        return self.process.stderr.read()

    def urls(self) -> tuple[str, str]:
        service_line, wsdl_line = self.next_line(), self.next_line()
        assert service_line.startswith("IPS service: http://127.0.0.1:")
        assert wsdl_line.startswith("WSDL:")
        return service_line.split()[-1], wsdl_line.split()[-1]


def serve_command(*arguments: str) -> list[str]:
    return [sys.executable, "-m", "ips_fake", "serve", "--port", "0", *arguments]


ServeStarter = Callable[..., ServeProcess]


@pytest.fixture
def start_serve() -> Iterator[ServeStarter]:
    """Start ``ips-fake serve`` processes; every one is killed at the end whatever happens."""
    started: list[subprocess.Popen[str]] = []

    def start(*arguments: str) -> ServeProcess:
        process = subprocess.Popen(
            serve_command(*arguments),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            stdin=subprocess.DEVNULL,
            text=True,
        )
        started.append(process)
        return ServeProcess(process)

    try:
        yield start
    finally:
        for process in started:
            if process.poll() is None:
                process.kill()
            process.wait(timeout=STOP_SECONDS)
            for stream in (process.stdout, process.stderr):
                if stream is not None:
                    stream.close()


def auth(client: zeep.Client, user: str, password: str) -> None:
    header = client.get_element("ns0:authHeader")
    client.set_default_soapheaders([header(user=user, password=password)])


def test_serve_prints_its_urls_answers_soap_and_stops_cleanly_on_sigint(
    start_serve: ServeStarter,
) -> None:
    serve = start_serve("--clock", "manual")
    service_url, wsdl_url = serve.urls()
    port = service_url.split(":")[2].split("/")[0]
    assert service_url == f"http://127.0.0.1:{port}/scene7/services/IpsApiService"
    assert wsdl_url == f"http://127.0.0.1:{port}/scene7/webservice/IpsApi-2014-04-03.wsdl"
    assert int(port) > 0
    assert serve.next_line().startswith(f"Admin API:   http://127.0.0.1:{port}/_fake/state")
    assert serve.next_line() == f"Dashboard:   http://127.0.0.1:{port}/_fake/"

    wsdl = requests.get(wsdl_url, timeout=10)
    assert wsdl.status_code == 200
    addresses = {
        node.get("location") for node in etree.fromstring(wsdl.content).iterfind(WSDL_ADDRESS)
    }
    assert addresses == {service_url}

    client = zeep.Client(wsdl_url)
    auth(client, "ipsuser@example.com", "password")
    handle = client.service.submitJob(
        companyHandle="c|47",
        jobName="From the command line",
        imageServingPublishJob={"publishType": "Full", "emailSetting": "None"},
    )
    assert handle == "j|47|From the command line||"
    (run,) = client.service.getActiveJobs(companyHandle="c|47")
    assert run.name == "From the command line_2026-01-05-09:00:00.000"

    serve.process.send_signal(signal.SIGINT)
    assert serve.process.wait(timeout=STOP_SECONDS) == 0
    assert "ips-fake stopped." in serve.rest_of_output()
    assert "Traceback" not in serve.stderr()


def test_serve_stops_cleanly_on_sigterm(start_serve: ServeStarter) -> None:
    serve = start_serve()
    service_url, _ = serve.urls()
    assert requests.get(service_url, timeout=10).status_code == 405
    serve.process.send_signal(signal.SIGTERM)
    assert serve.process.wait(timeout=STOP_SECONDS) == 0
    assert "ips-fake stopped." in serve.rest_of_output()
    assert "Traceback" not in serve.stderr()


def test_serve_with_a_custom_directory(start_serve: ServeStarter, tmp_path: Path) -> None:
    directory = tmp_path / "directory.json"
    directory.write_text(
        json.dumps(
            {
                "companies": [{"id": "77", "name": "Company 77"}],
                "users": [
                    {
                        "email": "qa@example.com",
                        "password": "secret",
                        "roles": ["IpsUser"],
                        "companies": ["77"],
                    }
                ],
            }
        ),
        encoding="utf-8",
    )
    serve = start_serve("--directory", str(directory), "--clock", "manual")
    _, wsdl_url = serve.urls()
    client = zeep.Client(wsdl_url)

    auth(client, "qa@example.com", "secret")
    handle = client.service.submitJob(
        companyHandle="77",
        jobName="Custom",
        execSchedule="0 0 0 * * ?",
        optimizeImagesJob={"emailSetting": "None"},
    )
    assert handle == "j|77|Custom||"

    auth(client, "ipsuser@example.com", "password")  # a default user, not in this directory
    with pytest.raises(zeep.exceptions.Fault) as raised:
        client.service.getScheduledJobs(companyHandle="c|77")
    ns = {"ns1": "http://www.scene7.com/IpsApi/xsd"}
    assert raised.value.detail.findtext(".//ns1:code", namespaces=ns) == "10002"
    assert "ipsuser@example.com" in raised.value.detail.findtext(".//ns1:reason", namespaces=ns)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "No such file or directory"),
        ("{not json", "not valid JSON"),
        ("[1, 2]", "must hold a JSON object"),
        ('{"users": [{"password": "x"}]}', "users[0] needs an 'email' string"),
        ('{"companies": [{"name": "No id"}]}', "companies[0] needs an 'id'"),
        ('{"users": [{"email": "a@example.com", "roles": ["Wizard"]}]}', "'Wizard'"),
    ],
    ids=[
        "missing-file",
        "not-json",
        "not-an-object",
        "user-without-email",
        "company-without-id",
        "unknown-role",
    ],
)
def test_bad_directory_file_exits_2_with_a_clear_message(
    tmp_path: Path, content: str | None, message: str
) -> None:
    path = tmp_path / "directory.json"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    result = subprocess.run(
        serve_command("--directory", str(path)),
        capture_output=True,
        text=True,
        timeout=STARTUP_SECONDS,
        stdin=subprocess.DEVNULL,
    )
    assert result.returncode == 2
    assert result.stderr.startswith(f"ips-fake: cannot start: directory file {path}: ")
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""


def test_port_in_use_exits_2_with_a_clear_message() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        command = [sys.executable, "-m", "ips_fake", "serve", "--port", str(port)]
        result = subprocess.run(
            command,
            capture_output=True,
            text=True,
            timeout=STARTUP_SECONDS,
            stdin=subprocess.DEVNULL,
        )
    assert result.returncode == 2
    assert result.stderr.startswith("ips-fake: cannot start: ")
    assert "Traceback" not in result.stderr


def test_unknown_command_is_an_argparse_error() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "ips_fake", "launch"],
        capture_output=True,
        text=True,
        timeout=STARTUP_SECONDS,
        stdin=subprocess.DEVNULL,
    )
    assert result.returncode == 2
    assert "invalid choice: 'launch'" in result.stderr


# -- check and replay ---------------------------------------------------------------------------

REPOSITORY = Path(__file__).resolve().parent.parent


def test_check_runs_every_contract_case_in_process(capsys: pytest.CaptureFixture[str]) -> None:
    from ips_fake.cli import main

    assert main(["check", str(REPOSITORY / "contracts" / "cases")]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[-1] == f"{len(lines) - 1} cases, 0 broken"
    assert "two-payloads: ok" in lines


def test_check_reports_a_broken_case_and_exits_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from ips_fake.cli import main

    case = json.loads((REPOSITORY / "contracts" / "cases" / "two-payloads.json").read_text())
    case["expect"]["fault"]["code"] = 30002
    (tmp_path / "wrong.json").write_text(json.dumps(case), encoding="utf-8")

    assert main(["check", str(tmp_path)]) == 1
    out = capsys.readouterr().out
    assert "wrong: BROKEN: expected fault code 30002, got 30001" in out
    assert out.splitlines()[-1] == "1 cases, 1 broken"


def test_check_against_a_served_fake_with_reset(capsys: pytest.CaptureFixture[str]) -> None:
    from ips_fake.cli import main
    from ips_fake.fake import IpsFake
    from ips_fake.server import FakeServer

    server = FakeServer(IpsFake(validate_responses=True))
    server.start()
    try:
        folder = str(REPOSITORY / "contracts" / "cases")
        assert main(["check", folder, "--url", server.base_url, "--reset"]) == 0
    finally:
        server.close()
    assert capsys.readouterr().out.splitlines()[-1].endswith(" cases, 0 broken")


def test_check_of_a_folder_without_cases_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from ips_fake.cli import main

    assert main(["check", str(tmp_path)]) == 2
    assert "no contract cases" in capsys.readouterr().err


def test_replay_of_a_stored_cassette_matches(capsys: pytest.CaptureFixture[str]) -> None:
    from ips_fake.cli import main

    cassette = REPOSITORY / "fixtures" / "cassettes" / "publish-lifecycle.json"
    assert main(["replay", str(cassette)]) == 0
    assert capsys.readouterr().out.strip() == "6 SOAP exchanges replayed, 0 differ"


def test_replay_shows_the_diff_of_a_changed_answer_and_exits_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from ips_fake.cli import main

    source = REPOSITORY / "fixtures" / "cassettes" / "seed-submit-job.json"
    changed = tmp_path / "changed.json"
    text = source.read_text(encoding="utf-8")
    changed.write_text(text.replace("47|My Test Job|</jobHandle>", "47|X|</jobHandle>", 1))

    assert main(["replay", str(changed)]) == 1
    out = capsys.readouterr().out
    assert "1 differ" in out.splitlines()[0]
    assert "-      <jobHandle>47|X|</jobHandle>" in out
    # ignoring the element makes the same cassette pass
    assert main(["replay", str(changed), "--ignore", "jobHandle"]) == 0


def test_replay_of_an_unreadable_cassette_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from ips_fake.cli import main

    broken = tmp_path / "broken.json"
    broken.write_text("{}", encoding="utf-8")
    assert main(["replay", str(broken)]) == 2
    assert "'format' field" in capsys.readouterr().err


def test_url_commands_without_requests_say_which_extra_to_install(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from ips_fake.cli import main
    from ips_fake.extras import install_command

    monkeypatch.setitem(sys.modules, "requests", None)  # import requests now fails
    folder = str(REPOSITORY / "contracts" / "cases")
    cassette = str(REPOSITORY / "fixtures" / "cassettes" / "faults.json")

    assert main(["check", folder, "--url", "http://127.0.0.1:9"]) == 2
    assert main(["replay", cassette, "--url", "http://127.0.0.1:9"]) == 2
    hint = "needs requests (the [client] extra): " + install_command("client")
    assert capsys.readouterr().err.count(hint) == 2


def test_serve_with_a_token_prints_the_dashboard_address_that_hands_it_over(
    start_serve: ServeStarter,
) -> None:
    serve = start_serve("--clock", "manual", "--admin-token", "s3cret/+x")
    service_url, _ = serve.urls()
    base = service_url.split("/scene7/")[0]
    assert serve.next_line().startswith(f"Admin API:   {base}/_fake/state")
    assert "token" in serve.next_line()
    dashboard = serve.next_line()
    assert dashboard == f"Dashboard:   {base}/_fake/?token=s3cret%2F%2Bx"

    session = requests.Session()
    assert session.get(base + "/_fake/", timeout=10).status_code == 401
    page = session.get(dashboard.split()[1], timeout=10)
    assert page.status_code == 200
    assert page.url == base + "/_fake/"
    assert 'id="panels"' in page.text
