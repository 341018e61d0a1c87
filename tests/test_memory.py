"""Freed heap memory goes back to the system during bulk loads (glibc only)."""

from __future__ import annotations

import ctypes
from pathlib import Path

import pytest

from ptmkg import memory


def _rss_kib() -> int:
    status = Path("/proc/self/status").read_text()
    return int(next(line for line in status.splitlines() if line.startswith("VmRSS")).split()[1])


@pytest.mark.skipif(memory._TRIM is None or not Path("/proc/self/status").exists(), reason="needs glibc on Linux")
def test_free_pages_pinned_by_live_blocks_are_returned():
    libc = ctypes.CDLL(None)
    libc.malloc.restype = ctypes.c_void_p
    libc.free.argtypes = [ctypes.c_void_p]
    # 200 MB of 4 KiB blocks, then free all but every 64th: the heap cannot shrink from the top,
    # so glibc keeps the freed pages unless they are trimmed.
    blocks = [libc.malloc(4096) for _ in range(50_000)]
    for b in blocks:
        ctypes.memset(b, 1, 4096)
    kept = blocks[::64]
    for i, b in enumerate(blocks):
        if i % 64:
            libc.free(b)
    before = _rss_kib()
    with memory.returning_freed_memory(interval=0.01):
        pass
    after = _rss_kib()
    for b in kept:
        libc.free(b)
    assert before - after > 100_000, (before, after)  # more than 100 of the ~190 freed MiB came back
