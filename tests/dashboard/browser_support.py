"""Helpers of the dashboard tests (a module of its own: every test folder has a conftest)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import zeep

from ips_fake.server import FakeServer

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
#: Where the browser tests leave their screenshots (ignored by git).
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
WSDL = "/scene7/webservice/IpsApi-2014-04-03.wsdl"
#: Seconds a browser test waits for the page to show something.
PAGE_WAIT_SECONDS = 15

ServerFactory = Callable[..., FakeServer]


def soap_service(server: FakeServer) -> Any:
    """zeep over HTTP, authenticated as ipsuser."""
    client = zeep.Client(server.base_url + WSDL)
    header = client.get_element("ns0:authHeader")
    client.set_default_soapheaders([header(user="ipsuser@example.com", password="password")])
    return client.service


def submit(server: FakeServer, name: str, **extra: Any) -> str:
    """submitJob an image-serving publish named ``name`` for company 47, mailing at its start
    and end; ``extra`` adds submitJob parameters (``execSchedule``)."""
    handle: str = soap_service(server).submitJob(
        companyHandle="c|47",
        jobName=name,
        imageServingPublishJob={"publishType": "Full", "emailSetting": "All"},
        **extra,
    )
    return handle


def save_artifact(driver: Any, name: str) -> Path:
    """A screenshot of the page under tests/artifacts/."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / name
    driver.save_screenshot(str(path))
    return path
