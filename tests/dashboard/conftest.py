"""Fixtures of the dashboard tests: a real loopback server per test, zeep over HTTP, and a
headless Chromium driven by Selenium through Debian's ``/usr/bin/chromedriver`` (never a
downloaded driver). Without Chromium, chromedriver or Selenium the browser tests skip
loudly, unless ``CI`` is set: then they fail, so CI cannot go green without them."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from typing import Any

import pytest

from ips_fake.fake import IpsFake
from ips_fake.server import FakeServer
from tests.dashboard.browser_support import CHROMEDRIVER, CHROMIUM, PAGE_WAIT_SECONDS, ServerFactory


def _browser_missing() -> str | None:
    missing = [str(path) for path in (CHROMIUM, CHROMEDRIVER) if not path.exists()]
    try:
        import selenium  # noqa: F401
    except ImportError:
        missing.append("the selenium package (pip install -e '.[test]')")
    if not missing:
        return None
    return (
        "dashboard browser tests need "
        + ", ".join(missing)
        + " (bash .ci/run installs them as root: apt-get install chromium chromium-driver)"
    )


@pytest.fixture(scope="session")
def chromium_available() -> None:
    """Skip (loudly) or, under CI, fail when the browser cannot be driven."""
    problem = _browser_missing()
    if problem is None:
        return
    if os.environ.get("CI"):
        pytest.fail(problem + "; under CI these tests must run", pytrace=False)
    print(f"\n!!! SKIPPING: {problem}", file=sys.__stderr__)  # past the capture: loud
    pytest.skip("!!! " + problem)


@pytest.fixture
def browser(chromium_available: None) -> Iterator[Any]:
    """A headless Chromium, 1280 px wide."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for argument in (
        "--headless=new",
        "--no-sandbox",
        "--disable-dev-shm-usage",
        "--disable-gpu",
        "--window-size=1280,1500",
        "--no-first-run",
        "--disable-extensions",
        "--disable-background-networking",
    ):
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service(executable_path=str(CHROMEDRIVER)), options=options)
    driver.set_page_load_timeout(PAGE_WAIT_SECONDS)
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture
def serve() -> Iterator[ServerFactory]:
    """Start a loopback server over ``IpsFake(**options)``; stopped after the test."""
    started: list[FakeServer] = []

    def start(**options: Any) -> FakeServer:
        server = FakeServer(IpsFake(**options)).start()
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


@pytest.fixture
def server(serve: ServerFactory) -> FakeServer:
    """A server on the manual clock (2026-01-05 09:00 UTC), 2 s per item."""
    return serve()
