"""Counting Carbon rows → Paper, Model, Dataset and a TrainingRun with reported Quantities.

Keys are the file's row numbers: ``paper/key/counting-carbon/<n>``, ``model/key/counting-carbon/<n>``,
``run/counting-carbon/<n>``. Grid intensity is given in g/kWh and stored in unit:KiloGM-PER-KiloW-HR
(value / 1000) with the original as ptmkg:rawValue. The reported energy carries ptmkg:reportBasis: whether its
authors computed it as TDP × accelerators × time (ptmkg:TDPFormula, with the ptmkg:overheadFactor used, e.g. a
PUE of 1.12) or it is independent of that formula (ptmkg:IndependentReport) — see :mod:`ptmkg.energy.basis`.
"""

from __future__ import annotations

import polars as pl

from ptmkg.energy.basis import report_basis
from ptmkg.mapping.identity import slug
from ptmkg.mapping.quantities import add_quantity
from ptmkg.mapping.terms import Triples, double, entity, integer, raw_iri, text, typed
from ptmkg.namespaces import DCT, FAIR4ML, PROV, PTMKG, SCHEMA
from ptmkg.sources.base import SourceData

# (column, metric name, QUDT unit) of the reported evaluation results.
METRICS = [("top5_accuracy", "top5_accuracy", "PERCENT"), ("top1_accuracy", "top1_accuracy", "PERCENT"),
           ("bleu", "bleu", "UNITLESS"), ("f1", "f1", "UNITLESS")]


def to_triples(data: SourceData) -> Triples:
    """Map the ``runs`` frame."""
    runs = data.frames["runs"].with_columns(
        dataset_key=slug("dataset"),
        intensity_kg=pl.col("intensity_g_per_kwh") / 1000,
        intensity_raw=pl.col("intensity_g_per_kwh").cast(pl.String) + " g CO2eq/kWh",
        tdp_method=pl.lit("thermal design power of one accelerator; source: ") + pl.col("tdp_source"),
    )
    paper, model = entity("paper/key/counting-carbon", "key"), entity("model/key/counting-carbon", "key")
    run, dataset = entity("run/counting-carbon", "key"), entity("dataset/name", "dataset_key")

    def qty(what: str) -> pl.Expr:
        return entity("quantity/counting-carbon", pl.col("key").cast(pl.String) + f"/{what}")

    t = Triples()
    t.types(runs, paper, PTMKG + "Paper")
    t.add(runs, paper, DCT + "issued", typed(pl.col("year").cast(pl.String), "gYear"))
    t.types(runs, model, PTMKG + "Model")
    t.add(runs, model, PTMKG + "citesPaper", paper)
    t.add(runs, model, PTMKG + "pipelineTask", text("pipeline_task"))
    t.add(runs, model, FAIR4ML + "trainedOn", dataset)
    t.types(runs, dataset, PTMKG + "Dataset")
    t.add(runs, dataset, SCHEMA + "name", text("dataset"))

    t.types(runs, run, PTMKG + "TrainingRun", PROV + "Activity")
    t.add(runs, model, PTMKG + "trainingRun", run)
    t.add(runs, run, PROV + "generated", model)
    t.add(runs, run, PTMKG + "country", text("country"))
    t.add(runs, run, PTMKG + "locationRaw", text(pl.concat_str(["location", "country_raw"], separator=", ")))
    t.add(runs, run, PTMKG + "computeSetting", text("setting"))
    t.add(runs, run, PTMKG + "mainEnergySource", text("energy_source"))
    t.add(runs, run, PTMKG + "hardwareRaw", text("hardware"))
    t.add(runs, run, PTMKG + "acceleratorCount", integer("accelerators"))
    add_quantity(t, runs, run, PTMKG + "carbonIntensity", qty("carbon-intensity"), "intensity_kg",
                 "KiloGM-PER-KiloW-HR", "Reported", raw="intensity_raw")
    t.add(runs, qty("carbon-intensity"), PTMKG + "method", text("intensity_source"))
    add_quantity(t, runs, run, PTMKG + "power", qty("tdp"), "tdp_w", "W", "Reported")
    t.add(runs, qty("tdp"), PTMKG + "method", text("tdp_method"))
    add_quantity(t, runs, run, PTMKG + "duration", qty("duration"), "seconds", "SEC", "Reported")
    add_quantity(t, runs, run, PTMKG + "energy", qty("energy"), "kwh", "KiloW-HR", "Reported")
    add_quantity(t, runs, run, PTMKG + "emissions", qty("emissions"), "kg", "KiloGM", "Reported")
    based = _with_basis(runs)
    t.add(based.drop_nulls("basis"), qty("energy"), PTMKG + "reportBasis", raw_iri("basis"))
    t.add(based.drop_nulls("factor"), qty("energy"), PTMKG + "overheadFactor", double("factor"))
    for col, name, unit in METRICS:
        add_quantity(t, runs, model, PTMKG + "performanceMetric", qty(name), col, unit, "Reported")
        t.add(runs.filter(pl.col(col).is_not_null()), qty(name), PTMKG + "metricName", text(pl.lit(name)))
    return t


def _with_basis(runs: pl.DataFrame) -> pl.DataFrame:
    """``basis`` (ptmkg:TDPFormula / ptmkg:IndependentReport IRI) and ``factor`` of each row's reported energy."""
    found = [report_basis(kwh, tdp, n, sec / 3600 if sec is not None else None) for kwh, tdp, n, sec in
             runs.select("kwh", "tdp_w", pl.col("accelerators").cast(pl.Float64), "seconds").iter_rows()]
    iri = {True: PTMKG + "TDPFormula", False: PTMKG + "IndependentReport"}
    return runs.with_columns(basis=pl.Series([iri[b.circular] if b else None for b in found], dtype=pl.String),
                             factor=pl.Series([b.factor if b else None for b in found], dtype=pl.Float64))
