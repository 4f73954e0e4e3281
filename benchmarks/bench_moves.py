"""Long clock moves and many jobs on a served fake: time, memory, and another caller's wait.

Run with ``python -m benchmarks.bench_moves [year|second|uploads|all]``. Each scenario starts
its own ``ips-fake serve --clock manual --port 0`` (loopback only) and talks to it over HTTP:

- ``year``: an every-minute schedule (``0 * * * * ?``) moved one year over ``POST
  /_fake/clock`` in 12 steps of 30.4 days, while a second thread calls getActiveJobs in a
  loop; prints the move's wall time, the server's RSS growth, and the slowest and median
  getActiveJobs answer during the move.
- ``second``: the same with ``* * * * * ?`` (a fire every second).
- ``uploads``: 20,000 submitJob of an uploadUrlsJob with three URLs; prints the RSS growth per
  job once all are scheduled (with their runs), and again once they have all finished (the
  journal's share included: it keeps its last exchanges within a 4 MiB weight). See
  ``bench_memory.py`` for jobs with URLs of their own waiting for an execTime.

Every scenario is bounded by :data:`DEADLINE_SECONDS`; past it the scenario prints how far it
got and stops the server. Figures are printed, never asserted.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

DEADLINE_SECONDS = 180.0
UPLOAD_JOBS = 20_000
YEAR_STEPS = 12
SECONDS_PER_YEAR = 365 * 24 * 3600
SOAP_NAMESPACE = "http://www.scene7.com/IpsApi/xsd/2014-04-03"
AUTH = (
    '<authHeader xmlns="http://www.scene7.com/IpsApi/xsd"><user>ipsuser@example.com</user>'
    "<password>password</password></authHeader>"
)


def envelope(body: str) -> bytes:
    """A SOAP 1.1 request with ipsuser's authHeader around ``body``."""
    return (
        '<env:Envelope xmlns:env="http://schemas.xmlsoap.org/soap/envelope/">'
        f"<env:Header>{AUTH}</env:Header><env:Body>{body}</env:Body></env:Envelope>"
    ).encode()


def submit_body(name: str, job: str, schedule: str | None = None) -> bytes:
    """submitJob of ``job`` (an element) named ``name``, on ``schedule`` if given."""
    when = f"<execSchedule>{schedule}</execSchedule>" if schedule else ""
    return envelope(
        f'<submitJobParam xmlns="{SOAP_NAMESPACE}"><companyHandle>c|47</companyHandle>'
        f"<jobName>{name}</jobName>{when}{job}</submitJobParam>"
    )


PUBLISH = (
    "<imageServingPublishJob><publishType>Full</publishType>"
    "<emailSetting>None</emailSetting></imageServingPublishJob>"
)
UPLOAD = (
    "<uploadUrlsJob><urlArray>"
    + "".join(
        f"<items><sourceUrl>http://127.0.0.1/{n}.jpg</sourceUrl><destPath>in/{n}.jpg</destPath>"
        "</items>"
        for n in range(3)
    )
    + "</urlArray><overwrite>true</overwrite><readyForPublish>true</readyForPublish>"
    "<createMask>false</createMask><emailSetting>None</emailSetting></uploadUrlsJob>"
)
ACTIVE = envelope(
    f'<getActiveJobsParam xmlns="{SOAP_NAMESPACE}"><companyHandle>c|47</companyHandle>'
    "</getActiveJobsParam>"
)


@dataclass
class Server:
    """A served fake: its process and base URL."""

    process: subprocess.Popen[str]
    base_url: str

    def rss_kib(self) -> int:
        """The server process's resident set size in KiB (Linux)."""
        with open(f"/proc/{self.process.pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        raise RuntimeError("no VmRSS")

    def soap(self, body: bytes, timeout: float = DEADLINE_SECONDS) -> bytes:
        """POST a SOAP body; the answer's bytes (a fault is returned, not raised)."""
        request = urllib.request.Request(
            f"{self.base_url}/scene7/services/IpsApiService",
            data=body,
            headers={"Content-Type": "text/xml; charset=UTF-8", "SOAPAction": '""'},
        )
        try:
            with urllib.request.urlopen(request, timeout=timeout) as answer:
                return bytes(answer.read())
        except urllib.error.HTTPError as error:
            return bytes(error.read())

    def admin(self, path: str, body: object | None = None) -> object:
        """GET (or POST ``body`` as JSON to) an admin route; the decoded answer."""
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(
            f"{self.base_url}{path}",
            data=data,
            headers={"Content-Type": "application/json"} if data is not None else {},
        )
        with urllib.request.urlopen(request, timeout=DEADLINE_SECONDS) as answer:
            return json.loads(answer.read())


@contextmanager
def served(*extra: str) -> Iterator[Server]:
    """``ips-fake serve --clock manual --port 0`` for the length of the block."""
    process = subprocess.Popen(
        [sys.executable, "-m", "ips_fake", "serve", "--clock", "manual", "--port", "0", *extra],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert process.stdout is not None
        base_url = ""
        for line in process.stdout:
            if line.startswith("Admin API:"):
                base_url = line.split()[2].removesuffix("/_fake/state")
                break
        if not base_url:
            raise RuntimeError("the server printed no admin URL")
        yield Server(process, base_url)
    finally:
        process.terminate()
        process.wait(timeout=10)


def move_year(schedule: str) -> None:
    """Move a year over ``schedule`` in :data:`YEAR_STEPS` steps, timing another caller."""
    with served() as server:
        server.soap(submit_body("tick", PUBLISH, schedule))
        server.soap(ACTIVE)
        before = server.rss_kib()
        waits: list[float] = []
        done = threading.Event()

        def poll() -> None:
            while not done.is_set():
                started = time.perf_counter()
                server.soap(ACTIVE, timeout=DEADLINE_SECONDS)
                waits.append(time.perf_counter() - started)
                time.sleep(0.05)

        poller = threading.Thread(target=poll, daemon=True)
        started = time.perf_counter()
        poller.start()
        steps = 0
        try:
            for _ in range(YEAR_STEPS):
                if time.perf_counter() - started > DEADLINE_SECONDS:
                    break
                server.admin("/_fake/clock", {"advance": SECONDS_PER_YEAR / YEAR_STEPS})
                steps += 1
        except OSError as error:
            print(f"  move stopped: {error}")
        elapsed = time.perf_counter() - started
        done.set()
        poller.join(timeout=DEADLINE_SECONDS)
        growth = server.rss_kib() - before
        state = server.admin("/_fake/state")
        assert isinstance(state, dict)
        print(
            f"{schedule!r}: {steps}/{YEAR_STEPS} steps in {elapsed:.1f} s, "
            f"RSS +{growth / 1024:.0f} MiB, logs kept {len(state['job_logs'])}"
        )
        if "log_retention" in state:
            print(
                f"  retention {state['log_retention']}, skipped fires "
                f"{[job.get('skipped_fires') for job in state['scheduled_jobs']]}"
            )
        if waits:
            print(
                f"  getActiveJobs during the move: {len(waits)} calls, median "
                f"{statistics.median(waits) * 1000:.0f} ms, slowest {max(waits) * 1000:.0f} ms"
            )


def uploads() -> None:
    """:data:`UPLOAD_JOBS` uploadUrlsJobs: RSS per job scheduled, then finished."""
    with served() as server:
        answer = server.soap(submit_body("warm-up", UPLOAD))
        if b"jobHandle" not in answer:
            raise RuntimeError(f"submitJob failed: {answer[:500]!r}")
        server.admin("/_fake/clock", {"advance": 60})
        server.soap(ACTIVE)
        before = server.rss_kib()
        started = time.perf_counter()
        for index in range(UPLOAD_JOBS):
            server.soap(submit_body(f"upload-{index}", UPLOAD))
        submitted = time.perf_counter() - started
        scheduled = server.rss_kib()
        server.admin("/_fake/clock", {"advance": 60})
        server.soap(ACTIVE)
        finished = server.rss_kib()
        print(
            f"{UPLOAD_JOBS} uploadUrlsJobs ({submitted:.1f} s to submit): "
            f"{(scheduled - before) * 1024 / UPLOAD_JOBS:.0f} B/job scheduled with its run, "
            f"{(finished - before) * 1024 / UPLOAD_JOBS:.0f} B/job once finished "
            f"({(finished - scheduled) * 1024 / UPLOAD_JOBS:+.0f} B/job for finishing)"
        )


def main() -> None:
    wanted = sys.argv[1:] or ["all"]
    if "year" in wanted or "all" in wanted:
        move_year("0 * * * * ?")
    if "second" in wanted or "all" in wanted:
        move_year("* * * * * ?")
    if "uploads" in wanted or "all" in wanted:
        uploads()


if __name__ == "__main__":
    main()
