"""What the pytest plugin costs a test, and what the in-process transport saves.

Run with ``python -m benchmarks.bench_plugin``. It measures, in one process:

- the per-test fixture overhead: opening and closing an :class:`IpsFakeHandle` on the
  session's :class:`LocalFake` (the reset every test gets, and the report of bad requests at
  teardown), with nothing and with one SOAP call in between, and for a test whose marker
  asks for a fake of its own (``time_zone=...``);
- submitJob calls per second through a zeep client from ``ips_fake.client()``, over HTTP to
  the session's loopback server and over the in-process transport, and their ratio.

Each figure is the best of a few rounds, to keep the machine's noise out.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from ips_fake.testing import FixtureSettings, IpsFakeHandle, LocalFake, SessionOptions

HANDLE_CYCLES = 500
OWN_FAKE_CYCLES = 100
CALLS = 300
ROUNDS = 3
PUBLISH = {"publishType": "Full", "emailSetting": "None"}


def best_seconds(work: Callable[[], None], rounds: int = ROUNDS) -> float:
    """The fastest of ``rounds`` timings of ``work``."""
    timings = []
    for _ in range(rounds):
        started = time.perf_counter()
        work()
        timings.append(time.perf_counter() - started)
    return min(timings)


def handle_cycles(backend: LocalFake, settings: FixtureSettings, *, with_call: bool) -> None:
    """:data:`HANDLE_CYCLES` tests' worth of fixture setup and teardown."""
    client = None
    for _ in range(HANDLE_CYCLES):
        handle = IpsFakeHandle.open(backend, settings)
        if with_call:
            client = client or handle.client(transport="inprocess")
            client.service.getActiveJobs(companyHandle="c|47")
        report = handle.close()
        if report is not None:
            raise RuntimeError(report)


def own_fake_cycles(backend: LocalFake, settings: FixtureSettings) -> None:
    """:data:`OWN_FAKE_CYCLES` tests whose marker asks for a fake of their own."""
    for _ in range(OWN_FAKE_CYCLES):
        report = IpsFakeHandle.open(backend, settings).close()
        if report is not None:
            raise RuntimeError(report)


def submit_calls(backend: LocalFake, settings: FixtureSettings, transport: str) -> None:
    """:data:`CALLS` submitJob calls over ``transport`` in one test."""
    handle = IpsFakeHandle.open(backend, settings)
    client = handle.client(transport=transport)
    for number in range(CALLS):
        client.service.submitJob(
            companyHandle="c|47", jobName=f"bench-{number}", imageServingPublishJob=PUBLISH
        )
    report = handle.close()
    if report is not None:
        raise RuntimeError(report)


def main() -> None:
    """Print the figures."""
    options = SessionOptions()
    settings = FixtureSettings.resolve(options, {})
    backend = LocalFake.build(options)
    try:
        # warm up: start the server, parse and cache both WSDLs
        for transport in ("http", "inprocess"):
            IpsFakeHandle.open(backend, settings).client(transport=transport)

        bare = best_seconds(lambda: handle_cycles(backend, settings, with_call=False))
        called = best_seconds(lambda: handle_cycles(backend, settings, with_call=True))
        print(f"fixture overhead per test (open + close), {HANDLE_CYCLES} cycles:")
        print(f"  no request:                {bare / HANDLE_CYCLES * 1e6:9.1f} us")
        print(f"  one in-process request:    {called / HANDLE_CYCLES * 1e6:9.1f} us")
        own_settings = FixtureSettings.resolve(options, {"time_zone": "Europe/Berlin"})
        own = best_seconds(lambda: own_fake_cycles(backend, own_settings))
        print(f"  a fake of its own (marker): {own / OWN_FAKE_CYCLES * 1e6:8.1f} us")

        rates = {}
        for transport in ("http", "inprocess"):
            seconds = best_seconds(lambda t=transport: submit_calls(backend, settings, t))
            rates[transport] = CALLS / seconds
        print(f"submitJob through ips_fake.client(), {CALLS} calls per round:")
        print(f"  http (loopback server):    {rates['http']:9.0f} calls/s")
        print(f"  in-process transport:      {rates['inprocess']:9.0f} calls/s")
        print(f"  in-process / http:         {rates['inprocess'] / rates['http']:9.2f}x")
    finally:
        backend.close()


if __name__ == "__main__":
    main()
