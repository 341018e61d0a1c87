"""The user-facing knowledge graph: store + ingest + canned queries + the claims and energy facades."""

from __future__ import annotations

import math
import weakref
from pathlib import Path
from typing import TYPE_CHECKING

import polars as pl
import pyoxigraph as ox

from ptmkg.errors import PtmkgError
from ptmkg.ingest import IngestResult, ingest
from ptmkg.query_jobs import QueryJob, QueryRequest, QueryWorkers, start_in_fork, start_in_worker
from ptmkg.sparql_guard import check_services
from ptmkg.store import GraphStore, bind, query_result

if TYPE_CHECKING:
    from collections.abc import Sequence

    from ptmkg.claims.runner import ClaimsRunner
    from ptmkg.energy.graph import EstimateResult


class KG(GraphStore):
    """A ptmkg knowledge graph. ``KG()`` opens the default on-disk store; ``KG.memory()`` an in-memory one."""

    allow_service: tuple[str, ...] = ()
    """Endpoint IRIs a query may call with ``SERVICE``; any other SERVICE is refused before the query runs."""

    @classmethod
    def remote(cls, url: str, *, auth: tuple[str, str] | None = None) -> KG:
        """The graph behind a SPARQL server's query endpoint ``url``: the same query API, read-only."""
        from ptmkg.remote import RemoteKG

        return RemoteKG(url, auth=auth)

    def query(self, sparql: str, *, graphs: Sequence[str] | None = None, timeout: float | None = None,
              max_rows: int | None = None, **params: object) -> pl.DataFrame | bool | list[ox.Triple]:
        """:meth:`GraphStore.query`, refusing SERVICE calls to endpoints not in :attr:`allow_service`.

        With ``timeout`` (seconds) or ``max_rows``, the query runs in a process that is killed when the
        time passes (:class:`~ptmkg.errors.QueryTimeout`) or stops reading at ``max_rows`` rows or triples
        (:class:`~ptmkg.errors.ResultTooLarge`); the KG stays usable. See :meth:`start_query`. Ctrl-C
        while waiting stops the query too.
        """
        if timeout is None and max_rows is None:
            check_services(sparql, self.allow_service)
            return super().query(sparql, graphs=graphs, **params)
        job = self.start_query(sparql, graphs=graphs, timeout=timeout, max_rows=max_rows, **params)
        try:
            return job.result()
        except BaseException:
            job.cancel()
            raise

    def start_query(self, sparql: str, *, graphs: Sequence[str] | None = None, timeout: float | None = None,
                    max_rows: int | None = None, **params: object) -> QueryJob:
        """Start ``sparql`` in a killable process and return at once: ``job.done()``, ``job.result(wait)``
        (what :meth:`query` returns), ``job.cancel()``, ``job.elapsed``.

        An on-disk store is read by a worker process that opens it read-only: it sees what is committed
        (this KG's own writes included). An in-memory store is read by a child forked now, which sees the
        store as it is at this call. See :mod:`ptmkg.query_jobs`.
        """
        check_services(sparql, self.allow_service)
        if timeout is not None and not 0 < timeout < math.inf:
            raise PtmkgError(f"timeout must be a positive number of seconds, not {timeout!r}")
        if max_rows is not None and (not isinstance(max_rows, int) or max_rows < 0):
            raise PtmkgError(f"max_rows must be a whole number of rows (0 or more), not {max_rows!r}")
        text = bind(sparql, params)
        if self.path is None:
            return start_in_fork(self._store, sparql, text, self._scope(graphs), timeout=timeout, max_rows=max_rows,
                                 convert=query_result)
        scope = None if graphs is None else tuple(n.value for n in self._scope(graphs)["default_graph"]
                                                  if isinstance(n, ox.NamedNode))
        return start_in_worker(self._query_workers(), sparql, QueryRequest(text, scope, max_rows), timeout=timeout,
                               convert=query_result)

    def _query_workers(self) -> QueryWorkers:
        """This KG's query worker processes (the idle one is stopped when the KG is garbage-collected)."""
        if getattr(self, "_workers", None) is None:
            self._workers = QueryWorkers(self.path)
            weakref.finalize(self, self._workers.close)
        return self._workers

    def ingest(self, source: str, path: str | Path | None = None, *, force: bool = False,
               **options: object) -> IngestResult:
        """Read, map and load one source snapshot (idempotent: the same input is loaded once)."""
        return ingest(self, source, path, force=force, **options)

    def run(self, name: str, **params: object) -> pl.DataFrame | bool:
        """Run a canned query from ``queries/`` by name."""
        from ptmkg.queries import catalogue

        return catalogue().get(name).run(self, **params)

    @property
    def claims(self) -> ClaimsRunner:
        """Literature claims as executable tests: ``kg.claims.run()``, ``kg.claims.get("EN-01").evidence()``."""
        from ptmkg.claims.runner import ClaimsRunner

        return ClaimsRunner(self)

    def estimate_energy(self, *, utilisation: float | tuple[float, float] = 1.0,
                        pue: float | None = None) -> EstimateResult:
        """Estimate energy and CO2eq for every training run into the ``energy-estimates`` snapshot."""
        from ptmkg.energy.graph import estimate_store

        return estimate_store(self, utilisation=utilisation, pue=pue)
