"""Where one SOAP request spends its time: cProfile over requests through the WSGI app.

Run with ``python -m benchmarks.profile_request [OPERATION] [N] [TOP]``:

- ``OPERATION``: ``submit`` (the default: submitJob with an ``execTime`` far ahead, so the
  jobs are only scheduled), ``steady`` (submitJob with no ``execTime``: each job runs at
  once, and the clock moves 10 s every 10 requests so runs finish and their logs are kept,
  within the log retention), or ``active`` (getActiveJobs of company 48 while ten
  uploadUrlsJob runs of three URLs each are running);
- ``N``: requests profiled (default 2000), after 200 unprofiled ones warm the caches and
  five rounds of ``N / 5`` unprofiled ones are timed (the best round is printed);
- ``TOP``: functions printed (default 30), by own time and by cumulative time.

Each request goes through :class:`~ips_fake.wsgi.IpsFakeApp` in-process, with a WSGI
environ like werkzeug's server builds (the body in ``wsgi.input``), so parsing, validation,
decoding, the call, answer shaping, encoding and the journal are all in the profile; the
HTTP server and socket are not (``benchmarks/bench_http.py`` measures those). Figures are
printed, never asserted.
"""

from __future__ import annotations

import cProfile
import io
import pstats
import sys
import time
from collections.abc import Callable
from typing import Any

from ips_fake.fake import IpsFake

SOAP11 = "http://schemas.xmlsoap.org/soap/envelope/"
V2014 = "http://www.scene7.com/IpsApi/xsd/2014-04-03"
SERVICE_PATH = "/scene7/services/IpsApiService"


def envelope(user: str, body: str) -> bytes:
    """A SOAP 1.1 request as current clients send it: an authHeader and one ``<op>Param``."""
    return (
        f'<soapenv:Envelope xmlns:soapenv="{SOAP11}" xmlns:ns="{V2014}">'
        "<soapenv:Header><ns:authHeader>"
        f"<ns:user>{user}</ns:user><ns:password>password</ns:password>"
        "<ns:appName>bench</ns:appName><ns:appVersion>1.0</ns:appVersion>"
        "</ns:authHeader></soapenv:Header>"
        f"<soapenv:Body>{body}</soapenv:Body></soapenv:Envelope>"
    ).encode()


def submit_job_body(number: int, exec_time: str | None) -> bytes:
    """The submitJob of the API reference's example (an image serving publish job), named
    ``bench <number>``, at ``exec_time`` (an xsd:dateTime) or, when None, at once."""
    when = f"<ns:execTime>{exec_time}</ns:execTime>" if exec_time else ""
    return envelope(
        "ipsuser@example.com",
        "<ns:submitJobParam><ns:companyHandle>c|47</ns:companyHandle>"
        f"<ns:jobName>bench {number}</ns:jobName>{when}"
        "<ns:imageServingPublishJob><ns:publishType>Full</ns:publishType>"
        "<ns:emailSetting>Error</ns:emailSetting></ns:imageServingPublishJob>"
        "</ns:submitJobParam>",
    )


#: When "scheduled only" jobs run: far enough ahead that none runs while measured.
FAR_AHEAD = "2099-01-01T00:00:00.000Z"
#: The getActiveJobs request of the ``active`` operation (company 48).
ACTIVE_JOBS_BODY = envelope(
    "other@example.com",
    "<ns:getActiveJobsParam><ns:companyHandle>c|48</ns:companyHandle></ns:getActiveJobsParam>",
)
#: Running jobs company 48 holds for the getActiveJobs requests.
ACTIVE_JOBS = 10


def upload_urls_body(number: int) -> bytes:
    """A submitJob of company 48 running at once: an uploadUrlsJob of three URLs (six seconds
    of work at the fake's default two seconds per item), named ``upload <number>``."""
    urls = "".join(
        f"<ns:items><ns:sourceUrl>http://example.com/{k}.jpg</ns:sourceUrl>"
        f"<ns:destPath>bench/{k}.jpg</ns:destPath></ns:items>"
        for k in range(3)
    )
    return envelope(
        "other@example.com",
        "<ns:submitJobParam><ns:companyHandle>c|48</ns:companyHandle>"
        f"<ns:jobName>upload {number}</ns:jobName><ns:uploadUrlsJob>"
        f"<ns:urlArray>{urls}</ns:urlArray><ns:overwrite>true</ns:overwrite>"
        "<ns:readyForPublish>true</ns:readyForPublish><ns:createMask>false</ns:createMask>"
        "<ns:emailSetting>None</ns:emailSetting></ns:uploadUrlsJob></ns:submitJobParam>",
    )


def environ_for(body: bytes) -> dict[str, Any]:
    """A WSGI environ for POSTing ``body`` to the SOAP endpoint, as werkzeug's server builds."""
    return {
        "REQUEST_METHOD": "POST",
        "SCRIPT_NAME": "",
        "PATH_INFO": SERVICE_PATH,
        "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8080",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "CONTENT_TYPE": "text/xml; charset=UTF-8",
        "CONTENT_LENGTH": str(len(body)),
        "HTTP_HOST": "127.0.0.1:8080",
        "HTTP_SOAPACTION": '""',
        "HTTP_CONNECTION": "keep-alive",
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BufferedReader(io.BytesIO(body)),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": True,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
    }


def seed_active_jobs(fake: IpsFake) -> None:
    """Give company 48 :data:`ACTIVE_JOBS` running jobs (the fake's clock stays still)."""
    for number in range(ACTIVE_JOBS):
        request(fake, upload_urls_body(number))


def request(fake: IpsFake, body: bytes) -> bytes:
    """POST ``body`` through the app; the answer's bytes (checked to be HTTP 200)."""
    statuses: list[str] = []

    def start_response(status: str, headers: Any, exc_info: Any = None) -> Callable[..., Any]:
        statuses.append(status)
        return lambda data: None

    answer = b"".join(fake.app(environ_for(body), start_response))
    if not statuses[0].startswith("200"):
        raise SystemExit(f"request failed with {statuses[0]}: {answer[:500]!r}")
    return answer


def workload(fake: IpsFake, operation: str) -> Callable[[int], None]:
    """The function making request ``number`` of ``operation``."""
    if operation == "active":
        seed_active_jobs(fake)

        def active(number: int) -> None:
            request(fake, ACTIVE_JOBS_BODY)

        return active
    if operation == "submit":

        def scheduled(number: int) -> None:
            request(fake, submit_job_body(number, FAR_AHEAD))

        return scheduled

    def steady(number: int) -> None:
        request(fake, submit_job_body(number, None))
        if number % 10 == 9:
            fake.advance(seconds=10)

    return steady


def main() -> None:
    """Profile requests as the command line says and print the figures."""
    args = sys.argv[1:]
    operation = args[0] if args else "submit"
    if operation not in ("submit", "steady", "active"):
        raise SystemExit(
            "usage: python -m benchmarks.profile_request [submit|steady|active] [N] [TOP]"
        )
    count = int(args[1]) if len(args) > 1 else 2000
    top = int(args[2]) if len(args) > 2 else 30
    fake = IpsFake()
    make = workload(fake, operation)
    for number in range(200):
        make(number)
    # unprofiled: the best of five rounds of count / 5 requests (the machine may be shared)
    per_round = max(1, count // 5)
    plain = float("inf")
    for round_number in range(5):
        first = 200 + round_number * per_round
        started = time.perf_counter()
        for number in range(first, first + per_round):
            make(number)
        plain = min(plain, (time.perf_counter() - started) / per_round)
    profile = cProfile.Profile()
    started = time.perf_counter()
    profile.enable()
    for number in range(200 + 5 * per_round, 200 + 5 * per_round + count):
        make(number)
    profile.disable()
    profiled = time.perf_counter() - started
    print(
        f"{operation}: {plain * 1e6:.0f} µs per request without the profiler (best of 5 "
        f"rounds of {per_round}), {profiled / count * 1e6:.0f} µs each of {count} under cProfile"
    )
    stats = pstats.Stats(profile).strip_dirs()
    print("\n== by own time ==")
    stats.sort_stats("tottime").print_stats(top)
    print("== by cumulative time ==")
    stats.sort_stats("cumulative").print_stats(top)


if __name__ == "__main__":
    main()
