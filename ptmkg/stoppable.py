"""Runs a reader can stop: a stop event, queries run as killable jobs while one is given, and a progress bar
for batches shown in notebooks."""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, TypeVar

from ptmkg.errors import PtmkgError, QueryCancelled

if TYPE_CHECKING:
    from ptmkg.store import GraphStore

POLL_S = 0.05
"""How often a running job is checked against its stop event (seconds)."""
T = TypeVar("T")


class Stopped(QueryCancelled):
    """A run was stopped by its reader (the query running then was killed; the graph is still usable)."""

    def __init__(self, what: str = "the run") -> None:
        PtmkgError.__init__(self, f"{what} was cancelled before it finished; the graph is still usable")


def _can_start_jobs(store: GraphStore) -> bool:
    from ptmkg.kg import KG
    from ptmkg.remote import RemoteKG

    return isinstance(store, KG) and not isinstance(store, RemoteKG)


def query(store: GraphStore, sparql: str, stop: threading.Event | None = None, *,
          graphs: Sequence[str] | None = None, **params: object) -> object:
    """``store.query(sparql, graphs=..., **params)``; with a ``stop`` event, on a local KG, the query runs as a
    job (:meth:`ptmkg.kg.KG.start_query`) that is killed as soon as ``stop`` is set (:class:`Stopped`)."""
    if stop is None:
        return store.query(sparql, graphs=graphs, **params)
    if stop.is_set():
        raise Stopped("the query")
    if not _can_start_jobs(store):
        return store.query(sparql, graphs=graphs, **params)
    job = store.start_query(sparql, graphs=graphs, **params)
    while not job.done():
        if stop.wait(POLL_S):
            job.cancel()
    try:
        return job.result()
    except QueryCancelled:
        raise Stopped("the query") from None


def check(stop: threading.Event | None, what: str) -> None:
    """Raise :class:`Stopped` (naming ``what``) if ``stop`` is set."""
    if stop is not None and stop.is_set():
        raise Stopped(what)


def in_notebook() -> bool:
    """Whether this runs in a Jupyter kernel (where a progress bar helps and renders as a widget)."""
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and "IPKernelApp" in shell.config


def progress(items: Iterable[T], total: int, desc: str, unit: str = "item", enabled: bool | None = None) -> Iterator[T]:
    """``items`` through a tqdm bar (a widget in notebooks) when ``enabled`` (None: only in a Jupyter kernel)."""
    if not (in_notebook() if enabled is None else enabled):
        yield from items
        return
    from tqdm.auto import tqdm

    with tqdm(items, total=total, desc=desc, unit=unit) as bar:
        for item in bar:
            yield item
