"""In-process transports: HTTP requests handed straight to a WSGI app, with no socket.

:class:`WsgiAdapter` is a ``requests`` transport adapter that answers from a WSGI app;
:func:`in_process_session` mounts it on a base URL and refuses every other URL, so nothing
can reach the network by mistake; :class:`InProcessTransport` is a zeep transport over such
a session, so both the WSDL and every SOAP call go through the app. Needs ``requests`` and,
for the zeep transport, ``zeep``: the ``client`` extra (docs/install.md).

Example::

    import zeep
    from ips_fake import IpsFake
    from ips_fake.transport import INPROCESS_BASE_URL, InProcessTransport

    fake = IpsFake()
    client = zeep.Client(
        INPROCESS_BASE_URL + "/scene7/webservice/IpsApi-2014-04-03.wsdl",
        transport=InProcessTransport(fake.app),
    )
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import requests
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict
from requests.utils import get_encoding_from_headers
from urllib3 import HTTPResponse
from werkzeug.test import EnvironBuilder, run_wsgi_app
from zeep.transports import Transport

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIApplication

#: The origin in-process URLs use. ``.invalid`` never resolves (RFC 6761), so a request that
#: escaped the in-process session by mistake could not reach any host.
INPROCESS_BASE_URL = "http://ips-fake.invalid"

# Framing headers describe the bytes on a socket; the WSGI environ gets its own.
_FRAMING_HEADERS = frozenset({"content-length", "transfer-encoding", "connection"})


def _body_bytes(body: object) -> bytes:
    """The bytes of a prepared request's body, whatever form ``requests`` left it in."""
    if body is None:
        return b""
    if isinstance(body, bytes):
        return body
    if isinstance(body, str):
        return body.encode("utf-8")
    read = getattr(body, "read", None)
    if callable(read):
        data = read()
        return data.encode("utf-8") if isinstance(data, str) else bytes(data)
    if isinstance(body, Iterable):
        return b"".join(
            chunk.encode("utf-8") if isinstance(chunk, str) else bytes(chunk) for chunk in body
        )
    raise TypeError(f"cannot send a request body of type {type(body).__name__}")


class WsgiAdapter(BaseAdapter):
    """A ``requests`` adapter that calls a WSGI app instead of opening a connection.

    Example::

        session = requests.Session()
        session.mount("http://ips-fake.invalid/", WsgiAdapter(fake.app))
        session.get("http://ips-fake.invalid/_fake/clock").json()
    """

    def __init__(self, app: WSGIApplication) -> None:
        super().__init__()
        self.app = app

    def send(
        self,
        request: requests.PreparedRequest,
        stream: bool = False,
        timeout: float | tuple[float, float] | tuple[float, None] | None = None,
        verify: bool | str = True,
        cert: bytes | str | tuple[bytes | str, bytes | str] | None = None,
        proxies: Mapping[str, str] | None = None,
    ) -> requests.Response:
        """Run the request through the app and wrap its answer as a ``requests`` response."""
        url = urlsplit(request.url or "")
        headers = [
            (name, value)
            for name, value in request.headers.items()
            if name.lower() not in _FRAMING_HEADERS
        ]
        builder = EnvironBuilder(
            path=url.path or "/",
            base_url=f"{url.scheme}://{url.netloc}",
            query_string=url.query,
            method=request.method or "GET",
            headers=headers,
            data=_body_bytes(request.body),
        )
        try:
            environ = builder.get_environ()
        finally:
            builder.close()
        chunks, status, response_headers = run_wsgi_app(self.app, environ, buffered=True)
        content = b"".join(chunks)
        code, _, reason = status.partition(" ")
        raw = HTTPResponse(
            body=io.BytesIO(content),
            headers=dict(response_headers.items()),
            status=int(code),
            reason=reason,
            preload_content=False,
            decode_content=True,
            request_method=request.method,
            request_url=request.url,
        )
        response = requests.Response()
        response.status_code = int(code)
        response.reason = reason
        response.headers = CaseInsensitiveDict(dict(response_headers.items()))
        response.encoding = get_encoding_from_headers(response.headers)
        response.raw = raw
        response.url = request.url or ""
        response.request = request
        response.connection = self  # type: ignore[assignment]  # any adapter can answer
        return response

    def close(self) -> None:
        """Nothing to close: there is no connection."""


class _NoNetworkAdapter(BaseAdapter):
    """Refuses every request: mounted under an in-process session's served base URL."""

    def __init__(self, served: str) -> None:
        super().__init__()
        self.served = served

    def send(self, request: requests.PreparedRequest, *args: Any, **kwargs: Any) -> Any:
        """Raise ``requests.ConnectionError`` saying which URL the session does serve."""
        raise requests.ConnectionError(
            f"this in-process session only serves {self.served}/...; {request.url} would need "
            "the network. Use the URLs the ips_fake fixture gives for this transport.",
            request=request,
        )

    def close(self) -> None:
        """Nothing to close."""


def in_process_session(
    app: WSGIApplication, base_url: str = INPROCESS_BASE_URL
) -> requests.Session:
    """A ``requests.Session`` that answers ``base_url`` from ``app`` and refuses every other
    URL (no socket is ever opened).

    Example::

        session = in_process_session(fake.app)
        session.post(INPROCESS_BASE_URL + "/_fake/clock", json={"advance": 60})
    """
    base = base_url.rstrip("/")
    session = requests.Session()
    refuse = _NoNetworkAdapter(base)
    session.mount("http://", refuse)
    session.mount("https://", refuse)
    session.mount(base + "/", WsgiAdapter(app))
    return session


class InProcessTransport(Transport):  # type: ignore[misc]  # zeep ships no type hints
    """A zeep transport that loads the WSDL and sends every call through a WSGI app.

    Example::

        transport = InProcessTransport(fake.app)
        client = zeep.Client(
            INPROCESS_BASE_URL + "/scene7/webservice/IpsApi-2014-04-03.wsdl",
            transport=transport,
        )
    """

    def __init__(
        self, app: WSGIApplication, base_url: str = INPROCESS_BASE_URL, **options: Any
    ) -> None:
        self.base_url = base_url.rstrip("/")
        super().__init__(session=in_process_session(app, self.base_url), **options)
