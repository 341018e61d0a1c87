"""Give freed heap memory back to the operating system while native code allocates.

The bulk loader's worker threads allocate through glibc's malloc. In a process that has already
done heavy work (reading and mapping a large source), freed loader memory stays in malloc's arenas
instead of going back to the system, and at one million Hub models the load's resident memory
grows from 2.0 to 3.8 GiB. ``malloc_trim`` returns those free pages; called twice a second during
a load it keeps the load at the size it has in a fresh process (2.0 GiB at 1M models).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager


def _malloc_trim() -> Callable[[int], int] | None:
    """glibc's ``malloc_trim``, or None on other C libraries (musl, macOS, Windows)."""
    name = ctypes.util.find_library("c")
    try:
        return getattr(ctypes.CDLL(name), "malloc_trim", None) if name else None
    except OSError:
        return None


_TRIM = _malloc_trim()


@contextmanager
def returning_freed_memory(interval: float = 0.5) -> Iterator[None]:
    """While the block runs, return free heap pages to the system every ``interval`` seconds."""
    if _TRIM is None:
        yield
        return
    done = threading.Event()

    def trim() -> None:
        while not done.wait(interval):
            _TRIM(0)

    worker = threading.Thread(target=trim, name="ptmkg-malloc-trim", daemon=True)
    worker.start()
    try:
        yield
    finally:
        done.set()
        worker.join()
        _TRIM(0)
