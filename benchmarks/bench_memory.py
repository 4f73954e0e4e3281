"""What 20,000 uploadUrlsJobs cost in memory on a served fake, and where the bytes go.

Run with ``python -m benchmarks.bench_memory [serve|steady|twice|trace|split] [JOBS]``:

- ``serve`` (the default): starts ``ips-fake serve --clock manual --port 0`` and, over HTTP,
  submits ``JOBS`` (default 20,000) uploadUrlsJobs of three URLs each (distinct per job,
  as real uploads are) with an execTime a day
  ahead; prints the server's RSS growth per job once they are all scheduled, then moves the
  clock past the execTime so every job runs and finishes and prints it again (the journal of
  exchanges included in both). All of them run at the same instant (a burst): RSS keeps the
  high-water mark of that many runs in progress at once.
- ``steady``: the same, with execTimes :data:`STAGGER_SECONDS` apart, so that about one job
  runs at a time: what finished jobs cost once no burst has raised the high-water mark.
- ``twice``: like ``serve``, then a second batch of ``JOBS`` the same way, due after the
  first: the RSS growth per job of the second batch shows whether it reuses the room the
  first batch's runs held while in progress.
- ``trace``: the same requests in process (the fake's WSGI app, no socket) under
  :mod:`tracemalloc`; prints the bytes per job by allocating source line at both points.
- ``split``: the same requests in process, all due at once, without tracemalloc; prints the
  RSS growth per job once scheduled, with every run in progress and once finished, split
  into Python's small-object arenas (pymalloc: what its blocks in use hold, the rest is room
  freed objects left) and the rest (the C allocator: large dict tables, big bytes). What
  the RSS of ``serve`` adds to it comes from the server's threads.

Figures are printed, never asserted.
"""

from __future__ import annotations

import gc
import os
import re
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from datetime import datetime, timedelta

from benchmarks.bench_moves import ACTIVE, served, submit_body
from ips_fake.fake import IpsFake

JOBS = 20_000
#: The execTime every job waits for: a day after the manual clock's default start.
EXEC_TIME = "2026-01-06T09:00:00Z"
#: How far the clock moves so that every job has run and finished.
MOVE_SECONDS = 2 * 24 * 3600
#: Seconds between the execTimes of ``steady`` (a run of three items lasts 7 s).
STAGGER_SECONDS = 8


def upload_job(index: int) -> str:
    """An uploadUrlsJob of three URLs of its own (``http://127.0.0.1/<index>-<n>.jpg``)."""
    urls = "".join(
        f"<items><sourceUrl>http://127.0.0.1/{index}-{n}.jpg</sourceUrl>"
        f"<destPath>in/{index}-{n}.jpg</destPath></items>"
        for n in range(3)
    )
    return (
        f"<uploadUrlsJob><urlArray>{urls}</urlArray><overwrite>true</overwrite>"
        "<readyForPublish>true</readyForPublish><createMask>false</createMask>"
        "<emailSetting>None</emailSetting></uploadUrlsJob>"
    )


def scheduled_upload(index: int, stagger: int = 0) -> bytes:
    """submitJob of :func:`upload_job` named ``upload-<index>``, due at :data:`EXEC_TIME`
    plus ``index * stagger`` seconds."""
    body = submit_body(f"upload-{index}", upload_job(index))
    due = datetime.fromisoformat(EXEC_TIME) + timedelta(seconds=max(index, 0) * stagger)
    exec_time = due.strftime("%Y-%m-%dT%H:%M:%SZ")
    return body.replace(b"</jobName>", f"</jobName><execTime>{exec_time}</execTime>".encode())


def steady(jobs: int) -> None:
    """Like :func:`serve`, with the jobs' execTimes :data:`STAGGER_SECONDS` apart."""
    serve(jobs, STAGGER_SECONDS)


def serve(jobs: int, stagger: int = 0, *, again: bool = False) -> None:
    """RSS growth of a served fake per job, scheduled and finished; with a ``stagger``, the
    jobs' execTimes are that many seconds apart."""
    with served() as server:
        answer = server.soap(scheduled_upload(-1))
        if b"jobHandle" not in answer:
            raise RuntimeError(f"submitJob failed: {answer[:500]!r}")
        server.soap(ACTIVE)
        before = server.rss_kib()
        started = time.perf_counter()
        for index in range(jobs):
            server.soap(scheduled_upload(index, stagger))
        submitted = time.perf_counter() - started
        scheduled = server.rss_kib()
        started = time.perf_counter()
        server.admin("/_fake/clock", {"advance": MOVE_SECONDS + jobs * stagger})
        moved = time.perf_counter() - started
        server.soap(ACTIVE)
        finished = server.rss_kib()
        logs = server.admin("/_fake/job-logs")
        assert isinstance(logs, list)
        shape = f"execTimes {stagger} s apart" if stagger else "all due at once"
        print(
            f"{jobs} uploadUrlsJobs over HTTP, {shape} ({submitted:.1f} s to submit, "
            f"{moved:.1f} s to run them all, {len(logs)} logs kept): "
            f"{(scheduled - before) * 1024 / jobs:.0f} B/job scheduled, "
            f"{(finished - before) * 1024 / jobs:.0f} B/job finished (RSS, journal included)"
        )
        if not again:
            return
        # a second batch, named apart, due after the first: does it reuse the room the
        # first one's runs held while in progress? (measured from here: listing the logs
        # above raised the high-water mark too)
        finished = server.rss_kib()
        for index in range(jobs):
            body = scheduled_upload(index, stagger).replace(b"upload-", b"again-")
            server.soap(body.replace(b"2026-01-06T", b"2026-01-08T"))
        server.admin("/_fake/clock", {"advance": MOVE_SECONDS + jobs * stagger})
        server.soap(ACTIVE)
        second = server.rss_kib()
        print(
            f"a second {jobs} the same way, due after the first: "
            f"{(second - finished) * 1024 / jobs:.0f} B/job more once finished"
        )


def twice(jobs: int) -> None:
    """Like :func:`serve` (all due at once), then a second batch the same way."""
    serve(jobs, again=True)


def in_process() -> tuple[IpsFake, Callable[[bytes], None]]:
    """A fake and a function POSTing a SOAP body to it in process (its WSGI app, no socket)."""
    from ips_fake.transport import INPROCESS_BASE_URL, in_process_session

    fake = IpsFake()
    session = in_process_session(fake.app)
    url = f"{INPROCESS_BASE_URL}/scene7/services/IpsApiService"
    headers = {"Content-Type": "text/xml; charset=UTF-8", "SOAPAction": '""'}

    def soap(body: bytes) -> None:
        session.post(url, data=body, headers=headers)

    return fake, soap


def trace(jobs: int) -> None:
    """tracemalloc's view of the same requests in process: bytes per job by source line."""
    fake, soap = in_process()

    soap(scheduled_upload(-1))
    soap(ACTIVE)

    def top(label: str, baseline: tracemalloc.Snapshot) -> tracemalloc.Snapshot:
        gc.collect()
        snapshot = tracemalloc.take_snapshot()
        stats = snapshot.compare_to(baseline, "lineno")
        total = sum(stat.size_diff for stat in stats)
        print(f"{label}: {total / jobs:.0f} B/job traced")
        by_file: dict[str, int] = {}
        for stat in stats:
            name = stat.traceback[0].filename.split("/")[-1]
            by_file[name] = by_file.get(name, 0) + stat.size_diff
        ranked = sorted(by_file.items(), key=lambda pair: -pair[1])[:8]
        print("  by file: " + ", ".join(f"{name} {size / jobs:.0f}" for name, size in ranked))
        for stat in stats[:15]:
            frame = stat.traceback[0]
            print(
                f"  {stat.size_diff / jobs:8.0f} B/job  {frame.filename.split('/')[-1]}:"
                f"{frame.lineno}"
            )
        return snapshot

    gc.collect()
    tracemalloc.start()
    baseline = tracemalloc.take_snapshot()
    for index in range(jobs):
        soap(scheduled_upload(index))
    top("scheduled", baseline)
    fake.advance(seconds=MOVE_SECONDS)
    soap(ACTIVE)
    top("finished", baseline)
    tracemalloc.stop()


def _pymalloc_bytes() -> tuple[int, int]:
    """(bytes of pymalloc's arenas, bytes in its blocks in use), read from
    :func:`sys._debugmallocstats` (CPython's report, written to stderr)."""
    descriptor, path = tempfile.mkstemp()
    saved = os.dup(2)
    try:
        os.dup2(descriptor, 2)
        sys._debugmallocstats()
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(descriptor)
    with open(path) as report_file:
        report = report_file.read()
    os.unlink(path)

    def figure(label: str) -> int:
        found = re.search(rf"{label}\s+=\s+([\d,]+)", report)
        return int(found.group(1).replace(",", "")) if found else 0

    return figure(r"arenas \* \d+ bytes/arena"), figure("bytes in allocated blocks")


def _rss_bytes() -> int:
    """This process's resident set (Linux)."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def split(jobs: int) -> None:
    """In process, all due at once: RSS growth per job at three points, split between
    pymalloc's arenas (blocks in use, room left by freed objects) and the rest."""
    fake, soap = in_process()

    def advance(seconds: int) -> None:
        fake.advance(seconds=seconds)

    soap(scheduled_upload(-1))
    soap(ACTIVE)

    def measure() -> tuple[int, int, int]:
        gc.collect()
        return (_rss_bytes(), *_pymalloc_bytes())

    def show(label: str, before: tuple[int, int, int]) -> None:
        rss, arenas, in_use = (now - then for now, then in zip(measure(), before, strict=True))
        print(
            f"{label}: {rss / jobs:.0f} B/job RSS = pymalloc {arenas / jobs:.0f} "
            f"({in_use / jobs:.0f} in use, {(arenas - in_use) / jobs:.0f} free room) "
            f"+ the rest {(rss - arenas) / jobs:.0f}"
        )

    before = measure()
    for index in range(jobs):
        soap(scheduled_upload(index))
    show("scheduled", before)
    advance(24 * 3600 + 3)  # every run has started, none has finished (a run lasts 7 s)
    show("in progress", before)
    advance(MOVE_SECONDS)
    soap(ACTIVE)
    show("finished", before)


def main() -> None:
    args = sys.argv[1:]
    mode = args[0] if args else "serve"
    jobs = int(args[1]) if len(args) > 1 else JOBS
    runners: dict[str, Callable[[int], None]] = {
        "serve": serve,
        "steady": steady,
        "twice": twice,
        "trace": trace,
        "split": split,
    }
    runners[mode](jobs)


if __name__ == "__main__":
    main()
