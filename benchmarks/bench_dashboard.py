"""The dashboard with a full server: 1,000 scheduled jobs, 1,000 runs in flight and 10,000
job logs held (with their mails, and the journal full of the 12,000 submitJob calls that made
them, of which it keeps the last 10,000).

Run with ``python -m benchmarks.bench_dashboard [repeats]``. The state is built in-process
through SOAP requests; then each route the page reads is timed ``repeats`` times (default 20)
with werkzeug's test client (no socket), printing the median and slowest answer in ms and its
size, and, for scale, the same for ``GET /_fake/state`` (the whole state, which the page never
reads). Figures are printed, never asserted; the target is under 100 ms each.
"""

from __future__ import annotations

import re
import statistics
import sys
import time

from werkzeug.test import Client

from ips_fake.fake import IpsFake

SCHEDULED_JOBS = 1_000
RUNS_IN_FLIGHT = 1_000
JOB_LOGS = 10_000
SOAP_NAMESPACE = "http://www.scene7.com/IpsApi/xsd/2014-04-03"
SERVICE = "/scene7/services/IpsApiService"
AUTH = (
    '<authHeader xmlns="http://www.scene7.com/IpsApi/xsd"><user>ipsuser@example.com</user>'
    "<password>password</password></authHeader>"
)
PUBLISH = (
    "<imageServingPublishJob><publishType>Full</publishType>"
    "<emailSetting>All</emailSetting></imageServingPublishJob>"
)


def submit(client: Client, name: str, schedule: str | None = None) -> None:
    """submitJob of an image-serving publish named ``name`` for company 47."""
    when = f"<execSchedule>{schedule}</execSchedule>" if schedule else ""
    body = (
        '<env:Envelope xmlns:env="http://schemas.xmlsoap.org/soap/envelope/">'
        f"<env:Header>{AUTH}</env:Header><env:Body>"
        f'<submitJobParam xmlns="{SOAP_NAMESPACE}"><companyHandle>c|47</companyHandle>'
        f"<jobName>{name}</jobName>{when}{PUBLISH}</submitJobParam></env:Body></env:Envelope>"
    )
    answer = client.post(SERVICE, data=body, content_type="text/xml; charset=utf-8",
                         headers={"SOAPAction": '""'})  # fmt: skip
    if answer.status_code != 200:
        raise SystemExit(f"submitJob {name} failed: {answer.get_data(as_text=True)[:300]}")


def build() -> tuple[IpsFake, Client]:
    """A fake holding the benchmark's state (takes a while: 12,000 SOAP calls)."""
    fake = IpsFake(log_retention=JOB_LOGS)
    client = Client(fake.app)
    started = time.perf_counter()
    for number in range(JOB_LOGS):
        submit(client, f"finished {number:05d}")
    client.post("/_fake/clock", json={"advance": 3600})
    for number in range(SCHEDULED_JOBS):
        submit(client, f"nightly {number:04d}", schedule="0 0 3 * * ?")
    for number in range(RUNS_IN_FLIGHT):
        submit(client, f"running {number:04d}")
    client.post("/_fake/clock", json={"advance": 2})
    service = fake.service
    print(
        f"built in {time.perf_counter() - started:.1f} s: "
        f"{len(service.all_scheduled_jobs())} scheduled jobs, "
        f"{len(service.all_active_jobs())} runs in flight, "
        f"{len(service.all_job_logs())} job logs, {len(service.notifications())} mails, "
        f"{len(fake.journal)} journal entries"
    )
    return fake, client


def time_route(client: Client, path: str, repeats: int) -> tuple[float, float, int]:
    """(median ms, slowest ms, bytes) of ``repeats`` GETs of ``path``."""
    timings: list[float] = []
    size = 0
    for _ in range(repeats):
        started = time.perf_counter()
        answer = client.get(path)
        data = answer.get_data()
        timings.append((time.perf_counter() - started) * 1000)
        if answer.status_code != 200:
            raise SystemExit(f"GET {path} answered {answer.status_code}")
        size = len(data)
    return statistics.median(timings), max(timings), size


def main(argv: list[str]) -> int:
    repeats = int(argv[0]) if argv else 20
    _fake, client = build()
    panels = client.get("/_fake/dashboard/panels").get_data(as_text=True)
    log_id = re.findall(r'id="log-(\d+)"', panels)[0]
    exchange = re.findall(r'id="exchange-(\d+)"', panels)[0]
    routes = [
        ("page", "/_fake/"),
        ("panels (each poll)", "/_fake/dashboard/panels"),
        ("panels, filtered by job", "/_fake/dashboard/panels?company=47&job=finished+09999"),
        ("a log's lines", f"/_fake/dashboard/logs/{log_id}?part"),
        ("an exchange's XML", f"/_fake/dashboard/journal/{exchange}?part"),
        ("script", "/_fake/dashboard/static/dashboard.js"),
        ("for scale: /_fake/state", "/_fake/state"),
    ]
    print(f"{'route':32} {'median ms':>10} {'slowest ms':>11} {'bytes':>10}")
    for label, path in routes:
        median, slowest, size = time_route(client, path, repeats if "state" not in path else 3)
        print(f"{label:32} {median:10.1f} {slowest:11.1f} {size:10,}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
