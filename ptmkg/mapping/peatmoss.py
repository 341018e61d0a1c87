"""PeaTMOSS frames → triples: models, reusing GitHub repositories (``ptmkg:usesModel``), papers, licences."""

from __future__ import annotations

import polars as pl

from ptmkg.mapping.identity import (
    arxiv_id,
    doi,
    github_repo,
    hub_id,
    licence_id,
    licence_iri,
    slug,
)
from ptmkg.mapping.terms import Triples, entity, integer, raw_iri, text
from ptmkg.namespaces import DCT, FAIR4ML, PRISM, PROV, PTMKG, SCHEMA
from ptmkg.sources.base import SourceData


def hub_key() -> pl.Expr:
    """``hf``, ``pytorchhub`` or a slug of the hub's name."""
    name = pl.col("hub_name").str.to_lowercase()
    return (pl.when(name.str.contains("hugging")).then(pl.lit("hf"))
            .when(name.str.contains("pytorch")).then(pl.lit("pytorchhub")).otherwise(slug(name)))


def model_iri() -> pl.Expr:
    """``model/hf/<hub id>`` for Hugging Face models, ``model/<hub>/<context id, lower case>`` otherwise."""
    key = pl.when(pl.col("hub") == "hf").then(hub_id("context_id")).otherwise(
        pl.col("context_id").str.strip_chars().str.to_lowercase())
    return entity("model", pl.concat_str([pl.col("hub"), pl.lit("/"), key]))


def to_triples(data: SourceData) -> Triples:
    """Models (hub, id, downloads, likes, commit), repositories reusing them, and their named links."""
    f, t = data.frames, Triples()
    models = f["models"].with_columns(hub_key().alias("hub")).with_columns(model_iri().alias("m"))
    m = pl.col("m")
    t.types(models, m, PTMKG + "Model", FAIR4ML + "MLModel")
    t.add(models, m, PTMKG + "hub", text("hub"))
    t.add(models, m, PTMKG + "hubId", text("context_id"))
    t.add(models, m, PTMKG + "downloads", integer("downloads"))
    t.add(models, m, PTMKG + "likes", integer("likes"))
    t.add(models, m, PTMKG + "latestCommit", text("sha"))
    t.add(models, m, SCHEMA + "url", raw_iri("repo_url"))

    repos = f["repositories"].with_columns(pl.coalesce(
        github_repo("url"), github_repo(pl.lit("https://github.com/") + pl.col("owner") + pl.lit("/") + pl.col("name"))
    ).alias("key"))
    r = entity("repo/github", "key")
    t.types(repos, r, PTMKG + "Repository", SCHEMA + "SoftwareSourceCode")
    t.add(repos, r, SCHEMA + "codeRepository", raw_iri("url"))
    uses = (f["uses"].join(repos.select(pl.col("id").alias("repository_id"), "key"), on="repository_id")
            .join(models.select(pl.col("id").alias("model_id"), "m"), on="model_id"))
    t.add(uses, entity("repo/github", "key"), PTMKG + "usesModel", m)

    def linked(name: str) -> pl.DataFrame:
        frame = f.get(name, pl.DataFrame(schema={"model_id": pl.Int64, "name": pl.String}))
        return frame.join(models.select(pl.col("id").alias("model_id"), "m", "hub"), on="model_id")

    papers = linked("paper")
    paper = pl.coalesce(entity("paper/arxiv", arxiv_id("name")), entity("paper/doi", doi("name")),
                        entity("paper/key/peatmoss", slug("name")))
    t.add(papers, m, PTMKG + "citesPaper", paper)
    t.types(papers, paper, PTMKG + "Paper")
    t.add(papers, paper, PTMKG + "arxivId", text(arxiv_id("name")))
    t.add(papers, paper, PRISM + "doi", text(doi("name")))
    t.add(papers, paper, DCT + "identifier", text("name"))
    licences = linked("license")
    t.add(licences, m, DCT + "license", licence_iri(licence_id("name")))
    t.add(licences, m, PTMKG + "licenseRaw", text("name"))
    datasets = linked("dataset")
    ds = pl.when(pl.col("hub") == "hf").then(entity("dataset/hf", hub_id("name"))
                                             ).otherwise(entity("dataset/name", slug("name")))
    t.add(datasets, m, FAIR4ML + "trainedOn", ds)
    t.types(datasets, ds, PTMKG + "Dataset")
    t.add(datasets, ds, SCHEMA + "name", text("name"))
    t.add(linked("architecture"), m, PTMKG + "architecture", text("name"))
    t.add(linked("library"), m, PTMKG + "library", text("name"))
    authors = linked("author")
    agent = pl.when(pl.col("hub") == "hf").then(entity("agent/hf", pl.col("name").str.strip_chars().str.to_lowercase())
                                                ).otherwise(entity("agent/name", slug("name")))
    t.add(authors, m, SCHEMA + "author", agent)
    t.add(authors, m, PROV + "wasAttributedTo", agent)
    t.types(authors, agent, PTMKG + "Agent")
    t.add(authors, agent, SCHEMA + "name", text("name"))
    return t
