"""Bad requests and failures inside the fake fail the test that caused them, at teardown,
with the request and the reason; tests that send bad input on purpose can say so."""

from __future__ import annotations

import pytest

BAD_REQUEST_TESTS = """
import pytest
import zeep

ENVELOPE = (
    '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" '
    'xmlns:ips="http://www.scene7.com/IpsApi/xsd/2014-04-03"><soapenv:Header>'
    '<ips:authHeader><ips:user>ipsuser@example.com</ips:user>'
    '<ips:password>password</ips:password></ips:authHeader></soapenv:Header>'
    '<soapenv:Body>{body}</soapenv:Body></soapenv:Envelope>'
)
# jobName after the payload: the schema wants it before
MISPLACED_JOB_NAME = ENVELOPE.format(body=(
    '<ips:submitJobParam><ips:companyHandle>c|47</ips:companyHandle>'
    '<ips:imageServingPublishJob><ips:publishType>Full</ips:publishType>'
    '</ips:imageServingPublishJob><ips:jobName>x</ips:jobName></ips:submitJobParam>'
))
WELL_FORMED = ENVELOPE.format(body=(
    '<ips:getActiveJobsParam><ips:companyHandle>c|47</ips:companyHandle>'
    '</ips:getActiveJobsParam>'
))


def post(ips_fake, envelope):
    return ips_fake.requests_session().post(
        ips_fake.url, data=envelope.encode(), headers={"Content-Type": "text/xml"}
    )


def break_get_active_jobs(ips_fake, monkeypatch):
    def boom(*args, **kwargs):
        raise RuntimeError("the disk is on fire")

    monkeypatch.setattr(ips_fake.fake.service, "get_active_jobs", boom)


def test_server_failure(ips_fake, monkeypatch):
    break_get_active_jobs(ips_fake, monkeypatch)
    with pytest.raises(zeep.exceptions.Fault):
        ips_fake.client().service.getActiveJobs(companyHandle="c|47")


@pytest.mark.ips_fake(allow_bad_requests=True)
def test_server_failure_despite_allow_marker(ips_fake, monkeypatch):
    break_get_active_jobs(ips_fake, monkeypatch)
    with pytest.raises(zeep.exceptions.Fault):
        ips_fake.client(transport="inprocess").service.getActiveJobs(companyHandle="c|47")


@pytest.mark.ips_fake(allow_bad_requests=True)
def test_allowed_by_marker(ips_fake):
    assert post(ips_fake, MISPLACED_JOB_NAME).status_code == 500
    assert post(ips_fake, "<not xml").status_code == 500
    assert len(ips_fake.problems) == 2


def test_allowed_inside_expect_block(ips_fake):
    with ips_fake.expect_bad_requests() as bad:
        post(ips_fake, MISPLACED_JOB_NAME)
    assert post(ips_fake, WELL_FORMED).status_code == 200
    [exchange] = bad
    assert exchange.operation == "submitJob"
    assert "jobName" in exchange.problem


def test_expect_block_without_bad_request(ips_fake):
    with ips_fake.expect_bad_requests():
        post(ips_fake, WELL_FORMED)


def test_bad_request_after_the_expect_block(ips_fake):
    with ips_fake.expect_bad_requests():
        post(ips_fake, "<first/>")
    post(ips_fake, "<second/>")
"""


def test_failures_and_opt_outs(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_bad=BAD_REQUEST_TESTS)

    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-rA")

    result.assert_outcomes(passed=5, failed=1, errors=3)
    result.stdout.fnmatch_lines(
        [
            "*ERROR at teardown of test_server_failure _*",
            "*1 request(s) in this test went wrong (0 bad request(s)*1 failure(s) inside*",
            "*request #1: operation getActiveJobs, caller ipsuser@example.com, answered HTTP 500*",
            "reason: server error:",
            "*RuntimeError: the disk is on fire",
            "request body:",
            "*<*getActiveJobsParam*",
            "A failure inside ips-fake is a bug in the fake*",
        ]
    )
    result.stdout.fnmatch_lines(
        [
            "*ERROR at teardown of test_server_failure_despite_allow_marker _*",
            "*RuntimeError: the disk is on fire",
        ]
    )
    result.stdout.fnmatch_lines(
        [
            "_* test_expect_block_without_bad_request _*",
            "*expected at least one bad request inside ips_fake.expect_bad_requests()*",
        ]
    )
    result.stdout.fnmatch_lines(
        [
            "*ERROR at teardown of test_bad_request_after_the_expect_block _*",
            "*1 request(s) in this test went wrong (1 bad request(s)*",
            "*request #2: operation (unknown)*",
            "reason: invalid request XML: the root element is second, not a SOAP*Envelope",
            "<second/>",
            "If this test sends bad requests on purpose*allow_bad_requests=True*",
        ]
    )
    result.stdout.fnmatch_lines(
        [
            "PASSED test_bad.py::test_allowed_by_marker",
            "PASSED test_bad.py::test_allowed_inside_expect_block",
        ],
        consecutive=False,
    )
