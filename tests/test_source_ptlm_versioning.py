"""ptlm-versioning: 52,227 PTLMs, samples, version pairs, weight-file changes and aggregate tables."""

from __future__ import annotations

import csv
import shutil
from collections import Counter
from pathlib import Path

import pytest

from ptmkg import KG
from ptmkg.errors import InputError

DIR = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "ptlm-versioning"


def rows(name: str) -> list[dict[str, str]]:
    if not DIR.exists():
        pytest.skip(f"{DIR} is not present (tests read ../shared where it lies)")
    with open(DIR / name, newline="", encoding="utf-8-sig") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def kg() -> KG:
    rows("top_10_convention.csv")
    kg = KG.memory()
    kg.ingest("ptlm-versioning", DIR)
    return kg


def test_models_and_variant_types(kg: KG) -> None:
    first: dict[str, str] = {}
    for r in rows("all_NLP_with_quantization.csv"):
        first.setdefault(r["model_name"].lower(), r["variants"])
    expected = Counter(first.values())
    got = dict(kg.query("SELECT ?v (COUNT(DISTINCT ?m) AS ?n) WHERE { ?m ptmkg:variantType ?v } GROUP BY ?v").rows())
    assert got == dict(expected)
    assert sum(got.values()) == len(first) > 52000


def test_version_pairs(kg: KG) -> None:
    major = [r for r in rows("major_combined_changes.csv") if r["main_model_name"]]
    minor = [r for r in rows("minor_combined_changes.csv") if r["main_model_name"]]
    got = dict(kg.query("SELECT ?t (COUNT(?p) AS ?n) WHERE { ?p a ptmkg:VersionPair ; ptmkg:changeType ?t } GROUP BY ?t").rows())
    assert got == {"major": len(major), "minor": len(minor)}
    # the first major pair, by hand: model card labels "successor training-parameters-increased" and
    # "successor training-result-improved"; config key "_name_or_path" changed
    labels = set(kg.query("""SELECT ?l WHERE { ?p ptmkg:fromModel <https://w3id.org/ptmkg/id/model/hf/ahmed007/copilot_for_poors_v2> ;
        ptmkg:toModel <https://w3id.org/ptmkg/id/model/hf/ahmed007/copilot_for_poors> ; ptmkg:changeLabel ?l }""")["l"])
    assert {"modelcard:successor training-parameters-increased", "modelcard:successor training-result-improved",
            "config:_name_or_path", "readme:model name changed"} == labels


def test_weight_file_changes(kg: KG) -> None:
    raw = rows("model_weight_file_changed.csv")
    files = {(f"{r['owner']}/{r['model_name']}".lower(), r["file_changed"]) for r in raw}
    res = kg.query("""SELECT (COUNT(DISTINCT ?f) AS ?n) (SUM(?c) AS ?s) WHERE {
        ?m ptmkg:hasFile ?f . ?f ptmkg:changeCount ?c }""")
    assert res.rows() == [(len(files), sum(int(r["changed_frequency"]) for r in raw))]


def test_training_data_sample(kg: KG) -> None:
    first: dict[str, dict[str, str]] = {}
    for r in rows("dataset_sample.csv"):  # one model is listed twice, the second time without answers
        first.setdefault(r["Model Name"].lower(), r)
    raw = list(first.values())
    res = kg.query("""SELECT (COUNT(?m) AS ?n) (SUM(IF(?d, 1, 0)) AS ?yes) (SUM(IF(?l, 1, 0)) AS ?linked) WHERE {
        ?m ptmkg:inSample <https://w3id.org/ptmkg/id/sample/ptlm-versioning/training-data-check> ;
           ptmkg:disclosesTrainingData ?d ; ptmkg:trainingDataLinked ?l }""")
    assert res.rows() == [(len(raw), sum(r["Dataset"] == "Yes" for r in raw), sum(r["Link_ava"] == "Yes" for r in raw))]


def test_extension_statistics(kg: KG) -> None:
    raw = rows("file_extension_and_frequencies.csv")
    res = kg.query("""SELECT (COUNT(?s) AS ?n) (SUM(?c) AS ?changes) WHERE {
        ?s ptmkg:statisticKind "changed-file-extension" ; ptmkg:changeCount ?c }""")
    assert res.rows() == [(len(raw), sum(int(r["changed_frequency"]) for r in raw))]


@pytest.mark.parametrize(("file", "column", "value", "line", "message"), [
    ("dataset_sample.csv", "Dataset", "Maybe", 5, "Yes or No"),
    ("all_NLP_with_quantization.csv", "model_name", "not an id!", 3, "model id"),
    ("model_weight_file_changed.csv", "changed_frequency", "often", 4, "Int64"),
])
def test_bad_values_name_row_and_field(tmp_path: Path, file: str, column: str, value: str, line: int,
                                       message: str) -> None:
    data = rows(file)
    kg = KG.memory()
    before = len(kg)
    folder = tmp_path / "copy"
    shutil.copytree(DIR, folder)
    data[line - 2][column] = value
    with open(folder / file, "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=list(data[0]))
        w.writeheader()
        w.writerows(data)
    with pytest.raises(InputError, match=message) as e:
        kg.ingest("ptlm-versioning", folder)
    assert (e.value.file, e.value.row, e.value.field) == (str(folder / file), line, column)
    assert len(kg) == before


def test_missing_column_and_missing_file(tmp_path: Path) -> None:
    rows("top_10_convention.csv")
    folder = tmp_path / "copy"
    shutil.copytree(DIR, folder)
    with open(folder / "top_10_convention.csv", "w", encoding="utf-8") as fh:
        fh.write("naming_conv,owner\n{base-model},2\n")
    with pytest.raises(InputError) as e:
        KG.memory().ingest("ptlm-versioning", folder)
    assert e.value.field == "selected_model"
    (folder / "top_10_convention.csv").unlink()
    with pytest.raises(InputError, match="missing"):
        KG.memory().ingest("ptlm-versioning", folder)
