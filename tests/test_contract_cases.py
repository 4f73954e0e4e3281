"""The contract cases under ``contracts/cases/``: each holds against the fake in-process and
over HTTP, and the checker reports every way an answer breaks a case."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from ips_fake.contracts import (
    ContractCase,
    ContractCaseError,
    Credentials,
    check_case,
    check_in_process,
    check_over_http,
    load_cases,
)
from ips_fake.fake import IpsFake
from ips_fake.server import FakeServer

CASES_FOLDER = Path(__file__).resolve().parent.parent / "contracts" / "cases"
CASES = load_cases(CASES_FOLDER)


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_the_fake_keeps_every_contract_case_in_process(case: ContractCase) -> None:
    [result] = check_in_process([case])
    assert result.ok, str(result)


@pytest.fixture(scope="module")
def server() -> Iterator[FakeServer]:
    served = FakeServer(IpsFake(validate_responses=True))
    served.start()
    try:
        yield served
    finally:
        served.close()


def test_the_fake_keeps_every_contract_case_over_http(server: FakeServer) -> None:
    results = check_over_http(CASES, server.service_url, reset=True)
    assert [str(result) for result in results if not result.ok] == []
    assert len(results) == len(CASES) >= 15


def test_cases_cover_every_fault_element_and_both_soap_versions() -> None:
    elements = {case.expect["fault"]["element"] for case in CASES if "fault" in case.expect}
    assert elements == {"ipsApiFault", "authenticationFault", "authorizationFault"}
    assert {case.soap for case in CASES} == {"1.1", "1.2"}


def test_a_wrong_expectation_is_reported_with_what_was_got() -> None:
    case = next(case for case in CASES if case.name == "two-payloads")
    wrong = ContractCase(
        case.name,
        case.description,
        case.soap,
        case.request,
        {"status": 200, "fault": {"element": "authorizationFault", "code": 20003}},
    )
    [result] = check_in_process([wrong])
    assert not result.ok
    assert result.problems == (
        "expected HTTP 200, got 500",
        "expected a authorizationFault fault, got ipsApiFault",
    )


def test_a_wrong_return_value_is_reported_by_element() -> None:
    case = next(case for case in CASES if case.name == "seed-submit-job-legacy")
    wrong = ContractCase(
        case.name,
        case.description,
        case.soap,
        case.request,
        {"status": 200, "return": "submitJobReturn", "values": {"jobHandle": "j|47|x||"}},
    )
    [result] = check_in_process([wrong])
    assert result.problems == (
        "submitJobReturn/jobHandle: expected 'j|47|x||', got '47|My Test Job|'",
    )


def test_credentials_and_company_fill_the_placeholders() -> None:
    case = next(case for case in CASES if case.name == "seed-submit-job-2014")
    other = Credentials("other@example.com", "password", "48")
    assert b"<ips:user>other@example.com</ips:user>" in case.envelope(other)
    [result] = check_in_process([case], other)
    assert result.ok, str(result)


def test_an_answer_that_is_not_xml_breaks_every_case() -> None:
    case = CASES[0]
    result = check_case(case, lambda body, content_type: (200, b"<html>oops"))
    assert not result.ok
    assert any(problem.startswith("the answer is not XML") for problem in result.problems)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("[]", "a case is a JSON object"),
        ('{"request": "<x/>", "expect": {"status": 200}}', "exactly one of 'fault' or 'return'"),
        ('{"request": "", "expect": {"status": 200, "return": "x"}}', "'request' must be"),
        ('{"soap": "2.0", "request": "<x/>"}', "soap must be '1.1' or '1.2'"),
        (
            '{"request": "<x/>", "expect": {"status": 500, "fault": {"element": "oops", '
            '"code": 1}}}',
            "'fault' needs 'element'",
        ),
    ],
)
def test_a_broken_case_file_names_the_file_and_field(
    tmp_path: Path, content: str, message: str
) -> None:
    path = tmp_path / "broken.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ContractCaseError, match=message) as caught:
        load_cases(tmp_path)
    assert str(caught.value).startswith(str(path))


def test_an_empty_folder_is_an_error_not_a_pass(tmp_path: Path) -> None:
    with pytest.raises(ContractCaseError, match="no contract cases"):
        load_cases(tmp_path)


def test_case_files_are_tidy_json() -> None:
    for path in sorted(CASES_FOLDER.glob("*.json")):
        text = path.read_text(encoding="utf-8")
        assert (
            text
            == json.dumps(json.loads(text), indent=2, ensure_ascii=False, sort_keys=True) + "\n"
        ), path.name
