"""The graph store: Oxigraph on disk or in memory, atomic snapshot loads, SPARQL → polars."""

from __future__ import annotations

import os
import re
import signal
import tempfile
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import BinaryIO

import polars as pl
import pyoxigraph as ox
from tqdm.auto import tqdm

from ptmkg.bulk import bulk_load
from ptmkg.errors import PtmkgError, sparql_syntax_error
from ptmkg.resources import default_store_path
from ptmkg.mapping.terms import Triples
from ptmkg.namespaces import CATALOG_GRAPH, PREFIXES, PTMKG, XSD
from ptmkg.results import solutions_frame
from ptmkg.snapshot import SnapshotInfo
from ptmkg.store_view import STAGED, open_read_only, unfinished, visible

FORMATS: dict[str, ox.RdfFormat] = {
    "nquads": ox.RdfFormat.N_QUADS,
    "trig": ox.RdfFormat.TRIG,
    "turtle": ox.RdfFormat.TURTLE,
    "ntriples": ox.RdfFormat.N_TRIPLES,
    "jsonld": ox.RdfFormat.JSON_LD,
}
_QUAD_FORMATS = {"nquads", "trig", "jsonld"}
# Quads removed per transaction when a graph is dropped: one transaction for a whole graph holds all
# its deletions in memory (3 GiB above the store at 2.5M triples); chunks keep it bounded.
DROP_CHUNK = 200_000
KEEP_LOGS = 4  # RocksDB info logs of earlier writable opens kept (diagnostics only)


def _hook(point: str) -> None:
    """Crash-test hook (tests/test_kill9.py): ``PTMKG_KILL_AT=<point>`` SIGKILLs this process at ``point``,
    ``PTMKG_FAIL_AT=<point>`` raises there (to run a rollback). Unset, it costs one dictionary look-up."""
    if os.environ.get("PTMKG_KILL_AT") == point:
        os.kill(os.getpid(), signal.SIGKILL)
    if os.environ.get("PTMKG_FAIL_AT") == point:
        raise PtmkgError(f"injected failure at {point}")


def to_term(value: object, as_iri: bool = False) -> ox.NamedNode | ox.Literal:
    """A Python value as an RDF term for parameter binding."""
    if as_iri or isinstance(value, ox.NamedNode):
        try:
            return value if isinstance(value, ox.NamedNode) else ox.NamedNode(str(value))
        except ValueError as e:
            raise PtmkgError(f"not an IRI: {value!r} ({e})") from None
    if isinstance(value, bool):
        return ox.Literal("true" if value else "false", datatype=ox.NamedNode(XSD + "boolean"))
    if isinstance(value, int):
        return ox.Literal(str(value), datatype=ox.NamedNode(XSD + "integer"))
    if isinstance(value, float):
        return ox.Literal(repr(value), datatype=ox.NamedNode(XSD + "double"))
    if isinstance(value, datetime):
        return ox.Literal(value.isoformat(), datatype=ox.NamedNode(XSD + "dateTime"))
    if isinstance(value, date):
        return ox.Literal(value.isoformat(), datatype=ox.NamedNode(XSD + "date"))
    return ox.Literal(str(value))


def query_result(result: bool | ox.QueryBoolean | ox.QuerySolutions | Iterable[ox.Triple]
                 ) -> pl.DataFrame | bool | list[ox.Triple]:
    """A query's result as ptmkg returns it: SELECT → polars DataFrame, ASK → bool, CONSTRUCT/DESCRIBE →
    list of triples."""
    if isinstance(result, (bool, ox.QueryBoolean)):
        return bool(result)
    if isinstance(result, ox.QuerySolutions):
        return solutions_frame(result)
    return list(result)


def _where_brace(sparql: str) -> int:
    """Index of the first ``{`` outside comments, strings and IRIs (the WHERE group)."""
    i, n = 0, len(sparql)
    while i < n:
        c = sparql[i]
        if c == "#":
            i = sparql.find("\n", i)
            if i < 0:
                break
        elif c in "\"'":
            j = i + 1
            while j < n and sparql[j] != c:
                j += 2 if sparql[j] == "\\" else 1
            i = j
        elif c == "<" and re.match(r"<[^\s<>]*>", sparql[i:]):
            i = sparql.index(">", i)
        elif c == "{":
            return i
        i += 1
    raise PtmkgError("the query has no WHERE group to bind parameters in")


def bind(sparql: str, params: dict[str, object]) -> str:
    """Bind ``params`` as a VALUES block at the top of the WHERE group.

    ``name`` binds ``?_name_iri`` (as an IRI), ``?_name`` or ``?name``. Values become RDF terms
    serialised by Oxigraph, so user input is never pasted into the query text as syntax.
    """
    names: list[str] = []
    terms: list[str] = []
    for name, value in params.items():
        if value is None:
            continue
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
            raise PtmkgError(f"bad parameter name '{name}'")
        if f"?_{name}_iri" in sparql:
            var, term = f"_{name}_iri", to_term(value, as_iri=True)
        elif f"?_{name}" in sparql:
            var, term = f"_{name}", to_term(value)
        elif f"?{name}" in sparql:
            var, term = name, to_term(value)
        else:
            raise PtmkgError(f"parameter '{name}' is not used by the query")
        names.append(f"?{var}")
        terms.append(str(term))
    if not names:
        return sparql
    at = _where_brace(sparql) + 1
    return f"{sparql[:at]} VALUES ({' '.join(names)}) {{ ({' '.join(terms)}) }} {sparql[at:]}"


def store_bytes(path: Path) -> int:
    """The size of the files in a store folder (0 if there is none)."""
    return sum(f.stat().st_size for f in path.iterdir() if f.is_file()) if path.is_dir() else 0


def _open_store(path: Path, read_only: bool) -> ox.Store:
    """Open the Oxigraph store at ``path``; every way this can fail is one clear :class:`PtmkgError`."""
    if path.exists() and not path.is_dir():
        raise PtmkgError(f"store path {path} is a file, not a store directory")
    is_store = (path / "CURRENT").exists()
    if read_only and not is_store:
        raise PtmkgError(f"no store at {path}; create one with 'ptmkg build' (or pass --store DIR)")
    if not is_store and path.exists() and any(path.iterdir()):
        raise PtmkgError(f"{path} is not a ptmkg store and not empty; choose a new or empty folder for --store")
    try:
        if read_only:
            return open_read_only(path)
        path.mkdir(parents=True, exist_ok=True)
        return ox.Store(str(path))
    except OSError as e:
        if "lock" in str(e).lower():
            raise PtmkgError(f"the store {path} is in use by another process (or another KG in this one); "
                             "close it, or read it with read-only access (queries do)") from None
        raise PtmkgError(f"cannot open the store {path}: {e}") from None
    except RuntimeError as e:
        if "no such file" in str(e).lower():
            raise PtmkgError(f"the store {path} keeps changing under another process that writes to it; "
                             "try again when it has finished") from None
        raise PtmkgError(f"the store {path} is damaged ({e}); restore a backup or rebuild it "
                         "into a new folder") from None


class GraphStore:
    """An Oxigraph store holding one named graph per source snapshot plus a catalog graph."""

    def __init__(self, path: str | Path | None = None, *, read_only: bool = False, memory: bool = False):
        """Open (or create) the store at ``path`` (default: :func:`default_store_path`), or in memory."""
        if memory:
            self.path, self._store = None, ox.Store()
        else:
            self.path = Path(path) if path else default_store_path()
            self._store = _open_store(self.path, read_only)
        self.read_only = read_only
        self._visible: list[ox.NamedNode] | None = None
        self.reclaimed_bytes = 0
        """Bytes of files nothing reads that this open deleted (see :meth:`orphan_files`)."""
        if not read_only:
            self.reclaimed_bytes = self._remove_orphan_files()
            self._drop_unfinished()
        else:  # a killed load's graph: queries see the catalogued graphs only
            self._visible = visible(self._store)

    @classmethod
    def memory(cls) -> GraphStore:
        """A store held in memory only."""
        return cls(memory=True)

    @property
    def oxigraph(self) -> ox.Store:
        """The underlying pyoxigraph store."""
        return self._store

    # -- snapshots -----------------------------------------------------------------

    def unfinished(self) -> list[ox.NamedNode]:
        """Snapshot graphs without a catalog record: what a killed load or removal left (the next
        writable open removes them; until then queries do not see them)."""
        return unfinished(self._store)

    def orphan_files(self) -> list[Path]:
        """Files in the store folder that nothing reads: a killed bulk load's batches, and old info logs.

        Oxigraph's bulk loader writes each batch as ``bulk-<random>.sst`` in the store folder and then
        hands it to RocksDB, which takes it in under a number of its own. A file still named so belongs to
        no index: RocksDB neither reads nor deletes it, and ``optimize`` cannot reclaim it (a kill during
        a 540k-triple load left 45 MB of them). Only a writer, which holds the store's lock, runs a bulk
        load, so at a writable open none is running. RocksDB also keeps the diagnostic log of each
        writable open (``LOG.old.*``, about 140 kB each, up to 1,000 of them); all but the newest
        :data:`KEEP_LOGS` are listed.
        """
        if not self.path:
            return []
        logs = sorted(self.path.glob("LOG.old.*"), key=lambda f: f.name)
        return sorted(self.path.glob("bulk-*.sst")) + logs[:max(len(logs) - KEEP_LOGS, 0)]

    def _remove_orphan_files(self) -> int:
        removed = 0
        for file in self.orphan_files():
            try:
                size = file.stat().st_size
                file.unlink()
            except FileNotFoundError:
                continue
            removed += size
        return removed

    def disk_bytes(self) -> int:
        """The size of the store's files (0 in memory)."""
        return store_bytes(self.path) if self.path else 0

    def _drop_unfinished(self) -> None:
        """Remove snapshot graphs without a catalog record (a load that was killed)."""
        for g in self.unfinished():
            self._drop_graph(g)

    def _drop_graph(self, graph: ox.NamedNode, point: str = "drop:chunk") -> None:
        """Remove a named graph and its quads, at most ``DROP_CHUNK`` quads per transaction (bounded memory).

        Chunks are taken predicate by predicate: each chunk's scan then starts at its predicate's
        range and skips only that predicate's already deleted quads, not the whole graph's.
        """
        g = f"<{graph.value}>"
        predicates = [row[0] for row in self._store.query(f"SELECT DISTINCT ?p WHERE {{ GRAPH {g} {{ ?s ?p ?o }} }}")]
        with tqdm(total=len(predicates), desc="removing graph", unit="predicate", disable=None, leave=False) as bar:
            for p in predicates:
                pattern = f"GRAPH {g} {{ ?s {p} ?o }}"
                delete = f"DELETE {{ {pattern} }} WHERE {{ SELECT ?s ?o WHERE {{ {pattern} }} LIMIT {DROP_CHUNK} }}"
                while self._store.query(f"ASK {{ {pattern} }}"):
                    self._store.update(delete)
                    _hook(point)
                bar.update()
        self._store.remove_graph(graph)

    def find_snapshot(self, source: str, content_hash: str) -> str | None:
        """The graph IRI of an already loaded snapshot with this source and hash."""
        q = (f"SELECT ?g WHERE {{ GRAPH <{CATALOG_GRAPH}> {{ ?g <{PTMKG}sourceName> ?_src ; "
             f"<{PTMKG}contentHash> ?_h }} }}")
        rows = self.query(q, src=source, h=content_hash)
        return rows["g"][0] if rows.height else None

    def load_snapshot(self, info: SnapshotInfo, triples: Triples) -> int:
        """Load ``triples`` into the snapshot's named graph, all or nothing; returns its triple count."""
        with tempfile.TemporaryDirectory(prefix="ptmkg-") as tmp:
            nt = Path(tmp) / "snapshot.nt"
            return self.load_ntriples(info, nt, triples=triples.write_ntriples(nt))

    def load_ntriples(self, info: SnapshotInfo, path: Path, *, triples: int | None = None) -> int:
        """Bulk-load an N-Triples file as the snapshot's named graph, all or nothing; returns its triple count.

        ``triples``: the number of distinct triples in the file when the writer knows it (as
        :meth:`Triples.write_ntriples` does); otherwise they are counted in the store after the load.
        The graph is new, so undoing a failed or interrupted load is dropping that graph; the
        catalog record is written last, in one transaction.
        """
        self._writable()
        graph = ox.NamedNode(info.graph)
        if self._store.contains_named_graph(graph):
            raise PtmkgError(f"snapshot graph {info.graph} already exists")
        try:
            count = self._bulk_into(graph, info, path, triples)
            _hook("load:bulk")
            # Durable without flush(): extend() goes through RocksDB's write-ahead log, and flush() would
            # wait for the compaction a bulk load leaves to background threads (minutes at 25M triples).
            # One atomic write: the snapshot is visible whole from here on.
            self._store.extend(info.metadata(count))
            _hook("load:catalog")
        except BaseException:
            self._drop_graph(graph)
            raise
        return count

    def _bulk_into(self, graph: ox.NamedNode, info: SnapshotInfo, path: Path, triples: int | None) -> int:
        """Bulk-load ``path`` into ``graph`` (no catalog record); returns its triple count."""
        with tqdm(total=1, desc=f"loading {info.source}", unit="graph", disable=None, leave=False) as bar:
            # In memory, concurrent loads take turns: cutting the file gains nothing there.
            bulk_load(self._store, path, graph, triples=triples if self.path else None)
            bar.update()
        return self.graph_size(graph.value) if triples is None else triples

    def replace_ntriples(self, info: SnapshotInfo, path: Path, *, triples: int | None = None,
                         previous: str | None = None) -> int:
        """Load ``path`` as the snapshot ``info.graph`` in place of the one in ``previous`` (default: the
        same IRI); at every moment the old snapshot or the new one is catalogued and whole, never none.

        A graph holds one set of triples, so the new content goes first into a staging graph
        (``<graph>/staged``): uncatalogued, it is hidden from readers and removed at the next writable
        open if the process dies. One transaction then swaps the catalog records (the staged graph
        becomes the snapshot), the old graph is dropped, and the same is done once more from the staged
        graph into ``info.graph``. A kill between the swaps leaves the new snapshot whole in the staged
        graph (found by its hash, so ingesting again completes the move). The new content is loaded
        twice: ``ingest hf-carbon --force`` (51k triples) took 6.8-7.8 s instead of 4.6-4.7 s (whole
        command, best of 3, machine under load).
        """
        self._writable()
        current, target = previous or info.graph, info.graph
        if current == target:  # the new content cannot go into the graph that holds the old: stage it
            staged = target + STAGED
            self._move(info, path, triples, staged, current, "staged")
            current = staged
        return self._move(info, path, triples, target, current, "final")

    def _move(self, info: SnapshotInfo, path: Path, triples: int | None, graph: str, current: str,
              phase: str) -> int:
        """Load ``path`` into the new graph ``graph``, make it the snapshot in place of ``current`` in one
        catalog transaction, then drop ``current``; returns the triple count. ``phase`` names the
        crash-test hooks (``replace:<phase>:loaded``, ``:swapped``, ``:drop``)."""
        node = ox.NamedNode(graph)
        if self._store.contains_named_graph(node):
            self._drop_graph(node)  # an uncatalogued leftover (the writable open dropped any before)
        try:
            count = self._bulk_into(node, info, path, triples)
            _hook(f"replace:{phase}:loaded")
        except BaseException:
            self._drop_graph(node)
            raise
        record = [ox.Quad(node, q.predicate, q.object, q.graph_name) if q.subject.value == info.graph else q
                  for q in info.metadata(count)]
        data = " ".join(f"{q.subject} {q.predicate} {q.object} ." for q in record)
        self._store.update(f"DELETE WHERE {{ GRAPH <{CATALOG_GRAPH}> {{ <{current}> ?p ?o }} }} ; "
                           f"INSERT DATA {{ GRAPH <{CATALOG_GRAPH}> {{ {data} }} }}")  # one transaction
        _hook(f"replace:{phase}:swapped")
        self._drop_graph(ox.NamedNode(current), point=f"replace:{phase}:drop")
        return count

    def graph_size(self, graph: str) -> int:
        """The number of distinct triples in a named graph."""
        return self.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")["n"][0]

    def remove_snapshot(self, graph: str) -> None:
        """Drop a snapshot graph and its catalog record.

        The record goes first, in one transaction: a removal killed half-way leaves an uncatalogued
        graph (removed at the next writable open), never a catalogued snapshot with part of its triples.
        """
        self._writable()
        node = ox.NamedNode(graph)
        self._store.update(f"DELETE WHERE {{ GRAPH <{CATALOG_GRAPH}> {{ <{node.value}> ?p ?o }} }}")
        _hook("remove:catalog")
        self._drop_graph(node)

    def optimize(self) -> None:
        """Compact the store's indexes, so that queries read one sorted run per index, not one per load.

        Worth it after several loads: on the nine shared sources (1.5M quads) it takes 2–3 s and halves
        the time of the canned queries (whole catalogue: 83–89 s before, 34–44 s after, over runs).
        It also drops what removed graphs leave in the indexes; the write-ahead log a large removal
        filled (227 MB for 540k triples) is kept by RocksDB for reuse until the store is next opened.
        """
        self._writable()
        with tqdm(total=1, desc="optimizing store", unit="store", disable=None, leave=False) as bar:
            self._store.optimize()
            bar.update()

    def snapshots(self) -> pl.DataFrame:
        """One row per loaded snapshot with its PROV/VoID metadata."""
        return self.query(f"""
            SELECT ?graph ?source ?version ?retrieved ?loaded ?triples ?hash ?licence WHERE {{
              GRAPH <{CATALOG_GRAPH}> {{
                ?graph a ptmkg:Snapshot ; ptmkg:sourceName ?source ; pav:version ?version ;
                       ptmkg:retrievedAt ?retrieved ; prov:generatedAtTime ?loaded ;
                       void:triples ?triples ; ptmkg:contentHash ?hash .
                OPTIONAL {{ ?graph dct:license ?licence }}
              }}
            }} ORDER BY ?source ?retrieved""")

    def _writable(self) -> None:
        if self.read_only:
            raise PtmkgError("the store is open read-only")

    # -- queries -------------------------------------------------------------------

    def query(self, sparql: str, *, graphs: Sequence[str] | None = None,
              **params: object) -> pl.DataFrame | bool | list[ox.Triple]:
        """Run SPARQL over the union of all graphs (or of ``graphs`` only); parameters are bound, never pasted.

        SELECT → polars DataFrame, ASK → bool, CONSTRUCT/DESCRIBE → list of triples.
        """
        try:
            return query_result(self._store.query(bind(sparql, params), prefixes=PREFIXES, **self._scope(graphs)))
        except SyntaxError as e:
            raise sparql_syntax_error(sparql, str(e)) from None
        except OSError as e:
            raise PtmkgError(f"a SERVICE call of the query failed: {e.strerror or e}") from None

    def _scope(self, graphs: Sequence[str] | None) -> dict[str, object]:
        """The dataset of a query: the union of all graphs (those visible), or of ``graphs`` only."""
        if graphs is not None:
            return {"default_graph": [ox.NamedNode(g) for g in graphs] or [ox.DefaultGraph()]}
        if self._visible is not None:
            return {"default_graph": self._visible}
        return {"use_default_graph_as_union": True}

    def __len__(self) -> int:
        return len(self._store)

    # -- export --------------------------------------------------------------------

    def export(self, output: str | Path | BinaryIO, fmt: str = "nquads", snapshot: str | None = None) -> None:
        """Write the whole store (or one snapshot graph) as nquads, trig, turtle, ntriples or jsonld."""
        if fmt not in FORMATS:
            raise PtmkgError(f"unknown format '{fmt}'; use one of {', '.join(FORMATS)}")
        if fmt not in _QUAD_FORMATS and snapshot is None:
            raise PtmkgError(f"{fmt} holds one graph: name a snapshot, or use nquads/trig/jsonld")
        if not hasattr(output, "write"):
            folder = Path(output).resolve().parent
            if not folder.is_dir():
                raise PtmkgError(f"cannot write {output}: the folder {folder} does not exist")
            if not os.access(folder, os.W_OK):
                raise PtmkgError(f"cannot write {output}: the folder {folder} is not writable")
        kwargs: dict[str, object] = {"format": FORMATS[fmt]}
        if snapshot is not None:
            kwargs["from_graph"] = ox.NamedNode(snapshot)
        if fmt in ("turtle", "trig"):
            kwargs["prefixes"] = PREFIXES
        self._store.dump(output if hasattr(output, "write") else str(output), **kwargs)
