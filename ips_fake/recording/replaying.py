"""Replaying a cassette: send each recorded request in order, moving the clock to each recorded
time, and report the SOAP answers that differ."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from ips_fake.recording.cassette import Cassette
from ips_fake.recording.comparing import compare_responses
from ips_fake.recording.exchanges import RecordedRequest, RecordedResponse
from ips_fake.recording.inspection import request_label
from ips_fake.recording.placeholders import live_request, replay_secrets
from ips_fake.recording.senders import (
    ClockMover,
    Sender,
    http_clock_mover,
    http_sender,
    in_process_sender,
)

if TYPE_CHECKING:
    import requests

    from ips_fake.fake import IpsFake


@dataclass(frozen=True)
class StepResult:
    """One replayed interaction: its index, what it was, and the diff if the answer changed."""

    index: int
    label: str
    diff: str | None

    @property
    def ok(self) -> bool:
        """Whether the replayed response matched the recorded one."""
        return self.diff is None


@dataclass(frozen=True)
class ReplayReport:
    """What a replay found: one :class:`StepResult` per SOAP interaction."""

    steps: tuple[StepResult, ...]

    @property
    def ok(self) -> bool:
        """Whether every replayed SOAP response matched."""
        return all(step.ok for step in self.steps)

    @property
    def mismatches(self) -> list[StepResult]:
        """The steps whose responses differ."""
        return [step for step in self.steps if not step.ok]

    def summary(self) -> str:
        """A readable report: a count line, then each mismatch with its diff."""
        lines = [f"{len(self.steps)} SOAP exchanges replayed, {len(self.mismatches)} differ"]
        for step in self.mismatches:
            lines.append(f"--- #{step.index} {step.label}")
            lines.append(step.diff or "")
        return "\n".join(lines)


def replay(
    cassette: Cassette,
    send: Sender,
    *,
    move_clock: ClockMover | None = None,
    ignore: Iterable[str] = (),
) -> ReplayReport:
    """Send every recorded request through ``send`` in order, moving the clock first with
    ``move_clock`` to each recorded time that is later than the last one, and compare the
    SOAP responses. Placeholders of scrubbed secrets are sent as :func:`replay_secrets`
    says. The building block of :func:`replay_in_process` and :func:`replay_over_http`."""
    names = tuple(ignore)
    values = replay_secrets(cassette)
    return replay_steps(
        cassette,
        send,
        move_clock,
        prepare=lambda request: live_request(request, values),
        compare=lambda recorded, answer: compare_responses(recorded, answer, names),
    )


def replay_steps(
    cassette: Cassette,
    send: Sender,
    move_clock: ClockMover | None,
    *,
    prepare: Callable[[RecordedRequest], RecordedRequest],
    compare: Callable[[RecordedResponse, RecordedResponse], str | None],
    label: Callable[[RecordedRequest], str] = request_label,
) -> ReplayReport:
    """The loop :func:`replay` and :func:`ips_fake.verify.verify` share: for each recorded
    step in order, move the clock with ``move_clock`` to its time when that is later than the
    last one, send ``prepare(request)`` through ``send``, and for SOAP (and plain XML) steps
    record ``compare(recorded answer, answer)`` (None when they agree) under ``label``."""
    results: list[StepResult] = []
    clock_at: datetime | None = None
    for index, step in enumerate(cassette.interactions):
        moves_forward = step.at is not None and (clock_at is None or step.at > clock_at)
        if move_clock is not None and step.at is not None and moves_forward:
            move_clock(step.at)
            clock_at = step.at
        answer = send(prepare(step.request))
        if step.request.is_soap:
            results.append(StepResult(index, label(step.request), compare(step.response, answer)))
    return ReplayReport(tuple(results))


def replay_in_process(
    cassette: Cassette,
    fake: IpsFake | None = None,
    *,
    ignore: Iterable[str] = (),
) -> ReplayReport:
    """Replay against ``fake`` (a fresh :class:`~ips_fake.fake.IpsFake` by default) with no
    socket, moving its clock to each recorded time.

    Example::

        report = replay_in_process(Cassette.load("fixtures/cassettes/seed-submit-job.json"))
        assert report.ok, report.summary()
    """
    from ips_fake.fake import IpsFake

    target = fake if fake is not None else IpsFake()
    send, move = in_process_sender(target)
    return replay(cassette, send, move_clock=move, ignore=ignore)


def replay_over_http(
    cassette: Cassette,
    base_url: str,
    *,
    session: requests.Session | None = None,
    move_clock: bool = True,
    ignore: Iterable[str] = (),
    timeout: float = 30.0,
    admin_token: str | None = None,
) -> ReplayReport:
    """Replay against the server at ``base_url`` (``http://host:port``): an
    ``ips-fake serve`` (its clock moved through ``POST /_fake/clock``) or, with
    ``move_clock=False``, any IPS endpoint. ``admin_token``: the server's ``--admin-token``.

    Example::

        report = replay_over_http(cassette, "http://127.0.0.1:8080", ignore=["startDate"])
        print(report.summary())
    """
    send = http_sender(base_url, session=session, timeout=timeout)
    move = http_clock_mover(base_url, session=session, timeout=timeout, admin_token=admin_token)
    return replay(cassette, send, move_clock=move if move_clock else None, ignore=ignore)
