"""Coding-sheet frames → triples: papers with sharing flags, availability records, reported training runs."""

from __future__ import annotations

import polars as pl

from ptmkg.mapping.identity import slug
from ptmkg.mapping.terms import (
    Triples,
    boolean,
    const,
    double,
    entity,
    integer,
    raw_iri,
    text,
    typed,
)
from ptmkg.namespaces import DCT, PRISM, PROV, PTMKG, QUDT, SCHEMA, UNIT
from ptmkg.sources.base import SourceData
from ptmkg.sources.literature import KINDS


def paper_iri() -> pl.Expr:
    """By DOI, else arXiv id, else the review's key."""
    return pl.coalesce(entity("paper/doi", pl.col("doi").str.to_lowercase()), entity("paper/arxiv", pl.col("arxiv")),
                       entity("paper/key/literature", slug("key")))


def to_triples(data: SourceData) -> Triples:
    """Papers, one ArtifactAvailability per coded artefact kind, and a TrainingRun with a Reported duration."""
    pubs = data.frames["publications"].with_columns(paper_iri().alias("paper"), slug("key").alias("k"))
    t, p = Triples(), pl.col("paper")
    t.types(pubs, p, PTMKG + "Paper")
    t.add(pubs, p, DCT + "title", text("title"))
    t.add(pubs, p, PRISM + "doi", text("doi"))
    t.add(pubs, p, PTMKG + "arxivId", text("arxiv"))
    t.add(pubs, p, DCT + "issued", typed("year", "gYear"))
    t.add(pubs, p, PRISM + "publicationName", text("venue"))
    t.add(pubs, p, PTMKG + "researchTask", text("task"))
    for kind in KINDS:
        coded = pubs.filter(pl.col(f"shares_{kind}").is_not_null())
        av = entity("availability/literature", pl.concat_str([pl.col("k"), pl.lit(f"/{kind}")]))
        t.add(coded, p, PTMKG + f"shares{kind.title()}", boolean(f"shares_{kind}"))
        t.types(coded, av, PTMKG + "ArtifactAvailability", PROV + "Entity")
        t.add(coded, av, PTMKG + "availabilityOf", p)
        t.add(coded, av, PTMKG + "artifactKind", text(pl.lit(kind)))
        t.add(coded, av, PTMKG + "available", boolean(f"shares_{kind}"))
        t.add(coded, av, SCHEMA + "url", raw_iri(pl.col(f"{kind}_url")))
    runs = pubs.filter(pl.any_horizontal(pl.col("hardware", "accelerator_count", "training_hours").is_not_null()))
    run = entity("run/literature", pl.col("k"))
    t.types(runs, run, PTMKG + "TrainingRun", PROV + "Activity")
    t.add(runs, run, DCT + "source", p)
    t.add(runs, run, PTMKG + "hardwareRaw", text("hardware"))
    t.add(runs, run, PTMKG + "acceleratorCount", integer("accelerator_count"))
    timed = runs.filter(pl.col("training_hours").is_not_null())
    q = entity("quantity/literature", pl.col("k") + pl.lit("/duration"))
    t.add(timed, run, PTMKG + "duration", q)
    t.types(timed, q, PTMKG + "Quantity")
    t.add(timed, q, QUDT + "numericValue", double("training_hours"))
    t.add(timed, q, QUDT + "unit", const(UNIT + "HR"))
    t.add(timed, q, PTMKG + "obtainedBy", const(PTMKG + "Reported"))
    return t
