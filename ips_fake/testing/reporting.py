"""The report of the requests that went wrong in a test."""

from __future__ import annotations

from ips_fake.soap.endpoint import Exchange

_CLIENT_SIDE = ("invalid request XML:", "schema violation:", "header not understood:")
_REQUEST_SHOWN = 4000


def is_client_side(problem: str) -> bool:
    """Whether a journal problem is the client's fault (bad XML, a schema violation) rather
    than the fake's (an exception, a response that does not validate)."""
    return problem.startswith(_CLIENT_SIDE) and "does not validate" not in problem


def problem_report(exchanges: list[Exchange]) -> str:
    """The failure message for exchanges with problems: operation, reason, request body."""
    client_side = [e for e in exchanges if e.problem and is_client_side(e.problem)]
    lines = [
        f"ips-fake: {len(exchanges)} request(s) in this test went wrong "
        f"({len(client_side)} bad request(s) the real IPS would reject too, "
        f"{len(exchanges) - len(client_side)} failure(s) inside ips-fake)."
    ]
    for exchange in exchanges:
        problem = exchange.problem or ""
        request = exchange.request.decode("utf-8", errors="replace")
        if len(request) > _REQUEST_SHOWN:
            request = request[:_REQUEST_SHOWN] + f"... ({len(exchange.request)} bytes in all)"
        lines += [
            "",
            f"--- request #{exchange.sequence}: operation {exchange.operation or '(unknown)'}, "
            f"caller {exchange.caller or '(none)'}, answered HTTP {exchange.status}"
            + (f" with fault {exchange.fault_code}" if exchange.fault_code else ""),
            f"reason: {problem}",
            "request body:",
            request,
        ]
    lines.append("")
    if client_side:
        lines.append(
            "If this test sends bad requests on purpose, mark it "
            "@pytest.mark.ips_fake(allow_bad_requests=True) or send them inside "
            "`with ips_fake.expect_bad_requests():`."
        )
    if len(client_side) < len(exchanges):
        lines.append(
            "A failure inside ips-fake is a bug in the fake: please report it with the request "
            "above."
        )
    return "\n".join(lines)
