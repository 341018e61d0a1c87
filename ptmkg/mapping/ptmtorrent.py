"""PTMTorrent frames → triples: models of non-Hub model hubs, their owners, papers, datasets, tasks."""

from __future__ import annotations

import polars as pl

from ptmkg.mapping.identity import doi, slug
from ptmkg.mapping.terms import Triples, entity, raw_iri, text
from ptmkg.namespaces import FAIR4ML, PRISM, PROV, PTMKG, SCHEMA
from ptmkg.sources.base import SourceData


def model_iri() -> pl.Expr:
    """``model/<hub>/<owner>/<name>`` of a models row."""
    return entity("model", pl.concat_str([pl.col("hub"), pl.lit("/"), pl.col("key")]))


def to_triples(data: SourceData) -> Triples:
    """Models with hub, hub id, name, owner, URLs, latest commit, task, architecture, papers and datasets."""
    models, datasets = data.frames["models"], data.frames["datasets"]
    t, m = Triples(), model_iri()
    agent = entity("agent/name", slug("author"))
    t.types(models, m, PTMKG + "Model", FAIR4ML + "MLModel")
    t.add(models, m, SCHEMA + "name", text("name"))
    t.add(models, m, PTMKG + "hub", text("hub"))
    t.add(models, m, PTMKG + "hubId", text("key"))
    t.add(models, m, SCHEMA + "url", raw_iri("model_url"))
    t.add(models, m, SCHEMA + "codeRepository", raw_iri("code_url"))
    t.add(models, m, PTMKG + "latestCommit", text("commit"))
    t.add(models, m, PTMKG + "pipelineTask", text("task"))
    t.add(models, m, PTMKG + "architecture", text("architecture"))
    t.add(models, m, SCHEMA + "author", agent)
    t.add(models, m, PROV + "wasAttributedTo", agent)
    t.types(models, agent, PTMKG + "Agent")
    t.add(models, agent, SCHEMA + "name", text("author"))
    papers = models.select(m.alias("m"), "dois").explode("dois").select("m", doi("dois").alias("doi"))
    paper = entity("paper/doi", "doi")
    t.add(papers, pl.col("m"), PTMKG + "citesPaper", paper)
    t.types(papers.drop_nulls("doi"), paper, PTMKG + "Paper")
    t.add(papers, paper, PRISM + "doi", text("doi"))
    d = datasets.join(models.select("key", m.alias("m")), on="key").with_columns(
        entity("dataset/name", slug("dataset")).alias("ds"), doi("dataset_doi").alias("doi"))
    t.add(d, pl.col("m"), FAIR4ML + "trainedOn", pl.col("ds"))
    t.types(d, pl.col("ds"), PTMKG + "Dataset", SCHEMA + "Dataset")
    t.add(d, pl.col("ds"), SCHEMA + "name", text("dataset"))
    t.add(d, pl.col("ds"), SCHEMA + "url", raw_iri("dataset_url"))
    t.add(d, pl.col("ds"), SCHEMA + "citation", paper)
    t.types(d.drop_nulls("doi"), paper, PTMKG + "Paper")
    t.add(d, paper, PRISM + "doi", text("doi"))
    return t
