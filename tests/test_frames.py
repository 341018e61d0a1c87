"""Sampling frames: each snapshot's catalog record states its frame, and verdicts respect it."""

from __future__ import annotations

import pytest

from ptmkg import KG
from ptmkg.frames import CONVENIENCE, FRAMES, POPULATIONS, Frame, frame_for
from ptmkg.snapshot import SnapshotInfo
from tests.test_claims_runner import availability, load


def test_every_frame_names_known_populations_and_hf_inputs_pick_their_frame():
    for frame in FRAMES.values():
        assert set(frame.covers) <= set(POPULATIONS)
    assert frame_for("hf", ("phi-2_20250422_224221.csv",)).covers == ("hf-family-trees",)
    assert frame_for("hf", ("models.jsonl",)).covers == () and frame_for("hf").kind == "convenience sample"
    assert frame_for("claims") is None and frame_for("queries") is None
    with pytest.raises(ValueError):
        Frame("census", ("no-such-population",), "x")


def test_catalog_record_states_the_frame():
    kg = KG.memory()
    graph = load(kg, "literature", availability([True] * 3))
    rows = kg.query(f"""SELECT ?kind ?method ?population WHERE {{ GRAPH ?c {{
        <{graph}> ptmkg:frameKind ?kind ; ptmkg:samplingMethod ?method ; ptmkg:coversPopulation ?population }} }}""")
    assert rows.height == 1 and rows["kind"][0] == "study sample"
    assert rows["population"][0] == "https://w3id.org/ptmkg/id/population/code-lm-papers-2023"
    info = SnapshotInfo("hf", "v", "2024-01-01", "https://example.org", "sha256:" + "0" * 64, files=("m.jsonl",))
    facts = {q.predicate.value.rsplit("/", 1)[-1]: q.object.value for q in info.metadata(0)}
    assert facts["frameKind"] == "convenience sample" and "coversPopulation" not in facts
    assert facts["drawnFrom"] == "https://w3id.org/ptmkg/id/population/hf-models"


def test_a_frame_that_does_not_cover_the_population_gives_no_verdict(monkeypatch):
    """ART-01 (293 code-LM papers) on a review's coding sheet is judged; the same rows recorded as a convenience
    sample (the frame is read from the catalog record) are NOT COMPARABLE, with the estimate kept."""
    kg = KG.memory()
    load(kg, "literature", availability([True] * 10 + [False] * 90))
    judged = kg.claims.run(["ART-01"]).row(0, named=True)
    assert judged["verdict"] == "SUPPORTED" and judged["frames"][0].startswith("study sample")
    monkeypatch.setitem(FRAMES, "literature", Frame(CONVENIENCE, (), "papers a user happened to code"))
    other = KG.memory()
    load(other, "literature", availability([True] * 10 + [False] * 90))
    row = other.claims.run(["ART-01"]).row(0, named=True)
    assert row["verdict"] == "NOT COMPARABLE" and row["estimate"] == pytest.approx(0.10) and row["n"] == 100
    assert "literature@1 (convenience sample) does not cover" in row["reason"]
    assert "code-lm-papers-2023" in row["reason"] and "p̂=0.1 [" in row["reason"]
    assert row["population"].startswith("code-lm-papers-2023: ")
