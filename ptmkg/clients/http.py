"""Shared plumbing of the live clients: an on-disk JSON cache and a polite per-host throttle."""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from pathlib import Path

from ptmkg.errors import PtmkgError

USER_AGENT = "ptmkg (https://w3id.org/ptmkg/; research knowledge graph of pre-trained models)"


class ClientError(PtmkgError):
    """A remote service answered with an error that retrying will not fix."""


def default_cache_dir() -> Path:
    """``~/.ptmkg/cache/http``."""
    return Path.home() / ".ptmkg" / "cache" / "http"


class JsonCache:
    """One JSON file per key under a folder (keys are hashed into file names)."""

    def __init__(self, folder: Path):
        self.folder = Path(folder)

    def _path(self, key: str) -> Path:
        return self.folder / (hashlib.sha256(key.encode()).hexdigest()[:32] + ".json")

    def get(self, key: str) -> dict | None:
        """The stored entry for ``key``, or None (an unreadable entry counts as absent)."""
        path = self._path(key)
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except (FileNotFoundError, json.JSONDecodeError):
            return None

    def put(self, key: str, entry: dict) -> None:
        """Store ``entry`` atomically (write then rename)."""
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self._path(key)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(entry), encoding="utf-8")
        tmp.replace(path)


class Throttle:
    """Keeps at least ``interval`` seconds between calls (clock and sleep injectable for tests)."""

    def __init__(self, interval: float, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep):
        self.interval, self.clock, self.sleep = interval, clock, sleep
        self._last: float | None = None

    def wait(self) -> None:
        """Sleep until the interval since the previous call has passed."""
        now = self.clock()
        if self._last is not None and now - self._last < self.interval:
            self.sleep(self.interval - (now - self._last))
            now = self.clock()
        self._last = now
