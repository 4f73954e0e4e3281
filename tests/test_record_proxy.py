"""Recorded contracts: record through the proxy (a served fake stands in for IPS), verify,
replay as a stub, and keep secrets out of every cassette.

PHP's SoapClient records too where php-soap is installed; without it that test skips loudly,
except under CI (``CI`` set), where it fails.
"""

from __future__ import annotations

import base64
import gzip
import http.client
import json
import os
import shutil
import socket
import subprocess
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import requests
import zeep
import zeep.exceptions

from ips_fake.cli import main
from ips_fake.core import runs
from ips_fake.core.directory import Directory
from ips_fake.fake import IpsFake
from ips_fake.proxy import RecordingProxy
from ips_fake.recording import Cassette, CassetteMetadata
from ips_fake.server import AppServer, FakeServer
from ips_fake.stub import ReplayServer
from ips_fake.verify import verify_in_process

LIVE_PASSWORD = "Live-S3cret-pw!"
LIVE_TOKEN = "live-access-token-0xC0FFEE"
USER = "ipsuser@example.com"
WSDL = "/scene7/webservice/IpsApi-2014-04-03.wsdl"
SERVICE = "/scene7/services/IpsApiService"
NS = "http://www.scene7.com/IpsApi/xsd/2014-04-03"
SOAP11 = "http://schemas.xmlsoap.org/soap/envelope/"


def _directory() -> Directory:
    data = json.loads((Path(__file__).parents[1] / "fixtures" / "directory.json").read_text())
    for user in data["users"]:
        user["password"] = LIVE_PASSWORD
    return Directory.from_json_data(data)


@pytest.fixture
def upstream() -> Iterator[FakeServer]:
    """The stand-in for IPS: a served fake whose users' password is the live one."""
    with FakeServer(IpsFake(_directory())) as served:
        yield served


@pytest.fixture
def recorder(upstream: FakeServer, tmp_path: Path) -> Iterator[tuple[AppServer, Path]]:
    """The recording proxy in front of ``upstream``; every cassette it wrote is searched for
    the live secrets when the test ends."""
    out = tmp_path / "recorded.json"
    cassette = Cassette(metadata=CassetteMetadata(upstream=upstream.base_url))
    proxy = RecordingProxy(upstream.base_url, cassette, out, upstream_clock=True, timeout=10)
    with AppServer(proxy) as served:
        yield served, out
    if out.exists():
        assert_no_live_secret(out)


def _zeep(base_url: str, user: str = USER) -> Any:
    session = requests.Session()
    session.trust_env = False
    client = zeep.Client(base_url + WSDL, transport=zeep.Transport(session=session))
    header = client.get_element(f"{{{NS}}}authHeader")
    client.set_default_soapheaders([header(user=user, password=LIVE_PASSWORD)])
    return client


def zeep_scenario(client: Any, upstream: FakeServer | None, company: str = "c|47") -> list[str]:
    """A job's life; returns what the client saw (handles and progress messages)."""
    service = client.service
    seen = []
    handle = service.submitJob(
        companyHandle=company,
        jobName="evening publish",
        execTime=(upstream.fake.now() if upstream else _recorded_now()) + timedelta(hours=1),
        imageServingPublishJob={"publishType": "Full", "emailSetting": "All"},
    )
    seen.append(handle)
    seen.append(service.getScheduledJobs(companyHandle=company)[0].jobHandle)
    if upstream:
        upstream.fake.advance(hours=1, seconds=3)
    active = service.getActiveJobs(companyHandle=company)
    seen += [active[0].jobHandle, active[0].progressMessage]
    if upstream:
        upstream.fake.advance(minutes=5)
    logs = service.getJobLogs(companyHandle=company)
    seen.append(logs[0].jobHandle)
    details = service.getJobLogDetails(companyHandle=company, jobHandle=logs[0].jobHandle)
    seen.append(details[0].detailArray.items[3].logMessage)
    return seen


def _recorded_now() -> Any:
    return IpsFake().now()


def _soap(body: str, header: str) -> bytes:
    return (
        f'<e:Envelope xmlns:e="{SOAP11}" xmlns:i="{NS}"><e:Header>{header}</e:Header>'
        f"<e:Body>{body}</e:Body></e:Envelope>"
    ).encode()


# -- recording and verifying -------------------------------------------------------------------


def test_zeep_records_through_the_proxy_and_the_cassette_verifies_clean(
    upstream: FakeServer, recorder: tuple[AppServer, Path]
) -> None:
    proxy, out = recorder
    client = _zeep(proxy.base_url)
    # the WSDL's soap:address was moved to the proxy, so every call goes through it
    assert client.service._binding_options["address"] == proxy.base_url + SERVICE
    seen = zeep_scenario(client, upstream)
    bad = zeep.Client(proxy.base_url + WSDL)
    header = bad.get_element(f"{{{NS}}}authHeader")
    with pytest.raises(zeep.exceptions.Fault, match="AuthenticationException"):
        bad.service.getActiveJobs(companyHandle="c|47", _soapheaders=[header(USER, "wrong!")])

    cassette = Cassette.load(out)
    assert seen[0] == "j|47|evening publish||"
    assert cassette.metadata.upstream == upstream.base_url
    assert cassette.api_versions() == ["6.8"]  # the 2014-04-03 namespace
    assert [step.response.status for step in cassette.interactions][-1] == 500
    assert all(step.at is not None for step in cassette.interactions)
    report = verify_in_process(cassette)
    assert report.ok, report.summary()
    assert len(report.steps) == 6


def test_a_changed_behaviour_is_reported_as_exactly_that_difference(
    upstream: FakeServer, recorder: tuple[AppServer, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    proxy, out = recorder
    zeep_scenario(_zeep(proxy.base_url), upstream)
    original = runs.Run.progress_message

    def changed(self: Any, now: Any) -> str:
        return "Changed: " + original(self, now)

    monkeypatch.setattr(runs.Run, "progress_message", changed)
    report = verify_in_process(Cassette.load(out))

    assert [step.label for step in report.mismatches] == ["getActiveJobsParam"]
    diff = report.mismatches[0].diff or ""
    changes = [
        line
        for line in diff.splitlines()[1:]
        if line[:1] in "+-" and not line.startswith(("---", "+++"))
    ]
    # the job's message and its task's, nothing else
    assert [line[0] + line[1:].strip() for line in changes] == [
        "-<progressMessage>Processed 1 of 3</progressMessage>",
        "+<progressMessage>Changed: Processed 1 of 3</progressMessage>",
    ] * 2


def test_raw_http_with_gzip_basic_auth_and_the_plain_xml_endpoint_records_and_verifies(
    upstream: FakeServer, recorder: tuple[AppServer, Path]
) -> None:
    proxy, out = recorder
    host, port = proxy.base_url.removeprefix("http://").split(":")
    basic = base64.b64encode(f"{USER}:{LIVE_PASSWORD}".encode()).decode()
    body = _soap(
        "<i:submitJobParam><i:companyHandle>c|47</i:companyHandle><i:jobName>raw</i:jobName>"
        "<i:imageServingPublishJob><i:publishType>Full</i:publishType>"
        "<i:emailSetting>None</i:emailSetting></i:imageServingPublishJob>"
        "</i:submitJobParam>",
        "",
    )
    connection = http.client.HTTPConnection(host, int(port), timeout=10)
    connection.request(
        "POST",
        SERVICE,
        body=gzip.compress(body),
        headers={
            "Content-Type": "text/xml; charset=utf-8",
            "Content-Encoding": "gzip",
            "Accept-Encoding": "gzip",
            "Authorization": f"Basic {basic}",
        },
    )
    answer = connection.getresponse()
    raw = answer.read()
    connection.close()
    assert answer.status == 200
    assert answer.getheader("Content-Encoding") == "gzip"  # passed on as the upstream sent it
    assert b"j|47|raw||" in gzip.decompress(raw)

    legacy = _soap(
        "<i:getActiveJobsParam><i:companyHandle>c|47</i:companyHandle></i:getActiveJobsParam>",
        '<l:AuthUser xmlns:l="http://www.scene7.com/IpsApi">ipsuser@example.com</l:AuthUser>'
        f'<l:AuthPassword xmlns:l="http://www.scene7.com/IpsApi">{LIVE_PASSWORD}</l:AuthPassword>',
    )
    plain = (
        f'<Request xmlns="{NS}"><authHeader><user>{USER}</user><password>{LIVE_PASSWORD}'
        f"</password><accessToken>{LIVE_TOKEN}</accessToken></authHeader>"
        "<getScheduledJobsParam><companyHandle>c|47</companyHandle></getScheduledJobsParam>"
        "</Request>"
    ).encode()
    with requests.Session() as session:
        session.trust_env = False
        xml = {"Content-Type": "text/xml"}
        got = session.post(proxy.base_url + SERVICE, data=legacy, headers=xml)
        assert got.status_code == 200, got.text
        got = session.post(
            proxy.base_url + "/scene7/api/IpsApiService",
            data=plain,
            headers={"Content-Type": "text/xml", "Authorization": f"Bearer {LIVE_TOKEN}"},
        )
        assert got.status_code == 200, got.text
        assert b"getScheduledJobsReturn" in got.content

    cassette = Cassette.load(out)
    assert len(cassette.interactions) == 3
    first = cassette.interactions[0]
    assert first.request.header("content-encoding") is None  # stored decompressed
    assert b"submitJobParam" in first.request.body
    report = verify_in_process(cassette)
    assert report.ok, report.summary()


def test_php_soapclient_records_through_the_proxy(
    upstream: FakeServer, recorder: tuple[AppServer, Path], tmp_path: Path
) -> None:
    php = shutil.which("php")
    problem = None
    if php is None:
        problem = "php is not installed (apt-get install php-cli php-soap)"
    elif "soap" not in subprocess.run([php, "-m"], capture_output=True, text=True).stdout:
        problem = "php has no soap extension (apt-get install php-soap)"
    if problem:
        if os.environ.get("CI"):
            pytest.fail(f"CI must run PHP's SoapClient, but {problem}", pytrace=False)
        pytest.skip(f"SKIPPED LOUDLY: {problem}")
    assert php is not None
    proxy, out = recorder
    script = tmp_path / "record.php"
    script.write_text(
        "<?php\n"
        "$c = new SoapClient($argv[1], ['trace' => 1, 'exceptions' => true, 'cache_wsdl' => 0]);\n"
        f"$c->__setSoapHeaders([new SoapHeader('{NS}', 'authHeader', "
        f"['user' => '{USER}', 'password' => $argv[2]])]);\n"
        "$r = $c->submitJob(['companyHandle' => 'c|47', 'jobName' => 'from php', "
        "'imageServingPublishJob' => ['publishType' => 'Full', 'emailSetting' => 'None']]);\n"
        'echo $r->jobHandle, "\\n";\n'
        "$r = $c->getScheduledJobs(['companyHandle' => 'c|47']);\n"
        "echo $c->__getLastRequest() === null ? 'no' : 'ok', \"\\n\";\n",
        encoding="utf-8",
    )
    result = subprocess.run(
        [php, str(script), proxy.base_url + WSDL, LIVE_PASSWORD],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.splitlines() == ["j|47|from php||", "ok"]
    report = verify_in_process(Cassette.load(out))
    assert len(report.steps) == 2
    assert report.ok, report.summary()


# -- secrets -----------------------------------------------------------------------------------


def _decoded_texts(path: Path) -> list[str]:
    """Every string of a cassette file, and what base64 and gzip inside it decode to."""
    texts: list[str] = []

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)
        elif isinstance(value, str):
            texts.append(value)
            for word in value.replace(",", " ").split():
                try:
                    raw = base64.b64decode(word, validate=True)
                except ValueError:
                    continue
                if raw[:2] == b"\x1f\x8b":
                    raw = gzip.decompress(raw)
                texts.append(raw.decode("utf-8", "replace"))

    walk(json.loads(path.read_text(encoding="utf-8")))
    return texts


def assert_no_live_secret(path: Path) -> None:
    """No live password, token or Basic credential anywhere in the cassette, decoded."""
    basic = base64.b64encode(f"{USER}:{LIVE_PASSWORD}".encode()).decode()
    texts = _decoded_texts(path)
    for text in texts:
        assert LIVE_PASSWORD not in text, path
        assert LIVE_TOKEN not in text, path
        assert basic not in text, path
    assert any("***secret-" in text for text in texts), path


def test_the_search_finds_a_secret_left_in_a_cassette(tmp_path: Path) -> None:
    """The search itself can fail: a password hidden in base64 and gzip is found."""
    leaked = tmp_path / "leaked.json"
    hidden = base64.b64encode(gzip.compress(LIVE_PASSWORD.encode())).decode()
    leaked.write_text(json.dumps({"body": {"base64": hidden}, "x": "***secret-1***"}))
    with pytest.raises(AssertionError):
        assert_no_live_secret(leaked)


def test_the_stored_fixture_cassettes_hold_no_password() -> None:
    for path in sorted((Path(__file__).parents[1] / "fixtures" / "cassettes").glob("*.json")):
        for text in _decoded_texts(path):
            assert ">password<" not in text, path  # the fake's default password
            assert ">wrong<" not in text, path


def test_a_right_and_a_wrong_password_get_different_placeholders(
    upstream: FakeServer, recorder: tuple[AppServer, Path]
) -> None:
    proxy, out = recorder
    with requests.Session() as session:
        session.trust_env = False
        for password in (LIVE_PASSWORD, "wrong!", LIVE_PASSWORD):
            header = (
                f"<i:authHeader><i:user>{USER}</i:user><i:password>{password}</i:password>"
                "</i:authHeader>"
            )
            session.post(
                proxy.base_url + SERVICE,
                data=_soap("<i:getActiveJobsParam/>", header),
                headers={"Content-Type": "text/xml"},
            )
    bodies = [step.request.body for step in Cassette.load(out).interactions]
    assert [b"***secret-1***" in body for body in bodies] == [True, False, True]
    assert b"***secret-2***" in bodies[1]
    assert verify_in_process(Cassette.load(out)).ok


# -- the proxy's edges -------------------------------------------------------------------------


def test_the_proxy_never_forwards_the_admin_api_or_other_paths(
    recorder: tuple[AppServer, Path],
) -> None:
    proxy, out = recorder
    with requests.Session() as session:
        session.trust_env = False
        admin = session.get(proxy.base_url + "/_fake/state")
        other = session.get(proxy.base_url + "/etc/passwd")
    assert admin.status_code == 403
    assert "never forwards the ips-fake admin API" in admin.text
    assert other.status_code == 404
    assert not out.exists()  # nothing recorded, nothing written


def test_an_upstream_that_does_not_answer_gets_a_504(tmp_path: Path) -> None:
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(4)  # accepts connections (the kernel does) but never answers
    try:
        url = f"http://127.0.0.1:{silent.getsockname()[1]}"
        proxy = RecordingProxy(url, Cassette(), tmp_path / "c.json", timeout=0.5)
        with AppServer(proxy) as served, requests.Session() as session:
            session.trust_env = False
            answer = session.post(served.base_url + SERVICE, data=b"<x/>", timeout=10)
    finally:
        silent.close()
    assert answer.status_code == 504
    assert "did not answer within 0.5 seconds" in answer.text
    assert proxy.cassette.interactions == []


def test_the_proxy_refuses_an_upstream_that_is_not_http() -> None:
    with pytest.raises(ValueError, match="http:// or https://"):
        RecordingProxy("file:///etc/passwd", Cassette())


# -- the stub ----------------------------------------------------------------------------------


def test_serve_replay_satisfies_the_client_that_recorded_and_faults_on_the_unrecorded(
    upstream: FakeServer, recorder: tuple[AppServer, Path]
) -> None:
    proxy, out = recorder
    recorded = zeep_scenario(_zeep(proxy.base_url), upstream)

    with ReplayServer.from_file(out) as stub:
        client = _zeep(stub.base_url)
        assert client.service._binding_options["address"] == stub.service_url
        assert zeep_scenario(client, None) == recorded
        with pytest.raises(zeep.exceptions.Fault) as fault:
            client.service.getJobLogs(companyHandle="c|48")
    detail = fault.value.detail
    assert detail is not None
    text = "".join(detail.itertext())
    assert text.startswith(
        "30000ips-fake replay: no recorded exchange matches this getJobLogsParam"
    )
    assert "the closest recorded one is #" in text
    assert "c|48" in text


@pytest.mark.ips_fake_replay("fixtures/cassettes/seed-submit-job.json")
def test_the_replay_fixture_serves_the_marked_cassette(ips_fake_replay: ReplayServer) -> None:
    cassette = Cassette.load(Path(__file__).parents[1] / "fixtures/cassettes/seed-submit-job.json")
    step = cassette.interactions[0]
    with requests.Session() as session:
        session.trust_env = False
        live = step.request.body.replace(b"***secret-1***", b"any password")
        answer = session.post(ips_fake_replay.service_url, data=live)
    assert answer.status_code == 200
    assert b"<jobHandle>47|My Test Job|</jobHandle>" in answer.content


# -- the command line --------------------------------------------------------------------------


def test_verify_exit_codes_and_the_markdown_report(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fixtures = Path(__file__).parents[1] / "fixtures" / "cassettes"
    report = tmp_path / "fidelity.md"
    every = [str(path) for path in sorted(fixtures.glob("*.json"))]
    assert main(["verify", *every, "--report", str(report)]) == 0
    assert "3 cassette(s), 12 exchanges, 0 differ" in capsys.readouterr().out
    text = report.read_text(encoding="utf-8")
    assert "- API versions: 6.8" in text
    assert "- operations: submitJobParam" in text

    changed = tmp_path / "changed.json"
    changed.write_text(
        (fixtures / "faults.json").read_text().replace("names no job", "names nothing")
    )
    assert main(["verify", str(changed), "--report", str(report)]) == 1
    assert "names nothing" in report.read_text(encoding="utf-8")
    broken = tmp_path / "broken.json"
    broken.write_text("{")
    assert main(["verify", str(broken)]) == 2


def test_format_1_cassettes_are_still_read() -> None:
    fixtures = Path(__file__).parents[1] / "fixtures" / "cassettes"
    data = json.loads((fixtures / "seed-submit-job.json").read_text())
    data["format"] = "ips-fake-cassette/1"
    del data["metadata"]
    cassette = Cassette.from_json(json.dumps(data))
    assert cassette.metadata == CassetteMetadata()
    assert verify_in_process(cassette).ok


@pytest.mark.parametrize(
    "decoded_path",
    [
        "/scene7/webservice/../../_fake/state?reveal=passwords&x=.wsdl",
        "/scene7/webservice/../../_fake/state#x.wsdl",
        "/scene7/webservice/sub/IpsApi.wsdl",
        "/scene7/webservice/..wsdl/../x.wsdl",
    ],
)
def test_the_proxy_forwards_no_path_that_reaches_past_the_wsdl_folder(decoded_path: str) -> None:
    """A WSDL path whose decoded form holds '/', '?', '#' or '..' past the folder (sent
    percent-encoded, as '..%2f..%2f_fake%2fstate%3f...') is refused, not forwarded."""
    from ips_fake.proxy import _forwarded

    assert _forwarded(decoded_path, "GET", []) is not None
    assert _forwarded("/scene7/webservice/IpsApi-2014-04-03.wsdl", "GET", []) is None
