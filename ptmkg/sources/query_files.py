"""The canned-query collection itself as a source, so that one can query the queries."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import polars as pl

from ptmkg import __released__, __version__
from ptmkg.queries import QUERIES_DIR, Catalogue
from ptmkg.snapshot import SnapshotInfo, content_hash
from ptmkg.sources.base import SourceData

SOURCE_URL = "https://w3id.org/ptmkg/queries"


def read(path: Path | None = None, *, retrieved: str | None = None) -> SourceData:
    """Read every ``.rq`` file under ``path`` (default: the collection shipped with ptmkg).

    Dated by ``retrieved``, else by the ptmkg release for the shipped collection, else by the day the
    newest file was written: never by the clock.
    """
    root = Path(path) if path else QUERIES_DIR
    cat = Catalogue(root)
    queries = list(cat)
    frame = pl.DataFrame(
        {
            "name": [q.name for q in queries],
            "summary": [q.summary for q in queries],
            "description": [q.description for q in queries],
            "sparql": [q.sparql for q in queries],
            "form": [q.form for q in queries],
            "tags": [list(q.tags) for q in queries],
            "parameters": [q.parameters for q in queries],
        },
        schema={"name": pl.String, "summary": pl.String, "description": pl.String, "sparql": pl.String,
                "form": pl.String,
                "tags": pl.List(pl.String), "parameters": pl.List(pl.String)},
    )
    if retrieved is None and root.resolve() == QUERIES_DIR.resolve():
        retrieved = __released__
    if retrieved is None:
        newest = max((q.path.stat().st_mtime for q in queries), default=0.0)
        retrieved = datetime.fromtimestamp(newest, UTC).date().isoformat()
    snap = SnapshotInfo("queries", __version__, retrieved, SOURCE_URL,
                        content_hash(q.path for q in queries), files=tuple(q.name + ".rq" for q in queries))
    return SourceData(snap, {"queries": frame})
