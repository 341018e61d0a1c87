"""Recorded verdicts keep every part: one VerdictPart per tested part, read back by SPARQL, valid under SHACL."""

from __future__ import annotations

import math

import polars as pl

from ptmkg import KG
from ptmkg.claims.record import record_run
from ptmkg.claims.runner import parts_frame
from ptmkg.ontology import validate_store

PARTS = """
SELECT ?id ?position ?part ?verdict ?statistic ?n ?estimate ?low ?high ?p ?padj ?published ?tested ?reason WHERE {
  GRAPH <%s> {
    ?v a ptmkg:Verdict ; ptmkg:verdictOf ?claim ; dct:hasPart ?x .
    ?x a ptmkg:VerdictPart ; dct:isPartOf ?v ; rdfs:label ?part ; schema:position ?position ; ptmkg:verdict ?verdict ;
       ptmkg:statistic ?statistic ; ptmkg:tested ?tested ; rdfs:comment ?reason .
    OPTIONAL { ?x ptmkg:n ?n } OPTIONAL { ?x ptmkg:estimate ?estimate }
    OPTIONAL { ?x ptmkg:ciLow ?low ; ptmkg:ciHigh ?high } OPTIONAL { ?x ptmkg:pValue ?p }
    OPTIONAL { ?x ptmkg:pAdjusted ?padj } OPTIONAL { ?x ptmkg:publishedNumber ?published }
  }
  ?claim ptmkg:claimId ?id
} ORDER BY ?id ?position"""


def _same(a, b) -> bool:
    return (a is None and b is None) or (a is not None and b is not None and math.isclose(a, b, rel_tol=1e-12))


def test_each_part_is_recorded_with_its_own_verdict_numbers_and_reason():
    kg = KG.memory()
    kg.ingest("starter")
    outcomes = kg.claims.outcomes(["EN-01", "LIN-01", "ART-01"])
    expected = (parts_frame(outcomes).with_columns(position=pl.int_range(1, pl.len() + 1).over("id"))
                .sort("id", "position"))
    graph = record_run(kg, outcomes)
    got = kg.query(PARTS % graph)
    assert got.height == expected.height >= 5
    assert got["id"].to_list() == expected["id"].to_list()
    assert got["part"].to_list() == expected["part"].to_list()
    assert got["verdict"].to_list() == expected["verdict"].to_list()
    assert got["statistic"].to_list() == expected["statistic"].to_list()
    assert got["reason"].to_list() == expected["reason"].to_list()
    assert got["published"].to_list() == expected["published"].to_list()
    assert got["tested"].to_list() == expected["tested"].to_list()
    for column, mine in (("estimate", "estimate"), ("low", "ci_low"), ("high", "ci_high"), ("p", "p_value"),
                         ("padj", "p_adjusted")):
        assert all(_same(a, b) for a, b in zip(got[column], expected[mine])), column
    assert got["n"].to_list() == expected["n"].to_list()
    # The claim verdict's parts differ from one another: EN-01's share and its trend are separate resources.
    en01 = got.filter(id="EN-01")
    assert en01["part"].to_list() == ["overall share", "monthly trend"]
    assert en01["statistic"].to_list() == ["share p̂", "Sen slope"]
    # One claim verdict per claim as before: parts are not typed ptmkg:Verdict.
    verdicts = kg.query(f"SELECT ?v WHERE {{ GRAPH <{graph}> {{ ?v a ptmkg:Verdict }} }}")
    assert verdicts.height == 3
    report = validate_store(kg)  # the whole store: the claims a verdict points to are in their own graph
    assert report.conforms, report.violations[:3]


def test_a_part_without_its_claim_verdict_is_a_violation():
    kg = KG.memory()
    kg.ingest("starter")
    graph = record_run(kg, kg.claims.outcomes(["EN-01"]))
    kg.oxigraph.update(f"DELETE WHERE {{ GRAPH <{graph}> {{ ?x <http://purl.org/dc/terms/isPartOf> ?v }} }}")
    report = validate_store(kg)  # the whole store: the claims a verdict points to are in their own graph
    assert not report.conforms
    assert {v.path for v in report.violations} == {"http://purl.org/dc/terms/isPartOf"}
