"""How fast ips_fake.strategies makes documents, and how fast the fake checks them.

Run with ``python -m benchmarks.bench_strategies``. For valid documents (all eleven
operations) and invalid ones (every kind), it prints documents per second for three stages:
generated only; generated and validated against the XSD; generated, sent to a fresh in-process
fake as a SOAP 1.1 envelope and the answer checked (accepted or a business fault for valid
documents, exactly the labelled fault for invalid ones).
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree
from werkzeug.test import Client

from ips_fake.fake import IpsFake
from ips_fake.soap.schema import schema_validator
from ips_fake.strategies import (
    InvalidDocument,
    ValidDocument,
    invalid_documents,
    render,
    valid_documents,
)

EXAMPLES = 400
SERVICE_PATH = "/scene7/services/IpsApiService"
FAULT_NAMESPACE = "http://www.scene7.com/IpsApi/xsd"


def fault_code(response_body: bytes) -> int | None:
    """The fault code in a response envelope, or None for a normal answer."""
    code = etree.fromstring(response_body).findtext(f".//{{{FAULT_NAMESPACE}}}code")
    return int(code) if code is not None else None


def check_valid(document: ValidDocument) -> None:
    assert schema_validator(document.version).validate(document.element)
    rendered = render(document, "soap11")
    response = Client(IpsFake().app).post(
        SERVICE_PATH, data=rendered.content, headers={"Content-Type": "text/xml"}
    )
    code = fault_code(response.get_data())
    assert code is None or code in document.business_faults


def check_invalid(document: InvalidDocument) -> None:
    rendered = render(document, "soap11")
    response = Client(IpsFake().app).post(
        SERVICE_PATH, data=rendered.content, headers={"Content-Type": "text/xml"}
    )
    assert fault_code(response.get_data()) == document.code


def validate_only(document: ValidDocument | InvalidDocument) -> None:
    schema_validator(document.version).validate(document.element)


def rate(strategy: st.SearchStrategy[Any], check: Callable[[Any], None]) -> float:
    """Documents per second through ``check`` over :data:`EXAMPLES` generated examples."""
    count = 0

    @settings(
        max_examples=EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(strategy)
    def run(document: Any) -> None:
        nonlocal count
        check(document)
        count += 1

    start = time.perf_counter()
    run()
    return count / (time.perf_counter() - start)


def main() -> None:
    warnings.simplefilter("ignore")
    stages: list[tuple[str, Callable[[Any], None], Callable[[Any], None]]] = [
        ("generated", lambda document: None, lambda document: None),
        ("generated + XSD-validated", validate_only, validate_only),
        ("generated + sent + checked", check_valid, check_invalid),
    ]
    print(f"documents per second ({EXAMPLES} examples per figure, derandomized)")
    print(f"{'stage':<28} {'valid':>10} {'invalid':>10}")
    for label, valid_check, invalid_check in stages:
        valid = rate(valid_documents(), valid_check)
        invalid = rate(invalid_documents(), invalid_check)
        print(f"{label:<28} {valid:>10.0f} {invalid:>10.0f}")


if __name__ == "__main__":
    main()
