"""Where a long clock move spends its time: cProfile over an in-process move.

Run with ``python -m benchmarks.profile_moves [minute|second] [DAYS] [TOP] [RETENTION]``:
submits one publish job on ``0 * * * * ?`` (``minute``, the default) or ``* * * * * ?``
(``second``), moves the clock ``DAYS`` days (default 30) in one :meth:`IpsFake.advance` with
``RETENTION`` job logs kept per company (default 10,000, the server's default; a retention
above the runs made builds every run), and prints the move's wall time, the logs kept, and
the ``TOP`` functions (default 25) by own time and by cumulative time. Figures are printed,
never asserted.
"""

from __future__ import annotations

import cProfile
import pstats
import sys
import time

from ips_fake.core.model import EmailSetting, JobKind, JobPayload, SubmitJobRequest
from ips_fake.fake import IpsFake

SCHEDULES = {"minute": "0 * * * * ?", "second": "* * * * * ?"}


def prepared(schedule: str, retention: int) -> IpsFake:
    """A fake keeping ``retention`` logs, with one publish job on ``schedule``."""
    fake = IpsFake(log_retention=retention)
    user = fake.service.directory.authenticate("ipsuser@example.com", "password")
    fake.service.submit_job(
        user,
        SubmitJobRequest(
            company_handle="c|47",
            job_name="profiled",
            exec_schedule=schedule,
            payload=JobPayload(
                kind=JobKind.IMAGE_SERVING_PUBLISH,
                element="imageServingPublishJob",
                options=(("publishType", "Full"), ("emailSetting", "None")),
                email_setting=EmailSetting.NONE,
                publish_type="Full",
            ),
        ),
    )
    return fake


def main() -> None:
    """Profile one move as the command line says and print the figures."""
    args = sys.argv[1:]
    which = args[0] if args else "minute"
    days = float(args[1]) if len(args) > 1 else 30.0
    top = int(args[2]) if len(args) > 2 else 25
    retention = int(args[3]) if len(args) > 3 else 10_000
    fake = prepared(SCHEDULES[which], retention)
    profile = cProfile.Profile()
    started = time.perf_counter()
    profile.enable()
    fake.advance(days=days)
    profile.disable()
    elapsed = time.perf_counter() - started
    runs = fake.service._finish_serial
    kept = len(fake.service.all_job_logs())
    print(
        f"{which}: {days:g} days in {elapsed:.2f} s under cProfile, {runs} runs finished, "
        f"{kept} logs kept"
    )
    stats = pstats.Stats(profile).strip_dirs()
    stats.sort_stats("tottime").print_stats(top)
    stats.sort_stats("cumulative").print_stats(top)


if __name__ == "__main__":
    main()
