"""``ips-fake serve`` sets glibc's malloc for a long-running server (docs/limits.md,
"Memory")."""

from __future__ import annotations

import platform
import subprocess
import sys

import pytest

from ips_fake import server
from ips_fake.server import (
    MALLOC_ARENAS,
    MALLOC_MMAP_THRESHOLD_BYTES,
    release_free_heap,
    tune_malloc,
)

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
    # glibc raises its mmap threshold to the size of a mapped block freed: a 16 MiB block
    # freed, then one of 8 MiB (more than the heap has free), comes from the main heap (its
    # address lies in it) unless the threshold is fixed
    code = """
import ctypes, sys
from ips_fake.server import tune_malloc
if sys.argv[1] == "tuned":
    assert tune_malloc()
libc = ctypes.CDLL(None)
libc.malloc.restype = ctypes.c_void_p
libc.malloc.argtypes = [ctypes.c_size_t]
libc.free.argtypes = [ctypes.c_void_p]
libc.free(libc.malloc(16 << 20))
block = libc.malloc(8 << 20)
heap = next(line for line in open("/proc/self/maps") if line.rstrip().endswith("[heap]"))
low, high = (int(bound, 16) for bound in heap.split()[0].split("-"))
print("heap" if low <= block < high else "mapped")
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


def test_release_free_heap_elsewhere_than_linux_does_nothing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(sys, "platform", "darwin")
    assert release_free_heap() is False


@glibc_only
def test_release_free_heap_gives_back_a_freed_hole_in_the_heap() -> None:
    # a block freed below a block still in use is a hole the heap's top cannot shed: only
    # malloc_trim gives its pages back (the process's RSS drops)
    code = """
import ctypes
from pathlib import Path
from ips_fake.server import release_free_heap
libc = ctypes.CDLL(None)
libc.malloc.restype = ctypes.c_void_p
libc.malloc.argtypes = [ctypes.c_size_t]
libc.free.argtypes = [ctypes.c_void_p]
libc.mallopt(-3, 64 << 20)  # blocks below 64 MiB come from the heap
def rss():
    return int(Path("/proc/self/statm").read_text().split()[1])
hole = libc.malloc(32 << 20)
ctypes.memset(hole, 1, 32 << 20)
keep = libc.malloc(8 << 20)  # above the hole: the heap top cannot shed it
libc.free(hole)
before = rss()
gave = release_free_heap()
print(gave, before - rss() > (16 << 20) // 4096)
"""
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.split() == ["True", "True"]


def test_serve_gives_the_free_heap_back_after_moves_and_resets() -> None:
    import argparse

    from ips_fake import cli

    parser_namespace = argparse.Namespace(
        clock="manual", directory=None, time_zone="UTC", host="127.0.0.1", port=0,
        allow_host=[], log_retention=10_000, access_log=False, replay=None,
    )  # fmt: skip
    started = cli.start_server(parser_namespace, None)
    assert not isinstance(started, int)
    try:
        assert started.fake.app.admin.release_memory is release_free_heap
    finally:
        started.close()


def test_the_admin_api_releases_memory_after_a_move_and_a_reset() -> None:
    from werkzeug.test import Client

    from ips_fake.fake import IpsFake

    fake = IpsFake()
    calls: list[str] = []
    fake.app.admin.release_memory = lambda: calls.append("release")
    client = Client(fake.app)
    assert client.post("/_fake/clock", json={"advance": 60}).status_code == 200
    assert calls == ["release"]
    assert client.get("/_fake/state").status_code == 200
    assert calls == ["release"]
    assert client.post("/_fake/reset", json={}).status_code == 200
    assert calls == ["release", "release"]
