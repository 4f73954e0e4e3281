"""Recording: a ``requests`` adapter that appends every exchange to a cassette, secrets
scrubbed and compressed request bodies stored decompressed."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import urlsplit

from ips_fake.recording.cassette import Cassette
from ips_fake.recording.exchanges import (
    RESPONSE_HEADERS,
    Interaction,
    RecordedRequest,
    RecordedResponse,
    decode_content,
    kept_headers,
)
from ips_fake.scrubbing import Identity, Scrubber

if TYPE_CHECKING:
    import requests
    import requests.adapters

RECORDED_HEADERS = (
    "content-type",
    "soapaction",
    "content-encoding",
    "accept-encoding",
    "authorization",
    "authuser",
    "authpassword",
)
"""Request headers a cassette keeps (lower case): the ones that change what IPS answers."""


def _body_bytes(body: object) -> bytes:
    if body is None:
        return b""
    if isinstance(body, bytes):
        return body
    if isinstance(body, str):
        return body.encode("utf-8")
    raise TypeError(
        f"a recorded request body must be bytes or str, not {type(body).__name__} "
        "(streamed bodies cannot be recorded)"
    )


def _request_path(url: str) -> str:
    parts = urlsplit(url)
    return (parts.path or "/") + (f"?{parts.query}" if parts.query else "")


class RecordingAdapter:
    """A ``requests`` transport adapter that passes each request to ``inner`` and appends
    the exchange to ``cassette``. :func:`record_session` mounts it for you.

    ``now`` (optional) gives the fake's clock, stored with each interaction so a replay can
    put the clock back where it was; leave it out against a real endpoint.

    The stored request goes through ``cassette.scrubber`` (secrets become placeholders) and
    a compressed request body is stored decompressed; the request sent is never changed.
    """

    def __init__(
        self,
        inner: Any,
        cassette: Cassette,
        now: Callable[[], datetime] | None = None,
    ) -> None:
        self.inner = inner
        self.cassette = cassette
        self.now = now

    def send(self, request: requests.PreparedRequest, *args: Any, **kwargs: Any) -> Any:
        """Send through the wrapped adapter and record the request and its response."""
        at = self.now() if self.now is not None else None
        response = self.inner.send(request, *args, **kwargs)
        content = response.content  # reads the body, undoing gzip
        headers = [(name, value) for name, value in response.headers.items()]
        headers = [(name, value) for name, value in headers if name.lower() != "content-encoding"]
        self.cassette.interactions.append(
            Interaction(
                request=stored_request(
                    self.cassette.scrubber,
                    (request.method or "GET").upper(),
                    _request_path(request.url or "/"),
                    request.headers.items(),
                    _body_bytes(request.body),
                ),
                response=RecordedResponse(
                    status=response.status_code,
                    headers=kept_headers(headers, RESPONSE_HEADERS),
                    body=self.cassette.scrubber.answer(content),
                ),
                at=at,
            )
        )
        return response

    def close(self) -> None:
        """Close the wrapped adapter."""
        self.inner.close()


def stored_request(
    scrubber: Scrubber,
    method: str,
    path: str,
    headers: Iterable[tuple[str, str]],
    body: bytes,
) -> RecordedRequest:
    """The request as a cassette stores it: the :data:`RECORDED_HEADERS` only, secrets
    replaced by ``scrubber``, a gzip or deflate body decompressed (its ``Content-Encoding``
    dropped). A body that cannot be decompressed is stored as sent, its encoding kept, after
    a pattern scrub of what can be read."""
    kept = kept_headers(headers, RECORDED_HEADERS)
    encoding = dict(kept).get("content-encoding", "")
    plain = decode_content(body, encoding)
    if plain is not None and encoding:
        kept = tuple((name, value) for name, value in kept if name != "content-encoding")
        body = plain
    return RecordedRequest(
        method=method, path=path, headers=scrubber.headers(kept), body=scrubber.body(body)
    )


def record_session(
    session: requests.Session,
    cassette: Cassette | None = None,
    *,
    now: Callable[[], datetime] | None = None,
    identity: Identity | None = None,
) -> Cassette:
    """Record every exchange ``session`` makes from now on into ``cassette`` (a new one by
    default), by wrapping each adapter mounted on it; return the cassette.

    Example::

        session = requests.Session()
        cassette = record_session(session)         # against a real endpoint: no clock
        zeep.Client(wsdl_url, transport=zeep.Transport(session=session))

    ``identity``: ``"map"`` stores user names as ``user-N@example.invalid`` and company ids
    as stand-ins (default: the cassette's scrubber's setting, ``"keep"``; the metadata says
    which). The cassette's metadata gets this ips-fake's
    version when it has none.
    """
    from ips_fake import __version__

    target = cassette if cassette is not None else Cassette()
    if identity is not None:
        target.scrubber.identity = identity
    target.metadata = replace(
        target.metadata,
        ips_fake_version=target.metadata.ips_fake_version or __version__,
        identity=target.scrubber.identity,
    )
    for prefix, adapter in list(session.adapters.items()):
        if not isinstance(adapter, RecordingAdapter):
            wrapper = RecordingAdapter(adapter, target, now)
            session.mount(prefix, cast("requests.adapters.BaseAdapter", wrapper))
    return target
