"""Serving a fake over HTTP on a background thread (werkzeug's threaded server).

Example::

    with FakeServer(IpsFake()) as server:
        print(server.wsdl_url)
"""

from __future__ import annotations

import socket
import threading
from types import TracebackType
from typing import TYPE_CHECKING, Self

from werkzeug.serving import (
    LISTEN_QUEUE,
    BaseWSGIServer,
    WSGIRequestHandler,
    get_sockaddr,
    make_server,
    select_address_family,
)

from ips_fake.fake import IpsFake
from ips_fake.soap.envelope import MAX_REQUEST_BYTES
from ips_fake.soap.schema import API_VERSIONS
from ips_fake.wsgi import SERVICE_PATH, WSDL_FOLDER

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIApplication

#: Seconds a connection may go without sending a byte while the server waits for a request
#: line, its headers or its body (and without taking a byte of the answer). A body that stops
#: arriving gets HTTP 400 with ipsApiFault 30003; an idle connection is closed.
REQUEST_READ_TIMEOUT_SECONDS = 5.0


class _Handler(WSGIRequestHandler):
    """werkzeug's handler with one ``100 Continue`` at most, and none for a body that will be
    refused unread."""

    def handle_expect_100(self) -> bool:
        """Send nothing here: werkzeug's ``run_wsgi`` sends the one ``100 Continue``."""
        return True

    def run_wsgi(self) -> None:
        """Serve the request; a ``Content-Length`` over the limit gets its 413 without a
        ``100 Continue`` inviting the body first."""
        length = self.headers.get("Content-Length", "").strip().lstrip("0")
        if length.isascii() and length.isdigit():
            too_long = len(length) > len(str(MAX_REQUEST_BYTES)) or int(length) > MAX_REQUEST_BYTES
            if too_long:
                del self.headers["Expect"]
        super().run_wsgi()


class _QuietHandler(_Handler):
    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        """Keep test output clean: no access log."""


def listening_socket(host: str, port: int) -> socket.socket:
    """A TCP socket bound to ``host:port`` and listening; raises OSError naming the address
    when it cannot (werkzeug's own binding would print and exit the process instead)."""
    family = select_address_family(host, port)
    listener = socket.socket(family, socket.SOCK_STREAM)
    try:
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(get_sockaddr(host, port, family))
        listener.listen(LISTEN_QUEUE)
    except OSError as error:
        listener.close()
        raise OSError(
            error.errno, f"cannot listen on {host} port {port}: {error.strerror or error}"
        ) from None
    return listener


class AppServer:
    """An HTTP server for any WSGI app (the recording proxy, the replay stub), on a daemon
    thread or the caller's. ``read_timeout``: seconds a connection may stay silent while the
    server reads from it (default :data:`REQUEST_READ_TIMEOUT_SECONDS`; None waits forever).

    Example::

        with AppServer(app) as server:
            print(server.base_url)
    """

    def __init__(
        self,
        app: WSGIApplication,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        quiet: bool = True,
        read_timeout: float | None = REQUEST_READ_TIMEOUT_SECONDS,
    ) -> None:
        base = _QuietHandler if quiet else _Handler
        handler: type[WSGIRequestHandler] = type(base.__name__, (base,), {"timeout": read_timeout})
        listener = listening_socket(host, port)
        try:
            self._server: BaseWSGIServer = make_server(
                host,
                listener.getsockname()[1],
                app,
                threaded=True,
                request_handler=handler,
                fd=listener.fileno(),
            )
        finally:
            listener.close()
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        """``http://host:port``."""
        address = self._server.server_address[0]
        host = address.decode() if isinstance(address, bytes) else str(address)
        if ":" in host:
            host = f"[{host}]"
        return f"http://{host}:{self._server.port}"

    def start(self) -> Self:
        """Serve on a daemon thread."""
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="ips-fake-app", daemon=True
        )
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        """Serve on this thread until :meth:`stop` or KeyboardInterrupt."""
        self._server.serve_forever()

    def close(self) -> None:
        """Close the listening socket (after :meth:`serve_forever` returned)."""
        self._server.server_close()

    def stop(self) -> None:
        """Stop serving and close the socket."""
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.stop()


class FakeServer(AppServer):
    """An HTTP server for one :class:`IpsFake`, bound to loopback by default.

    ``read_timeout``: seconds a connection may stay silent while the server reads from it
    (default :data:`REQUEST_READ_TIMEOUT_SECONDS`; None waits forever).
    """

    def __init__(
        self,
        fake: IpsFake,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        quiet: bool = True,
        read_timeout: float | None = REQUEST_READ_TIMEOUT_SECONDS,
    ) -> None:
        super().__init__(fake.app, host, port, quiet=quiet, read_timeout=read_timeout)
        self.fake = fake

    @property
    def service_url(self) -> str:
        """The SOAP endpoint URL."""
        return self.base_url + SERVICE_PATH

    def wsdl_url(self, wsdl_file: str = "IpsApi-2014-04-03.wsdl") -> str:
        """The URL of a WSDL file (default: the 2014-04-03 one current clients load)."""
        if wsdl_file not in {v.wsdl_file for v in API_VERSIONS}:
            raise ValueError(f"no WSDL named {wsdl_file!r}")
        return self.base_url + WSDL_FOLDER + wsdl_file
