"""zeep clients for the tests: in-process or over a URL, sending an ``authHeader``.

One module the suite imports by name (it is no conftest): the wire tests, the version matrix
and the job-log tests build their clients here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import zeep

from ips_fake.fake import IpsFake
from ips_fake.transport import INPROCESS_BASE_URL, InProcessTransport

#: The WSDL port of each SOAP version.
PORTS = {"1.1": "IpsApiSoapPort", "1.2": "IpsApiSoap12Port"}
USER = "ipsuser@example.com"
PASSWORD = "password"
#: Builds a zeep service that sends ``user``'s authHeader (none when ``user`` is None).
ServiceFactory = Callable[[str | None, str | None], zeep.proxy.ServiceProxy]


def listed(result: list[Any] | None) -> list[Any]:
    """zeep gives None for an empty array."""
    return list(result or [])


def auth_header(
    client: zeep.Client,
    user: str = USER,
    password: str | None = PASSWORD,
    element: str = "ns0:authHeader",
) -> Any:
    """An ``authHeader`` for ``client`` (``element`` names it: ``{namespace}authHeader``)."""
    return client.get_element(element)(user=user, password=password)


def zeep_client(
    wsdl_url: str,
    transport: Any = None,
    *,
    user: str | None = USER,
    password: str | None = PASSWORD,
    element: str = "ns0:authHeader",
) -> zeep.Client:
    """zeep (its default, strict settings) from ``wsdl_url``, sending ``user``'s authHeader
    on every call (none when ``user`` is None)."""
    client = zeep.Client(wsdl_url, transport=transport) if transport else zeep.Client(wsdl_url)
    if user is not None:
        client.set_default_soapheaders([auth_header(client, user, password, element)])
    return client


def in_process_client(
    fake: IpsFake,
    wsdl: str,
    *,
    user: str | None = USER,
    password: str | None = PASSWORD,
) -> zeep.Client:
    """:func:`zeep_client` for ``fake``'s app with no socket; ``wsdl`` a served path
    (``/scene7/webservice/...``) or a full in-process URL."""
    url = INPROCESS_BASE_URL + wsdl if wsdl.startswith("/") else wsdl
    return zeep_client(url, InProcessTransport(fake.app), user=user, password=password)
