"""The shipped starter snapshot: small, facts only, provenance on every record, ingestible."""

from __future__ import annotations

import gzip
import json

import pytest

from ptmkg import KG
from ptmkg.sources import starter
from ptmkg.sources import starter_carbon
from ptmkg.starter_build import CARD_KEYS, build, build_carbon
from tests.conftest import shared_path


@pytest.fixture(scope="module")
def records() -> list[dict]:
    with gzip.open(starter.default_path(), "rt", encoding="utf-8") as fh:
        return [json.loads(line) for line in fh]


@pytest.fixture(scope="module")
def starter_kg() -> KG:
    kg = KG.memory()
    kg.ingest("starter")
    return kg


def test_size_and_count(records):
    assert starter.default_path().stat().st_size + starter_carbon.default_path().stat().st_size < 1_000_000
    assert 300 <= len(records) <= 600
    assert len({r["id"].lower() for r in records}) == len(records)


def test_facts_only_and_provenance(records):
    for r in records:
        assert "card" not in r
        assert set(r.get("card_data", {})) <= set(CARD_KEYS)
        assert r["_source"] == f"https://huggingface.co/api/models/{r['id']}"
        assert r["_via"].startswith("https://github.com/hamidahoderinwale/model_metadata_analyses/")
        assert len(r["_retrieved"]) == 10 and r["_retrieved"].startswith("2025-04")
    texts = [r for r in records if r.get("card_length", 0) > 200]
    assert texts, "cards' lengths are kept"


def test_ingests_with_every_relation_and_emissions(starter_kg, records):
    models = starter_kg.query('SELECT (COUNT(DISTINCT ?m) AS ?n) WHERE { ?m ptmkg:hub "huggingface" }')["n"][0]
    assert models == len(records)
    rel = starter_kg.query("""
        SELECT ?p (COUNT(*) AS ?n) WHERE {
          ?c ?p ?x . VALUES ?p { ptmkg:fineTunedFrom ptmkg:adapterOf ptmkg:quantizedFrom ptmkg:mergedFrom } }
        GROUP BY ?p""")
    assert rel.height == 4 and min(rel["n"]) > 0
    co2 = sum(1 for r in records if "co2_eq_emissions" in r.get("card_data", {}))
    got = starter_kg.query("SELECT (COUNT(*) AS ?n) WHERE { ?r ptmkg:emissions/ptmkg:obtainedBy ptmkg:Reported }")
    assert got["n"][0] == co2 > 0
    formats = set(starter_kg.query("SELECT DISTINCT ?f WHERE { ?x ptmkg:serialisationFormat ?f }")["f"])
    assert formats == {"safetensors", "pickle", "gguf", "onnx", "other"}


def test_ancestors_are_present_so_lineage_reaches_roots(starter_kg, records):
    roots = starter_kg.query("""
        SELECT (COUNT(DISTINCT ?m) AS ?n) WHERE {
          ?m ptmkg:lineageDepth ?d . FILTER(?d > 0)
          FILTER NOT EXISTS { ?m prov:wasDerivedFrom+ ?r . ?r ptmkg:lineageDepth 0 } }""")
    assert roots["n"][0] == 0
    assert sum(1 for r in records if r.get("depth", 0) > 0) > 0


def test_build_is_deterministic_and_matches_the_shipped_file(tmp_path):
    shared = shared_path("data", "hf-lineage")
    first, second = build(shared, tmp_path / "a"), build(shared, tmp_path / "b")
    assert first.read_bytes() == second.read_bytes() == starter.default_path().read_bytes()


def test_carbon_reports_are_facts_with_provenance():
    import polars as pl

    rows = pl.read_csv(starter_carbon.default_path(), infer_schema=False)
    assert 100 <= rows.height <= 400 and rows["model_id"].n_unique() == rows.height
    assert rows["_source"].str.starts_with("https://huggingface.co/").all()
    assert (rows["_retrieved"] == "2026-04-01").all()
    assert not {"card", "card_text", "readme"} & set(rows.columns)
    assert rows["hardware"].str.len_chars().max() < 200  # labels, not prose


def test_carbon_reports_ingest_as_reported_grams():
    import polars as pl

    kg = KG.memory()
    result = kg.ingest("starter-carbon")
    rows = pl.read_csv(starter_carbon.default_path(), infer_schema=False)
    grams = kg.query("""SELECT DISTINCT ?run ?g WHERE { ?run ptmkg:emissions ?q . ?q qudt:numericValue ?g ;
                        qudt:unit unit:GM ; ptmkg:obtainedBy ptmkg:Reported }""")
    assert result.loaded and grams.height == rows.height
    assert abs(grams["g"].sum() - rows["emissions_g"].cast(pl.Float64).sum()) < 1e-6 * grams["g"].sum()


def test_carbon_build_is_deterministic_and_matches_the_shipped_file(tmp_path):
    folder = shared_path("data", "hf-carbon-2026")
    first, second = build_carbon(folder, tmp_path / "a"), build_carbon(folder, tmp_path / "b")
    assert first.read_bytes() == second.read_bytes() == starter_carbon.default_path().read_bytes()
