"""PeaTMOSS source on a small database with the published schema (PeaTMOSS.sql), built per test."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from ptmkg import KG
from ptmkg.errors import InputError

ID = "https://w3id.org/ptmkg/id/"

# The tables ptmkg reads, declared exactly as in PurdueDualityLab/PeaTMOSS-Demos PeaTMOSS.sql.
SCHEMA = """
CREATE TABLE model_hub (id INTEGER NOT NULL, name VARCHAR, url VARCHAR, PRIMARY KEY (id), UNIQUE (name), UNIQUE (url));
CREATE TABLE license (id INTEGER NOT NULL, name VARCHAR, PRIMARY KEY (id), UNIQUE (name));
CREATE TABLE paper (id INTEGER NOT NULL, name VARCHAR, PRIMARY KEY (id), UNIQUE (name));
CREATE TABLE dataset (id INTEGER NOT NULL, name VARCHAR, PRIMARY KEY (id), UNIQUE (name));
CREATE TABLE author (id INTEGER NOT NULL, name VARCHAR, PRIMARY KEY (id), UNIQUE (name));
CREATE TABLE reuse_repository (id INTEGER NOT NULL, owner VARCHAR, name VARCHAR, url VARCHAR, PRIMARY KEY (id),
  CONSTRAINT unique_owner_name UNIQUE (owner, name));
CREATE TABLE model (id INTEGER NOT NULL, context_id INTEGER, model_hub_id INTEGER, sha VARCHAR, repo_url VARCHAR,
  downloads INTEGER, likes INTEGER, has_snapshot INTEGER, ptm_issues_id INTEGER, ptm_pull_requests_id INTEGER,
  PRIMARY KEY (id), UNIQUE (context_id), FOREIGN KEY(model_hub_id) REFERENCES model_hub (id));
CREATE TABLE model_to_license (model_id INTEGER NOT NULL, license_id INTEGER NOT NULL, PRIMARY KEY (model_id, license_id));
CREATE TABLE model_to_paper (model_id INTEGER NOT NULL, paper_id INTEGER NOT NULL, PRIMARY KEY (model_id, paper_id));
CREATE TABLE model_to_dataset (model_id INTEGER NOT NULL, dataset_id INTEGER NOT NULL, PRIMARY KEY (model_id, dataset_id));
CREATE TABLE model_to_author (model_id INTEGER NOT NULL, author_id INTEGER NOT NULL, PRIMARY KEY (model_id, author_id));
CREATE TABLE model_to_reuse_repository (model_id INTEGER NOT NULL, reuse_repository_id INTEGER NOT NULL,
  PRIMARY KEY (model_id, reuse_repository_id));
"""
ROWS = """
INSERT INTO model_hub VALUES (1, 'Hugging Face', 'https://huggingface.co'), (2, 'PyTorch Hub', 'https://pytorch.org/hub');
INSERT INTO model VALUES
  (1, 'bert-base-uncased', 1, 'a1', 'https://huggingface.co/bert-base-uncased', 5000, 40, 1, NULL, NULL),
  (2, 'Google/T5-small', 1, 'b2', 'https://huggingface.co/google/t5-small', 300, 2, 0, NULL, NULL),
  (3, 'pytorch/vision/resnet50', 2, NULL, 'https://github.com/pytorch/vision', NULL, NULL, 0, NULL, NULL);
INSERT INTO reuse_repository VALUES (1, 'alice', 'NLP-App', 'https://github.com/alice/NLP-App'),
  (2, 'bob', 'vision', 'https://github.com/bob/vision'), (3, 'carol', 'idle', 'https://github.com/carol/idle');
INSERT INTO model_to_reuse_repository VALUES (1, 1), (2, 1), (1, 2), (3, 2);
INSERT INTO license VALUES (1, 'apache-2.0'), (2, 'mit');
INSERT INTO model_to_license VALUES (1, 1), (2, 1), (3, 2);
INSERT INTO paper VALUES (1, '1810.04805'), (2, 'https://doi.org/10.48550/arXiv.1910.10683');
INSERT INTO model_to_paper VALUES (1, 1), (2, 2);
INSERT INTO dataset VALUES (1, 'wikipedia'), (2, 'c4');
INSERT INTO model_to_dataset VALUES (1, 1), (2, 2);
INSERT INTO author VALUES (1, 'Google');
INSERT INTO model_to_author VALUES (2, 1);
"""


def make_db(path: Path, extra: str = "") -> Path:
    con = sqlite3.connect(path)
    con.executescript(SCHEMA + ROWS + extra)
    con.commit()
    con.close()
    return path


@pytest.fixture
def kg(tmp_path: Path) -> KG:
    kg = KG.memory()
    kg.ingest("peatmoss", make_db(tmp_path / "PeaTMOSS.db"), retrieved="2023-10-01")
    return kg


def test_repositories_use_models(kg: KG) -> None:
    edges = kg.query("SELECT ?r ?m WHERE { ?r a ptmkg:Repository ; ptmkg:usesModel ?m . ?m a ptmkg:Model } ORDER BY ?r ?m")
    assert edges.rows() == [
        (ID + "repo/github/alice/nlp-app", ID + "model/hf/bert-base-uncased"),
        (ID + "repo/github/alice/nlp-app", ID + "model/hf/google/t5-small"),
        (ID + "repo/github/bob/vision", ID + "model/hf/bert-base-uncased"),
        (ID + "repo/github/bob/vision", ID + "model/pytorchhub/pytorch/vision/resnet50"),
    ]
    assert kg.query("SELECT (COUNT(*) AS ?n) WHERE { ?r a ptmkg:Repository }")["n"][0] == 3


def test_model_facts_papers_licences(kg: KG) -> None:
    bert = ID + "model/hf/bert-base-uncased"
    facts = kg.query("SELECT ?d ?l ?lic ?paper ?ds WHERE { ?_m_iri ptmkg:downloads ?d ; ptmkg:likes ?l ; "
                     "dct:license ?lic ; ptmkg:citesPaper ?paper ; fair4ml:trainedOn ?ds }", m=bert)
    assert facts.rows() == [(5000, 40, "http://spdx.org/licenses/Apache-2.0", ID + "paper/arxiv/1810.04805",
                             ID + "dataset/hf/wikipedia")]
    # An arXiv DOI is the arXiv paper, so both sources meet on one node.
    t5 = kg.query("SELECT ?p ?a WHERE { ?_m_iri ptmkg:citesPaper ?p ; schema:author ?a }", m=ID + "model/hf/google/t5-small")
    assert t5.rows() == [(ID + "paper/arxiv/1910.10683", ID + "agent/hf/google")]
    per_licence = kg.query("SELECT ?lic (COUNT(?m) AS ?n) WHERE { ?m dct:license ?lic } GROUP BY ?lic ORDER BY ?lic")
    assert per_licence.rows() == [("http://spdx.org/licenses/Apache-2.0", 2), ("http://spdx.org/licenses/MIT", 1)]
    assert str(kg.snapshots()["retrieved"][0]) == "2023-10-01"


@pytest.mark.parametrize("extra, field, row", [
    ("DROP TABLE model_to_reuse_repository;", "model_to_reuse_repository", None),
    ("UPDATE model SET downloads = 'many' WHERE id = 2;", "model.downloads", 2),
    ("ALTER TABLE reuse_repository DROP COLUMN url;", "reuse_repository.url", None),
    ("UPDATE model_to_license SET license_id = 'x' WHERE model_id = 3;", "model_to_license.license_id", 3),
])
def test_bad_database_names_field_and_row_and_loads_nothing(tmp_path: Path, extra: str, field: str,
                                                            row: int | None) -> None:
    kg = KG.memory()
    kg.ingest("peatmoss", make_db(tmp_path / "good.db"))
    before = len(kg)
    with pytest.raises(InputError) as err:
        kg.ingest("peatmoss", make_db(tmp_path / "bad.db", extra))
    assert (Path(err.value.file).name, err.value.field, err.value.row) == ("bad.db", field, row)
    assert len(kg) == before


def test_not_a_database(tmp_path: Path) -> None:
    bogus = tmp_path / "PeaTMOSS.db"
    bogus.write_bytes(b"id,name\n1,x\n" * 100)
    with pytest.raises(InputError, match="not a SQLite database|unreadable SQLite"):
        KG.memory().ingest("peatmoss", bogus)
