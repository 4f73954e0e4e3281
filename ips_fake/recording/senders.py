"""Where a replay sends: a :data:`Sender` (in process, or over HTTP) and a :data:`ClockMover`
(a fake driven in process or through its admin API)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from ips_fake.recording.exchanges import (
    RESPONSE_HEADERS,
    CassetteError,
    RecordedRequest,
    RecordedResponse,
    kept_headers,
)

if TYPE_CHECKING:
    import requests

    from ips_fake.control import FakeControl
    from ips_fake.fake import IpsFake

Sender = Callable[[RecordedRequest], RecordedResponse]
ClockMover = Callable[[datetime], None]


def in_process_sender(target: IpsFake) -> tuple[Sender, ClockMover]:
    """A :data:`Sender` that answers from ``target``'s app with no socket, and a
    :data:`ClockMover` that moves its clock forward (never back)."""
    from werkzeug.test import Client

    client = Client(target.app)

    def send(request: RecordedRequest) -> RecordedResponse:
        path, _, query = request.path.partition("?")
        response = client.open(
            path,
            method=request.method,
            query_string=query,
            headers=list(request.headers),
            data=request.body,
        )
        return RecordedResponse(
            status=response.status_code,
            headers=kept_headers(response.headers.items(), RESPONSE_HEADERS),
            body=response.get_data(),
        )

    return send, control_clock_mover(target)


def control_clock_mover(fake: FakeControl) -> ClockMover:
    """A :data:`ClockMover` for any fake you drive (:class:`~ips_fake.control.FakeControl`):
    moves its clock to the instant when that is later than its time, never back."""

    def move(instant: datetime) -> None:
        if instant > fake.now():
            fake.move_to(instant)

    return move


def http_sender(
    base_url: str, *, session: requests.Session | None = None, timeout: float = 30.0
) -> Sender:
    """A :data:`Sender` to the server at ``base_url`` (the answer stored decompressed)."""
    import requests

    http = session if session is not None else requests.Session()
    base = base_url.rstrip("/")

    def send(request: RecordedRequest) -> RecordedResponse:
        response = http.request(
            request.method,
            base + request.path,
            headers=dict(request.headers),
            data=request.body,
            timeout=timeout,
        )
        headers = [
            (name, value)
            for name, value in response.headers.items()
            if name.lower() != "content-encoding"
        ]
        return RecordedResponse(
            status=response.status_code,
            headers=kept_headers(headers, RESPONSE_HEADERS),
            body=response.content,
        )

    return send


def http_clock_mover(
    base_url: str,
    *,
    session: requests.Session | None = None,
    timeout: float = 30.0,
    admin_token: str | None = None,
) -> ClockMover:
    """A :data:`ClockMover` for an ``ips-fake serve`` at ``base_url``: its clock driven through
    the admin API (:class:`~ips_fake.control.HttpFake`, with ``admin_token`` when given) and
    moved when the instant is later. Raises :class:`CassetteError` when the server refuses,
    ``OSError`` when it cannot be reached. ``session`` is accepted for the SOAP sender's sake
    and not used: the admin API is reached directly (a loopback server with no proxy)."""
    from ips_fake.control import AdminApiError, HttpFake

    mover = control_clock_mover(HttpFake(base_url, admin_token, timeout=timeout))

    def move(instant: datetime) -> None:
        try:
            mover(instant)
        except (AdminApiError, ValueError) as error:
            raise CassetteError(
                f"could not move the clock of {base_url.rstrip('/')} to {instant.isoformat()}: "
                f"{error}"
            ) from None

    return move
