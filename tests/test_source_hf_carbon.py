"""hf-carbon: the ESEM'23 table and the 2026 re-extraction as two snapshots of one source."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from ptmkg import KG
from ptmkg.errors import InputError

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data"
F2023 = SHARED / "hf-carbon" / "HFStreamlit.csv"
F2026 = SHARED / "hf-carbon-2026" / "modelos_co2_enrinchment_limpios.csv"


def need(path: Path) -> Path:
    if not path.exists():
        pytest.skip(f"{path} is not present (tests read ../shared where it lies)")
    return path


def rows(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def kg() -> KG:
    need(F2023), need(F2026)
    kg = KG.memory()
    kg.ingest("hf-carbon", F2023.parent)
    kg.ingest("hf-carbon", F2026.parent)
    return kg


def test_two_dated_snapshots(kg: KG) -> None:
    snaps = kg.snapshots().filter(source="hf-carbon").sort("retrieved")
    assert snaps.height == 2
    assert [str(d) for d in snaps["retrieved"]] == ["2023-04-05", "2026-04-01"]
    assert snaps["graph"].n_unique() == 2


def test_2026_runs_and_total_emissions_match_the_file(kg: KG) -> None:
    raw = rows(need(F2026))
    ids = {r["model_id"].lower() for r in raw}
    total = sum(float(r["co2_emissions_grams"]) for r in raw)
    autotrain = sum(r["is_autotrain"] == "True" for r in raw)
    graph = kg.snapshots().filter(source="hf-carbon").sort("retrieved")["graph"][1]
    res = kg.query(f"""SELECT (COUNT(DISTINCT ?m) AS ?models) (SUM(?g) AS ?grams) WHERE {{ GRAPH <{graph}> {{
        ?m ptmkg:trainingRun ?r . ?r ptmkg:emissions ?q . ?q qudt:numericValue ?g ;
        qudt:unit unit:GM ; ptmkg:obtainedBy ptmkg:Reported }} }}""")
    assert res["models"][0] == len(ids) == 2514
    assert res["grams"][0] == pytest.approx(total)
    auto = kg.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?r ptmkg:autoTrain true }} }}")
    assert auto["n"][0] == autotrain


def test_2023_runs_one_per_distinct_model(kg: KG) -> None:
    raw = rows(need(F2023))
    names = {r["modelId"].lower() for r in raw}
    graph = kg.snapshots().filter(source="hf-carbon").sort("retrieved")["graph"][0]
    n = kg.query(f"SELECT (COUNT(DISTINCT ?r) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?r a ptmkg:TrainingRun }} }}")["n"][0]
    # the file names models without their owner; owners recovered from cards can only split names
    assert len(names) <= n <= len(raw)


def test_distilgpt2_2023_facts(kg: KG) -> None:
    res = kg.query("""SELECT ?g ?h ?raw ?cloud ?hw WHERE {
        <https://w3id.org/ptmkg/id/model/hf/distilgpt2> ptmkg:trainingRun ?r .
        ?r ptmkg:emissions/qudt:numericValue ?g ; ptmkg:duration ?d ; ptmkg:cloudProvider ?cloud ;
           ptmkg:hardwareRaw ?hw .
        ?d qudt:numericValue ?h ; qudt:unit unit:HR ; ptmkg:rawValue ?raw }""")
    assert res.rows() == [(149200.0, 168.0, "168 (1 week)", "Azure", "8 16GB V100")]


def test_owner_recovered_from_card_and_2026_licence(kg: KG) -> None:
    assert kg.query("ASK { <https://w3id.org/ptmkg/id/model/hf/aimendo/autonlp-triage-35248482> ptmkg:trainingRun ?r }")
    res = kg.query("""SELECT ?lic ?g WHERE { <https://w3id.org/ptmkg/id/model/hf/bigscience/bloom> dct:license ?lic ;
        ptmkg:trainingRun/ptmkg:emissions/qudt:numericValue ?g }""")
    assert res.rows() == [("https://w3id.org/ptmkg/id/license/BigScience-BLOOM-RAIL-1.0", 24700000.0)]


def test_no_model_card_text_is_stored(kg: KG) -> None:
    longest = kg.query("SELECT (MAX(STRLEN(STR(?o))) AS ?n) WHERE { ?s ?p ?o FILTER(isLiteral(?o)) }")["n"][0]
    assert longest < 400  # the longest literal is a card's YAML `co2_eq_emissions.source` value
    assert not kg.query('ASK { ?s ?p ?o FILTER(CONTAINS(STR(?o), "short for Distilled-GPT2")) }')


def _write(folder: Path, header: list[str], body: list[list[str]], encoding: str = "utf-8") -> Path:
    """A 2026-layout folder holding ``body``."""
    folder.mkdir()
    with open(folder / F2026.name, "w", newline="", encoding=encoding) as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(body)
    return folder


def test_bad_inputs_raise_and_leave_store_unchanged(tmp_path: Path) -> None:
    raw = rows(need(F2026))[:5]
    header = list(raw[0])
    body = [[r[c] for c in header] for r in raw]
    kg = KG.memory()
    kg.ingest("hf-carbon", _write(tmp_path / "good", header, body))
    before = len(kg)

    bad_value = [row[:] for row in body]
    bad_value[3][header.index("co2_emissions_grams")] = "lots"
    with pytest.raises(InputError) as e:
        kg.ingest("hf-carbon", _write(tmp_path / "a", header, bad_value))
    assert (e.value.row, e.value.field) == (5, "co2_emissions_grams")

    drop = header.index("likes")
    with pytest.raises(InputError) as e:
        kg.ingest("hf-carbon", _write(tmp_path / "b", header[:drop] + header[drop + 1:],
                                      [r[:drop] + r[drop + 1:] for r in body]))
    assert e.value.field == "likes"

    latin = [row[:] for row in body]
    latin[1][header.index("geographical_location")] = "Zürich"
    with pytest.raises(InputError, match="UTF-8"):
        kg.ingest("hf-carbon", _write(tmp_path / "c", header, latin, encoding="latin-1"))

    with pytest.raises(InputError):
        kg.ingest("hf-carbon", tmp_path / "nothing-here")
    assert len(kg) == before
