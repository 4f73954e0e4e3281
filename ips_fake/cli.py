"""``ips-fake``: the command line.

``ips-fake serve [--host 127.0.0.1] [--port 8080] [--directory FILE] [--clock real|manual]
[--time-zone UTC]`` starts a fake IPS server and prints its service and WSDL URLs first.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from collections.abc import Sequence
from types import FrameType

from ips_fake.clocks import WallClock
from ips_fake.core.clock import Clock, ManualClock
from ips_fake.fake import IpsFake
from ips_fake.server import FakeServer


def build_parser() -> argparse.ArgumentParser:
    """The argument parser."""
    parser = argparse.ArgumentParser(
        prog="ips-fake", description="A fake Adobe Scene7 IPS job API."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="start a fake IPS server")
    serve.add_argument("--host", default="127.0.0.1", help="address to bind (default: 127.0.0.1)")
    serve.add_argument(
        "--port", type=int, default=8080, help="port (default: 8080; 0 picks a free one)"
    )
    serve.add_argument("--directory", help="a directory JSON file of companies and users")
    serve.add_argument(
        "--clock",
        choices=("real", "manual"),
        default="real",
        help="real: wall time (default); manual: frozen until moved through /_fake/clock",
    )
    serve.add_argument("--time-zone", default="UTC", help="the server's time zone (default: UTC)")
    serve.add_argument("--access-log", action="store_true", help="log every request to stderr")
    return parser


def serve(arguments: argparse.Namespace) -> int:
    """Run the server until Ctrl-C or SIGTERM."""
    clock: Clock = WallClock() if arguments.clock == "real" else ManualClock()
    try:
        fake = IpsFake(arguments.directory, clock, time_zone=arguments.time_zone)
        server = FakeServer(fake, arguments.host, arguments.port, quiet=not arguments.access_log)
    except (OSError, ValueError) as error:
        print(f"ips-fake: cannot start: {error}", file=sys.stderr)
        return 2
    print(f"IPS service: {server.service_url}", flush=True)
    print(f"WSDL:        {server.wsdl_url()}", flush=True)
    print(f"Admin API:   {server.base_url}/_fake/state   (clock: {arguments.clock})", flush=True)
    print("Press Ctrl-C to stop.", flush=True)

    def stop(signum: int, frame: FrameType | None) -> None:
        threading.Thread(target=server.stop, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()
    print("ips-fake stopped.", flush=True)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``ips-fake`` command."""
    arguments = build_parser().parse_args(argv)
    if arguments.command == "serve":
        return serve(arguments)
    return 2  # pragma: no cover - argparse rejects other commands


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
