"""Where a schema fault says the refused element is: a path of local names, whatever the
request's prefixes and wherever the namespace is declared."""

from __future__ import annotations

import pytest
from lxml import etree

from ips_fake.core.errors import FaultCode
from ips_fake.soap.schema import find_version
from ips_fake.soap.structure import error_path
from ips_fake.soap.validation import SchemaViolation, validate_element

MISSING_EMAIL = (
    "<ips:submitJobParam><ips:companyHandle>47</ips:companyHandle><ips:jobName>j</ips:jobName>"
    "<ips:imageServingPublishJob><ips:publishType>Full</ips:publishType>"
    "</ips:imageServingPublishJob></ips:submitJobParam>"
)


def body_in_envelope(namespace: str) -> etree._Element:
    """The body element, its prefix bound on the envelope as SOAP clients do."""
    envelope = etree.fromstring(
        f'<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" '
        f'xmlns:ips="{namespace}"><soapenv:Body>{MISSING_EMAIL}</soapenv:Body>'
        "</soapenv:Envelope>"
    )
    return envelope[0][0]


@pytest.mark.parametrize("label", ["pre-4.0", "6.8", "2023-01-15"])
def test_the_path_is_local_names_when_the_prefix_is_bound_on_an_ancestor(label: str) -> None:
    version = find_version(label)
    body = body_in_envelope(version.namespace)

    assert error_path(body, version) == "/submitJobParam/imageServingPublishJob"


def test_the_fault_reason_names_the_path_without_namespace_fragments() -> None:
    version = find_version("pre-4.0")
    with pytest.raises(SchemaViolation) as raised:
        validate_element(body_in_envelope(version.namespace), version)

    assert raised.value.code == FaultCode.MISSING_PARAMETER
    assert raised.value.reason.endswith("(at /submitJobParam/imageServingPublishJob)")
    assert "www.scene7.com" not in raised.value.reason
