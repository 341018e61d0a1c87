"""Snapshots: one ingested version of one source, its named graph and its PROV/VoID record."""

from __future__ import annotations

import hashlib
import html
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pyoxigraph as ox

from ptmkg import __version__
from ptmkg.frames import frame_for, population_iri
from ptmkg.namespaces import (
    CATALOG_GRAPH,
    DCAT,
    DCT,
    GRAPH,
    PAV,
    PROV,
    PTMKG,
    RDF_TYPE,
    VOID,
    XSD,
)


def content_hash(paths: Iterable[Path]) -> str:
    """``sha256:<hex>`` over the files' names (relative order) and bytes, read in chunks."""
    h = hashlib.sha256()
    for path in sorted(Path(p) for p in paths):
        h.update(path.name.encode() + b"\0")
        with open(path, "rb") as fh:
            while chunk := fh.read(1 << 20):
                h.update(chunk)
    return "sha256:" + h.hexdigest()


def text_hash(text: str | bytes) -> str:
    """``sha256:<hex>`` of a string or bytes."""
    return "sha256:" + hashlib.sha256(text.encode() if isinstance(text, str) else text).hexdigest()


@dataclass(frozen=True)
class SnapshotInfo:
    """What identifies one source snapshot before it is loaded."""

    source: str
    version: str
    retrieved: str
    source_url: str
    content_hash: str
    licence: str | None = None
    files: tuple[str, ...] = field(default=())

    @property
    def graph(self) -> str:
        """The named graph (and Snapshot node) IRI."""
        return f"{GRAPH}{self.source}/{self.content_hash.removeprefix('sha256:')[:12]}"

    def __repr__(self) -> str:
        files = f", {len(self.files)} file{'s' if len(self.files) != 1 else ''}" if self.files else ""
        return (f"<snapshot {self.source}@{self.version} retrieved {self.retrieved}{files}, "
                f"{self.content_hash[:19]}… → {self.graph}>")

    def _repr_html_(self) -> str:
        rows = [("source", self.source), ("version", self.version), ("retrieved", self.retrieved),
                ("from", self.source_url), ("licence", self.licence or "—"), ("content hash", self.content_hash),
                ("graph", self.graph), ("files", ", ".join(self.files) or "—")]
        body = "".join(f"<tr><th style='text-align:left;padding:1px 8px'>{k}</th>"
                       f"<td style='padding:1px 8px'>{html.escape(str(v))}</td></tr>" for k, v in rows)
        return f"<table class='ptmkg-snapshot'>{body}</table>"

    def frame_facts(self) -> list[tuple[str, ox.NamedNode | ox.Literal]]:
        """The sampling frame (:mod:`ptmkg.frames`): kind, populations covered, how drawn, the study, and the
        population it was drawn from."""
        frame = frame_for(self.source, self.files)
        if frame is None:
            return []
        facts: list[tuple[str, ox.NamedNode | ox.Literal]] = [
            (PTMKG + "frameKind", ox.Literal(frame.kind)), (PTMKG + "samplingMethod", ox.Literal(frame.drawn))]
        facts += [(PTMKG + "coversPopulation", ox.NamedNode(population_iri(k))) for k in frame.covers]
        if frame.study:
            facts.append((PTMKG + "frameStudy", ox.Literal(frame.study)))
        if frame.drawn_from:
            facts.append((PTMKG + "drawnFrom", ox.NamedNode(population_iri(frame.drawn_from))))
        return facts

    def metadata(self, triples: int, loaded_at: datetime | None = None) -> list[ox.Quad]:
        """The PROV/VoID description of this snapshot, for the catalog graph."""
        loaded_at = loaded_at or datetime.now(UTC)
        g, s = ox.NamedNode(CATALOG_GRAPH), ox.NamedNode(self.graph)

        def lit(value: str, dt: str | None = None) -> ox.Literal:
            return ox.Literal(value, datatype=ox.NamedNode(XSD + dt)) if dt else ox.Literal(value)

        facts: list[tuple[str, ox.NamedNode | ox.Literal]] = [
            (RDF_TYPE, ox.NamedNode(PTMKG + "Snapshot")),
            (RDF_TYPE, ox.NamedNode(VOID + "Dataset")),
            (RDF_TYPE, ox.NamedNode(DCAT + "Dataset")),
            (RDF_TYPE, ox.NamedNode(PROV + "Entity")),
            (PTMKG + "sourceName", lit(self.source)),
            (PAV + "version", lit(self.version)),
            (PTMKG + "retrievedAt", lit(self.retrieved, "date" if len(self.retrieved) == 10 else "dateTime")),
            (DCT + "source", ox.NamedNode(self.source_url)),
            (PTMKG + "contentHash", lit(self.content_hash)),
            (VOID + "triples", lit(str(triples), "integer")),
            (PROV + "generatedAtTime", lit(loaded_at.strftime("%Y-%m-%dT%H:%M:%SZ"), "dateTime")),
            (PTMKG + "ptmkgVersion", lit(__version__)),
        ]
        if self.licence:
            facts.append((DCT + "license", ox.NamedNode(self.licence)))
        facts += [(PTMKG + "inputFile", lit(f)) for f in self.files]
        facts += self.frame_facts()
        return [ox.Quad(s, ox.NamedNode(p), o, g) for p, o in facts]
