"""The user-facing knowledge graph: store + ingest + canned queries."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import polars as pl

from ptmkg.ingest import IngestResult, ingest
from ptmkg.store import GraphStore

if TYPE_CHECKING:
    from ptmkg.claims.runner import ClaimsRunner


class KG(GraphStore):
    """A ptmkg knowledge graph. ``KG()`` opens the default on-disk store; ``KG.memory()`` an in-memory one."""

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
