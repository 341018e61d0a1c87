"""Hugging Face frames → RDF (VOCAB.md): models, authors, licences, lineage, datasets, papers, files,
cards, reported and extracted training facts."""

from __future__ import annotations

import polars as pl

from ptmkg.mapping.identity import arxiv_id, hub_id, licence_id, licence_iri, slug
from ptmkg.mapping.quantities import add_quantity
from ptmkg.mapping.terms import (
    Triples,
    boolean,
    date_time,
    entity,
    integer,
    raw_iri,
    text,
)
from ptmkg.namespaces import DCT, FAIR4ML, PROV, PTMKG, SCHEMA
from ptmkg.sources.base import SourceData

P = PTMKG
LINEAGE = {"finetune": P + "fineTunedFrom", "adapter": P + "adapterOf",
           "quantized": P + "quantizedFrom", "merge": P + "mergedFrom"}
MODEL_TYPES = (P + "Model", FAIR4ML + "MLModel")


def model(expr: pl.Expr | str) -> pl.Expr:
    """The IRI term of a Hub model (``id/model/hf/<lower-case id>``)."""
    return entity("model/hf", hub_id(expr))


# The model's IRI term, worked out once per frame (``with_model``): it is the subject of most triples.
M = pl.col("_model")


def with_model(frame: pl.DataFrame, col: str = "id") -> pl.DataFrame:
    """``frame`` with the IRI term of its model column as ``_model``."""
    return frame.with_columns(model(col).alias("_model"))


def to_triples(data: SourceData) -> Triples:
    """All triples of one Hugging Face snapshot."""
    f = data.frames
    models = with_model(f["models"])
    t = Triples()
    _models(t, models)
    _licences(t, models)
    _lineage(t, f["lineage"], models)
    _datasets(t, with_model(f["datasets"]))
    _papers(t, with_model(f["papers"]))
    _files(t, with_model(f["files"]))
    _cards(t, f["cards"], f["card_sections"], f["card_fields"])
    _emissions(t, f["emissions"])
    _card_training(t, f["card_training"])
    return t


def _models(t: Triples, m: pl.DataFrame) -> None:
    s = M
    t.types(m, s, *MODEL_TYPES)
    for p, o in [
        (SCHEMA + "name", text("id")), (P + "hubId", text("id")), (P + "hub", text(pl.lit("huggingface"))),
        (DCT + "created", date_time("created_at")), (DCT + "modified", date_time("last_modified")),
        (P + "downloads", integer("downloads")), (P + "likes", integer("likes")),
        (P + "pipelineTask", text("pipeline_tag")), (P + "library", text("library_name")),
        (P + "architecture", text("architecture")), (P + "modelType", text("model_type")),
        (P + "parameterCount", integer("parameters")), (P + "usedStorage", integer("used_storage")),
        (P + "lineageDepth", integer("depth")), (P + "gated", boolean("gated")),
        (P + "gatingMode", text("gating_mode")), (P + "revision", text("sha")),
    ]:
        t.add(m, s, p, o)
    authors = m.filter(pl.col("author").is_not_null()).with_columns(
        entity("agent/hf", pl.col("author").str.to_lowercase()).alias("_author"))
    author = pl.col("_author")
    t.add(authors, s, SCHEMA + "author", author).add(authors, s, PROV + "wasAttributedTo", author)
    authors = authors.unique("author")
    t.types(authors, author, P + "Agent", PROV + "Agent")
    t.add(authors, author, SCHEMA + "name", text("author"))


def _licences(t: Triples, m: pl.DataFrame) -> None:
    """dct:license → SPDX or ptmkg licence node (named "other" licences get their own node)."""
    norm = licence_id("licence_raw")
    named = pl.coalesce(licence_id("license_name"), slug("license_name"))
    key = (pl.when((norm == "other") & pl.col("license_name").is_not_null()).then(named)
           .otherwise(pl.coalesce(norm, slug("licence_raw"))))
    lic = m.filter(pl.col("licence_raw").is_not_null()).with_columns(key.alias("licence"))
    s, o = M, licence_iri("licence")
    t.add(lic, s, DCT + "license", o).add(lic, s, P + "licenseRaw", text("licence_raw"))
    t.types(lic.unique("licence"), o, P + "License", DCT + "LicenseDocument")
    other = lic.filter(norm == "other").unique("licence")
    t.add(other, o, SCHEMA + "name", text("license_name"))
    t.add(other, o, SCHEMA + "url",
          raw_iri(pl.when(pl.col("license_link").str.contains(r"^https?://\S+$")).then("license_link")))


def _lineage(t: Triples, e: pl.DataFrame, models: pl.DataFrame) -> None:
    """Typed lineage edges plus an explicit prov:wasDerivedFrom for every edge; endpoints without a record of
    their own get a type and hubId."""
    e = e.with_columns(model("child").alias("_child"), model("parent").alias("_parent"))
    child, parent = pl.col("_child"), pl.col("_parent")
    for relation, predicate in LINEAGE.items():
        t.add(e.filter(pl.col("relation") == relation), child, predicate, parent)
    t.add(e, child, PROV + "wasDerivedFrom", parent)
    ends = pl.concat([e.select(pl.col("child").alias("id")), e.select(pl.col("parent").alias("id"))])
    ends = ends.with_columns(hub_id("id").alias("k")).unique("k", keep="first", maintain_order=True)
    ends = with_model(ends.join(models.select(hub_id("id").alias("k")), on="k", how="anti"))
    t.types(ends, M, *MODEL_TYPES)
    t.add(ends, M, P + "hubId", text("id"))


def _datasets(t: Triples, d: pl.DataFrame) -> None:
    ds = pl.when(pl.col("on_hub")).then(entity("dataset/hf", hub_id("dataset"))) \
        .otherwise(entity("dataset/name", slug("dataset")))
    t.add(d, M, FAIR4ML + "trainedOn", ds)
    t.types(d, ds, P + "Dataset", SCHEMA + "Dataset")
    t.add(d, ds, SCHEMA + "name", text("dataset"))


def _papers(t: Triples, p: pl.DataFrame) -> None:
    p = p.with_columns(arxiv_id("arxiv").alias("key")).drop_nulls("key")
    paper = entity("paper/arxiv", "key")
    t.add(p, M, P + "citesPaper", paper)
    papers = p.unique("key")
    t.types(papers, paper, P + "Paper")
    t.add(papers, paper, P + "arxivId", text("key"))


def file_iri(model_col: str, path_col: str) -> pl.Expr:
    return entity("file/hf", pl.concat_str([hub_id(model_col), pl.lit("/"), pl.col(path_col)]))


def _files(t: Triples, f: pl.DataFrame) -> None:
    f = f.with_columns(file_iri("id", "path").alias("_file"))
    s = pl.col("_file")
    t.add(f, M, P + "hasFile", s)
    t.types(f, s, P + "ModelFile")
    t.add(f, s, P + "filePath", text("path")).add(f, s, P + "serialisationFormat", text("format"))
    t.add(f, s, P + "fileSize", integer("size"))


def _cards(t: Triples, cards: pl.DataFrame, sections: pl.DataFrame, fields: pl.DataFrame) -> None:
    """A ModelCard node for every model with a card (or with YAML card data), with its facts."""
    card = entity("card/hf", hub_id("id"))
    with_card = pl.concat([cards.filter(pl.col("present")).select("id"), sections.select("id"),
                           fields.select("id")]).unique()
    t.add(with_card, model("id"), P + "hasModelCard", card)
    t.types(with_card, card, P + "ModelCard")
    t.add(cards.filter(pl.col("length").is_not_null()), card, P + "cardLength", integer("length"))
    t.add(sections, card, P + "hasSection", text("section"))
    t.add(fields, card, P + "cardField", text("field"))


def _emissions(t: Triples, e: pl.DataFrame) -> None:
    """Reported training emissions: TrainingRun with a grams-CO2eq Quantity (obtainedBy Reported)."""
    run = entity("run/hf", hub_id("id"))
    q = entity("quantity/hf", pl.concat_str([hub_id("id"), pl.lit("/emissions")]))
    t.add(e, model("id"), P + "trainingRun", run).add(e, run, PROV + "generated", model("id"))
    t.types(e, run, P + "TrainingRun", PROV + "Activity")
    for p, o in [(P + "emissionsSource", text("source")), (P + "trainingType", text("training_type")),
                 (P + "locationRaw", text("location")), (P + "hardwareRaw", text("hardware"))]:
        t.add(e, run, p, o)
    add_quantity(t, e, run, P + "emissions", q, "grams", "GM", "Reported", raw="raw", keep_unparsed=True)


def _card_training(t: Triples, c: pl.DataFrame) -> None:
    """Training facts extracted from the card body, on the model's run (quantities obtainedBy Extracted)."""
    run = entity("run/hf", hub_id("id"))

    def qty(what: str) -> pl.Expr:
        return entity("quantity/hf", pl.concat_str([hub_id("id"), pl.lit(f"/{what}-extracted")]))

    t.add(c, model("id"), P + "trainingRun", run).add(c, run, PROV + "generated", model("id"))
    t.types(c, run, P + "TrainingRun", PROV + "Activity")
    for p, o in [(P + "hardwareRaw", text("hardware")), (P + "acceleratorCount", integer("accelerator_count")),
                 (P + "cloudProvider", text("cloud_provider")), (P + "cloudRegion", text("region"))]:
        t.add(c, run, p, o)
    add_quantity(t, c, run, P + "duration", qty("duration"), "hours", "HR", "Extracted", raw="hours_raw")
    add_quantity(t, c, run, P + "emissions", qty("emissions"), "emissions_g", "GM", "Extracted", raw="emissions_raw")
