"""The downstream example project, run by pytester with nothing but the installed plugin."""

from __future__ import annotations

from pathlib import Path

import pytest

EXAMPLE = Path(__file__).parent / "example" / "downstream_example.py"


def test_downstream_example_passes_over_http_and_in_process(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_downstream=EXAMPLE.read_text(encoding="utf-8"))

    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-v")

    result.assert_outcomes(passed=2)
    result.stdout.fnmatch_lines(
        [
            "*test_nightly_publish_runs_at_two_and_mails_the_submitter?http? PASSED*",
            "*test_nightly_publish_runs_at_two_and_mails_the_submitter?inprocess? PASSED*",
        ]
    )


def test_invalid_submit_fails_the_test_naming_the_element(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_bad_request="""
        import zeep

        def test_sends_a_submit_without_job_name(ips_fake):
            session = ips_fake.requests_session()
            envelope = (
                '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" '
                'xmlns:ips="http://www.scene7.com/IpsApi/xsd/2014-04-03"><soapenv:Header>'
                '<ips:authHeader><ips:user>ipsuser@example.com</ips:user>'
                '<ips:password>password</ips:password></ips:authHeader></soapenv:Header>'
                '<soapenv:Body><ips:submitJobParam><ips:companyHandle>c|47</ips:companyHandle>'
                '<ips:imageServingPublishJob><ips:publishType>Full</ips:publishType>'
                '</ips:imageServingPublishJob><ips:jobName>x</ips:jobName>'
                '</ips:submitJobParam></soapenv:Body></soapenv:Envelope>'
            )
            session.post(ips_fake.url, data=envelope.encode(),
                         headers={"Content-Type": "text/xml; charset=utf-8"})
        """
    )

    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")

    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(["*schema violation*jobName*"])
