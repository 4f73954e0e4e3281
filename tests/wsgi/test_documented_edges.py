"""Edges docs/fidelity.md has a row for: an enumeration fault lists the allowed values, a
jobName of any length up to the request limit is kept and echoed, and getJobLogs with
startDate after endDate answers an empty list."""

from __future__ import annotations

import pytest
from werkzeug.test import Client

from ips_fake.fake import IpsFake
from tests.wsgi.soap_wire import (
    IMAGE_SERVING_PAYLOAD,
    auth_header,
    body_element,
    envelope,
    param,
    post,
)
from tests.wsgi.soap_wire import wire_fault as read_fault

COMPANY = "<companyHandle>c|47</companyHandle>"


def request(operation: str, children: str) -> bytes:
    return envelope(param(operation, children), header=auth_header())


def test_an_enumeration_fault_lists_the_allowed_values_and_the_element(raw: Client) -> None:
    response = post(
        raw, request("getJobLogs", f"{COMPANY}<sortBy>StartDate</sortBy><sortDirection>asc"
                     "</sortDirection>")
    )  # fmt: skip

    fault = read_fault(response.get_data())
    assert (fault.kind, fault.code) == ("ipsApiFault", 30001)
    assert "sortDirection" in fault.reason
    assert "'asc'" in fault.reason
    assert "'Ascending'" in fault.reason
    assert "'Descending'" in fault.reason
    assert "/getJobLogsParam/sortDirection" in fault.reason


@pytest.mark.parametrize("length", [100_000, 5_000_000], ids=["100KB", "5MB"])
def test_a_long_job_name_is_kept_and_echoed_in_its_handle(
    fake: IpsFake, raw: Client, length: int
) -> None:
    name = "n" * length
    response = post(
        raw, request("submitJob", f"{COMPANY}<jobName>{name}</jobName>{IMAGE_SERVING_PAYLOAD}")
    )

    assert response.status_code == 200
    handle = body_element(response.get_data()).findtext(".//{*}jobHandle")
    assert handle == f"j|47|{name}||"
    [run] = fake.active_jobs
    assert run.name == f"{name}_2026-01-05-09:00:00.000"


def test_job_logs_with_start_date_after_end_date_are_an_empty_answer(
    fake: IpsFake, raw: Client
) -> None:
    post(raw, request("submitJob", f"{COMPANY}<jobName>done</jobName>{IMAGE_SERVING_PAYLOAD}"))
    fake.advance(minutes=5)
    assert len(fake.job_logs) == 1

    response = post(
        raw,
        request(
            "getJobLogs",
            f"{COMPANY}<startDate>2026-01-06T00:00:00Z</startDate>"
            "<endDate>2026-01-01T00:00:00Z</endDate>",
        ),
    )

    assert response.status_code == 200
    answer = body_element(response.get_data())
    assert answer.tag.endswith("getJobLogsReturn")
    assert answer.findall(".//{*}jobLogArray/{*}items") == []
