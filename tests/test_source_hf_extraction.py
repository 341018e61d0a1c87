"""hf-extraction: hand-labelled and extracted metadata kept apart by provenance, and their agreement."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from ptmkg import KG
from ptmkg.errors import InputError

DIR = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "hf-metadata-extraction"


def load(name: str) -> dict:
    if not DIR.exists():
        pytest.skip(f"{DIR} is not present (tests read ../shared where it lies)")
    return json.loads((DIR / name).read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def kg() -> KG:
    load("groundTruth.json")
    kg = KG.memory()
    kg.ingest("hf-extraction", DIR)
    return kg


def test_records_by_provenance(kg: KG) -> None:
    hand, auto = load("groundTruth.json"), load("500ModelResult.json")
    got = dict(kg.query("""SELECT ?p (COUNT(?r) AS ?n) WHERE { ?r a ptmkg:MetadataRecord ; ptmkg:recordProvenance ?p }
        GROUP BY ?p""").rows())
    assert got == {"https://w3id.org/ptmkg/HandLabelled": len(hand), "https://w3id.org/ptmkg/Extracted": len(auto)}
    errors = kg.query("SELECT (COUNT(?r) AS ?n) WHERE { ?r ptmkg:extractionError ?e }")["n"][0]
    assert errors == sum(isinstance(v, str) for v in auto.values()) > 0


def test_licence_agreement_matches_a_direct_count(kg: KG) -> None:
    hand, auto = load("groundTruth.json"), load("500ModelResult.json")
    both = [m for m in hand if isinstance(auto.get(m), dict)]

    def lic(record: dict) -> str:
        return (record.get("license") or "").strip().lower()

    agree = sum(lic(hand[m]) == lic(auto[m]) for m in both)
    res = kg.run("extraction-agreement").filter(field="license")
    assert res.select("models", "agree").rows() == [(len(both), agree)]
    assert res["agreement"][0] == pytest.approx(agree / len(both))


def test_download_counts(kg: KG) -> None:
    counts = load("filtered_models.json")
    res = kg.query("""SELECT (COUNT(?o) AS ?n) (SUM(?d) AS ?s) WHERE { ?o a ptmkg:DownloadsObservation ;
        ptmkg:downloads ?d }""")
    assert res.rows() == [(len(counts), sum(counts.values()))]


def test_no_prose_values_are_kept(kg: KG) -> None:
    longest = kg.query("SELECT (MAX(STRLEN(?v)) AS ?n) WHERE { ?s ptmkg:fieldValue ?v }")["n"][0]
    assert longest <= 200
    assert kg.query('ASK { ?s ptmkg:normalisedValue "(prose)" }')


def test_bad_inputs_raise_and_leave_store_unchanged(tmp_path: Path) -> None:
    load("groundTruth.json")
    kg = KG.memory()
    kg.ingest("hf-extraction", DIR)
    before = len(kg)

    def variant(name: str, file: str, content: bytes) -> Path:
        folder = tmp_path / name
        shutil.copytree(DIR, folder)
        (folder / file).write_bytes(content)
        return folder

    text = (DIR / "groundTruth.json").read_text(encoding="utf-8")
    with pytest.raises(InputError, match="malformed JSON") as e:
        kg.ingest("hf-extraction", variant("cut", "groundTruth.json", text[:5000].encode()))
    assert e.value.row == text[:5000].count("\n") + 1

    hand = load("groundTruth.json")
    first = next(iter(hand))
    hand[first]["license"] = {"name": "apache"}
    with pytest.raises(InputError) as e:
        kg.ingest("hf-extraction", variant("type", "groundTruth.json", json.dumps(hand).encode()))
    assert e.value.field == "license" and first in str(e.value)

    with pytest.raises(InputError, match="UTF-8"):
        kg.ingest("hf-extraction", variant("latin", "filtered_models.json", '{"bert-base-uncased": 1, "é": 2}'
                                           .encode("latin-1")))
    with pytest.raises(InputError, match="download count") as e:
        kg.ingest("hf-extraction", variant("count", "filtered_models.json", b'{"bert-base-uncased": "many"}'))
    assert e.value.field == "bert-base-uncased"
    assert len(kg) == before
