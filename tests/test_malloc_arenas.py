"""``ips-fake serve`` caps glibc's malloc arenas (docs/limits.md, "Memory")."""

from __future__ import annotations

import platform
import subprocess
import sys

import pytest

from ips_fake import server
from ips_fake.server import MALLOC_ARENAS, limit_malloc_arenas


@pytest.mark.skipif(
    not sys.platform.startswith("linux") or platform.libc_ver()[0] != "glibc",
    reason="the cap is glibc's",
)
def test_glibc_takes_the_cap_in_a_fresh_process() -> None:
    code = "from ips_fake.server import limit_malloc_arenas; print(limit_malloc_arenas())"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "True"
    assert MALLOC_ARENAS == 2


def test_elsewhere_than_linux_it_does_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "platform", "darwin")
    assert limit_malloc_arenas() is False


def test_serve_caps_the_arenas_before_starting(monkeypatch: pytest.MonkeyPatch) -> None:
    from ips_fake import cli

    calls: list[str] = []

    def cap() -> bool:
        calls.append("cap")
        return True

    monkeypatch.setattr(server, "limit_malloc_arenas", cap)

    def refuse(arguments: object, token: object) -> int:
        calls.append("start")
        return 2

    monkeypatch.setattr(cli, "start_server", refuse)
    assert cli.main(["serve", "--port", "0"]) == 2
    assert calls == ["cap", "start"]
