"""Which reported energies were computed by their authors from TDP (circular to compare with) and which were not."""

from __future__ import annotations

import polars as pl
import pytest

from ptmkg import KG
from ptmkg.energy.basis import INDEPENDENT, report_basis
from ptmkg.ontology import validate_store
from tests.conftest import shared_path


def test_tdp_formula_with_and_without_a_pue_and_an_independent_number():
    plain = report_basis(2.0, 250, 8, 1.0)  # 8 × 250 W × 1 h
    assert plain.circular and plain.factor == 1
    pue = report_basis(8 * 0.3 * 10 * 1.12, 300, 8, 10)
    assert pue.circular and pue.factor == 1.12 and "× 1.12" in str(pue)
    measured = report_basis(24_100, 300, 1024, 74.4)  # Patterson et al.'s GShard figure
    assert measured.kind == INDEPENDENT and measured.ratio == pytest.approx(1.0544, abs=1e-4)
    assert report_basis(2.0, 250, 8, 1.0 + 5e-3).kind == INDEPENDENT  # 0.5 % off: not the formula
    assert report_basis(None, 250, 8, 1.0) is None and report_basis(2.0, 0, 8, 1.0) is None


def test_counting_carbon_reported_energies_in_the_graph():
    """93 of the 95 'reported' energies are TDP × count × time (91 as is, 2 × a PUE of 1.12); the 2 others are
    Patterson et al.'s (GShard, Switch Transformer). Counted from the CSV here, read back by SPARQL."""
    folder = shared_path("data", "counting-carbon")
    raw = pl.read_csv(folder / "co2ml95models.csv", infer_schema_length=0).select(
        row=pl.col("").cast(pl.Int64), kwh=pl.col("Energy consumed [kWh]").cast(pl.Float64),
        tdp=pl.col("TDP").cast(pl.Float64), hours=pl.col("Training time [s]").cast(pl.Float64) / 3600,
        count=pl.coalesce("Number of GPUs", "Number of TPUs").cast(pl.Float64), source=pl.col("Source"))
    ratio = raw["kwh"] / (raw["tdp"] * raw["count"] * raw["hours"] / 1000)
    exact = raw.filter(((ratio - ratio.round(2)).abs() < 1e-6 * ratio) & (ratio.round(2) >= 1))
    assert exact.height == 93
    independent = raw.filter(~pl.col("row").is_in(exact["row"].implode()))
    assert set(independent["source"]) == {"Patterson et al."}

    kg = KG.memory()
    kg.ingest("counting-carbon", folder)
    got = kg.query("""
        SELECT ?run ?basis ?factor WHERE {
          ?run ptmkg:energy ?e . ?e ptmkg:obtainedBy ptmkg:Reported ; ptmkg:reportBasis ?b .
          OPTIONAL { ?e ptmkg:overheadFactor ?factor }
          BIND(REPLACE(STR(?b), "^.*/", "") AS ?basis) }""")
    assert got.height == 95
    by_basis = dict(got.group_by("basis").len().iter_rows())
    assert by_basis == {"TDPFormula": exact.height, "IndependentReport": independent.height}
    assert sorted(got["factor"].drop_nulls().value_counts().iter_rows()) == [(1.0, 91), (1.12, 2)]
    rows = {int(r.rsplit("/", 1)[1]) for r in got.filter(basis="IndependentReport")["run"]}
    assert rows == set(independent["row"])
    assert validate_store(kg).conforms


def test_energy_calculator_runs_name_each_row_and_say_how_its_energy_was_obtained():
    folder = shared_path("data", "counting-carbon")
    kg = KG.memory()
    kg.ingest("counting-carbon", folder)
    from ptmkg.widgets.energy_calculator import reported_runs

    runs = reported_runs(kg)
    assert runs.height == 95 and runs["model"].n_unique() == 95
    assert runs["model"].str.starts_with("Counting Carbon row ").all()
    kinds = dict(runs.group_by("basis").len().iter_rows())
    assert kinds == {"computed by its authors from TDP": 93, "independent of TDP": 2}


def test_a_report_basis_outside_the_closed_list_or_a_factor_below_1_is_a_violation():
    import pyoxigraph as ox

    kg = KG.memory()
    kg.ingest("counting-carbon", shared_path("data", "counting-carbon"))
    graph = kg.snapshots()["graph"][0]
    energy = ox.NamedNode("https://w3id.org/ptmkg/id/quantity/counting-carbon/0/energy")
    factor, g = ox.NamedNode("https://w3id.org/ptmkg/overheadFactor"), ox.NamedNode(graph)
    for q in list(kg.oxigraph.quads_for_pattern(energy, factor, None, g)):
        kg.oxigraph.remove(q)
    kg.oxigraph.add(ox.Quad(energy, factor,
                            ox.Literal("0.5", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#double")), g))
    kg.oxigraph.add(ox.Quad(energy, ox.NamedNode("https://w3id.org/ptmkg/reportBasis"),
                            ox.NamedNode("https://w3id.org/ptmkg/Guessed"), g))
    found = {(v.focus_node, v.path) for v in validate_store(kg).violations if v.severity == "Violation"}
    assert found == {(energy.value, "https://w3id.org/ptmkg/overheadFactor"),
                     (energy.value, "https://w3id.org/ptmkg/reportBasis")}
