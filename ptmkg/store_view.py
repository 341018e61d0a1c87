"""How a reader opens an on-disk store and which graphs it sees (pyoxigraph only, so that query worker
processes start fast)."""

from __future__ import annotations

import time
from pathlib import Path

import pyoxigraph as ox

from ptmkg.namespaces import CATALOG_GRAPH, GRAPH, PTMKG

STAGED = "/staged"
"""The suffix of a snapshot's staging graph while it is replaced (``GraphStore.replace_ntriples``): until
the catalog names it, it is unfinished like any uncatalogued snapshot graph."""


def open_read_only(path: Path, attempts: int = 20) -> ox.Store:
    """``Store.read_only``, retried while a writer in another process replaces the files it lists: such an
    open fails with "No such file" for a file the writer's compaction just removed (measured beside
    ``ptmkg ingest``), which is a race, not damage."""
    for attempt in range(attempts - 1):
        try:
            return ox.Store.read_only(str(path))
        except RuntimeError as e:
            if "no such file" not in str(e).lower():
                raise
            time.sleep(0.05 * (attempt + 1))
    return ox.Store.read_only(str(path))


def catalogued(store: ox.Store) -> set[str]:
    """The graph IRIs with a snapshot record in the catalog graph."""
    q = f"SELECT ?g WHERE {{ GRAPH <{CATALOG_GRAPH}> {{ ?g a <{PTMKG}Snapshot> }} }}"
    return {row[0].value for row in store.query(q)}


def unfinished(store: ox.Store) -> list[ox.NamedNode]:
    """Snapshot graphs without a catalog record: what a killed load or removal left."""
    done = catalogued(store)
    return [g for g in store.named_graphs() if isinstance(g, ox.NamedNode) and g.value.startswith(GRAPH)
            and g.value != CATALOG_GRAPH and g.value not in done]


def visible(store: ox.Store) -> list[ox.NamedNode] | None:
    """The graphs a reader's queries see when some are unfinished (the catalogued ones and the catalog);
    None when there is nothing to hide (queries then read the union of all graphs)."""
    if not unfinished(store):
        return None
    done = catalogued(store) | {CATALOG_GRAPH}
    return [g for g in store.named_graphs() if isinstance(g, ox.NamedNode) and g.value in done]
