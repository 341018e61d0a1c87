"""Claim verdicts on tiny hand-made graphs whose answers are worked out by hand."""

from __future__ import annotations

import math

import polars as pl
import pytest

from ptmkg import KG
from ptmkg.claims.record import record_run
from ptmkg.claims.stats import benjamini_hochberg
from ptmkg.errors import PtmkgError
from ptmkg.mapping import terms as t
from ptmkg.namespaces import ID, PTMKG
from ptmkg.snapshot import SnapshotInfo, text_hash


def availability(shared: list[bool], kind: str = "model", key: str = "p") -> t.Triples:
    """Papers with one ArtifactAvailability each (the literature mapping's shape)."""
    f = pl.DataFrame({"i": list(range(len(shared))), "ok": shared})
    paper = t.entity("paper/key/test", pl.concat_str([pl.lit(key), pl.col("i").cast(pl.String)]))
    node = t.entity(f"availability/test/{kind}", pl.concat_str([pl.lit(key), pl.col("i").cast(pl.String)]))
    out = t.Triples()
    out.types(f, paper, PTMKG + "Paper")
    out.types(f, node, PTMKG + "ArtifactAvailability")
    out.add(f, node, PTMKG + "availabilityOf", paper)
    out.add(f, node, PTMKG + "artifactKind", t.text(pl.lit(kind)))
    out.add(f, node, PTMKG + "available", t.boolean("ok"))
    return out


def load(kg: KG, source: str, triples: t.Triples, version: str = "1", retrieved: str = "2024-01-01") -> str:
    info = SnapshotInfo(source, version, retrieved, "https://example.org/" + source,
                        text_hash(f"{source}{version}{triples.ntriples()}"))
    kg.load_snapshot(info, triples)
    return info.graph


def one(kg: KG, claim: str, **kw) -> dict:
    return kg.claims.run([claim], **kw).row(0, named=True)


@pytest.mark.parametrize("k, n, label", [
    (27, 100, "REPLICATED"),        # p̂ = 0.27 = published: inside the Wilson CI
    (10, 100, "SUPPORTED"),         # Wilson CI [0.055, 0.174] excludes 0.27; upper bound < 0.5
    (60, 100, "NOT SUPPORTED"),     # upper CI bound ≈ 0.69 is not < 0.5
    (3, 10, "INSUFFICIENT DATA"),   # n = 10 < min_n = 30
])
def test_art01_labels(k, n, label):
    kg = KG.memory()
    load(kg, "literature", availability([True] * k + [False] * (n - k)))
    row = one(kg, "ART-01")
    assert row["verdict"] == label
    if label != "INSUFFICIENT DATA":
        assert row["n"] == n and row["estimate"] == pytest.approx(k / n)


def test_wilson_interval_by_hand():
    kg = KG.memory()
    load(kg, "literature", availability([True] * 10 + [False] * 90))
    row = one(kg, "ART-01")
    z = 1.959963984540054
    centre = (0.1 + z * z / 200) / (1 + z * z / 100)
    half = z * math.sqrt(0.1 * 0.9 / 100 + z * z / 40000) / (1 + z * z / 100)
    assert (row["ci_low"], row["ci_high"]) == pytest.approx((centre - half, centre + half))


def test_not_measurable_names_what_is_missing():
    kg = KG.memory()
    row = one(kg, "ART-01")
    assert row["verdict"] == "NOT MEASURABLE" and "literature" in row["reason"] and row["n"] is None
    load(kg, "literature", availability([True] * 40))  # model availability only: no code availability
    row = one(kg, "ART-02")
    assert row["verdict"] == "NOT MEASURABLE" and "paper.sharesCode" in row["reason"]
    assert "paper.sharesModel" not in row["reason"]
    context = one(kg, "REU-02")
    assert context["verdict"] == "NOT MEASURABLE" and "context claim" in context["reason"]


def test_mcnemar_claim_counts_discordant_papers():
    # 40 papers: 20 share code only, 5 share the model only, 15 share both → b = 20, c = 5
    code = [True] * 20 + [False] * 5 + [True] * 15
    model = [False] * 20 + [True] * 5 + [True] * 15
    kg = KG.memory()
    triples = availability(code, "code").extend(availability(model, "model"))
    load(kg, "literature", triples)
    row = one(kg, "ART-03")
    assert row["verdict"] == "SUPPORTED"
    assert row["n"] == 40 and row["estimate"] == pytest.approx(20 / 25) and row["effect_size"] == pytest.approx(15 / 25)
    neither = one(kg, "ART-02")  # no paper shares neither: 0/40, far below 0.40 and the 0.25 bar
    assert neither["verdict"] == "NOT SUPPORTED" and neither["estimate"] == 0


def test_snapshot_scope_latest_and_explicit():
    kg = KG.memory()
    old = load(kg, "literature", availability([True] * 27 + [False] * 73, key="a"), "2023", "2023-01-01")
    load(kg, "literature", availability([True] * 10 + [False] * 90, key="b"), "2024", "2024-06-01")
    assert one(kg, "ART-01")["estimate"] == pytest.approx(0.10)  # the latest snapshot by default
    explicit = one(kg, "ART-01", snapshots=["literature@2023"])
    assert explicit["estimate"] == pytest.approx(0.27) and explicit["snapshots"] == ["literature@2023"]
    assert one(kg, "ART-01", snapshots=[old])["verdict"] == "REPLICATED"
    with pytest.raises(PtmkgError, match="not found"):
        kg.claims.run(["ART-01"], snapshots=["literature@1999"])


def test_store_query_graphs_restricts_the_default_graph():
    kg = KG.memory()
    a = load(kg, "literature", availability([True] * 3, key="a"), "a")
    b = load(kg, "literature", availability([True] * 5, key="b"), "b")
    count = "SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { ?p a ptmkg:Paper }"
    assert kg.query(count)["n"][0] == 8
    assert kg.query(count, graphs=[a])["n"][0] == 3
    assert kg.query(count, graphs=[a, b])["n"][0] == 8
    assert kg.query(count, graphs=[])["n"][0] == 0


def test_multiple_testing_holm_within_bh_across():
    kg = KG.memory()
    load(kg, "literature", availability([True] * 20 + [False] * 80))
    alone = one(kg, "ART-01")
    assert alone["p_adjusted"] == pytest.approx(alone["p_value"])  # one test: nothing to adjust
    kg2 = KG.memory()
    code = [True] * 20 + [False] * 5 + [True] * 15 + [False] * 60
    model = [False] * 20 + [True] * 5 + [True] * 15 + [False] * 60
    load(kg2, "literature", availability(code, "code").extend(availability(model, "model")))
    batch = kg2.claims.run(["ART-01", "ART-03"])
    raw = batch["p_value"].to_list()
    assert batch["p_adjusted"].to_list() == pytest.approx(list(benjamini_hochberg(raw)))


def test_evidence_and_record():
    kg = KG.memory()
    graph = load(kg, "literature", availability([True] * 27 + [False] * 73))
    evidence = kg.claims.get("art-01").evidence()
    assert evidence.height == 100 and evidence["shares_model"].sum() == 27
    outcomes = kg.claims.outcomes(["ART-01", "ART-04"])
    run = record_run(kg, outcomes)
    assert run.startswith("https://w3id.org/ptmkg/graph/claims/")
    rows = kg.query("""
        SELECT DISTINCT ?id ?label ?n ?est ?snap ?hash ?rh ?version WHERE {
          ?v a ptmkg:Verdict ; ptmkg:verdictOf/ptmkg:claimId ?id ; ptmkg:verdict ?label ;
             ptmkg:resultHash ?rh ; ptmkg:claimVersion ?version ; prov:generatedAtTime ?at ; ptmkg:queryHash ?qh .
          OPTIONAL { ?v ptmkg:n ?n ; ptmkg:estimate ?est ; prov:used ?snap . ?snap ptmkg:contentHash ?hash }
        } ORDER BY ?id""")
    assert rows["id"].to_list() == ["ART-01", "ART-04"]
    assert rows["label"].to_list() == ["REPLICATED", "NOT MEASURABLE"]
    assert rows["n"][0] == 100 and rows["est"][0] == pytest.approx(0.27) and rows["snap"][0] == graph
    assert rows["hash"][0] == kg.snapshots().filter(graph=graph)["hash"][0]
    assert rows["rh"][0] == outcomes[0].result_hash and rows["version"].to_list() == [1, 1]
    assert kg.snapshots().filter(graph=run)["source"][0] == "claims"


def test_definitions_are_in_the_graph_and_queryable():
    kg = KG.memory()
    kg.claims.run(["ART-01"])
    paper = kg.query("SELECT ?p WHERE { ?c ptmkg:claimId 'ART-01' ; schema:isBasedOn ?p }")["p"][0]
    assert paper == ID + "paper/arxiv/2307.02443"
    select = kg.query("SELECT ?q WHERE { ?c ptmkg:claimId 'ART-01' ; ptmkg:measuredBy/sh:select ?q }")["q"][0]
    assert "ptmkg:availabilityOf" in select
