"""ESEM'24 data → one DownloadsObservation per model (June 2022, window "last_month") and descendants statistics."""

from __future__ import annotations

import polars as pl

from ptmkg.mapping.terms import Triples, entity, integer, text, typed
from ptmkg.namespaces import PROV, PTMKG
from ptmkg.sources.base import SourceData
from ptmkg.sources.esem24 import OBSERVED


def to_triples(data: SourceData) -> Triples:
    """Models, their observed monthly downloads, and the descendants-per-download table."""
    d = data.frames["downloads"]
    model = entity("model/hf", "model_key")
    obs = entity("observation/esem24/2022-06", "model_key")
    t = Triples()
    t.types(d, model, PTMKG + "Model")
    t.add(d, model, PTMKG + "hubId", text("model_id"))
    t.add(d, model, PTMKG + "hub", text(pl.lit("huggingface")))
    seen = d.filter(pl.col("downloads").is_not_null())
    t.types(seen, obs, PTMKG + "DownloadsObservation", PROV + "Entity")
    t.add(seen, obs, PTMKG + "observedModel", model)
    t.add(seen, obs, PTMKG + "downloads", integer("downloads"))
    t.add(seen, obs, PTMKG + "observedAt", typed(pl.lit(OBSERVED), "dateTime"))
    t.add(seen, obs, PTMKG + "window", text(pl.lit("last_month")))

    s = data.frames["descendants"]
    stat = entity("stat/esem24/descendants-per-download", "row")
    t.types(s, stat, PTMKG + "Statistic", PROV + "Entity")
    t.add(s, stat, PTMKG + "statisticKind", text(pl.lit("descendants-per-download")))
    t.add(s, stat, PTMKG + "parentDownloads", integer("downloads"))
    t.add(s, stat, PTMKG + "descendantCount", integer("count"))
    return t
