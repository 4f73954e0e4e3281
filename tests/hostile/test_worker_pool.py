"""A served fake answers connections on a bounded pool of reused threads (docs/limits.md,
"Connections"): threads are not started per connection, never more than ``worker_threads``
run, a connection waits its turn rather than being refused, and closing the server closes
the connections still waiting."""

from __future__ import annotations

import contextlib
import select
import socket
import struct
import threading
from collections.abc import Iterable, Iterator
from contextlib import ExitStack
from typing import TYPE_CHECKING

import pytest

from ips_fake.fake import IpsFake
from ips_fake.server import (
    ANSWER_BUFFER_BYTES,
    MAX_BODY_PHASE_BYTES,
    WORKER_THREADS,
    AppServer,
    FakeServer,
    _AnswerWriter,
    _Workers,
)
from tests.hostile.wire_attack_helpers import (
    ANSWER_BOUND_SECONDS,
    connection,
    envelope,
    read_to_end,
    request_head,
    soap_post,
    submit_job,
)

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIEnvironment


def workers_of(server: FakeServer) -> list[threading.Thread]:
    """The live threads of ``server``'s pool (named after its port)."""
    prefix = f"ips-fake-worker-{server._server.port}-"
    return [thread for thread in threading.enumerate() if thread.name.startswith(prefix)]


@pytest.fixture
def small_pool() -> Iterator[FakeServer]:
    """A served fake with two worker threads and a one-second read timeout."""
    with FakeServer(IpsFake(), read_timeout=1.0, worker_threads=2) as server:
        yield server


def wait_until_idle(server: FakeServer) -> None:
    """Wait (boundedly) until every thread of ``server``'s pool waits for a connection."""
    workers = server._server._workers
    assert workers is not None
    for _ in range(500):
        with workers._lock:
            if workers._idle == workers._threads:
                return
        threading.Event().wait(0.01)
    raise AssertionError("the pool's threads stayed busy")


def test_sequential_connections_reuse_one_thread() -> None:
    with FakeServer(IpsFake()) as server:
        for number in range(12):
            answer = soap_post(server, envelope(submit_job(f"Reused {number}")))
            assert answer.status == 200
            wait_until_idle(server)
        assert len(workers_of(server)) == 1
        assert server._server._workers is not None
        assert server._server._workers._threads == 1


def test_silent_connections_never_start_more_threads_than_the_pool_holds(
    small_pool: FakeServer,
) -> None:
    with ExitStack() as stack:
        for _ in range(5):
            sock = stack.enter_context(connection(small_pool))
            sock.sendall(b"POST /")  # half a request line, then silence
        # the three connections beyond the pool wait; each is answered once a thread frees
        answer = soap_post(small_pool, envelope(submit_job("After the silent ones")))
        assert answer.status == 200
        assert len(workers_of(small_pool)) == 2


def test_a_stalled_thread_does_not_hold_back_a_queued_connection() -> None:
    # the read timeout is far longer than the pool takes to see the thread is stalled
    with FakeServer(IpsFake(), read_timeout=ANSWER_BOUND_SECONDS, worker_threads=4) as server:
        with connection(server) as silent:
            silent.sendall(b"POST /")
            answer = soap_post(server, envelope(submit_job("Beside the silent one")))
            assert answer.status == 200
            # the silent connection was still open while the other was answered
            silent.setblocking(False)
            with pytest.raises(BlockingIOError):
                silent.recv(1)
        assert len(workers_of(server)) == 2


def test_connections_that_come_while_one_is_answered_quickly_wait_for_that_thread(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # no answer takes this long here: no thread ever counts as stalled
    monkeypatch.setattr(_Workers, "STALL_SECONDS", ANSWER_BOUND_SECONDS)
    with FakeServer(IpsFake()) as server:
        workers = server._server._workers
        assert workers is not None
        # many clients at once: each answer takes far less than the stall time
        results: list[int] = []

        def client(number: int) -> None:
            for round_number in range(5):
                name = f"Client {number} round {round_number}"
                results.append(soap_post(server, envelope(submit_job(name))).status)

        threads = [threading.Thread(target=client, args=(n,)) for n in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(ANSWER_BOUND_SECONDS)
        assert results == [200] * 20
        # four clients at once, twenty connections: one thread answered them in turn
        assert workers._started == 1


def test_threads_beyond_the_first_end_once_idle(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_Workers, "IDLE_SECONDS", 0.2)
    with FakeServer(IpsFake(), read_timeout=ANSWER_BOUND_SECONDS, worker_threads=4) as server:
        with connection(server) as silent:
            silent.sendall(b"POST /")
            assert soap_post(server, envelope(submit_job("Grows the pool"))).status == 200
            assert len(workers_of(server)) == 2
        # the silent connection is closed: its thread is freed, then one thread ends
        for _ in range(300):
            if len(workers_of(server)) == 1:
                break
            threading.Event().wait(0.01)
        assert len(workers_of(server)) == 1
        assert soap_post(server, envelope(submit_job("After the shrink"))).status == 200


def test_closing_the_server_closes_the_connections_waiting_for_a_thread() -> None:
    server = FakeServer(IpsFake(), read_timeout=ANSWER_BOUND_SECONDS, worker_threads=1).start()
    port = server._server.port
    with ExitStack() as stack:
        busy = stack.enter_context(socket.create_connection(("127.0.0.1", port), timeout=5))
        busy.sendall(b"POST /")  # holds the one thread until the (long) read timeout
        wait_until_busy(server)
        waiting = stack.enter_context(socket.create_connection(("127.0.0.1", port), timeout=5))
        waiting.sendall(b"POST /")
        # it waits in the listening socket's backlog, for the one thread: then stop
        readable, _, _ = select.select([server._server.socket], [], [], 5)
        assert readable == [server._server.socket]
        server.stop()
        with contextlib.suppress(ConnectionResetError):  # closed unanswered, either way
            assert read_to_end(waiting) == b""


def test_the_pool_size_must_be_at_least_one() -> None:
    with pytest.raises(ValueError, match="worker_threads must be at least 1, not 0"):
        FakeServer(IpsFake(), worker_threads=0)
    assert WORKER_THREADS >= 8


def test_what_a_client_sends_after_its_answer_is_read_only_so_far() -> None:
    with FakeServer(IpsFake()) as server:
        sock = socket.create_connection(("127.0.0.1", server._server.port), timeout=10)
        with sock:
            sock.sendall(
                b"POST /_fake/dashboard/token HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                b"Content-Type: application/x-www-form-urlencoded\r\n"
                b"Content-Length: 10\r\n\r\ntoken=nope"
            )
            chunk = b"x" * (1 << 20)
            sent = 0
            with contextlib.suppress(OSError):  # the server closes: a reset or a broken pipe
                while sent < 4 * MAX_BODY_PHASE_BYTES:
                    sock.sendall(chunk)
                    sent += len(chunk)
        # werkzeug alone would read on (up to 10 GB); the bound stops it, with room for the
        # socket buffers between the two ends
        assert sent < MAX_BODY_PHASE_BYTES + 16 * (1 << 20)


def test_stopping_the_server_ends_the_connections_being_answered() -> None:
    server = FakeServer(IpsFake(), read_timeout=None).start()
    with socket.create_connection(("127.0.0.1", server._server.port), timeout=10) as busy:
        busy.sendall(b"POST /")  # a thread takes it and waits for the rest, forever
        wait_until_busy(server)
        server.stop()
        with contextlib.suppress(ConnectionResetError):  # ended unanswered, either way
            assert read_to_end(busy) == b""
    for _ in range(300):
        if not workers_of(server):
            break
        threading.Event().wait(0.01)
    assert workers_of(server) == []


def wait_until_busy(server: FakeServer) -> None:
    """Wait (boundedly) until a thread of ``server``'s pool is answering a connection."""
    workers = server._server._workers
    assert workers is not None
    for _ in range(500):
        with workers._lock:
            if workers._busy_connections:
                return
        threading.Event().wait(0.01)
    raise AssertionError("no thread took the connection")


def test_a_quiet_server_logs_no_timed_out_connection(caplog: pytest.LogCaptureFixture) -> None:
    with FakeServer(IpsFake(), read_timeout=0.2) as server, connection(server) as silent:
        silent.sendall(b"POST /")
        assert read_to_end(silent) == b""  # closed after the read timeout
    assert not [record for record in caplog.records if "timed out" in record.getMessage()]


def test_stopping_the_server_lets_a_connection_being_answered_finish() -> None:
    server = FakeServer(IpsFake(), read_timeout=ANSWER_BOUND_SECONDS).start()
    body = envelope(submit_job("Finished while stopping"))
    head = request_head(server, length=len(body))
    with socket.create_connection(("127.0.0.1", server._server.port), timeout=10) as sock:
        sock.sendall(head + body[:100])
        wait_until_busy(server)
        stopping = threading.Thread(target=server.stop)
        stopping.start()
        workers = server._server._workers
        assert workers is not None
        for _ in range(500):  # until the pool is closing: no connection is taken any more
            if workers._closed:
                break
            threading.Event().wait(0.01)
        assert workers._closed
        sock.sendall(body[100:])  # within the grace the server gives it
        answer = read_to_end(sock)
        stopping.join(ANSWER_BOUND_SECONDS)
    assert answer.startswith(b"HTTP/1.1 200 ")
    assert b"<jobHandle>j|47|Finished while stopping||</jobHandle>" in answer


def test_stopping_the_server_ends_idle_threads_too() -> None:
    # a spare thread (started beside a stalled one) and the first, both idle at the stop
    with FakeServer(IpsFake(), read_timeout=ANSWER_BOUND_SECONDS, worker_threads=4) as server:
        with connection(server) as silent:
            silent.sendall(b"POST /")
            assert soap_post(server, envelope(submit_job("Beside the silent one"))).status == 200
        wait_until_idle(server)
        assert len(workers_of(server)) == 2
    for _ in range(300):
        if not workers_of(server):
            break
        threading.Event().wait(0.01)
    assert workers_of(server) == []


def test_a_server_without_read_timeout_waits_for_a_body_that_comes_late() -> None:
    with FakeServer(IpsFake(), read_timeout=None) as server:
        body = envelope(submit_job("Sent in two parts"))
        head = request_head(server, length=len(body))
        with socket.create_connection(("127.0.0.1", server._server.port), timeout=10) as sock:
            sock.sendall(head + body[:100])
            wait_until_busy(server)
            threading.Event().wait(0.2)  # the thread reads and finds nothing yet
            sock.sendall(body[100:])
            answer = read_to_end(sock)
    assert answer.startswith(b"HTTP/1.1 200 ")
    assert b"<jobHandle>j|47|Sent in two parts||</jobHandle>" in answer


def test_a_client_gone_before_its_answer_is_sent_leaves_no_error_output(
    capfd: pytest.CaptureFixture[str],
) -> None:
    # an answer far larger than the socket buffers hold: the server is still sending it when
    # the client resets the connection
    answer_body = b"x" * (4 << 20)

    def app(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        start_response("200 OK", [("Content-Length", str(len(answer_body)))])
        return [answer_body]

    with AppServer(app) as server:
        port = int(server.base_url.rsplit(":", 1)[1])
        for _ in range(3):
            sock = socket.create_connection(("127.0.0.1", port), timeout=10)
            sock.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            assert sock.recv(16).startswith(b"HTTP/1.1 200")  # the answer is on its way
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            sock.close()  # a reset, with most of the answer unsent
        # the server still answers
        with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
            sock.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            assert read_to_end(sock).endswith(answer_body)
    captured = capfd.readouterr()
    assert "Traceback" not in captured.err
    assert "Error" not in captured.err


def test_stopping_a_server_that_never_served_returns() -> None:
    server = FakeServer(IpsFake())
    stopping = threading.Thread(target=server.stop, daemon=True)
    stopping.start()
    stopping.join(ANSWER_BOUND_SECONDS)
    assert not stopping.is_alive()
    assert server._server.socket.fileno() == -1  # the listening socket is closed


class _RecordingConnection:
    """Stands for a socket: records each ``sendall``; fails them while ``failing``."""

    def __init__(self) -> None:
        self.sent: list[bytes] = []
        self.failing = False

    def sendall(self, data: bytes) -> None:
        if self.failing:
            raise BrokenPipeError(32, "Broken pipe")
        self.sent.append(bytes(data))

    def fileno(self) -> int:
        return -1


def test_a_small_answer_is_sent_in_one_call_and_a_large_one_slice_by_slice() -> None:
    connection = _RecordingConnection()
    writer = _AnswerWriter(connection)  # type: ignore[arg-type]
    writer.write(b"HTTP/1.1 200 OK\r\n\r\n")
    writer.write(b"<small/>")
    assert connection.sent == []  # kept until the flush
    writer.flush()
    assert connection.sent == [b"HTTP/1.1 200 OK\r\n\r\n<small/>"]
    large = b"x" * (2 * ANSWER_BUFFER_BYTES + 1)
    writer.write(b"HTTP/1.1 200 OK\r\n\r\n")
    writer.write(large)  # over the bound: sent at once, the head first, then slice by slice
    assert connection.sent[1:] == [
        b"HTTP/1.1 200 OK\r\n\r\n",
        large[:ANSWER_BUFFER_BYTES],
        large[ANSWER_BUFFER_BYTES : 2 * ANSWER_BUFFER_BYTES],
        b"x",
    ]
    writer.flush()
    assert len(connection.sent) == 5


def test_what_a_failed_send_was_given_is_not_sent_again() -> None:
    connection = _RecordingConnection()
    writer = _AnswerWriter(connection)  # type: ignore[arg-type]
    writer.write(b"HTTP/1.1 200 OK\r\n\r\n<answer/>")
    connection.failing = True
    with pytest.raises(BrokenPipeError):
        writer.flush()
    writer.flush()  # the handler's finish flushes again: nothing is left to send
    writer.close()
    assert writer.closed
    connection.failing = False
    writer.flush()
    assert connection.sent == []


def test_a_stall_starts_threads_doubling_while_it_lasts() -> None:
    # the pool's own workers, without the serving thread's looks: each look is made here
    listener = socket.create_server(("127.0.0.1", 0))
    release = threading.Event()

    def answer_when_released(connection: socket.socket, address: object) -> None:
        release.wait(10)  # a silent client, as far as the pool can tell
        connection.close()

    workers = _Workers(listener, WORKER_THREADS, answer_when_released, "stall-test")
    with ExitStack() as stack:
        stack.callback(listener.close)
        stack.callback(workers.finish)
        stack.callback(workers.close)
        stack.callback(release.set)
        for _ in range(12):
            stack.enter_context(socket.create_connection(listener.getsockname()))

        def settle(busy: int) -> None:
            """Wait until ``busy`` threads are answering and none is idle."""
            for _ in range(500):
                with workers._lock:
                    if len(workers._busy_connections) == busy and not workers._idle:
                        return
                threading.Event().wait(0.01)
            raise AssertionError(f"the pool did not settle with {busy} busy threads")

        workers.start()
        settle(1)
        totals = []
        for _ in range(4):
            workers._moved_at -= 1.0  # as if a second passed without the pool moving on
            workers.grow_if_stalled()
            totals.append(workers._threads)
            settle(totals[-1])
        # 1 started at the first look, then as many as the stall has started so far
        assert totals == [2, 3, 5, 9]
        with workers._lock:
            workers._moved()  # a thread moved on: the stall is over
        workers.grow_if_stalled()
        assert workers._threads == 9  # not stalled: nothing starts
        workers._moved_at -= 1.0
        workers.grow_if_stalled()
        assert workers._threads == 10  # a new stall starts from one again


def test_a_client_taking_a_large_answer_steadily_gets_all_of_it() -> None:
    # the read timeout bounds each slice the client takes, not the whole answer: a 16 MiB
    # answer read a little at a time for longer than the timeout arrives whole
    answer_body = b"x" * (16 << 20)

    def app(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        start_response("200 OK", [("Content-Length", str(len(answer_body)))])
        return [answer_body]

    with AppServer(app, read_timeout=1.0) as server:
        sock = socket.socket()
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 64 * 1024)
        sock.settimeout(30)
        with sock:
            sock.connect(("127.0.0.1", int(server.base_url.rsplit(":", 1)[1])))
            sock.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            received = []
            while chunk := sock.recv(32 * 1024):  # some bytes every few milliseconds
                received.append(chunk)
                threading.Event().wait(0.005)
    head, _, body = b"".join(received).partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200")
    assert len(body) == len(answer_body)


def test_an_http_1_0_request_expecting_100_continue_gets_no_interim_answer() -> None:
    body = envelope(submit_job("One point oh"))
    with FakeServer(IpsFake(), read_timeout=1.0) as server:
        head = request_head(server, length=len(body), extra="Expect: 100-continue\r\n")
        head = head.replace(b" HTTP/1.1\r\n", b" HTTP/1.0\r\n", 1)
        with connection(server) as sock:
            sock.sendall(head + body)
            data = read_to_end(sock)
    assert not data.startswith(b"HTTP/1.1 100"), data[:80]
    assert b" 200 OK" in data.split(b"\r\n", 1)[0]
