"""Contract cases: a request and what IPS must answer, checkable against any endpoint.

A cassette (:mod:`ips_fake.recording`) pins every byte of an answer; a contract case pins
only what the contract promises: the HTTP status, and either the fault (element and code) or
the return element with the values that matter. That makes cases portable: the same folder
of cases runs against the fake in-process, against ``ips-fake serve``, and against a real IPS
endpoint with real credentials.

A case file is JSON::

    {
      "description": "two payloads in one submitJob",
      "soap": "1.1",                                  # or "1.2"
      "request": "<soapenv:Envelope ...>{auth}...<companyHandle>{company}</companyHandle>...",
      "expect": {"status": 500, "fault": {"element": "ipsApiFault", "code": 30001,
                                          "reason_contains": "payload"}}
    }

or, for a success, ``"expect": {"status": 200, "return": "submitJobReturn",
"values": {"jobHandle": "{company}|My Test Job|"}}``. In ``request``, ``{auth}`` becomes an
``authHeader`` in the request's namespace, and ``{user}``, ``{password}`` and ``{company}``
the credentials and company handle the run is given (default: the fake's
``ipsuser@example.com`` / ``password`` / ``47``); in ``values``, ``{company}`` is the
company's id as handles carry it (``47`` for ``c|47`` too). A case may also name
its own ``"user"`` and ``"password"`` (for credential faults).

Example::

    from ips_fake.contracts import check_in_process, load_cases
    results = check_in_process(load_cases("contracts/cases"))
    assert all(result.ok for result in results), "\\n".join(map(str, results))
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from lxml import etree

from ips_fake.wsgi import SERVICE_PATH

__all__ = [
    "CaseResult",
    "ContractCase",
    "ContractCaseError",
    "Credentials",
    "check_case",
    "check_in_process",
    "check_over_http",
    "load_cases",
]

SOAP_NAMESPACES = {
    "1.1": "http://schemas.xmlsoap.org/soap/envelope/",
    "1.2": "http://www.w3.org/2003/05/soap-envelope",
}
CONTENT_TYPES = {"1.1": "text/xml; charset=utf-8", "1.2": "application/soap+xml; charset=utf-8"}
FAULT_ELEMENTS = ("ipsApiFault", "authenticationFault", "authorizationFault")
_FAULT_NAMESPACE = "http://www.scene7.com/IpsApi/xsd"
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)


class ContractCaseError(ValueError):
    """A case file that cannot be used: the message names the file and the field."""


@dataclass(frozen=True)
class Credentials:
    """Who the cases run as, and which company handle ``{company}`` stands for."""

    user: str = "ipsuser@example.com"
    password: str = "password"
    company: str = "47"

    @property
    def company_id(self) -> str:
        """The company's id as handles carry it: ``c|47`` and ``47`` both give ``47``."""
        return self.company.removeprefix("c|")


@dataclass(frozen=True)
class ContractCase:
    """One request and the answer the contract promises. See the module docs for the file."""

    name: str
    description: str
    soap: str
    request: str
    expect: Mapping[str, Any]
    user: str | None = None
    password: str | None = None

    @classmethod
    def from_file(cls, path: Path) -> ContractCase:
        """Read and check one case file."""
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as error:
            raise ContractCaseError(f"{path}: {error}") from None
        if not isinstance(data, Mapping):
            raise ContractCaseError(f"{path}: a case is a JSON object")
        soap = str(data.get("soap", "1.1"))
        if soap not in SOAP_NAMESPACES:
            raise ContractCaseError(f"{path}: soap must be '1.1' or '1.2', got {soap!r}")
        request, expect = data.get("request"), data.get("expect")
        if not isinstance(request, str) or not request.strip():
            raise ContractCaseError(f"{path}: 'request' must be the envelope as a string")
        if not isinstance(expect, Mapping) or not isinstance(expect.get("status"), int):
            raise ContractCaseError(f"{path}: 'expect' needs an integer 'status'")
        if ("fault" in expect) == ("return" in expect):
            raise ContractCaseError(f"{path}: 'expect' needs exactly one of 'fault' or 'return'")
        fault = expect.get("fault")
        if fault is not None and (
            not isinstance(fault, Mapping)
            or fault.get("element") not in FAULT_ELEMENTS
            or not isinstance(fault.get("code"), int)
        ):
            raise ContractCaseError(
                f"{path}: 'fault' needs 'element' (one of {', '.join(FAULT_ELEMENTS)}) and an "
                "integer 'code'"
            )
        return cls(
            name=path.stem,
            description=str(data.get("description", "")),
            soap=soap,
            request=request,
            expect=expect,
            user=data.get("user"),
            password=data.get("password"),
        )

    def envelope(self, credentials: Credentials) -> bytes:
        """The request with its placeholders filled in."""
        user = self.user if self.user is not None else credentials.user
        password = self.password if self.password is not None else credentials.password
        namespace = _body_namespace(self.request)
        auth = (
            f'<ips:authHeader xmlns:ips="{namespace}"><ips:user>{escape(user)}</ips:user>'
            f"<ips:password>{escape(password)}</ips:password></ips:authHeader>"
        )
        text = (
            self.request.replace("{auth}", auth)
            .replace("{user}", escape(user))
            .replace("{password}", escape(password))
            .replace("{company}", escape(credentials.company))
        )
        return text.encode("utf-8")


def _body_namespace(request: str) -> str:
    """The namespace of the IPS elements in a request (for its ``authHeader``)."""
    for marker in ('xmlns:ips="', 'xmlns="http://www.scene7.com/IpsApi/xsd'):
        start = request.find(marker)
        if start >= 0:
            start = request.find('"', start) + 1
            return request[start : request.find('"', start)]
    return _FAULT_NAMESPACE


def load_cases(location: str | Path) -> list[ContractCase]:
    """Every ``*.json`` case in the folder ``location``, by file name, or the one case file
    ``location`` names.

    Example::

        cases = load_cases("contracts/cases")
        [case] = load_cases("contracts/cases/wrong-password.json")
    """
    root = Path(location)
    if not root.exists():
        raise ContractCaseError(f"no such file or folder: {root}")
    if root.is_file():
        return [ContractCase.from_file(root)]
    files = sorted(root.glob("*.json"))
    if not files:
        raise ContractCaseError(f"no contract cases (*.json) in the folder {root}")
    return [ContractCase.from_file(path) for path in files]


@dataclass(frozen=True)
class CaseResult:
    """What one case got: ``problems`` lists every way the answer broke the contract."""

    case: ContractCase
    status: int
    problems: tuple[str, ...] = field(default=())

    @property
    def ok(self) -> bool:
        """Whether the answer kept the contract."""
        return not self.problems

    def __str__(self) -> str:
        verdict = "ok" if self.ok else "BROKEN: " + "; ".join(self.problems)
        return f"{self.case.name}: {verdict}"


def _local(element: etree._Element) -> str:
    return etree.QName(element).localname


def _find(root: etree._Element, name: str) -> etree._Element | None:
    return next(
        (node for node in root.iter() if isinstance(node.tag, str) and _local(node) == name),
        None,
    )


def _check_fault(root: etree._Element, want: Mapping[str, Any]) -> list[str]:
    element = _find(root, str(want["element"]))
    if element is None:
        found = [name for name in FAULT_ELEMENTS if _find(root, name) is not None]
        return [f"expected a {want['element']} fault, got {found[0] if found else 'no fault'}"]
    problems = []
    code = _find(element, "code")
    reason = _find(element, "reason")
    got_code = (code.text or "").strip() if code is not None else ""
    if got_code != str(want["code"]):
        problems.append(f"expected fault code {want['code']}, got {got_code or 'none'}")
    needle = want.get("reason_contains")
    reason_text = (reason.text or "") if reason is not None else ""
    if needle and str(needle).lower() not in reason_text.lower():
        problems.append(f"the reason {reason_text!r} does not mention {needle!r}")
    return problems


def _check_return(
    root: etree._Element, want: Mapping[str, Any], credentials: Credentials
) -> list[str]:
    name = str(want["return"])
    element = _find(root, name)
    if element is None:
        fault = next((n for n in FAULT_ELEMENTS if _find(root, n) is not None), None)
        return [f"expected {name}, got " + (f"a {fault} fault" if fault else "no such element")]
    problems = []
    for key, value in dict(want.get("values", {})).items():
        # a job handle carries the company's id (``j|47|name||``) whichever way the run
        # writes the company (``47`` or ``c|47``)
        expected = str(value).replace("{company}", credentials.company_id)
        node = _find(element, str(key))
        got = (node.text or "") if node is not None else None
        if got != expected:
            problems.append(f"{name}/{key}: expected {expected!r}, got {got!r}")
    return problems


def check_case(
    case: ContractCase,
    send: Callable[[bytes, str], tuple[int, bytes]],
    credentials: Credentials | None = None,
) -> CaseResult:
    """Send ``case`` with ``send(body, content_type) -> (status, response body)`` and check
    the answer against its expectation."""
    who = credentials or Credentials()
    status, body = send(case.envelope(who), CONTENT_TYPES[case.soap])
    problems: list[str] = []
    if status != case.expect["status"]:
        problems.append(f"expected HTTP {case.expect['status']}, got {status}")
    try:
        root = etree.fromstring(body, _PARSER)
    except etree.XMLSyntaxError as error:
        return CaseResult(case, status, (*problems, f"the answer is not XML: {error}"))
    if root.tag != f"{{{SOAP_NAMESPACES[case.soap]}}}Envelope":
        problems.append(f"the answer is not a SOAP {case.soap} envelope ({root.tag})")
    if "fault" in case.expect:
        problems += _check_fault(root, case.expect["fault"])
    else:
        problems += _check_return(root, case.expect, who)
    return CaseResult(case, status, tuple(problems))


def check_in_process(
    cases: Iterable[ContractCase], credentials: Credentials | None = None
) -> list[CaseResult]:
    """Check each case against a fresh :class:`~ips_fake.fake.IpsFake` of its own, no socket."""
    from werkzeug.test import Client

    from ips_fake.fake import IpsFake

    results = []
    for case in cases:
        client = Client(IpsFake().app)

        def send(body: bytes, content_type: str, client: Client = client) -> tuple[int, bytes]:
            response = client.post(SERVICE_PATH, data=body, content_type=content_type)
            return response.status_code, response.get_data()

        results.append(check_case(case, send, credentials))
    return results


def check_over_http(
    cases: Iterable[ContractCase],
    service_url: str,
    credentials: Credentials | None = None,
    *,
    reset: bool = False,
    timeout: float = 30.0,
) -> list[CaseResult]:
    """Check each case against the SOAP service at ``service_url`` (an ``ips-fake serve``
    or a real IPS endpoint). With ``reset``, an ips-fake is reset (``POST /_fake/reset``)
    before each case, so cases that create jobs do not meet each other's names.

    Example::

        check_over_http(load_cases("contracts/cases"),
                        "https://example.scene7.com/scene7/services/IpsApiService",
                        Credentials("me@example.com", "secret", "c|123"))
    """
    import requests

    session = requests.Session()
    base = service_url.split("/scene7/", 1)[0]

    def send(body: bytes, content_type: str) -> tuple[int, bytes]:
        response = session.post(
            service_url, data=body, headers={"Content-Type": content_type}, timeout=timeout
        )
        return response.status_code, response.content

    results = []
    with session:
        for case in cases:
            if reset:
                session.post(base + "/_fake/reset", json={}, timeout=timeout).raise_for_status()
            results.append(check_case(case, send, credentials))
    return results
