"""PTMTorrent source: ONNX Model Zoo + PyTorch Hub counts from the raw JSON, papers/datasets, bad input."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import polars as pl
import pytest

from ptmkg import KG
from ptmkg.errors import InputError
from tests.conftest import shared_path

MODEL = "https://w3id.org/ptmkg/id/model/"


@pytest.fixture(scope="module")
def raw() -> dict[str, list[dict]]:
    folder = shared_path("data", "ptmtorrent")
    return {name: json.loads((folder / f"{name}.json").read_text())
            for name in ["onnxmodelzoo_ptmtorrent", "pytorchhub_models_metadata"]}


@pytest.fixture(scope="module")
def kg() -> KG:
    kg = KG.memory()
    kg.ingest("ptmtorrent", shared_path("data", "ptmtorrent"))
    return kg


def test_models_per_hub(kg: KG, raw: dict[str, list[dict]]) -> None:
    onnx = {re.sub(r"[^\w.\-]+", "-", r["ModelName"].lower()).strip("-") for r in raw["onnxmodelzoo_ptmtorrent"]}
    torch = {r["ColabURL"].rsplit("/", 1)[1].removesuffix(".ipynb").lower() for r in raw["pytorchhub_models_metadata"]}
    got = kg.query("SELECT ?hub (COUNT(DISTINCT ?m) AS ?n) WHERE { ?m a ptmkg:Model ; ptmkg:hub ?hub } GROUP BY ?hub")
    assert dict(got.rows()) == {"onnx": len(onnx), "pytorchhub": len(torch)}
    assert (len(raw["onnxmodelzoo_ptmtorrent"]), len(onnx), len(torch)) == (186, 109, 49)


def test_tasks_and_commits(kg: KG, raw: dict[str, list[dict]]) -> None:
    onnx = raw["onnxmodelzoo_ptmtorrent"]
    by_task = Counter(t for t, _ in {(r["ModelTask"], r["ModelName"].lower()) for r in onnx})
    got = kg.query("SELECT ?t (COUNT(DISTINCT ?m) AS ?n) WHERE { ?m ptmkg:hub 'onnx' ; ptmkg:pipelineTask ?t } GROUP BY ?t")
    assert dict(got.rows()) == dict(by_task)
    commits = kg.query("SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE { ?m ptmkg:latestCommit ?c }")
    assert commits["n"][0] == len({r["LatestGitCommitSHA"] for r in onnx})


def test_pytorch_hub_model_is_keyed_by_its_hub_page(kg: KG) -> None:
    m = MODEL + "pytorchhub/pytorch/vision_hardnet"
    facts = kg.query("SELECT ?name ?url ?code ?who WHERE { ?_m_iri schema:name ?name ; schema:url ?url ; "
                     "schema:codeRepository ?code ; schema:author/schema:name ?who }", m=m)
    assert facts.rows() == [("HarDNet", "https://pytorch.org/hub/pytorch_vision_hardnet",
                             "https://github.com/PingoLH/Pytorch-HarDNet", "PingoLH")]


UNIFORM = [
    {"id": 0, "ModelHub": {"ModelHubName": "Onnx Model Zoo", "ModelHubURL": "https://github.com/onnx/models",
                           "MetadataFilePath": "m.json", "MetadataObjectID": 0},
     "ModelName": "ResNet50 v1", "ModelOwner": "ONNX", "ModelURL": "https://github.com/onnx/models/tree/main/resnet",
     "ModelOwnerURL": "https://github.com/onnx", "LatestGitCommitSHA": "abc123",
     "ModelPaperDOIs": ["https://doi.org/10.1109/CVPR.2016.90", "not a doi"], "ModelTask": "image_classification",
     "ModelArchitecture": "ResNet",
     "Datasets": [{"DatasetName": "ImageNet 2012", "DatasetOwner": "Stanford", "DatasetURL": "https://image-net.org",
                   "DatasetOwnerURL": "https://stanford.edu", "DatasetPaperDOI": "10.1007/s11263-015-0816-y"}]},
    {"id": 1, "ModelHub": {"ModelHubName": "Hugging Face", "ModelHubURL": "https://huggingface.co",
                           "MetadataFilePath": "h.json", "MetadataObjectID": 1},
     "ModelName": "BERT-base-uncased", "ModelOwner": "Google", "ModelURL": "https://huggingface.co/google/bert-base-uncased",
     "ModelOwnerURL": "https://huggingface.co/google", "LatestGitCommitSHA": "def456"},
]


def test_uniform_schema_papers_datasets_and_hf_ids(tmp_path: Path) -> None:
    (tmp_path / "zoo.json").write_text(json.dumps(UNIFORM))
    kg = KG.memory()
    kg.ingest("ptmtorrent", tmp_path)
    resnet = MODEL + "onnx/onnx/resnet50-v1"
    rows = kg.query("SELECT ?paper ?ds ?dspaper ?arch WHERE { ?_m_iri ptmkg:citesPaper ?paper ; "
                    "fair4ml:trainedOn ?ds ; ptmkg:architecture ?arch . ?ds schema:citation ?dspaper }", m=resnet)
    assert rows.rows() == [("https://w3id.org/ptmkg/id/paper/doi/10.1109/cvpr.2016.90",
                            "https://w3id.org/ptmkg/id/dataset/name/imagenet-2012",
                            "https://w3id.org/ptmkg/id/paper/doi/10.1007/s11263-015-0816-y", "ResNet")]
    # A Hugging Face model in PTMTorrent's schema gets the same IRI as from the Hub itself.
    assert kg.query("ASK { <https://w3id.org/ptmkg/id/model/hf/google/bert-base-uncased> ptmkg:latestCommit 'def456' }")
    papers = kg.query("SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { ?p a ptmkg:Paper }")
    assert papers["n"][0] == 2


@pytest.mark.parametrize("records, row, field", [
    ([{k: v for k, v in UNIFORM[0].items() if k != "ModelOwner"}], 1, "ModelOwner"),
    ([UNIFORM[1], {**UNIFORM[0], "LatestGitCommitSHA": None}], 2, "LatestGitCommitSHA"),
    ([{"id": 0, "ModelName": "X", "ModelAuthor": "Y", "GitHubURL": "https://github.com/a/b",
       "ColabURL": "https://colab.research.google.com/notebook.ipynb"}], 1, "ColabURL"),
])
def test_bad_records_name_row_and_field_and_load_nothing(tmp_path: Path, records: list, row: int, field: str) -> None:
    good = tmp_path / "good"
    good.mkdir()
    (good / "zoo.json").write_text(json.dumps(UNIFORM))
    kg = KG.memory()
    kg.ingest("ptmtorrent", good)
    before = len(kg)
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(records))
    with pytest.raises(InputError) as err:
        kg.ingest("ptmtorrent", bad)
    assert (Path(err.value.file).name, err.value.row, err.value.field) == ("bad.json", row, field)
    assert len(kg) == before


def test_truncated_json_is_an_input_error(tmp_path: Path) -> None:
    bad = tmp_path / "cut.json"
    bad.write_text(json.dumps(UNIFORM)[:200])
    with pytest.raises(InputError, match="not JSON"):
        KG.memory().ingest("ptmtorrent", bad)


def test_polars_frame_keeps_one_row_per_record(raw: dict[str, list[dict]]) -> None:
    from ptmkg.sources import ptmtorrent

    data = ptmtorrent.read(shared_path("data", "ptmtorrent"))
    counts = data.frames["models"].group_by("file").len()
    assert dict(counts.rows()) == {f"{k}.json": len(v) for k, v in raw.items()}
    assert data.frames["models"].filter(pl.col("key").is_null()).height == 0
