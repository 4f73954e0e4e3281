"""Suite-wide checks: every fake a test builds must answer with schema-valid responses and
must never fail internally. Tests that send bad input on purpose still get their faults;
only server-side problems fail here."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from ips_fake.fake import IpsFake

SERVER_SIDE = ("response does not validate", "server error", " fault detail does not validate")


@pytest.fixture(autouse=True)
def _fakes_answer_validly(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[IpsFake]]:
    """Track every IpsFake built during the test and check its journal at teardown."""
    built: list[IpsFake] = []
    original = IpsFake.__init__

    def tracking_init(self: IpsFake, *args: Any, **kwargs: Any) -> None:
        kwargs["validate_responses"] = True
        original(self, *args, **kwargs)
        built.append(self)

    monkeypatch.setattr(IpsFake, "__init__", tracking_init)
    yield built
    failures = [
        exchange.summary() + "\n" + (exchange.problem or "")
        for fake in built
        for exchange in fake.journal
        if exchange.problem and exchange.problem.startswith(SERVER_SIDE)
    ]
    assert not failures, "the fake answered wrongly:\n" + "\n".join(failures)
