"""Hugging Face carbon reports → Model, TrainingRun and reported Quantities (grams CO2eq, hours).

One TrainingRun per model and snapshot edition: ``run/hf-carbon/<edition>/<hub id>``, so the
2023 and 2026 snapshots describe the same Model node but keep their own runs and numbers.
"""

from __future__ import annotations

import polars as pl

from ptmkg.mapping.identity import licence_id, licence_iri
from ptmkg.mapping.quantities import add_quantity
from ptmkg.mapping.terms import (
    Triples,
    boolean,
    date_time,
    entity,
    integer,
    text,
)
from ptmkg.namespaces import DCT, PROV, PTMKG
from ptmkg.sources.base import SourceData
from ptmkg.sources.hf_carbon import METRICS


def to_triples(data: SourceData) -> Triples:
    """Map the ``runs`` frame of one hf-carbon snapshot."""
    edition = data.frames["edition"]["edition"][0]
    runs = data.frames["runs"].with_columns(licence=licence_id("licence_raw"))
    model = entity("model/hf", "model_key")
    run = entity(f"run/hf-carbon/{edition}", "model_key")

    def qty(what: str) -> pl.Expr:
        return entity(f"quantity/hf-carbon/{edition}", pl.col("model_key") + f"/{what}")

    t = Triples()
    t.types(runs, model, PTMKG + "Model")
    t.add(runs, model, PTMKG + "hubId", text("model_id"))
    t.add(runs, model, PTMKG + "hub", text(pl.lit("huggingface")))
    t.add(runs, model, PTMKG + "downloads", integer("downloads"))
    t.add(runs, model, PTMKG + "likes", integer("likes"))
    t.add(runs, model, PTMKG + "usedStorage", integer(pl.col("size_bytes").round(0)))
    t.add(runs, model, PTMKG + "pipelineTask", text("pipeline_task"))
    t.add(runs, model, PTMKG + "library", text("library"))
    t.add(runs, model, DCT + "created", date_time("created_at"))
    t.add(runs, model, PTMKG + "licenseRaw", text("licence_raw"))
    t.add(runs.filter(pl.col("licence").is_not_null()), model, DCT + "license", licence_iri("licence"))

    t.types(runs, run, PTMKG + "TrainingRun", PROV + "Activity")
    t.add(runs, model, PTMKG + "trainingRun", run)
    t.add(runs, run, PROV + "generated", model)
    t.add(runs, run, PTMKG + "emissionsSource", text("emissions_source"))
    t.add(runs, run, PTMKG + "trainingType", text("training_type"))
    t.add(runs, run, PTMKG + "locationRaw", text("location"))
    t.add(runs, run, PTMKG + "hardwareRaw", text("hardware"))
    t.add(runs, run, PTMKG + "cloudProvider", text("cloud_provider"))
    t.add(runs, run, PTMKG + "autoTrain", boolean("autotrain"))
    add_quantity(t, runs, run, PTMKG + "emissions", qty("emissions"), "emissions_g", "GM", "Reported")
    add_quantity(t, runs.filter(pl.col("hours").is_not_null()), run, PTMKG + "duration", qty("duration"),
                 "hours", "HR", "Reported", raw="hours_raw")
    for metric in METRICS:
        add_quantity(t, runs, model, PTMKG + "performanceMetric", qty(metric), metric, "UNITLESS", "Reported")
        t.add(runs.filter(pl.col(metric).is_finite()), qty(metric), PTMKG + "metricName", text(pl.lit(metric)))
    return t
