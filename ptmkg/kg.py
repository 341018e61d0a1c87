"""The user-facing knowledge graph: store + ingest + canned queries + the claims and energy facades."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import polars as pl

from ptmkg.ingest import IngestResult, ingest
from ptmkg.sparql_guard import check_services
from ptmkg.store import GraphStore

if TYPE_CHECKING:
    from collections.abc import Sequence

    import pyoxigraph as ox

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

    def query(self, sparql: str, *, graphs: Sequence[str] | None = None,
              **params: object) -> pl.DataFrame | bool | list[ox.Triple]:
        """:meth:`GraphStore.query`, refusing SERVICE calls to endpoints not in :attr:`allow_service`."""
        check_services(sparql, self.allow_service)
        return super().query(sparql, graphs=graphs, **params)

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
