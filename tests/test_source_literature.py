"""Literature coding sheets: papers, sharing flags, availability records, reported training runs."""

from __future__ import annotations

from pathlib import Path

import pytest

from ptmkg import KG
from ptmkg.errors import InputError

ID = "https://w3id.org/ptmkg/id/"
HEADER = ("key,title,doi,arxiv,year,venue,task,shares_code,code_url,shares_model,model_url,shares_data,data_url,"
          "hardware,accelerator_count,training_hours\n")
SHEET = HEADER + (
    'P1,"CodeBERT: a model",https://doi.org/10.18653/V1/2020.findings-emnlp.139,2002.08155,2020,EMNLP Findings,'
    "code search,yes,https://github.com/microsoft/CodeBERT,Yes,https://huggingface.co/microsoft/codebert-base,no,,"
    "16x NVIDIA Tesla V100 32GB,16,12.5\n"
    "P2,,,arxiv:2305.06161v2,2023,arXiv,code generation,TRUE,https://github.com/bigcode-project/starcoder,true,,"
    "y,https://huggingface.co/datasets/bigcode/the-stack,512 A100 80GB,512,\n"
    "P3,A closed model,,,2021,ICSE,program repair,no,,no,,,,,,\n"
)


def write(tmp_path: Path, text: str = SHEET, name: str = "hort2023.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def kg(tmp_path: Path) -> KG:
    kg = KG.memory()
    kg.ingest("literature", write(tmp_path), retrieved="2024-01-15", version="hort-2023-v1")
    return kg


def test_papers_keyed_by_doi_then_arxiv_then_review_key(kg: KG) -> None:
    papers = kg.query("SELECT ?p ?code ?model WHERE { ?p a ptmkg:Paper ; ptmkg:sharesCode ?code ; "
                      "ptmkg:sharesModel ?model } ORDER BY ?p")
    assert papers.rows() == [
        (ID + "paper/arxiv/2305.06161", True, True),
        (ID + "paper/doi/10.18653/v1/2020.findings-emnlp.139", True, True),
        (ID + "paper/key/literature/p3", False, False),
    ]
    data = kg.query("SELECT ?p ?d WHERE { ?p ptmkg:sharesData ?d } ORDER BY ?p")
    assert data.rows() == [(ID + "paper/arxiv/2305.06161", True), (ID + "paper/doi/10.18653/v1/2020.findings-emnlp.139", False)]


def test_availability_records(kg: KG) -> None:
    rows = kg.query("SELECT ?kind ?ok ?url WHERE { ?a a ptmkg:ArtifactAvailability ; ptmkg:availabilityOf ?_p_iri ; "
                    "ptmkg:artifactKind ?kind ; ptmkg:available ?ok OPTIONAL { ?a schema:url ?url } } ORDER BY ?kind",
                    p=ID + "paper/doi/10.18653/v1/2020.findings-emnlp.139")
    assert rows.rows() == [("code", True, "https://github.com/microsoft/CodeBERT"), ("data", False, None),
                           ("model", True, "https://huggingface.co/microsoft/codebert-base")]
    # 3 papers x 3 kinds, minus P3's uncoded data flag.
    assert kg.query("SELECT (COUNT(?a) AS ?n) WHERE { ?a a ptmkg:ArtifactAvailability }")["n"][0] == 8


def test_training_runs_with_reported_duration(kg: KG) -> None:
    runs = kg.query("""SELECT ?paper ?hw ?n ?h ?unit ?how WHERE {
        ?r a ptmkg:TrainingRun ; dct:source ?paper ; ptmkg:hardwareRaw ?hw ; ptmkg:acceleratorCount ?n .
        OPTIONAL { ?r ptmkg:duration ?q . ?q qudt:numericValue ?h ; qudt:unit ?unit ; ptmkg:obtainedBy ?how } }
        ORDER BY ?n""")
    assert runs.rows() == [
        (ID + "paper/doi/10.18653/v1/2020.findings-emnlp.139", "16x NVIDIA Tesla V100 32GB", 16, 12.5,
         "http://qudt.org/vocab/unit/HR", "https://w3id.org/ptmkg/Reported"),
        (ID + "paper/arxiv/2305.06161", "512 A100 80GB", 512, None, None, None),
    ]
    snap = kg.snapshots().row(0, named=True)
    assert (snap["version"], str(snap["retrieved"])) == ("hort-2023-v1", "2024-01-15")


def test_two_sheets_are_two_snapshots(tmp_path: Path) -> None:
    kg = KG.memory()
    kg.ingest("literature", write(tmp_path))
    kg.ingest("literature", write(tmp_path, SHEET.replace("12.5", "13"), "hort2024.csv"))
    assert kg.snapshots()["version"].sort().to_list() == ["hort2023.csv", "hort2024.csv"]


@pytest.mark.parametrize("old, new, row, field", [
    ("yes,https://github.com/microsoft", "maybe,https://github.com/microsoft", 2, "shares_code"),
    ("2023,arXiv", "twenty,arXiv", 3, "year"),
    ("2021,ICSE", "1066,ICSE", 4, "year"),
    (",512,\n", ",-2,\n", 3, "accelerator_count"),
    ("32GB,16,12.5", "32GB,16,12.5h", 2, "training_hours"),
    ("https://doi.org/10.18653", "doi:11.18653", 2, "doi"),
    ("arxiv:2305.06161v2", "arxiv:big-model", 3, "arxiv"),
    ("https://github.com/bigcode", "ftp://github.com/bigcode", 3, "code_url"),
    ("P3,", "P1,", 4, "key"),
    ("hardware,", "hw,", None, "hardware"),
])
def test_bad_values_name_line_and_column_and_load_nothing(tmp_path: Path, old: str, new: str,
                                                          row: int | None, field: str) -> None:
    kg = KG.memory()
    kg.ingest("literature", write(tmp_path))
    before = len(kg)
    assert old in SHEET
    with pytest.raises(InputError) as err:
        kg.ingest("literature", write(tmp_path, SHEET.replace(old, new, 1), "bad.csv"))
    assert (Path(err.value.file).name, err.value.row, err.value.field) == ("bad.csv", row, field)
    assert len(kg) == before
