"""Observers that can be silenced while a widget sets its own values."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager


class Quiet:
    """Mixin: ``_react(method, …)`` calls ``method`` unless inside ``with self._silence():``."""

    _quiet = False

    def _react(self, method: Callable[..., None], *args: object) -> None:
        if not self._quiet:
            method(*args)

    @contextmanager
    def _silence(self) -> Iterator[None]:
        self._quiet, previous = True, self._quiet
        try:
            yield
        finally:
            self._quiet = previous
