"""Serving a fake over HTTP on a background thread (werkzeug's server, answering connections on
a bounded pool of reused threads).

Example::

    with FakeServer(IpsFake()) as server:
        print(server.wsdl_url)
"""

from __future__ import annotations

import contextlib
import ctypes
import select
import socket
import sys
import threading
import time
from collections.abc import Callable
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self

from werkzeug.serving import (
    LISTEN_QUEUE,
    BaseWSGIServer,
    WSGIRequestHandler,
    get_sockaddr,
    select_address_family,
)

from ips_fake.fake import IpsFake
from ips_fake.soap.envelope import MAX_REQUEST_BYTES
from ips_fake.soap.schema import API_VERSIONS
from ips_fake.wsgi import SERVICE_PATH, WSDL_FOLDER

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIApplication, WSGIEnvironment

#: Seconds a connection may go without sending a byte while the server waits for a request
#: line, its headers or its body (and without taking a byte of the answer). A body that stops
#: arriving gets HTTP 400 with ipsApiFault 30003; an idle connection is closed.
REQUEST_READ_TIMEOUT_SECONDS = 5.0


#: Most bytes of body a connection is read for, its body and what is drained after the
#: answer together: werkzeug reads what a client still sends after the answer (so that it
#: sees the answer rather than a reset), up to 10 GB; past this the connection is closed.
MAX_BODY_PHASE_BYTES = 2 * MAX_REQUEST_BYTES


class _BoundedReader:
    """A connection's reader that gives at most ``budget`` bytes, then reads as the end."""

    def __init__(self, raw: Any, budget: int) -> None:
        self._raw = raw
        self._left = budget

    def _take(self, reader: Callable[[int], bytes], size: int | None) -> bytes:
        """What ``reader`` gives for ``size`` bytes (all that is left when negative or
        None), within the budget."""
        if self._left <= 0:
            return b""
        data = reader(self._left if size is None or size < 0 else min(size, self._left))
        self._left -= len(data)
        return data

    def read(self, size: int | None = -1) -> bytes:
        """At most ``size`` bytes (all that is left of the budget when negative)."""
        return self._take(self._raw.read, size)

    def read1(self, size: int = -1) -> bytes:
        """What one read of the socket gives, within the budget."""
        return self._take(self._raw.read1, size)

    def readline(self, size: int | None = -1) -> bytes:
        """One line, within the budget."""
        return self._take(self._raw.readline, size)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._raw, name)


#: Bytes of an answer a connection's writer gathers before sending (:class:`_AnswerWriter`).
ANSWER_BUFFER_BYTES = 64 * 1024


class _AnswerWriter:
    """A connection's writer that keeps what is written until :meth:`flush`, then sends it in
    one call when it is :data:`ANSWER_BUFFER_BYTES` at most: werkzeug writes an answer's
    head, then its body, and flushes, so a small answer is one send rather than two (each a
    socket call for the server and the client). What a send was given is dropped when it
    fails: a client that stopped reading costs one timeout, not one more at each flush."""

    def __init__(self, connection: socket.socket) -> None:
        self._connection = connection
        self._pending: list[bytes] = []
        self._size = 0
        self.closed = False

    def write(self, data: bytes) -> int:
        """Keep ``data`` to send (and send what is kept once it is over the bound)."""
        self._pending.append(data)
        self._size += len(data)
        if self._size > ANSWER_BUFFER_BYTES:
            self.flush()
        return len(data)

    def flush(self) -> None:
        """Send what is kept: in one call when it is within the bound, otherwise in slices
        of :data:`ANSWER_BUFFER_BYTES` (no copy), each a call of its own: a socket timeout
        bounds one whole ``sendall``, so the read timeout stays a bound on each slice the
        client takes, not on the whole answer."""
        if not self._pending:
            return
        pending, size = self._pending, self._size
        self._pending, self._size = [], 0
        send = self._connection.sendall
        if size <= ANSWER_BUFFER_BYTES:
            send(pending[0] if len(pending) == 1 else b"".join(pending))
            return
        for piece in pending:
            view = memoryview(piece)
            for start in range(0, len(view), ANSWER_BUFFER_BYTES):
                send(view[start : start + ANSWER_BUFFER_BYTES])

    def close(self) -> None:
        """Drop what is kept (the handler flushes before it closes)."""
        self._pending, self._size = [], 0
        self.closed = True

    def writable(self) -> bool:
        """It is."""
        return True

    def fileno(self) -> int:
        """The connection's file descriptor."""
        return self._connection.fileno()


class _Handler(WSGIRequestHandler):
    """werkzeug's handler with one ``100 Continue`` at most, and none for a body that will be
    refused unread; an answer's head and body are sent together (:class:`_AnswerWriter`)."""

    def setup(self) -> None:
        """The connection's files, with :class:`_AnswerWriter` to write."""
        super().setup()
        self.wfile = _AnswerWriter(self.connection)  # type: ignore[assignment]

    def make_environ(self) -> WSGIEnvironment:
        """werkzeug's environ, once the ``100 Continue`` it may have just written is sent
        (werkzeug writes it without a flush: the client waits for it before its body)."""
        self.wfile.flush()
        return super().make_environ()

    def handle_expect_100(self) -> bool:
        """Send nothing here: werkzeug's ``run_wsgi`` sends the one ``100 Continue``."""
        return True

    def run_wsgi(self) -> None:
        """Serve the request; a ``Content-Length`` over the limit gets its 413 without a
        ``100 Continue`` inviting the body first, and an HTTP/1.0 request gets none (RFC 9110
        section 10.1.1: a server ignores the expectation of an HTTP/1.0 request)."""
        length = self.headers.get("Content-Length", "").strip().lstrip("0")
        if length.isascii() and length.isdigit():
            too_long = len(length) > len(str(MAX_REQUEST_BYTES)) or int(length) > MAX_REQUEST_BYTES
            if too_long:
                del self.headers["Expect"]
        if self.request_version == "HTTP/1.0":
            del self.headers["Expect"]
        raw = self.rfile
        self.rfile = _BoundedReader(raw, MAX_BODY_PHASE_BYTES)  # type: ignore[assignment]
        try:
            super().run_wsgi()
        finally:
            self.rfile = raw


class _QuietHandler(_Handler):
    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        """Keep test output clean: no access log."""

    def log_error(self, format: str, *args: Any) -> None:
        """Nor lines for connections that timed out or dropped."""


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


#: glibc malloc arenas a long-running server keeps (:func:`tune_malloc`).
MALLOC_ARENAS = 2
#: Bytes from which glibc's malloc serves a block with its own ``mmap`` (given back to the
#: system when freed), fixed by :func:`tune_malloc` at glibc's default starting value.
MALLOC_MMAP_THRESHOLD_BYTES = 128 * 1024
#: ``mallopt``'s parameter numbers (glibc's ``M_ARENA_MAX`` and ``M_MMAP_THRESHOLD``).
_M_ARENA_MAX = -8
_M_MMAP_THRESHOLD = -3


def _glibc_function(name: str, argtypes: list[Any]) -> Any:
    """The C library's function ``name`` taking ``argtypes`` and answering an int, or None
    elsewhere than Linux or where the C library has none."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        function = getattr(ctypes.CDLL(None), name)
    except (OSError, AttributeError):
        return None
    function.argtypes = argtypes
    function.restype = ctypes.c_int
    return function


def tune_malloc(
    arenas: int = MALLOC_ARENAS, mmap_threshold: int = MALLOC_MMAP_THRESHOLD_BYTES
) -> bool:
    """Set glibc's malloc for a long-running server (as the ``MALLOC_ARENA_MAX`` and
    ``MALLOC_MMAP_THRESHOLD_`` environment variables do); True when the C library took both.
    docs/limits.md, "Memory".

    - ``arenas`` caps the malloc arenas (``M_ARENA_MAX``). Without the cap glibc gives each
      thread that allocates while another holds an arena one of its own, up to eight per
      core, and memory freed in one arena serves only that arena: a server whose worker
      threads take turns keeps the high-water mark of each. The threads of a Python process
      take turns at the GIL, so they rarely contend for an arena.
    - ``mmap_threshold`` fixes the size from which a block gets its own mapping
      (``M_MMAP_THRESHOLD``). Left to itself glibc raises that threshold to the size of each
      mapped block freed (up to 32 MiB), so once a burst of runs has grown and freed a large
      table (a company's runs in progress), later large tables come from the heap, where
      what they leave when freed stays with the process. Fixed, large tables are mapped and
      given back when freed: 20,000 uploads run at one instant leave about 1,015 bytes per
      job instead of 1,190 (``python -m benchmarks.bench_memory``).

    Call it before the threads start (``ips-fake serve`` does); elsewhere than glibc it does
    nothing and answers False."""
    mallopt = _glibc_function("mallopt", [ctypes.c_int, ctypes.c_int])
    if mallopt is None:
        return False
    took_arenas = bool(mallopt(_M_ARENA_MAX, arenas))
    return bool(mallopt(_M_MMAP_THRESHOLD, mmap_threshold)) and took_arenas


def release_free_heap() -> bool:
    """Give the pages glibc's malloc holds free back to the system (``malloc_trim(0)``);
    True when it gave some. ``ips-fake serve`` calls it after each clock move and reset
    through the admin API, which can free the room of thousands of runs at once
    (docs/limits.md, "Memory"); elsewhere than glibc it does nothing and answers False."""
    malloc_trim = _glibc_function("malloc_trim", [ctypes.c_size_t])
    return malloc_trim is not None and bool(malloc_trim(0))


#: Connections a served fake answers at once, each on its own thread (threads are started as
#: needed and then reused); further connections wait their turn in the listening socket's
#: backlog, oldest first.
WORKER_THREADS = 32


class _Workers:
    """Up to ``limit`` daemon threads that take connections from ``listener`` themselves and
    call ``answer(connection, address)`` for each, as few threads at once as keeps
    connections moving.

    One idle thread at a time (the one holding the turn) waits at the listener, accepts the
    next connection, passes the turn on and answers it: a connection goes from the accept to
    its answer on one thread, with no hand-over to another thread (a thread's wake-up and a
    pass of the GIL at each connection, as when one thread accepted for the pool). A connection
    that comes while every thread is busy waits in the listener's backlog for a busy thread
    to take it next, unless the pool has not moved on for more than :attr:`STALL_SECONDS`
    (no thread finished a connection or took one: slow or silent clients): only then does
    :meth:`grow_if_stalled` (called by the serving thread, :meth:`next_look` seconds apart)
    start threads, doubling at each look while the stall lasts. Requests to a fake are
    short, so one thread usually answers them all in turn, on warm caches and without
    handing the GIL between threads at each socket call, lxml parse or zlib call (several
    times the cost of the request's own work with four threads taking turns). A connection
    queued behind N silent ones gets a thread after about log2(N) looks while the limit
    allows. A thread idle for :attr:`IDLE_SECONDS` ends, down to one.
    """

    #: Seconds the pool may go without moving on (no connection finished or taken) before a
    #: waiting connection gets a thread of its own.
    STALL_SECONDS = 0.5
    #: Seconds a thread beyond the first may wait for a connection before it ends.
    IDLE_SECONDS = 2.0
    #: Seconds between two looks for stalled threads, at most.
    LOOK_SECONDS = 0.25
    #: Seconds a thread waits before accepting again after an accept failed (as when the
    #: process is out of file descriptors).
    ACCEPT_RETRY_SECONDS = 0.05
    #: Seconds :meth:`finish` lets the connections being answered finish before ending them.
    GRACE_SECONDS = 1.0

    def __init__(
        self,
        listener: socket.socket,
        limit: int,
        answer: Callable[[socket.socket, Any], None],
        name: str,
    ) -> None:
        listener.setblocking(False)  # the threads wait for it with poll (or select)
        self._listener = listener
        self._limit = limit
        self._answer = answer
        self._name = name
        # written to once, when closing, and never read: every wait for the listener ends
        self._wake_reader, self._wake_writer = socket.socketpair()
        #: held by the one thread that waits at the listener (and accepts); only its holder
        #: touches the listener, the wake-up socket and :attr:`_wait`
        self._turn = threading.Lock()
        self._wait = _waiter(listener, self._wake_reader)
        self._lock = threading.Lock()
        self._threads = 0
        self._started = 0
        self._idle = 0
        self._closed = False
        #: the connection each busy thread is answering
        self._busy_connections: dict[int, socket.socket] = {}
        #: when the pool last moved on (a thread finished a connection, or took one other
        #: than the first of a thread started for a stall), time.monotonic
        self._moved_at = time.monotonic()
        #: threads started for the stall going on (none moved since they started)
        self._stall_threads = 0

    def start(self) -> None:
        """Start the first thread (when none runs and the pool is open)."""
        with self._lock:
            if not self._closed and not self._threads:
                self._start_thread()

    def _start_thread(self, *, for_stall: bool = False) -> None:
        self._threads += 1
        self._idle += 1  # idle from its start: it takes the connection waiting for it
        self._started += 1
        threading.Thread(
            target=self._work, args=(self._started, for_stall),
            name=f"{self._name}-{self._started}", daemon=True,
        ).start()  # fmt: skip

    def next_look(self) -> float:
        """Seconds until :meth:`grow_if_stalled` is worth calling again: when no thread is
        idle and the pool is about to count as stalled, until it does; :attr:`LOOK_SECONDS`
        at most."""
        with self._lock:
            if self._idle or not self._busy_connections:
                return self.LOOK_SECONDS
            until_stalled = self.STALL_SECONDS - (time.monotonic() - self._moved_at)
        if until_stalled < 0:
            return self.LOOK_SECONDS
        return min(self.LOOK_SECONDS, until_stalled + 0.01)

    def grow_if_stalled(self) -> None:
        """Start threads when no thread is idle, the pool has not moved on for over
        :attr:`STALL_SECONDS` (no thread finished a connection or took one in that time,
        besides the first connection of a thread started for the stall), a connection
        waits in the listener's backlog and the limit allows: one at the first look, then
        as many as were started for the stall so far at each look while it lasts (1, 1, 2,
        4...), so a connection queued behind N silent ones gets a thread after about
        log2(N) looks rather than N times :attr:`STALL_SECONDS`."""
        if not self._stalled():
            return
        if not self._turn.acquire(blocking=False):  # a thread is at the listener
            return
        try:
            waiting = not self._closed and bool(self._wait(0.0))
        finally:
            self._turn.release()
        with self._lock:
            if waiting and self._stalled():
                count = min(self._limit - self._threads, max(1, self._stall_threads))
                for _ in range(count):
                    self._start_thread(for_stall=True)
                self._stall_threads += count

    def _stalled(self) -> bool:
        if self._closed or self._idle or self._threads >= self._limit:
            return False
        return time.monotonic() - self._moved_at > self.STALL_SECONDS

    def _moved(self) -> None:
        """Under the lock: the pool moved on; a stall, if any, is over."""
        self._moved_at = time.monotonic()
        self._stall_threads = 0

    def _work(self, number: int, for_stall: bool) -> None:
        """Thread ``number``'s loop; it counts as idle whenever it is not answering.
        ``for_stall``: started for a stall, its first connection does not count as the pool
        moving on (it may well be the next silent one)."""
        first = True
        while True:
            taken = self._take()
            if taken is None:
                return
            connection, address = taken
            with self._lock:
                if self._closed:  # accepted as the pool closed: it waited, unanswered
                    self._idle -= 1
                    self._threads -= 1
                    _close_unanswered(connection)
                    return
                self._idle -= 1
                self._busy_connections[number] = connection
                if not (first and for_stall):
                    self._moved()
                first = False
            try:
                self._answer(connection, address)
            finally:
                with self._lock:
                    del self._busy_connections[number]
                    self._idle += 1
                    self._moved()

    def _take(self) -> tuple[socket.socket, Any] | None:
        """The next connection, once this thread has the turn at the listener; None when
        the thread is to end (the pool closes, or it is a spare thread left idle)."""
        while True:
            if not self._turn.acquire(timeout=self.IDLE_SECONDS):
                if self._leave(spare_only=True):
                    return None
                continue
            try:
                while not self._closed:
                    try:  # under load a connection is there already: no wait before it
                        return self._listener.accept()
                    except BlockingIOError:
                        pass
                    except (ConnectionAbortedError, InterruptedError):
                        continue  # reset before the accept
                    except OSError:  # out of file descriptors, say: do not spin on it
                        time.sleep(self.ACCEPT_RETRY_SECONDS)
                        continue
                    if not self._wait(self.IDLE_SECONDS) and self._leave(spare_only=True):
                        return None
                self._leave(spare_only=False)
                return None
            finally:
                self._turn.release()

    def _leave(self, *, spare_only: bool) -> bool:
        """Count this idle thread out (when the pool closes, or when ``spare_only`` and it
        is not the last); whether it is to end."""
        with self._lock:
            if spare_only and not self._closed and self._threads <= 1:
                return False  # the last thread stays
            self._idle -= 1
            self._threads -= 1
            return True

    def close(self) -> None:
        """Stop taking connections: once this returns no thread waits at the listener (nor
        will), and the caller may close it; what waits in its backlog stays unanswered."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
        with contextlib.suppress(OSError):
            self._wake_writer.send(b"x")
        # the thread at the listener sees the byte and passes the turn on; whoever takes it
        # next sees the pool closed before touching the listener or the wake-up socket
        if self._turn.acquire(timeout=self.GRACE_SECONDS):
            self._wake_reader.close()
            self._wake_writer.close()
            self._turn.release()

    def finish(self) -> None:
        """Give the connections being answered :attr:`GRACE_SECONDS` to finish, then end
        those left (shut down: their threads' reads and writes fail); the threads end."""
        deadline = time.monotonic() + self.GRACE_SECONDS
        while time.monotonic() < deadline:
            with self._lock:
                if not self._busy_connections:
                    break
            time.sleep(0.01)
        with self._lock:
            for busy in self._busy_connections.values():
                with contextlib.suppress(OSError):
                    busy.shutdown(socket.SHUT_RDWR)


def _waiter(listener: socket.socket, wake: socket.socket) -> Callable[[float], object]:
    """A wait of up to its argument's seconds for ``listener`` or ``wake`` to be readable,
    true when one is (``poll`` where the platform has it, ``select`` elsewhere); for one
    thread at a time."""
    if hasattr(select, "poll"):
        poll = select.poll()
        poll.register(listener, select.POLLIN)
        poll.register(wake, select.POLLIN)
        return lambda timeout: poll.poll(timeout * 1000.0)

    def wait(timeout: float) -> object:
        return select.select([listener, wake], [], [], timeout)[0]

    return wait


def _close_unanswered(connection: socket.socket) -> None:
    with contextlib.suppress(OSError):
        connection.close()


class _PooledWSGIServer(BaseWSGIServer):
    """werkzeug's server answering each connection on a thread of a bounded pool
    (:data:`WORKER_THREADS`) rather than on a new thread: a thread's start and its cold
    caches cost more than a small SOAP call, and the pool bounds the threads (and the request
    bodies held) at any time. The pool's threads accept the connections themselves; the
    serving thread (:meth:`serve_forever`) only starts a thread when the busy ones stall."""

    multithread = True

    def __init__(
        self,
        host: str,
        port: int,
        app: WSGIApplication,
        handler: type[WSGIRequestHandler],
        fd: int,
        workers: int = WORKER_THREADS,
    ) -> None:
        # werkzeug's constructor calls server_close on the socket it opens itself, before
        # this server's pool exists: that call has no pool to close
        self._workers: _Workers | None = None
        super().__init__(host, port, app, handler, fd=fd)
        #: the handler reads with no timeout: connections are put in blocking mode
        self._blocking_reads = handler.timeout is None
        self._workers = _Workers(self.socket, workers, self._answer, f"ips-fake-worker-{self.port}")
        self._stop_serving = threading.Event()
        self._serving_ended = threading.Event()
        self._serving_ended.set()  # not serving yet: shutdown need not wait

    def _answer(self, request: Any, client_address: Any) -> None:
        try:
            if self._blocking_reads:  # accepted from a non-blocking socket, whose mode
                request.setblocking(True)  # some platforms pass on
            self.finish_request(request, client_address)
        except Exception:
            self.handle_error(request, client_address)
        finally:
            self.shutdown_request(request)

    def serve_forever(self, poll_interval: float = 0.5) -> None:
        """Start the pool's first thread, then start others while connections wait behind
        stalled ones (:meth:`_Workers.grow_if_stalled`), until :meth:`shutdown` or
        KeyboardInterrupt; then close the server. ``poll_interval`` is not used: the pool's
        threads wait for connections themselves."""
        assert self._workers is not None
        self._serving_ended.clear()
        try:
            self._workers.start()
            while not self._stop_serving.wait(self._workers.next_look()):
                self._workers.grow_if_stalled()
        except KeyboardInterrupt:
            pass
        finally:
            self._stop_serving.clear()
            try:
                self.server_close()
            finally:
                self._serving_ended.set()

    def shutdown(self) -> None:
        """Make :meth:`serve_forever` return, and wait until it has (the caller must not be
        the thread serving)."""
        self._stop_serving.set()
        self._serving_ended.wait()

    def server_close(self) -> None:
        """Stop the pool taking connections, close the listening socket (the connections
        waiting in its backlog with it), then give the connections being answered their
        grace (:meth:`_Workers.finish`)."""
        if self._workers is not None:
            self._workers.close()
        super().server_close()
        if self._workers is not None:
            self._workers.finish()


class AppServer:
    """An HTTP server for any WSGI app (the recording proxy, the replay stub), on a daemon
    thread or the caller's. ``read_timeout``: seconds a connection may stay silent while the
    server reads from it (default :data:`REQUEST_READ_TIMEOUT_SECONDS`; None waits forever).
    ``worker_threads``: connections answered at once (default :data:`WORKER_THREADS`), each
    on a reused thread; others wait their turn (docs/limits.md, "Connections"). Raises
    ValueError when it is below 1, OSError naming the address when it cannot listen.

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
        worker_threads: int = WORKER_THREADS,
    ) -> None:
        if worker_threads < 1:
            raise ValueError(f"worker_threads must be at least 1, not {worker_threads}")
        base = _QuietHandler if quiet else _Handler
        handler: type[WSGIRequestHandler] = type(base.__name__, (base,), {"timeout": read_timeout})
        listener = listening_socket(host, port)
        try:
            self._server = _PooledWSGIServer(
                host, listener.getsockname()[1], app, handler, listener.fileno(), worker_threads
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
    (default :data:`REQUEST_READ_TIMEOUT_SECONDS`; None waits forever); ``worker_threads``:
    connections answered at once (default :data:`WORKER_THREADS`; see :class:`AppServer`).
    """

    def __init__(
        self,
        fake: IpsFake,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        quiet: bool = True,
        read_timeout: float | None = REQUEST_READ_TIMEOUT_SECONDS,
        worker_threads: int = WORKER_THREADS,
    ) -> None:
        super().__init__(
            fake.app,
            host,
            port,
            quiet=quiet,
            read_timeout=read_timeout,
            worker_threads=worker_threads,
        )
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
