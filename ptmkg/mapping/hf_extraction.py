"""Metadata records → MetadataRecord nodes per (model, method) with FieldStatements, kept apart by provenance.

``record/hf-extraction/<handlabelled|extracted>/<model>`` has ptmkg:recordProvenance HandLabelled or
Extracted; each field is a node ``field/hf-extraction/<method>/<model>/<field>`` with its raw values
and normalised values (see :func:`normalised`), so ``queries/extraction-agreement.rq`` can compare
the two methods field by field. Values longer than :data:`MAX_VALUE` characters are card prose, not
a metadata value: they are not kept and get the normalised value ``(prose)``.
"""

from __future__ import annotations

import polars as pl

from ptmkg.mapping.identity import arxiv_id, doi, github_repo, hub_id, licence_id
from ptmkg.mapping.terms import Triples, entity, integer, text
from ptmkg.namespaces import PROV, PTMKG
from ptmkg.sources.base import SourceData

MAX_VALUE = 200


def normalised(field: pl.Expr, value: pl.Expr) -> pl.Expr:
    """A comparable key: SPDX id, GitHub owner/name, arxiv:/doi: id, Hub model name, Hub dataset id, else slug."""
    v = value.str.strip_chars()
    plain = v.str.to_lowercase().str.replace_all(r"[\s_]+", "-")
    dataset = v.str.replace(r"^(?i:https?://huggingface\.co/datasets/)", "").str.to_lowercase()
    upstream = hub_id(v.str.replace_all(r"\s*/\s*", "/")).str.split("/").list.last()
    paper = pl.coalesce(pl.lit("arxiv:") + arxiv_id(v.str.extract(r"(arxiv\.org/\S+?|\d{4}\.\d{4,5})(?:\)|$|\s)", 1)),
                        pl.lit("doi:") + doi(v.str.extract(r"(10\.\d{4,9}/[^\s)]+)", 1)))
    return (pl.when(v.str.len_chars() > MAX_VALUE).then(pl.lit("(prose)"))
            .when(field == "license").then(pl.coalesce(licence_id(v), plain))
            .when(field == "github").then(pl.coalesce(github_repo(v), plain))
            .when(field == "paper").then(pl.coalesce(paper, plain))
            .when(field == "upstream_model").then(pl.coalesce(upstream, plain))
            .when(field == "datasets").then(dataset)
            .otherwise(plain))


def to_triples(data: SourceData) -> Triples:
    """Records, field statements, and the candidate models' download counts."""
    records = data.frames["records"].with_columns(model_key=hub_id("model_id"),
                                                  method_key=pl.col("method").str.to_lowercase())
    fields = data.frames["fields"].with_columns(
        model_key=hub_id("model_id"), method_key=pl.col("method").str.to_lowercase(),
        norm=normalised(pl.col("field"), pl.col("value")),
        kept=pl.when(pl.col("value").str.len_chars() <= MAX_VALUE).then(pl.col("value").str.strip_chars()))
    model = entity("model/hf", "model_key")
    record = entity("record/hf-extraction", pl.concat_str(["method_key", "model_key"], separator="/"))
    stmt = entity("field/hf-extraction", pl.concat_str(["method_key", "model_key", "field"], separator="/"))

    t = Triples()
    t.types(records, model, PTMKG + "Model")
    t.add(records, model, PTMKG + "hubId", text("model_id"))
    t.types(records, record, PTMKG + "MetadataRecord", PROV + "Entity")
    t.add(records, record, PTMKG + "recordOf", model).add(records, record, PROV + "wasDerivedFrom", model)
    t.add(records, record, PTMKG + "recordProvenance", pl.concat_str([pl.lit(f"<{PTMKG}"), "method", pl.lit(">")]))
    t.add(records, record, PTMKG + "extractionError", text(pl.col("error").str.slice(0, MAX_VALUE)))
    t.add(fields, record, PTMKG + "hasField", stmt)
    t.types(fields, stmt, PTMKG + "FieldStatement")
    t.add(fields, stmt, PTMKG + "fieldName", text("field"))
    t.add(fields, stmt, PTMKG + "fieldValue", text("kept"))
    t.add(fields, stmt, PTMKG + "normalisedValue", text("norm"))

    d = data.frames["downloads"].with_columns(model_key=hub_id("model_id"))
    obs = entity("observation/hf-extraction", "model_key")
    t.types(d, model, PTMKG + "Model")
    t.add(d, model, PTMKG + "hubId", text("model_id"))
    t.types(d, obs, PTMKG + "DownloadsObservation", PROV + "Entity")
    t.add(d, obs, PTMKG + "observedModel", model)
    t.add(d, obs, PTMKG + "downloads", integer("downloads"))
    t.add(d, obs, PTMKG + "window", text(pl.lit("last_month")))
    return t
