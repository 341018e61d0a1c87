"""Answers already given, kept for the next client that asks the same thing.

The workers open the store read-only, which pins the state they see at opening; an answer is
therefore the same for the same query, ``Accept`` and dataset until a worker is replaced (after a
timeout or a failure), when the cache is emptied. Only successful answers are kept, least recently
used first out, within a byte budget.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable

from ptmkg.endpoint.worker import Reply


class ReplyCache:
    """A thread-safe LRU of HTTP replies holding at most ``max_bytes`` of bodies (0: keep nothing)."""

    def __init__(self, max_bytes: int):
        self.max_bytes, self.size, self.hits, self.misses = max_bytes, 0, 0, 0
        self._items: OrderedDict[Hashable, Reply] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> Reply | None:
        """The reply stored under ``key``, if any (counted as a hit or a miss)."""
        with self._lock:
            reply = self._items.get(key)
            if reply is None:
                self.misses += 1
                return None
            self._items.move_to_end(key)
            self.hits += 1
            return reply

    def put(self, key: Hashable, reply: Reply) -> None:
        """Keep ``reply`` if it is a success that fits the budget, dropping the least recently used."""
        body = len(reply[2])
        if reply[0] != 200 or body > self.max_bytes // 4:
            return
        with self._lock:
            old = self._items.pop(key, None)
            if old is not None:
                self.size -= len(old[2])
            self._items[key] = reply
            self.size += body
            while self.size > self.max_bytes:
                _, dropped = self._items.popitem(last=False)
                self.size -= len(dropped[2])

    def clear(self) -> None:
        """Forget every reply (a worker was replaced and may see a newer store)."""
        with self._lock:
            self._items.clear()
            self.size = 0

    def __len__(self) -> int:
        return len(self._items)
