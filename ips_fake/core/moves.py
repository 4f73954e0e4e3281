"""How much one-by-one work a clock move would cost, and the bound past which it is refused.

A long move of the manual clock is cheap when the bulk path of
:meth:`ips_fake.core.simulation.Simulation._bulk_cycles` covers it. Moves it does not cover
(a zone with daylight saving, jobs that send e-mail or upload, runs that outlast the gap
between fires of a schedule that is not ``* * * * * ?``, several frequent schedules at once,
a paused schedule) start every run, and step past every fire of a paused job, one at a time:
about 10,000 runs a second. A move whose estimate exceeds :data:`MAX_ONE_BY_ONE_EVENTS` is
refused before the clock moves (:class:`MoveTooLong`), so no move silently takes minutes.
The rule is in docs/limits.md ("Clock moves") and docs/fidelity.md.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta, tzinfo

from ips_fake.core.cron import has_fixed_offset
from ips_fake.core.jobs import ScheduledJob
from ips_fake.core.model import EmailSetting, JobKind, TriggerState

#: Most runs started (or fires of a paused schedule stepped past) one at a time that one clock
#: move may cost: about five seconds of work.
MAX_ONE_BY_ONE_EVENTS = 50_000
#: Job kinds whose runs create assets: the bulk path never covers them.
ASSET_CREATING_KINDS = (JobKind.UPLOAD_URLS, JobKind.UPLOAD_DIRECTORY, JobKind.RIP_PDFS)
#: The last fire time Quartz schedules reach (end of :data:`cron.MAX_YEAR`), as a wall time.
LAST_WALL_FIRE = datetime(2099, 12, 31, 23, 59, 59)


class MoveTooLong(ValueError):
    """A clock move refused before the clock moved: the fires it would apply one at a time
    exceed :data:`MAX_ONE_BY_ONE_EVENTS`. The message says how to split it. The admin API
    answers it with HTTP 400."""


def one_by_one_events(
    jobs: Iterable[ScheduledJob],
    start: datetime,
    end: datetime,
    zone: tzinfo,
    run_seconds: Callable[[ScheduledJob], float],
) -> tuple[int, list[str]]:
    """An estimate (to within an hour's fires around a daylight-saving change) of the runs a
    move of the clock from ``start`` to ``end`` (both in ``zone``) starts one at a time, and
    the names of the jobs that cost most, worst first. ``run_seconds`` is how long a run of
    a job lasts (its New time included).

    The schedule with the most fires among those the bulk path covers costs nothing (its
    cycles are applied in bulk between the others' entries); every other recurring job
    costs a run per fire, or per run length when runs outlast the gaps; a paused one a step
    per fire. One-off jobs are not counted (a move cannot split them)."""
    if end <= start:
        return 0, []
    first = start.replace(tzinfo=None)
    last = min(end.replace(tzinfo=None), LAST_WALL_FIRE)
    window = (end - start).total_seconds()
    fixed = has_fixed_offset(zone)
    costs: list[tuple[int, str]] = []
    bulkable: list[tuple[int, str]] = []
    for job in jobs:
        if not job.is_listed:
            continue
        schedule = job.schedule
        if schedule is None:
            continue  # one fire each, due whenever it is due: not something to split
        fires = schedule.count_wall_fires(first + timedelta(microseconds=1), last)
        if fires == 0:
            continue
        if job.trigger_state is TriggerState.PAUSED:
            costs.append((fires, job.name))
            continue
        seconds = max(run_seconds(job), 1e-6)
        runs = min(fires, math.ceil(window / seconds) + 1)
        covered = (
            fixed
            and job.email_setting is EmailSetting.NONE
            and job.kind not in ASSET_CREATING_KINDS
            and (seconds <= schedule.shortest_gap_seconds() or schedule.fires_every_second)
        )
        (bulkable if covered else costs).append((runs, job.name))
    bulkable.sort(reverse=True)
    costs.extend(bulkable[1:])
    costs.sort(key=lambda cost: -cost[0])
    return sum(cost for cost, _ in costs), [name for _, name in costs[:3]]


def refusal(start: datetime, end: datetime, events: int, worst: list[str]) -> MoveTooLong:
    """The error refusing a move from ``start`` to ``end`` estimated at ``events``."""
    parts = max(2, math.ceil(events / MAX_ONE_BY_ONE_EVENTS))
    step = (end - start) / parts
    names = ", ".join(repr(name) for name in worst)
    return MoveTooLong(
        f"moving the clock from {start.isoformat()} to {end.isoformat()} would start about "
        f"{events} runs one at a time (most from the jobs {names}: schedules the bulk path "
        f"does not cover), over the bound of {MAX_ONE_BY_ONE_EVENTS} per move; nothing "
        f"changed. Move in {parts} steps of at most {step} each, or pause or delete those "
        "jobs first"
    )
