"""The canned-query collection itself as a source, so that one can query the queries."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import polars as pl

from ptmkg import __version__
from ptmkg.queries import QUERIES_DIR, Catalogue
from ptmkg.snapshot import SnapshotInfo, content_hash
from ptmkg.sources.base import SourceData

SOURCE_URL = "https://w3id.org/ptmkg/queries"


def read(path: Path | None = None, **_: object) -> SourceData:
    """Read every ``.rq`` file under ``path`` (default: the project's ``queries/``)."""
    root = Path(path) if path else QUERIES_DIR
    cat = Catalogue(root)
    queries = list(cat)
    frame = pl.DataFrame(
        {
            "name": [q.name for q in queries],
            "summary": [q.summary for q in queries],
            "description": [q.description for q in queries],
            "sparql": [q.sparql for q in queries],
            "tags": [list(q.tags) for q in queries],
            "parameters": [q.parameters for q in queries],
        },
        schema={"name": pl.String, "summary": pl.String, "description": pl.String, "sparql": pl.String,
                "tags": pl.List(pl.String), "parameters": pl.List(pl.String)},
    )
    snap = SnapshotInfo("queries", __version__, date.today().isoformat(), SOURCE_URL,
                        content_hash(q.path for q in queries), files=tuple(q.name + ".rq" for q in queries))
    return SourceData(snap, {"queries": frame})
