"""``ips-fake``: the command line.

- ``ips-fake serve [--host 127.0.0.1] [--port 8080] [--directory FILE] [--clock real|manual]
  [--time-zone UTC] [--allow-host NAME ...] [--admin-token TOKEN]`` starts a fake IPS server
  and prints its service and WSDL URLs first.
- ``ips-fake check [CASES] [--url URL] [--user U --password P --company C] [--reset]`` checks
  contract cases (a folder or one file; default: the cases shipped with ips-fake) against a
  fresh fake or any endpoint; exit 1 if any broke.
- ``ips-fake cases DIR`` writes the shipped contract cases and cassettes under DIR.
- ``ips-fake --version``; Ctrl-C before the server serves exits 130 with one line.
- ``ips-fake record --upstream URL [--port N] --out FILE`` records every exchange a client
  makes through it with the upstream into a cassette, secrets scrubbed (ips_fake.proxy).
- ``ips-fake verify CASSETTE... [--url URL] [--report FILE.md]`` replays cassettes with value
  mapping and prints a diff per changed answer; exit 1 if any changed, 2 if a cassette cannot
  be read. ``ips-fake replay`` is the same command under its former name.
- ``ips-fake serve --replay CASSETTE`` answers recorded requests with recorded answers
  (ips_fake.stub).
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING

from ips_fake import __version__

if TYPE_CHECKING:
    from ips_fake.core.directory import Directory
    from ips_fake.server import FakeServer

#: What ``ips-fake`` exits with when Ctrl-C stops it before it serves (128 + SIGINT).
INTERRUPTED_EXIT = 130

if TYPE_CHECKING:
    from ips_fake.server import AppServer


def build_parser() -> argparse.ArgumentParser:
    """The argument parser."""
    parser = argparse.ArgumentParser(
        prog="ips-fake", description="A fake Adobe Scene7 IPS job API."
    )
    parser.add_argument("--version", action="version", version=f"ips-fake {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="start a fake IPS server")
    add_listening_options(serve, default_port=8080)
    serve.add_argument("--directory", help="a directory JSON file of companies and users")
    serve.add_argument(
        "--clock",
        choices=("real", "manual"),
        default="real",
        help="real: wall time (default); manual: frozen until moved through /_fake/clock",
    )
    serve.add_argument("--time-zone", default="UTC", help="the server's time zone (default: UTC)")
    serve.add_argument(
        "--allow-host",
        action="append",
        default=[],
        metavar="NAME",
        help="a Host name the admin API (/_fake/) admits besides loopback ones and --host, "
        "e.g. a container or CI service name (repeatable)",
    )
    add_admin_token_option(
        serve,
        "every admin API call must present TOKEN ('Authorization: Bearer TOKEN' or "
        "'X-Ips-Fake-Token: TOKEN'); default: $IPS_FAKE_ADMIN_TOKEN, else no token",
    )
    add_log_retention_option(serve)

    check_cases = commands.add_parser(
        "check", help="check contract cases against a fresh fake or an endpoint"
    )
    check_cases.add_argument(
        "cases",
        nargs="?",
        default=None,
        help="a folder of contract case files (*.json) or one case file; default: the cases "
        "that ship with ips-fake",
    )
    check_cases.add_argument(
        "--url", help="the endpoint (service URL, or an ips-fake's base URL); default: in-process"
    )
    check_cases.add_argument("--user", default="ipsuser@example.com", help="fills {user}")
    check_cases.add_argument("--password", default="password", help="fills {password}")
    check_cases.add_argument("--company", default="47", help="fills {company} (e.g. c|123)")
    check_cases.add_argument(
        "--reset",
        action="store_true",
        help="reset an ips-fake (POST /_fake/reset) before each case",
    )

    serve.add_argument(
        "--replay", metavar="CASSETTE", help="serve a cassette's recorded answers (a stub)"
    )
    write_cases = commands.add_parser(
        "cases", help="write the contract cases and cassettes that ship with ips-fake to DIR"
    )
    write_cases.add_argument(
        "folder", metavar="DIR", help="where to write cases/*.json and cassettes/*.json"
    )

    add_record_parser(commands)
    add_verify_parser(commands)
    return parser


def add_record_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """The ``record`` subcommand's arguments."""
    record = commands.add_parser(
        "record", help="record a client's exchanges with an IPS endpoint through a proxy"
    )
    record.add_argument(
        "--upstream", required=True, help="the IPS endpoint, http(s)://host[:port]; only it"
    )
    record.add_argument("--out", required=True, help="the cassette file to write")
    add_listening_options(record, default_port=8081)
    record.add_argument(
        "--timeout",
        type=float,
        default=30.0,
        help="seconds to wait for the upstream before answering 504 (default: 30)",
    )
    record.add_argument(
        "--identity",
        choices=("keep", "map"),
        default="keep",
        help="keep users and company ids in the cassette (default) or map them to stand-ins: "
        "user-N@example.invalid and company ids 1, 2, ...",
    )
    record.add_argument("--description", default="", help="the cassette's description")
    record.add_argument(
        "--upstream-clock",
        action="store_true",
        help="the upstream is an ips-fake: store its clock (GET /_fake/clock) with each exchange",
    )
    add_admin_token_option(
        record, "the upstream ips-fake's admin token (default: $IPS_FAKE_ADMIN_TOKEN)"
    )


def add_verify_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """The ``verify`` subcommand's arguments (also under its former name ``replay``)."""
    verify = commands.add_parser(
        "verify",
        aliases=["replay"],
        help="replay cassettes with value mapping and diff the answers",
    )
    verify.add_argument("cassettes", nargs="+", metavar="CASSETTE", help="cassette files (JSON)")
    verify.add_argument(
        "--url", help="the server (base or service URL); default: a fresh in-process fake"
    )
    verify.add_argument(
        "--ignore", default="", help="comma-separated element names whose text is not compared"
    )
    verify.add_argument(
        "--no-clock",
        action="store_true",
        help="do not move the server's clock through /_fake/clock (a real endpoint)",
    )
    verify.add_argument(
        "--password",
        default="password",
        help="the password sent for a recorded secret the recording saw accepted "
        "(default: password, the fake's)",
    )
    add_admin_token_option(
        verify, "the --url server's admin token (default: $IPS_FAKE_ADMIN_TOKEN)"
    )
    verify.add_argument(
        "--company",
        default="47,48",
        help="for a cassette recorded with --identity map: the companies stand-in companies "
        "1, 2, ... become, comma-separated (default: 47,48, the fake's default directory)",
    )
    verify.add_argument(
        "--user",
        default="ipsuser@example.com",
        help="for a cassette recorded with --identity map: the user every stand-in user "
        "becomes (default: ipsuser@example.com)",
    )
    verify.add_argument("--report", metavar="FILE.md", help="also write a Markdown report")
    verify.add_argument(
        "--strict",
        action="store_true",
        help="compare handles, run names and dates as recorded (no value mapping); "
        "the default under the former name 'replay'",
    )


def add_listening_options(parser: argparse.ArgumentParser, *, default_port: int) -> None:
    """``--host``, ``--port`` and ``--access-log`` of a command that serves HTTP."""
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default: 127.0.0.1)")
    parser.add_argument(
        "--port",
        type=int,
        default=default_port,
        help=f"port (default: {default_port}; 0 picks a free one)",
    )
    parser.add_argument("--access-log", action="store_true", help="log every request to stderr")


def add_admin_token_option(parser: argparse.ArgumentParser, help_text: str) -> None:
    """``--admin-token TOKEN``: an ips-fake admin API token (default from the environment)."""
    parser.add_argument("--admin-token", default=None, metavar="TOKEN", help=help_text)


def admin_token(arguments: argparse.Namespace) -> str | None:
    """``--admin-token``, else ``$IPS_FAKE_ADMIN_TOKEN``, else None."""
    return arguments.admin_token or os.environ.get("IPS_FAKE_ADMIN_TOKEN") or None


def add_log_retention_option(parser: argparse.ArgumentParser) -> None:
    """``--log-retention N``: job logs kept per company (at least 1)."""
    from ips_fake.core.service import DEFAULT_LOG_RETENTION

    def count(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
        if value < 1:
            raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
        return value

    parser.add_argument(
        "--log-retention",
        type=count,
        default=DEFAULT_LOG_RETENTION,
        metavar="N",
        help="job logs kept per company, with their details, export archives and e-mails; "
        f"the oldest are dropped first (default: {DEFAULT_LOG_RETENTION})",
    )


def cannot_start(problem: str) -> int:
    """Print ``ips-fake: cannot start: <problem>`` on stderr; the exit status, 2."""
    print(f"ips-fake: cannot start: {problem}", file=sys.stderr)
    return 2


def serve_argument_problem(arguments: argparse.Namespace) -> str | None:
    """What is wrong with ``serve``'s port or time zone, checked before anything starts."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    if not 0 <= arguments.port <= 65535:
        return f"--port {arguments.port} is not a TCP port (0-65535; 0 picks a free one)"
    try:
        ZoneInfo(arguments.time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        return (
            f"--time-zone {arguments.time_zone!r} is not an IANA time zone "
            "(e.g. UTC, Europe/Paris, America/Los_Angeles)"
        )
    return None


def start_server(arguments: argparse.Namespace, token: str | None) -> FakeServer | int:
    """The server ``serve`` runs, or the exit status after a one-line error."""
    from ips_fake.clocks import WallClock
    from ips_fake.core.clock import Clock, ManualClock
    from ips_fake.core.directory import Directory
    from ips_fake.fake import IpsFake
    from ips_fake.server import FakeServer, release_free_heap

    problem = serve_argument_problem(arguments)
    if problem is not None:
        return cannot_start(problem)
    clock: Clock = WallClock() if arguments.clock == "real" else ManualClock()
    directory: Directory | None = None
    if arguments.directory is not None:
        try:
            directory = Directory.from_file(arguments.directory)
        except (OSError, ValueError) as error:
            return cannot_start(f"directory file {arguments.directory}: {error}")
    try:
        fake = IpsFake(
            directory,
            clock,
            time_zone=arguments.time_zone,
            admin_token=token,
            admin_hosts=[arguments.host, *arguments.allow_host],
            log_retention=arguments.log_retention,
        )
        fake.app.admin.release_memory = release_free_heap
        return FakeServer(fake, arguments.host, arguments.port, quiet=not arguments.access_log)
    except (OSError, ValueError, OverflowError) as error:
        return cannot_start(str(error))


def dashboard_url(base_url: str, token: str | None) -> str:
    """The dashboard's address (``/_fake/``); with an admin token, one that hands it the
    token once (the page keeps it in a same-site cookie and drops it from the address)."""
    from urllib.parse import quote

    url = base_url.rstrip("/") + "/_fake/"
    return url if token is None else f"{url}?token={quote(token, safe='')}"


def serve(arguments: argparse.Namespace) -> int:
    """Run the server until Ctrl-C or SIGTERM; Ctrl-C while it starts exits 130 quietly."""
    if arguments.admin_token == "":
        return cannot_start("--admin-token is empty: give a token, or leave the flag out")
    token = admin_token(arguments)
    from ips_fake.server import tune_malloc

    tune_malloc()  # a long-running server: give back what large tables free
    started = start_server(arguments, token)
    if isinstance(started, int):
        return started
    server = started
    print(f"IPS service: {server.service_url}", flush=True)
    print(f"WSDL:        {server.wsdl_url()}", flush=True)
    print(f"Admin API:   {server.base_url}/_fake/state   (clock: {arguments.clock})", flush=True)
    if token is not None:
        print("             (admin calls need the token given by --admin-token)", flush=True)
    print(f"Dashboard:   {dashboard_url(server.base_url, token)}", flush=True)
    _serve_until_stopped(server)
    print("ips-fake stopped.", flush=True)
    return 0


def _service_url(url: str) -> str:
    """A server's base URL or its service URL, as the service URL."""
    from ips_fake.wsgi import SERVICE_PATH

    trimmed = url.rstrip("/")
    return trimmed if "/scene7/" in trimmed else trimmed + SERVICE_PATH


def _base_url(url: str) -> str:
    """A server's base URL or its service URL, as the base URL."""
    return url.rstrip("/").split("/scene7/", 1)[0]


def _needs_requests() -> bool:
    """Whether ``requests`` (the ``[client]`` extra) is missing; says how to get it if so."""
    from ips_fake.extras import missing_extra

    try:
        import requests  # noqa: F401
    except ModuleNotFoundError:
        print(f"ips-fake: {missing_extra('--url', 'requests', 'client')}", file=sys.stderr)
        return True
    return False


def check(arguments: argparse.Namespace) -> int:
    """Check contract cases against a fresh in-process fake or the endpoint at ``--url``."""
    from ips_fake.contracts import (
        ContractCaseError,
        Credentials,
        check_in_process,
        check_over_http,
        load_cases,
    )
    from ips_fake.shipped import contract_cases_folder

    try:
        cases = load_cases(arguments.cases or contract_cases_folder())
    except (ContractCaseError, FileNotFoundError) as error:
        print(f"ips-fake: {error}", file=sys.stderr)
        return 2
    credentials = Credentials(arguments.user, arguments.password, arguments.company)
    if arguments.url and _needs_requests():
        return 2
    if arguments.url:
        results = check_over_http(
            cases, _service_url(arguments.url), credentials, reset=arguments.reset
        )
    else:
        results = check_in_process(cases, credentials)
    for result in results:
        print(result)
    broken = sum(1 for result in results if not result.ok)
    print(f"{len(results)} cases, {broken} broken")
    return 1 if broken else 0


def write_cases(arguments: argparse.Namespace) -> int:
    """Write the shipped contract cases and cassettes under ``DIR``."""
    from ips_fake.shipped import write_out

    try:
        written = write_out(arguments.folder)
    except OSError as error:
        print(f"ips-fake: {error}", file=sys.stderr)
        return 2
    cases = sum(1 for path in written if path.parent.name == "cases")
    print(
        f"{cases} contract cases and {len(written) - cases} cassettes written to "
        f"{arguments.folder}; check them with: ips-fake check {arguments.folder}/cases"
    )
    return 0


def verify_command(arguments: argparse.Namespace) -> int:
    """Verify cassettes against fresh in-process fakes or the server at ``--url``: 0 when
    every answer matches, 1 when one differs, 2 when a cassette cannot be read or the server
    cannot be driven."""
    from ips_fake.recording import Cassette, CassetteError, ReplayReport
    from ips_fake.verify import (
        VerifyOptions,
        markdown_report,
        verify_in_process,
        verify_over_http,
    )

    cassettes: list[tuple[str, Cassette]] = []
    for path in arguments.cassettes:
        try:
            cassettes.append((path, Cassette.load(path)))
        except (OSError, CassetteError) as error:
            print(f"ips-fake: cannot read {path}: {error}", file=sys.stderr)
            return 2
    ignore = [name.strip() for name in arguments.ignore.split(",") if name.strip()]
    companies = [part.strip().removeprefix("c|") for part in arguments.company.split(",")]
    if not companies or not all(part.isascii() and part.isdigit() for part in companies):
        print(
            f"ips-fake: --company takes company ids (digits), not {arguments.company!r}",
            file=sys.stderr,
        )
        return 2
    if arguments.url and _needs_requests():
        return 2
    token = admin_token(arguments)
    # 'replay' keeps its former behaviour: strict values, the bare summary for one cassette
    former = arguments.command == "replay"
    map_values = not (arguments.strict or former)
    options = VerifyOptions(
        ignore=ignore,
        password=arguments.password,
        map_values=map_values,
        companies=companies,
        user=arguments.user,
    )
    results: list[tuple[str, Cassette, ReplayReport]] = []
    for path, cassette in cassettes:
        try:
            if arguments.url:
                report = verify_over_http(
                    cassette,
                    _base_url(arguments.url),
                    move_clock=not arguments.no_clock,
                    admin_token=token,
                    **options,
                )
            else:
                report = verify_in_process(cassette, **options)
        except (OSError, CassetteError) as error:  # requests' errors are OSErrors
            print(f"ips-fake: cannot verify {path}: {error}", file=sys.stderr)
            return 2
        if not former or len(cassettes) > 1:
            print(f"== {path}")
        print(report.summary())
        results.append((path, cassette, report))
    if arguments.report:
        target = arguments.url or "a fresh in-process ips-fake"
        try:
            Path(arguments.report).write_text(markdown_report(results, target), encoding="utf-8")
        except OSError as error:
            print(f"ips-fake: cannot write {arguments.report}: {error}", file=sys.stderr)
            return 2
    differ = sum(len(report.mismatches) for _, _, report in results)
    exchanges = sum(len(report.steps) for _, _, report in results)
    if not former or len(cassettes) > 1:
        print(f"{len(results)} cassette(s), {exchanges} exchanges, {differ} differ")
    return 1 if differ else 0


def record_command(arguments: argparse.Namespace) -> int:
    """Run the recording proxy until Ctrl-C or SIGTERM; the cassette is written after every
    exchange."""
    from datetime import UTC, datetime

    from ips_fake import __version__
    from ips_fake.proxy import RecordingProxy
    from ips_fake.recording import Cassette, CassetteMetadata
    from ips_fake.scrubbing import Scrubber
    from ips_fake.server import AppServer
    from ips_fake.wsgi import SERVICE_PATH

    cassette = Cassette(
        description=arguments.description,
        metadata=CassetteMetadata(
            recorded_at=datetime.now(UTC).replace(microsecond=0),
            upstream=CassetteMetadata.origin(arguments.upstream),
            ips_fake_version=__version__,
            identity=arguments.identity,
        ),
        scrubber=Scrubber(arguments.identity),
    )
    out = Path(arguments.out)
    try:
        proxy = RecordingProxy(
            arguments.upstream,
            cassette,
            out,
            timeout=arguments.timeout,
            upstream_clock=arguments.upstream_clock,
            admin_token=admin_token(arguments),
        )
        cassette.save(out)
        server = AppServer(proxy, arguments.host, arguments.port, quiet=not arguments.access_log)
    except (OSError, ValueError) as error:
        print(f"ips-fake: cannot start: {error}", file=sys.stderr)
        return 2
    print(f"Recording {proxy.upstream} into {out}", flush=True)
    print(f"IPS service: {server.base_url}{SERVICE_PATH}", flush=True)
    print(f"WSDL:        {server.base_url}{SERVICE_PATH}?wsdl", flush=True)
    _serve_until_stopped(server)
    print(f"ips-fake record stopped: {len(cassette.interactions)} exchanges in {out}", flush=True)
    return 0


def serve_replay(arguments: argparse.Namespace) -> int:
    """``serve --replay CASSETTE``: answer from a cassette until Ctrl-C or SIGTERM."""
    from ips_fake.recording import Cassette, CassetteError
    from ips_fake.server import AppServer
    from ips_fake.stub import ReplayStub
    from ips_fake.wsgi import SERVICE_PATH

    try:
        stub = ReplayStub(Cassette.load(arguments.replay))
        server = AppServer(stub, arguments.host, arguments.port, quiet=not arguments.access_log)
    except (OSError, CassetteError) as error:
        print(f"ips-fake: cannot start: {arguments.replay}: {error}", file=sys.stderr)
        return 2
    print(f"Replaying {arguments.replay}", flush=True)
    print(f"IPS service: {server.base_url}{SERVICE_PATH}", flush=True)
    wsdl = stub.wsdl_path()
    if wsdl is not None:
        print(f"WSDL:        {server.base_url}{wsdl}", flush=True)
    else:
        print("WSDL:        none (the cassette recorded no WSDL fetch)", flush=True)
    _serve_until_stopped(server)
    return 0


def _serve_until_stopped(server: AppServer) -> None:
    """Say "Press Ctrl-C to stop.", then serve on this thread until Ctrl-C or SIGTERM, and
    close the socket. The line is printed inside the guarded block, so a Ctrl-C sent as soon
    as it appears is a clean stop (exit 0), not an interrupted start-up (130)."""

    def stop(signum: int, frame: FrameType | None) -> None:
        threading.Thread(target=server.stop, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    try:
        print("Press Ctrl-C to stop.", flush=True)
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``ips-fake`` command."""
    try:
        return run_command(argv)
    except KeyboardInterrupt:
        print("ips-fake: interrupted", file=sys.stderr)
        return INTERRUPTED_EXIT


def run_command(argv: Sequence[str] | None = None) -> int:
    """Parse the arguments and run the command they name."""
    arguments = build_parser().parse_args(argv)
    if arguments.command == "serve" and arguments.replay:
        return serve_replay(arguments)
    if arguments.command == "serve":
        return serve(arguments)
    if arguments.command == "check":
        return check(arguments)
    if arguments.command == "cases":
        return write_cases(arguments)
    if arguments.command in ("verify", "replay"):
        return verify_command(arguments)
    if arguments.command == "record":
        return record_command(arguments)
    return 2  # pragma: no cover - argparse rejects other commands


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
