"""submitJob and getActiveJobs over HTTP: ``ips-fake serve`` against bare werkzeug servers.

Run with ``python -m benchmarks.bench_http [--compare-with CHECKOUT] [SECONDS] [ROUNDS]``
(defaults 3 s, 5 rounds). ``--compare-with`` also serves the fake from another checkout (the
directory holding its ``ips_fake``, e.g. ``git archive`` of an older commit), alternated with
the others in the same run: before and after figures from one run. It starts, each in its
own process:

- ``ips-fake serve --port 0`` (the command line users run) twice: with ``--clock real`` for
  the steady state, with ``--clock manual`` (runs never end) for the rest, and
- two bare servers whose WSGI app reads the request body and answers a fixed SOAP body (the
  bytes the fake answered to the same request, captured before measuring), with the same
  handler class, socket read timeout and no access log:

  - ``bare werkzeug``: werkzeug's threaded server (a new thread per connection), the
    baseline of the target: submitJob on the fake at least 0.85 of its requests per second;
  - ``bare, fake's server``: the fake's own server (:class:`ips_fake.server.AppServer`, a
    pool of reused threads), so that the ratio against it is the fake's own work alone.

Then, for each workload, it alternates rounds of ``SECONDS`` between the servers and prints
each round's requests per second, the medians and the ratio fake / bare against each bare
server, and each server's CPU time per request (from ``/proc``). The workloads:

- ``submitJob, scheduled only``: the API reference's submitJob example (an image serving
  publish job) with an ``execTime`` far ahead: the job is only scheduled;
- ``submitJob, steady state``: the same with no ``execTime``: each job runs at once and its
  run finishes two seconds later (the fake's wall clock), so runs end and job logs are kept
  (to the log retention) while measuring; a warm-up round reaches that state first;
- ``getActiveJobs``: company 48 with ten uploadUrlsJob runs of three URLs each running.

Every job name is new (a counter in the load generator), as a name in use is refused.

What bounds the ratio: werkzeug answers each request with ``Connection: close``, so every
request is a new connection. On werkzeug's threaded server that is also a new thread, and a
request's C work (lxml's parse, zlib) on a new thread costs several times what it costs on a
warm one (``python -m benchmarks.profile_request`` runs in one thread): about 600 µs of CPU
per submitJob against 170 µs. The fake's server answers on a pool of reused threads instead,
which on its own cuts a bare app's cost per request to a third or less (the two bare
servers: 130 to 200 µs against 300 to 660), and uses one thread while requests are quick:
four threads taking turns hand the GIL over at each socket call, parse and compression, and
cost half as much again. What is left is the fake's own work, about 110 to 170 µs in one
thread in-process and two to three times that served (the ratio against the fake's own
server). Measured on a quiet 2-core machine, in one run against the previous server model:
submitJob scheduled 0.82 of bare werkzeug (0.45 before), steady state 0.78 (0.44),
getActiveJobs 0.40 (0.29). With the pool's threads accepting connections themselves, an
answer sent in one call and less work per request in the app (quiet machine, one run
against that previous commit): submitJob scheduled 1.03 of bare werkzeug (0.84 before;
server CPU per request 557 µs against 697), steady state 0.94 (0.76; 636 µs against 803),
getActiveJobs 0.60 (0.41; 1,015 µs against 1,506). Bare werkzeug's own figures vary most
from run to run (300 to 660 µs per request). Figures vary by a factor of
two between runs on a shared machine: compare the ratios of one run, never figures of two
runs.

The load generator is ``wrk`` (``apt-get install wrk``; ``wrk -t1 -c4``, a Lua script making
each request), a C program cheap enough per request to leave the server the bottleneck; when
it is not installed, a Python generator (threads over ``http.client`` keep-alive
connections) is used instead and says so: it costs about as much per request as a bare
server, so its ratios are closer to 1 than the server's. Figures are printed, never asserted.
"""

from __future__ import annotations

import http.client
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING

from benchmarks.profile_request import (
    ACTIVE_JOBS,
    ACTIVE_JOBS_BODY,
    FAR_AHEAD,
    SERVICE_PATH,
    submit_job_body,
    upload_urls_body,
)

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIEnvironment

CONNECTIONS = 4
#: Placeholder in a request body the load generator replaces with a fresh number.
COUNTER = b"@@COUNTER@@"
ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Workload:
    """A request to repeat: its body (with :data:`COUNTER` where a fresh number goes)."""

    label: str
    body: bytes
    clock: str  # the fake server's --clock: "real" or "manual"


def workloads(round_tag: str) -> list[Workload]:
    """The three workloads; ``round_tag`` keeps job names apart between runs of the script."""
    scheduled = submit_job_body(0, FAR_AHEAD).replace(
        b"bench 0", b"s" + round_tag.encode() + COUNTER
    )
    steady = submit_job_body(0, None).replace(b"bench 0", b"r" + round_tag.encode() + COUNTER)
    return [
        Workload("submitJob, scheduled only", scheduled, "manual"),
        Workload("submitJob, steady state", steady, "real"),
        Workload("getActiveJobs (10 running jobs)", ACTIVE_JOBS_BODY, "manual"),
    ]


# -- the bare server ---------------------------------------------------------------------------


def serve_bare(answers_file: str, model: str = "threaded") -> None:
    """Serve the bare app on a free loopback port, answering ``POST /<n>`` with answer ``n``
    of ``answers_file`` (answers separated by NUL bytes); print the base URL, then serve.
    ``model``: ``threaded`` (werkzeug's threaded server: a new thread per connection) or
    ``pooled`` (the fake's own server, :class:`ips_fake.server.AppServer`: a pool of reused
    threads)."""
    from werkzeug.serving import WSGIRequestHandler, make_server

    from ips_fake.server import REQUEST_READ_TIMEOUT_SECONDS

    answers = Path(answers_file).read_bytes().split(b"\0")
    paths = {f"/{index}": answer for index, answer in enumerate(answers)}

    def bare_app(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        environ["wsgi.input"].read(length)
        body = paths[environ["PATH_INFO"]]
        start_response(
            "200 OK",
            [("Content-Type", "text/xml; charset=UTF-8"), ("Content-Length", str(len(body)))],
        )
        return [body]

    class BareHandler(WSGIRequestHandler):
        timeout = REQUEST_READ_TIMEOUT_SECONDS

        def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
            """No access log, as ``ips-fake serve`` without ``--access-log``."""

    handler = BareHandler
    if model == "pooled":
        from ips_fake.server import AppServer

        pooled = AppServer(bare_app)
        print(pooled.base_url, flush=True)
        pooled.serve_forever()
        return
    server = make_server("127.0.0.1", 0, bare_app, threaded=True, request_handler=handler)
    print(f"http://127.0.0.1:{server.port}", flush=True)
    server.serve_forever()


# -- starting servers --------------------------------------------------------------------------


def start(
    command: list[str], pattern: str, checkout: Path = ROOT
) -> tuple[subprocess.Popen[str], str]:
    """Start ``command`` with ``checkout`` first on the import path; its process and the
    first URL its output prints matching ``pattern``."""
    process = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        text=True,
        cwd=checkout,  # python -m puts the working directory first on the import path
        env={
            **os.environ,
            "PYTHONPATH": os.pathsep.join(dict.fromkeys([str(checkout), str(ROOT)])),
        },
    )
    assert process.stdout is not None
    stream: IO[str] = process.stdout
    for line in stream:
        found = re.search(pattern, line)
        if found:
            threading.Thread(target=stream.read, daemon=True).start()  # drain the rest
            return process, found.group(1)
    raise SystemExit(f"{command[0]} exited before printing its address")


def post(base_url: str, path: str, body: bytes) -> bytes:
    """One POST over a fresh connection; the answer body (HTTP 200 checked)."""
    host = base_url.removeprefix("http://")
    connection = http.client.HTTPConnection(host, timeout=30)
    connection.request("POST", path, body, {"Content-Type": "text/xml; charset=UTF-8"})
    response = connection.getresponse()
    data = response.read()
    connection.close()
    if response.status != 200:
        raise SystemExit(f"POST {path} failed with {response.status}: {data[:400]!r}")
    return data


# -- load generators ---------------------------------------------------------------------------

_WRK_SCRIPT = """
local body = [==[{body}]==]
local start, stop = string.find(body, "{counter}", 1, true)
local counter = 0
wrk.method = "POST"
wrk.headers["Content-Type"] = "text/xml; charset=UTF-8"
wrk.headers["SOAPAction"] = '""'
request = function()
  counter = counter + 1
  local text = body
  if start then
    text = string.sub(body, 1, start - 1) .. "{tag}" .. counter .. string.sub(body, stop + 1)
  end
  return wrk.format(nil, wrk.path, nil, text)
end
"""


def run_wrk(url: str, body: bytes, seconds: float, tag: str) -> tuple[float, int]:
    """Requests per second ``wrk -t1 -c4`` reaches POSTing ``body`` to ``url``, and the
    requests it made."""
    script = _WRK_SCRIPT.format(body=body.decode(), counter=COUNTER.decode(), tag=tag)
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
        handle.write(script)
    try:
        output = subprocess.run(
            [
                "wrk",
                "-t1",
                f"-c{CONNECTIONS}",
                f"-d{max(1, round(seconds))}s",
                "-s",
                handle.name,
                url,
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    finally:
        os.unlink(handle.name)
    if "Non-2xx" in output or "Socket errors" in output:
        raise SystemExit(f"wrk saw failed requests:\n{output}")
    found = re.search(r"Requests/sec:\s*([0-9.]+)", output)
    made = re.search(r"([0-9]+) requests in", output)
    if not found or not made:
        raise SystemExit(f"no Requests/sec in wrk's output:\n{output}")
    return float(found.group(1)), int(made.group(1))


def run_python(url: str, body: bytes, seconds: float, tag: str) -> tuple[float, int]:
    """Requests per second :data:`CONNECTIONS` threads reach, each on one keep-alive
    ``http.client`` connection, POSTing ``body`` to ``url``, and the requests made."""
    host, _, path = url.removeprefix("http://").partition("/")
    deadline = time.perf_counter() + seconds
    counts = [0] * CONNECTIONS

    def worker(index: int) -> None:
        connection = http.client.HTTPConnection(host, timeout=30)
        number = 0
        while time.perf_counter() < deadline:
            number += 1
            data = body.replace(COUNTER, f"{tag}{index}x{number}".encode())
            connection.request(
                "POST", "/" + path, data, {"Content-Type": "text/xml; charset=UTF-8"}
            )
            response = connection.getresponse()
            response.read()
            if response.status != 200:
                raise SystemExit(f"request failed with {response.status}")
            counts[index] += 1
        connection.close()

    started = time.perf_counter()
    threads = [threading.Thread(target=worker, args=(index,)) for index in range(CONNECTIONS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(counts) / (time.perf_counter() - started), sum(counts)


def cpu_seconds(pid: int) -> float | None:
    """CPU seconds (user and system) process ``pid`` has used, read from ``/proc`` (None
    where there is no ``/proc``)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def measured(
    generate: Callable[[str, bytes, float, str], tuple[float, int]],
    pid: int,
    url: str,
    body: bytes,
    seconds: float,
    tag: str,
) -> tuple[float, float | None]:
    """One round: requests per second, and the server's CPU microseconds per request."""
    before = cpu_seconds(pid)
    rate, made = generate(url, body, seconds, tag)
    after = cpu_seconds(pid)
    if before is None or after is None or not made:
        return rate, None
    return rate, (after - before) / made * 1e6


# -- the run -----------------------------------------------------------------------------------


def start_fakes(checkout: Path) -> dict[str, tuple[subprocess.Popen[str], str]]:
    """``ips-fake serve`` from ``checkout`` (the directory holding its ``ips_fake``), with
    each clock: the process and the service's base URL by clock."""
    started: dict[str, tuple[subprocess.Popen[str], str]] = {}
    for clock in ("manual", "real"):
        started[clock] = start(
            [sys.executable, "-m", "ips_fake", "serve", "--port", "0", "--clock", clock],
            r"IPS service:\s*(http://\S+?)" + re.escape(SERVICE_PATH),
            checkout,
        )
    for number in range(ACTIVE_JOBS):  # company 48's running jobs
        post(started["manual"][1], SERVICE_PATH, upload_urls_body(number))
    return started


def main() -> None:
    """Start the servers, alternate rounds for each workload and print the figures."""
    args = sys.argv[1:]
    if args and args[0] == "--serve-bare":
        serve_bare(args[1], args[2] if len(args) > 2 else "threaded")
        return
    checkouts = {"ips-fake serve": ROOT}
    if args and args[0] == "--compare-with":
        checkouts["other checkout"] = Path(args[1]).resolve()
        args = args[2:]
    seconds = float(args[0]) if args else 3.0
    rounds = int(args[1]) if len(args) > 1 else 5
    generate = run_wrk if shutil.which("wrk") else run_python
    if generate is run_wrk:
        generator = f"wrk -t1 -c{CONNECTIONS}"
    else:
        generator = f"Python http.client, {CONNECTIONS} threads (wrk is not installed)"
    print(
        f"load generator: {generator}; "
        f"{rounds} rounds of {seconds:g} s per server and workload, alternated"
    )
    for name, checkout in checkouts.items():
        print(f"{name}: {checkout}")
    tag = str(int(time.time()))
    processes: list[subprocess.Popen[str]] = []
    try:
        fakes: dict[str, dict[str, tuple[subprocess.Popen[str], str]]] = {}
        for name, checkout in checkouts.items():
            fakes[name] = start_fakes(checkout)
            processes.extend(process for process, _ in fakes[name].values())
        chosen = workloads(tag)
        first = fakes["ips-fake serve"]
        answers = [
            post(first[w.clock][1], SERVICE_PATH, w.body.replace(COUNTER, b"probe")) for w in chosen
        ]
        with tempfile.NamedTemporaryFile("wb", delete=False) as handle:
            handle.write(b"\0".join(answers))
        bares: dict[str, tuple[subprocess.Popen[str], str]] = {}
        for bare_name, model in (("bare werkzeug", "threaded"), ("bare, fake's server", "pooled")):
            bares[bare_name] = start(
                [
                    sys.executable,
                    "-m",
                    "benchmarks.bench_http",
                    "--serve-bare",
                    handle.name,
                    model,
                ],
                r"(http://\S+)",
            )
            processes.append(bares[bare_name][0])
        os.unlink(handle.name)
        for index, workload in enumerate(chosen):
            targets = {
                bare_name: (process.pid, f"{url}/{index}")
                for bare_name, (process, url) in bares.items()
            }
            for name, started in fakes.items():
                process, url = started[workload.clock]
                targets[name] = (process.pid, url + SERVICE_PATH)
                if "steady" in workload.label:  # reach the state where runs end as they start
                    generate(url + SERVICE_PATH, workload.body, seconds, "warm")
            results: dict[str, list[tuple[float, float | None]]] = {name: [] for name in targets}
            for round_number in range(rounds):
                for number, (name, (pid, url)) in enumerate(targets.items()):
                    results[name].append(
                        measured(
                            generate, pid, url, workload.body, seconds, f"r{round_number}s{number}x"
                        )
                    )
            print(f"\n{workload.label}:")
            for name, rounds_of in results.items():
                print(
                    f"  {name + ' req/s:':26}" + " ".join(f"{rate:7.0f}" for rate, _ in rounds_of)
                )
            for bare_name in bares:
                bare = statistics.median(rate for rate, _ in results[bare_name])
                bare_cpu = [cpu for _, cpu in results[bare_name] if cpu is not None]
                print(f"  against {bare_name} ({bare:.0f}/s, {1e6 / bare:.0f} µs):")
                for name in fakes:
                    fake = statistics.median(rate for rate, _ in results[name])
                    line = f"    {name}: median {fake:.0f}/s, ratio fake/bare {fake / bare:.2f}"
                    fake_cpu = [cpu for _, cpu in results[name] if cpu is not None]
                    if bare_cpu and fake_cpu:
                        bare_each = statistics.median(bare_cpu)
                        fake_each = statistics.median(fake_cpu)
                        line += (
                            f"; server CPU per request (medians) bare {bare_each:.0f} µs, fake "
                            f"{fake_each:.0f} µs, ratio bare/fake {bare_each / fake_each:.2f}"
                        )
                    print(line)
    finally:
        for process in processes:
            process.terminate()
            process.wait(timeout=10)


if __name__ == "__main__":
    main()
