"""Attacks on the admin API and the core through a served fake on 127.0.0.1: each gets a JSON
error or the right SOAP fault, never a traceback, a hang or silent success, and the server
still answers a normal submitJob afterwards. Every request is bounded by a timeout and
every body by a few megabytes."""

from __future__ import annotations

import json
import time

import pytest

from tests.hostile.admin_attack_helpers import (
    JSON,
    TIMEOUT,
    fault_of,
    send,
    send_partial_body,
    served,
    soap,
    still_serves,
    submit,
)

# -- the existence oracle across companies ------------------------------------------------------

HANDLE_OPERATIONS = (
    "executeJob",
    "stopJob",
    "pauseJob",
    "resumeJob",
    "deleteJob",
    "getActiveJobs",
    "getScheduledJobs",
    "getJobLogDetails",
)


@pytest.mark.parametrize("operation", HANDLE_OPERATIONS)
def test_another_companys_job_is_indistinguishable_from_no_job(operation: str) -> None:
    with served() as server:
        assert (
            submit(server, "Secret", "<ips:execSchedule>0 0 * * * ?</ips:execSchedule>").status
            == 200
        )

        def probe(name: str) -> tuple[int, str]:
            handle = f"j|47|{name}||"
            answer = soap(
                server,
                operation,
                f"<ips:companyHandle>c|48</ips:companyHandle><ips:jobHandle>{handle}</ips:jobHandle>",
                user="other@example.com",
            )
            assert answer.status == 500
            code, reason = fault_of(answer)
            return code, reason.replace(handle, "<handle>")

        assert probe("Secret") == probe("Nothing") == (30001, "jobHandle '<handle>' names no job")
        still_serves(server)


# -- handles one to one ---------------------------------------------------------------------------


def test_a_lettered_company_cannot_be_added_to_forge_another_companys_handle() -> None:
    with served() as server:
        answer = send(server, "POST", "/_fake/directory/companies", b'{"id": "j"}', JSON)

        assert answer.status == 400
        assert "company id 'j' is not digits" in answer.json()["error"]
        assert "j" not in [
            c["id"] for c in send(server, "GET", "/_fake/directory").json()["companies"]
        ]
        still_serves(server)


def test_a_job_name_with_a_bar_is_refused() -> None:
    with served() as server:
        answer = submit(server, "|x")

        assert answer.status == 500
        code, reason = fault_of(answer)
        assert code == 30001
        assert reason.startswith("jobName '|x' contains '|'")
        still_serves(server)


# -- the calendar's ends --------------------------------------------------------------------------


@pytest.mark.parametrize("exec_time", ["9999-12-31T23:59:59-14:00", "0001-01-01T00:00:00+14:00"])
def test_an_exec_time_off_the_calendar_is_30001_naming_exec_time(exec_time: str) -> None:
    with served() as server:
        answer = submit(server, "edge", f"<ips:execTime>{exec_time}</ips:execTime>")

        code, reason = fault_of(answer)
        assert code == 30001
        assert reason.startswith(f"execTime {exec_time}")
        still_serves(server, "edge")


@pytest.mark.parametrize("offset", ["+00:00", "-14:00"])
def test_the_clock_cannot_be_moved_to_the_end_of_the_calendar(offset: str) -> None:
    with served() as server:
        body = json.dumps({"move_to": f"9999-12-31T23:59:58{offset}"}).encode()
        answer = send(server, "POST", "/_fake/clock", body, JSON)

        assert answer.status == 400
        assert "horizon 9000-01-01" in answer.json()["error"]
        assert send(server, "GET", "/_fake/clock").json()["now"].startswith("2026-01-05")
        still_serves(server)


def test_the_clock_reaches_the_horizon_and_the_server_still_works_there() -> None:
    with served() as server:
        answer = send(server, "POST", "/_fake/clock", b'{"move_to": "9000-01-01T00:00:00Z"}', JSON)
        assert answer.status == 200
        beyond = send(server, "POST", "/_fake/clock", b'{"advance": 1}', JSON)
        assert beyond.status == 400
        assert "horizon" in beyond.json()["error"]

        still_serves(server)
        assert send(server, "POST", "/_fake/reset", b"{}", JSON).status == 200
        assert send(server, "GET", "/_fake/clock").json()["now"] == "2026-01-05T09:00:00.000+00:00"


# -- admin API bodies -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "body", "message"),
    [
        ("/_fake/clock", b"[" * 100_000 + b"]" * 100_000, "nests deeper"),
        ("/_fake/clock", b'{"a":' * 100_000 + b"1" + b"}" * 100_000, "nests deeper"),
        ("/_fake/clock", b'{"advance": true}', "'advance' must be a number"),
        ("/_fake/clock", b'{"advance": "60"}', "'advance' must be a number"),
        ("/_fake/clock", b'{"advance": null}', "'advance' must be a number"),
        ("/_fake/clock", b'{"advance": 1e999}', "finite"),
        ("/_fake/clock", b'{"advance": NaN}', "finite"),
        ("/_fake/clock", b'{"advance": 60, "move_to": "2026-01-06T00:00:00Z"}', "exactly one"),
        ("/_fake/clock", b'{"move_to": 5}', "'move_to' must be a string"),
        ("/_fake/clock", b'{"advance": ' + b"9" * 5000 + b"}", "not JSON"),
        ("/_fake/clock", b"\xff\xfe{}", "not JSON"),
        ("/_fake/outcomes", b'{"seconds": true}', "'seconds' must be a number"),
        ("/_fake/outcomes", b'{"outcome": ["fail"]}', "'outcome' must be a string"),
        ("/_fake/outcomes", b'{"outcome": "fail", "when": "always"}', "unknown key(s): 'when'"),
        ("/_fake/directory/companies", b'{"id": true}', "'id' is required"),
        ("/_fake/directory/companies", b'{"id": "49", "name": 5}', "'name' must be a string"),
        ("/_fake/directory/users", b'{"email": ["a"]}', "'email' must be a string"),
        (
            "/_fake/directory/users",
            b'{"email": "a@b", "roles": "IpsUser"}',
            "'roles' must be a list",
        ),
        ("/_fake/directory/users", b'{"email": "a@b", "companies": [{}]}', "'companies' must be"),
        (
            "/_fake/directory/users",
            b'{"email": "a@b", "password": 5}',
            "'password' must be a string",
        ),
    ],
)
def test_bad_admin_bodies_get_a_json_400_naming_the_problem(
    path: str, body: bytes, message: str
) -> None:
    with served() as server:
        started = time.monotonic()
        answer = send(server, "POST", path, body, JSON)

        assert answer.status == 400, answer.body[:300]
        assert message in answer.json()["error"]
        assert time.monotonic() - started < TIMEOUT
        assert send(server, "GET", "/_fake/clock").json()["now"].startswith("2026-01-05T09:00")
        still_serves(server)


def test_an_oversized_admin_body_is_413_in_json() -> None:
    with served() as server:
        answer = send(server, "POST", "/_fake/outcomes", b" " * (2 * 1024 * 1024), JSON)

        assert answer.status == 413
        assert "at most" in answer.json()["error"]
        still_serves(server)


def test_a_client_that_hangs_up_mid_body_leaves_the_server_serving() -> None:
    with served() as server:
        send_partial_body(server, "/_fake/clock", 1000, b'{"advance": 6')

        assert send(server, "GET", "/_fake/clock").json()["now"] == "2026-01-05T09:00:00.000+00:00"
        still_serves(server)


@pytest.mark.parametrize("content_type", [None, "text/plain", "application/x-www-form-urlencoded"])
def test_admin_writes_need_a_json_content_type(content_type: str | None) -> None:
    with served() as server:
        headers = {"Content-Type": content_type} if content_type else {}
        answer = send(server, "POST", "/_fake/outcomes", b'{"outcome": "fail"}', headers)

        assert answer.status == 415
        assert "application/json" in answer.json()["error"]
        assert send(server, "GET", "/_fake/outcomes").json() == []
        still_serves(server)


# -- who may call ---------------------------------------------------------------------------------


@pytest.mark.parametrize("host", ["evil.example", "evil.example:8080", "10.0.0.1", "[::2]:80", ""])
def test_a_foreign_host_gets_403_dns_rebinding(host: str) -> None:
    with served() as server:
        for method, path, body in [
            ("GET", "/_fake/state", b""),
            ("POST", "/_fake/reset", b"{}"),
            ("GET", "/_fake/exports/1.zip", b""),
        ]:
            answer = send(server, method, path, body, {"Host": host, **JSON})
            assert answer.status == 403, (method, path)
            assert "Host" in answer.json()["error"]
        still_serves(server)


@pytest.mark.parametrize(
    "host", ["localhost", "LOCALHOST:1234", "127.0.0.1", "127.8.9.10:80", "[::1]:1"]
)
def test_loopback_hosts_are_admitted(host: str) -> None:
    with served() as server:
        assert send(server, "GET", "/_fake/clock", headers={"Host": host}).status == 200


def test_an_allowed_host_is_admitted() -> None:
    with served(admin_hosts=["ips-fake"]) as server:
        assert send(server, "GET", "/_fake/clock", headers={"Host": "ips-fake:8080"}).status == 200
        assert send(server, "GET", "/_fake/clock", headers={"Host": "other:8080"}).status == 403


@pytest.mark.parametrize("origin", ["http://evil.example", "null", "http://127.0.0.1:1"])
def test_a_cross_origin_write_gets_403(origin: str) -> None:
    with served() as server:
        for content_type in ("text/plain", "application/json"):
            answer = send(
                server,
                "POST",
                "/_fake/outcomes",
                b'{"outcome": "fail"}',
                {"Origin": origin, "Content-Type": content_type},
            )
            assert answer.status == 403
            assert "cross-origin" in answer.json()["error"]
        assert send(server, "GET", "/_fake/outcomes").json() == []
        own = f"http://127.0.0.1:{server._server.port}"
        same = send(server, "POST", "/_fake/outcomes", b"{}", {"Origin": own, **JSON})
        assert same.status == 201
        still_serves(server)


def test_with_a_token_every_admin_call_needs_it_but_export_downloads() -> None:
    with served(admin_token="s3cret") as server:
        for headers in ({}, {"Authorization": "Bearer wrong"}, {"X-Ips-Fake-Token": ""}):
            answer = send(server, "GET", "/_fake/state", headers=headers)
            assert answer.status == 401
            assert "token" in answer.json()["error"]
            assert answer.headers["www-authenticate"].startswith("Bearer")
        refused = send(server, "POST", "/_fake/clock", b'{"advance": 60}', JSON)
        assert refused.status == 401

        good = [{"Authorization": "Bearer s3cret"}, {"X-Ips-Fake-Token": "s3cret"}]
        for headers in good:
            assert send(server, "GET", "/_fake/clock", headers=headers).status == 200
        assert send(server, "GET", "/_fake/exports/1.zip").status == 404  # no token asked
        still_serves(server)


# -- what the admin API shows ----------------------------------------------------------------------


def test_passwords_are_masked_unless_asked_for() -> None:
    with served() as server:
        still_serves(server)
        legacy = (
            '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/">'
            "<soapenv:Header><AuthUser>ipsuser@example.com</AuthUser>"
            "<AuthPassword>hunter2</AuthPassword></soapenv:Header><soapenv:Body/>"
            "</soapenv:Envelope>"
        )
        send(
            server,
            "POST",
            "/scene7/services/IpsApiService",
            legacy.encode(),
            {"Content-Type": "text/xml"},
        )

        for path in ("/_fake/directory", "/_fake/state", "/_fake/journal"):
            text = send(server, "GET", path).body.decode()
            assert "***" in text, path
            assert "<ips:password>password<" not in text, path
            assert "hunter2" not in text, path
            assert '"password": "password"' not in text, path
        revealed = send(server, "GET", "/_fake/directory?reveal=passwords").json()
        assert {user["password"] for user in revealed["users"]} == {"password"}
        journal = send(server, "GET", "/_fake/journal?reveal=passwords").body.decode()
        assert "hunter2" in journal


def test_unknown_routes_and_methods_get_json_never_a_traceback() -> None:
    with served() as server:
        for method, path in [
            ("GET", "/_fake/nope"),
            ("PUT", "/_fake/clock"),
            ("GET", "/_fake/exports/x.zip"),
        ]:
            answer = send(server, method, path, b"{}" if method == "PUT" else b"", JSON)
            assert answer.status in (404, 405)
            assert "Traceback" not in answer.body.decode()
            assert answer.json()["error"]
        still_serves(server)
