"""A business fault that escapes a test shows IPS's code and reason in the pytest failure."""

from __future__ import annotations

import pytest

ESCAPING_FAULT = """
def test_unknown_job(ips_fake):
    ips_fake.client(transport="inprocess").service.executeJob(
        companyHandle="c|47", jobHandle="nope"
    )


def test_wrong_password(ips_fake):
    client = ips_fake.client(transport="inprocess", user="ipsuser@example.com", password="x")
    client.service.getActiveJobs(companyHandle="c|47")
"""


def test_an_escaping_fault_shows_its_code_and_reason(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_escaping_ips_faults=ESCAPING_FAULT)

    result = pytester.runpytest("-p", "no:cacheprovider")

    result.assert_outcomes(failed=2)
    result.stdout.fnmatch_lines(
        [
            "E * zeep.exceptions.Fault: ipsApiFault 30001: jobHandle 'nope' names no job",
            "E * zeep.exceptions.Fault: authenticationFault 10001: wrong password for user *",
        ],
        consecutive=False,
    )
