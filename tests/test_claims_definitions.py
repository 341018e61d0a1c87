"""Claim definitions: one per catalogue claim, valid rules and queries, RDF form, bad input."""

from __future__ import annotations

import pytest
import yaml

from ptmkg import KG
from ptmkg.claims.definitions import CLAIMS_DIR, load_definition, load_definitions, paper_iri
from ptmkg.errors import InputError
from ptmkg.frames import POPULATIONS
from ptmkg.queries import catalogue
from tests.conftest import shared_path

IMPLEMENTED = ["POP-03", "EN-01", "EN-02", "EN-03", "EN-04", "EN-05", "LIN-01", "LIN-02", "LIC-01", "DOC-03",
               "DOC-04", "DOC-05", "VER-01", "VER-02", "VER-04", "SEC-03", "REP-05", "DATA-01"]


def test_every_catalogue_claim_has_a_definition():
    catalog = yaml.safe_load(shared_path("claims", "catalog.yaml").read_text(encoding="utf-8"))
    ids = {c["id"] for c in catalog["claims"]}
    assert len(ids) == 46
    assert set(load_definitions()) == ids


def test_definitions_are_runnable_queries():
    defs = load_definitions()
    names = {q.name for q in catalogue()}
    kg = KG.memory()
    for d in defs.values():
        assert f"claims/{d.id}" in names
        assert d.query.summary and d.fields, d.id
        kg.query(d.query.sparql, graphs=[])  # parses
        for part in d.parts:
            assert set(part.test.get("needs", [])) <= set(d.fields), d.id
    assert all(defs[i].parts for i in IMPLEMENTED)
    assert [i for i, d in defs.items() if not d.parts] == ["REP-06", "REU-02"]  # context claims


def test_paper_iris_follow_vocab():
    assert paper_iri("arxiv:2305.11164v2").endswith("/id/paper/arxiv/2305.11164")
    assert paper_iri("doi:10.1007/S10664-024-10521-0").endswith("/id/paper/doi/10.1007/s10664-024-10521-0")
    with pytest.raises(ValueError):
        paper_iri("isbn:123")


def test_bad_definitions_name_the_field(tmp_path):
    good = (CLAIMS_DIR / "ART-01.yaml").read_text(encoding="utf-8")
    (tmp_path / "ART-01.rq").write_text((CLAIMS_DIR / "ART-01.rq").read_text(encoding="utf-8"))
    bad_rule = tmp_path / "ART-01.yaml"
    bad_rule.write_text(good.replace('direction: "<", threshold: 0.5', 'direction: "<"'))
    with pytest.raises(InputError, match="direction and threshold") as e:
        load_definition(bad_rule)
    assert e.value.field == "rule"
    bad_rule.write_text(good.replace("stat: proportion", "stat: t_test"))
    with pytest.raises(InputError) as e:
        load_definition(bad_rule)
    assert e.value.field == "test.stat"
    bad_rule.write_text(good.replace("key: code-lm-papers-2023", "key: everything"))
    with pytest.raises(InputError) as e:
        load_definition(bad_rule)
    assert e.value.field == "population"
    bad_rule.write_text(good.replace("replication:\n  impossible:", "replication:\n  snapshot: literature\n  impossible:"))
    with pytest.raises(InputError, match="names no snapshot") as e:
        load_definition(bad_rule)
    bad_rule.write_text(good.replace("replication:\n  impossible: >-", "replication:\n  snapshot: literature\n  note: >-"))
    with pytest.raises(InputError, match="needs snapshot and definition") as e:
        load_definition(bad_rule)
    renamed = tmp_path / "ART-09.yaml"
    renamed.write_text(good)
    with pytest.raises(InputError) as e:
        load_definition(renamed)
    assert e.value.field == "id"


def test_every_claim_states_population_and_replication():
    defs = load_definitions()
    for d in defs.values():
        assert d.population_key and d.population and d.replication is not None, d.id
        assert bool(d.replication.impossible) != bool(d.replication.snapshot), d.id
    runnable = sorted(i for i, d in defs.items() if d.replication.snapshot)
    assert runnable == ["DATA-01", "DOC-03", "DOC-05", "DOC-08", "EN-01", "EN-02", "EN-03", "EN-04", "LIC-01",
                        "LIN-01", "LIN-02", "LIN-03", "POP-03", "REP-05", "VER-01", "VER-02", "VER-04"]
    assert defs["EN-01"].replication.covers == "hf-co2-reporting" and defs["LIN-01"].replication.query


def test_claims_by_keyword_is_a_sparql_query():
    kg = KG.memory()
    kg.claims.run(["ART-01"])  # loads the definitions as RDF
    expected = sorted(d.id for d in load_definitions().values() if any("lineage" in k for k in d.keywords))
    got = kg.run("claims-by-keyword", keyword="lineage")
    assert sorted(got["claim"].unique().to_list()) == expected and len(expected) >= 6
    assert kg.query("ASK { ?c a schema:Claim ; ptmkg:measuredBy ?t . ?t a sh:SPARQLSelectExecutable ; "
                    "ptmkg:requiresField 'model.baseModel' }")
    about = kg.query("SELECT ?label WHERE { ?c ptmkg:claimId 'LIN-01' ; ptmkg:aboutPopulation ?p . "
                     "?p a ptmkg:Population ; rdfs:label ?label }")
    assert about["label"].to_list() == [POPULATIONS["ptlms-2024"]]
