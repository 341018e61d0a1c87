"""PTLM versioning study → Models (variant type, task, owner), samples, VersionPairs, file change counts, statistics."""

from __future__ import annotations

import polars as pl

from ptmkg.mapping.huggingface import file_iri
from ptmkg.mapping.terms import Triples, boolean, const, entity, integer, text
from ptmkg.namespaces import PROV, PTMKG, SCHEMA
from ptmkg.sources.base import SourceData

SAMPLES = {"card_sample": "model-card-check", "data_sample": "training-data-check"}


def _models(t: Triples, m: pl.DataFrame) -> None:
    model = entity("model/hf", "model_key")
    agent = entity("agent/hf", pl.col("owner").str.to_lowercase())
    t.types(m, model, PTMKG + "Model")
    t.add(m, model, PTMKG + "hubId", text("model_id"))
    t.add(m, model, PTMKG + "hub", text(pl.lit("huggingface")))
    t.add(m, model, PTMKG + "pipelineTask", text("pipeline"))
    t.add(m, model, PTMKG + "variantType", text("variant"))
    t.add(m, model, SCHEMA + "author", agent).add(m, model, PROV + "wasAttributedTo", agent)
    owners = m.unique("owner")
    t.types(owners, agent, PTMKG + "Agent", PROV + "Agent")
    t.add(owners, agent, SCHEMA + "name", text("owner"))


def _samples(t: Triples, frames: dict[str, pl.DataFrame]) -> None:
    for name, label in SAMPLES.items():
        f = frames[name]
        sample = const(f"{PTMKG}id/sample/ptlm-versioning/{label}")
        model = entity("model/hf", "model_key")
        t.types(f.head(1), sample, PTMKG + "StudySample", PROV + "Collection")
        t.add(f.head(1), sample, SCHEMA + "name", text(pl.lit(label)))
        t.types(f, model, PTMKG + "Model")
        t.add(f, model, PTMKG + "hubId", text("model_id"))
        t.add(f, model, PTMKG + "inSample", sample)
    d = frames["data_sample"]
    model = entity("model/hf", "model_key")
    t.add(d, model, PTMKG + "library", text("library"))
    t.add(d, model, PTMKG + "disclosesTrainingData", boolean("discloses"))
    t.add(d, model, PTMKG + "trainingDataLinked", boolean("linked"))


def _pairs(t: Triples, p: pl.DataFrame) -> None:
    pair = entity("versionpair", pl.concat_str(["from_key", "to_key"], separator="/vs/"))
    t.types(p, pair, PTMKG + "VersionPair")
    for end in ("from", "to"):
        model = entity("model/hf", f"{end}_key")
        t.add(p, pair, PTMKG + f"{end}Model", model)
        t.types(p, model, PTMKG + "Model")
        t.add(p, model, PTMKG + "hubId", text(f"{end}_id"))
    t.add(p, pair, PTMKG + "changeType", text("change_type"))
    t.add(p, pair, PTMKG + "weightsChanged", boolean("weights_changed"))
    t.add(p, pair, PTMKG + "cardChanged", boolean("card_changed"))
    labels = p.explode("labels")
    t.add(labels, pair, PTMKG + "changeLabel", text("labels"))


def _files(t: Triples, f: pl.DataFrame) -> None:
    node = file_iri("model_id", "path")
    t.add(f, entity("model/hf", "model_key"), PTMKG + "hasFile", node)
    t.types(f, node, PTMKG + "ModelFile")
    t.add(f, node, PTMKG + "filePath", text("path"))
    t.add(f, node, PTMKG + "changeCount", integer("changes"))


def _statistics(t: Triples, frame: pl.DataFrame, kind: str) -> None:
    node = entity(f"stat/ptlm-versioning/{kind}", "category")
    t.types(frame, node, PTMKG + "Statistic", PROV + "Entity")
    t.add(frame, node, PTMKG + "statisticKind", text(pl.lit(kind)))
    t.add(frame, node, PTMKG + "category", text("category"))
    for col, prop in (("changes", "changeCount"), ("models", "modelCount"), ("owners", "ownerCount")):
        if col in frame.columns:
            t.add(frame, node, PTMKG + prop, integer(col))


def to_triples(data: SourceData) -> Triples:
    """Map all frames of the study."""
    f = data.frames
    t = Triples()
    _models(t, f["models"])
    _samples(t, f)
    _pairs(t, f["pairs"])
    _files(t, f["weight_files"])
    _statistics(t, f["extensions"], "changed-file-extension")
    _statistics(t, f["naming"], "naming-convention")
    return t
