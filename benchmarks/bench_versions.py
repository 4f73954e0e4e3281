"""What answering in each API version's own shape costs per request.

Run with ``python -m benchmarks.bench_versions``. Through the SOAP endpoint in-process (no
socket), it times submitJob (an uploadUrlsJob of three URLs), getScheduledJobs and
getActiveJobs for one company holding ten scheduled jobs and three active runs, in the
pre-4.0, 4.5, 2014-04-03 and 2016-01-14-beta namespaces, once as served and once with the
per-version shaping of answers (``structure.conform``) switched off, alternating the two in
one run. It prints microseconds per request and the ratio shaped / unshaped.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable, Iterator
from typing import Any

from ips_fake import IpsFake
from ips_fake.soap import endpoint as endpoint_module
from ips_fake.soap.endpoint import SoapEndpoint
from ips_fake.soap.schema import find_version

VERSIONS = ("pre-4.0", "4.5", "6.8", "2016-01-14-beta")
REPEATS = 300
ROUNDS = 5

_ENVELOPE = (
    '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/">'
    '<soapenv:Header><authHeader xmlns="{ns}"><user>ipsuser@example.com</user>'
    "<password>password</password></authHeader></soapenv:Header>"
    "<soapenv:Body>{body}</soapenv:Body></soapenv:Envelope>"
)


def _submit(ns: str, name: str, exec_time: str | None) -> str:
    urls = "".join(
        f"<items><sourceUrl>http://example.com/{i}.jpg</sourceUrl><destPath>a/{i}.jpg</destPath>"
        "</items>"
        for i in range(3)
    )
    when = f"<execTime>{exec_time}</execTime>" if exec_time else ""
    return (
        f'<submitJobParam xmlns="{ns}"><companyHandle>c|47</companyHandle>'
        f"<jobName>{name}</jobName>{when}<uploadUrlsJob><urlArray>{urls}</urlArray>"
        "<overwrite>true</overwrite><readyForPublish>true</readyForPublish>"
        "<createMask>false</createMask><emailSetting>None</emailSetting></uploadUrlsJob>"
        "</submitJobParam>"
    )


def _request(ns: str, body: str) -> bytes:
    return _ENVELOPE.format(ns=ns, body=body).encode()


def _fake_with_jobs(ns: str) -> IpsFake:
    fake = IpsFake()
    endpoint = fake.app.endpoint
    for index in range(10):
        endpoint.handle(_request(ns, _submit(ns, f"later-{index}", "2027-01-01T00:00:00Z")))
    for index in range(3):
        endpoint.handle(_request(ns, _submit(ns, f"now-{index}", None)))
    fake.advance(seconds=2)
    return fake


def _time(call: Callable[[], Any]) -> float:
    gc.collect()
    start = time.perf_counter()
    for _ in range(REPEATS):
        call()
    return (time.perf_counter() - start) / REPEATS * 1e6


def _requests(ns: str) -> dict[str, Callable[[int], bytes]]:
    scheduled = (
        f'<getScheduledJobsParam xmlns="{ns}"><companyHandle>c|47</companyHandle>'
        "</getScheduledJobsParam>"
    )
    active = (
        f'<getActiveJobsParam xmlns="{ns}"><companyHandle>c|47</companyHandle></getActiveJobsParam>'
    )
    return {
        "submitJob": lambda n: _request(ns, _submit(ns, f"bench-{n}", "2027-01-01T00:00:00Z")),
        "getScheduledJobs": lambda n: _request(ns, scheduled),
        "getActiveJobs": lambda n: _request(ns, active),
    }


def main() -> None:
    """Print µs per request, shaped and unshaped, per version and operation."""
    real_conform = endpoint_module.conform

    def skip_conform(*_args: Any, **_kwargs: Any) -> None:
        return None

    print(f"{'version':16} {'operation':18} {'shaped µs':>10} {'unshaped µs':>12} {'ratio':>6}")
    for label in VERSIONS:
        ns = find_version(label).namespace
        sequence = iter(range(10**9))
        for operation, make in _requests(ns).items():
            # a fresh fake per operation: the submitted jobs must not grow the lists read next
            endpoint = _fake_with_jobs(ns).app.endpoint

            def run(
                make: Callable[[int], bytes] = make,
                endpoint: SoapEndpoint = endpoint,
                sequence: Iterator[int] = sequence,
            ) -> None:
                endpoint.handle(make(next(sequence)))

            shaped: list[float] = []
            unshaped: list[float] = []
            for _ in range(ROUNDS):
                endpoint_module.conform = real_conform  # type: ignore[attr-defined]
                shaped.append(_time(run))
                endpoint_module.conform = skip_conform  # type: ignore[attr-defined]
                unshaped.append(_time(run))
            endpoint_module.conform = real_conform  # type: ignore[attr-defined]
            best_shaped, best_unshaped = min(shaped), min(unshaped)
            print(
                f"{label:16} {operation:18} {best_shaped:10.1f} {best_unshaped:12.1f} "
                f"{best_shaped / best_unshaped:6.2f}"
            )


if __name__ == "__main__":
    main()
