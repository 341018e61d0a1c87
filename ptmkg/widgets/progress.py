"""A run in the background with a way out: past a second it shows an elapsed counter and a Cancel button that
stops it (killing the query running then); the widget around it stays usable."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import ipywidgets as w

SHOW_AFTER_S = 1.0
"""A run shows its counter and Cancel button once it has run this long (shorter runs just finish)."""
TICK_S = 0.2
_SPINNER = ("<style>@keyframes ptmkg-spin{to{transform:rotate(360deg)}}</style>"
            "<span style='display:inline-block;animation:ptmkg-spin 1s linear infinite'>◐</span>")


class RunControl(w.HBox):
    """One background run at a time: :meth:`start` runs ``work(stop)`` on a thread, then ``done(value)`` or
    ``failed(error)``. Starting another run cancels the one in progress (its outcome is dropped);
    :meth:`cancel` (the button) sets ``stop``. Past :data:`SHOW_AFTER_S` the control shows how long the run
    has taken, with the Cancel button."""

    def __init__(self, what: str = "running"):
        self.what = what
        self.spinner = w.HTML(_SPINNER)
        self.elapsed = w.HTML()
        self.elapsed.add_class("ptmkg-elapsed")
        self.cancel_btn = w.Button(description="Cancel", icon="stop", button_style="danger",
                                   layout=w.Layout(width="110px"))
        self.cancel_btn.add_class("ptmkg-cancel")
        self.cancel_btn.on_click(lambda _: self.cancel())
        self._lock = threading.RLock()  # a callback may start the next run
        self._stop: threading.Event | None = None
        self._thread: threading.Thread | None = None
        super().__init__([self.spinner, self.elapsed, self.cancel_btn])
        self.add_class("ptmkg-run-control")
        self.layout.display = "none"

    @property
    def running(self) -> bool:
        """Whether a run is in progress."""
        thread = self._thread
        return thread is not None and thread.is_alive()

    def start(self, work: Callable[[threading.Event], Any], done: Callable[[Any], None],
              failed: Callable[[BaseException], None]) -> threading.Thread:
        """Cancel the run in progress, if any, and run ``work(stop)`` on a new thread; then ``done(value)`` or
        ``failed(error)`` on that thread, unless another run has started meanwhile."""
        stop = threading.Event()
        with self._lock:
            if self._stop is not None:
                self._stop.set()
            self._stop = stop
        began = time.monotonic()

        def body() -> None:
            try:
                value = work(stop)
            except BaseException as e:  # noqa: BLE001 - handed to ``failed``
                self._settle(stop, failed, e)
            else:
                self._settle(stop, done, value)

        thread = threading.Thread(target=body, daemon=True, name="ptmkg-widget-run")
        self._thread = thread
        thread.start()
        threading.Thread(target=self._tick, args=(thread, stop, began), daemon=True, name="ptmkg-widget-tick").start()
        return thread

    def cancel(self, drop: bool = False) -> None:
        """Stop the run in progress (no-op when none is); ``drop``: and say nothing of it (``failed`` is not
        called), as when the reader has moved on to something else."""
        with self._lock:
            if self._stop is not None:
                self._stop.set()
                if drop:
                    self._stop = None
                    self.layout.display = "none"
        self.cancel_btn.disabled = True

    def wait(self, timeout: float | None = None) -> None:
        """Wait for the run in progress to end (tests and scripts)."""
        thread = self._thread
        if thread is not None:
            thread.join(timeout)

    def _settle(self, stop: threading.Event, callback: Callable[[Any], None], arg: Any) -> None:
        with self._lock:
            if self._stop is not stop:
                return  # superseded by a newer run
            self._stop = None
            self.layout.display = "none"
            callback(arg)

    def _tick(self, thread: threading.Thread, stop: threading.Event, began: float) -> None:
        shown = False
        while thread.is_alive():
            thread.join(TICK_S)
            seconds = time.monotonic() - began
            with self._lock:
                if self._stop is not stop:
                    return
                if seconds >= SHOW_AFTER_S and thread.is_alive():
                    if not shown:
                        self.cancel_btn.disabled, shown = False, True
                        self.layout.display = "flex"
                    state = "cancelling" if stop.is_set() else self.what
                    self.elapsed.value = f"<span>{state}… {seconds:.1f} s</span>"
