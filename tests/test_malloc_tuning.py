"""``ips-fake serve`` sets glibc's malloc for a long-running server (docs/limits.md,
"Memory")."""

from __future__ import annotations

import platform
import subprocess
import sys

import pytest

from ips_fake import server
from ips_fake.server import MALLOC_ARENAS, MALLOC_MMAP_THRESHOLD_BYTES, tune_malloc

glibc_only = pytest.mark.skipif(
    not sys.platform.startswith("linux") or platform.libc_ver()[0] != "glibc",
    reason="the settings are glibc's",
)


@glibc_only
def test_glibc_takes_both_settings_in_a_fresh_process() -> None:
    code = "from ips_fake.server import tune_malloc; print(tune_malloc())"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "True"
    assert MALLOC_ARENAS == 2
    assert MALLOC_MMAP_THRESHOLD_BYTES == 128 * 1024


@glibc_only
def test_a_freed_large_block_no_longer_raises_the_mapping_threshold() -> None:
    # glibc raises its mmap threshold to the size of a mapped block freed: a 1 MiB block
    # freed, then one of 512 KiB, comes from the heap (the program break moves) unless the
    # threshold is fixed
    code = """
import ctypes, sys
from ips_fake.server import tune_malloc
if sys.argv[1] == "tuned":
    assert tune_malloc()
libc = ctypes.CDLL(None)
libc.malloc.restype = ctypes.c_void_p
libc.malloc.argtypes = [ctypes.c_size_t]
libc.free.argtypes = [ctypes.c_void_p]
libc.sbrk.restype = ctypes.c_void_p
libc.sbrk.argtypes = [ctypes.c_ssize_t]
libc.free(libc.malloc(1 << 20))
before = libc.sbrk(0)
block = libc.malloc(512 << 10)
print("heap" if libc.sbrk(0) != before else "mapped")
libc.free(block)
"""
    answers = {
        mode: subprocess.run(
            [sys.executable, "-c", code, mode], capture_output=True, text=True, check=True
        ).stdout.strip()
        for mode in ("untuned", "tuned")
    }
    assert answers == {"untuned": "heap", "tuned": "mapped"}


def test_elsewhere_than_linux_it_does_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "platform", "darwin")
    assert tune_malloc() is False


def test_serve_tunes_malloc_before_starting(monkeypatch: pytest.MonkeyPatch) -> None:
    from ips_fake import cli

    calls: list[str] = []

    def tune() -> bool:
        calls.append("tune")
        return True

    monkeypatch.setattr(server, "tune_malloc", tune)

    def refuse(arguments: object, token: object) -> int:
        calls.append("start")
        return 2

    monkeypatch.setattr(cli, "start_server", refuse)
    assert cli.main(["serve", "--port", "0"]) == 2
    assert calls == ["tune", "start"]
