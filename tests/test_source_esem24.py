"""esem24: June 2022 monthly downloads from PeaTMOSS_ANCIENT.db and descendants-per-download rows."""

from __future__ import annotations

import csv
import shutil
import sqlite3
from pathlib import Path

import pytest

from ptmkg import KG
from ptmkg.errors import InputError

DIR = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "hf-slr-esem24"
DB = "PeaTMOSS_ANCIENT.db"


def table() -> list[tuple[str, float | None]]:
    if not DIR.exists():
        pytest.skip(f"{DIR} is not present (tests read ../shared where it lies)")
    with sqlite3.connect(f"file:{DIR / DB}?mode=ro", uri=True) as con:
        return con.execute("SELECT modelId, downloads_last_month FROM PeaTMOSS_ANCIENT").fetchall()


@pytest.fixture(scope="module")
def kg() -> KG:
    table()
    kg = KG.memory()
    kg.ingest("esem24", DIR)
    return kg


def test_observations_match_the_table(kg: KG) -> None:
    rows = table()
    counted = [d for _, d in rows if d is not None]
    res = kg.query("""SELECT (COUNT(?o) AS ?n) (SUM(?d) AS ?s) WHERE { ?o a ptmkg:DownloadsObservation ;
        ptmkg:downloads ?d ; ptmkg:window "last_month" ; ptmkg:observedAt "2022-06-01T00:00:00Z"^^xsd:dateTime }""")
    assert res.rows() == [(len(counted), int(sum(counted)))]
    models = kg.query("SELECT (COUNT(DISTINCT ?m) AS ?n) WHERE { ?m a ptmkg:Model }")["n"][0]
    assert models == len({m.lower() for m, _ in rows})


def test_bert_base_uncased_june_2022(kg: KG) -> None:
    res = kg.query("""SELECT ?d WHERE { ?o ptmkg:observedModel <https://w3id.org/ptmkg/id/model/hf/bert-base-uncased> ;
        ptmkg:downloads ?d }""")
    assert res["d"].to_list() == [9435580]


def test_descendant_statistics(kg: KG) -> None:
    with open(DIR / "number_of_direct_descendant_models_per_download.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    res = kg.query("""SELECT (COUNT(?s) AS ?n) (SUM(?c) AS ?kids) WHERE {
        ?s ptmkg:statisticKind "descendants-per-download" ; ptmkg:descendantCount ?c ; ptmkg:parentDownloads ?d }""")
    assert res.rows() == [(len(rows), sum(int(r["count"]) for r in rows))]


def test_bad_inputs_raise_and_leave_store_unchanged(tmp_path: Path) -> None:
    table()
    kg = KG.memory()
    kg.ingest("esem24", DIR)
    before = len(kg)

    neg = tmp_path / "neg"
    shutil.copytree(DIR, neg)
    with sqlite3.connect(neg / DB) as con:
        con.execute("UPDATE PeaTMOSS_ANCIENT SET downloads_last_month = -5 WHERE rowid = 7")
    with pytest.raises(InputError) as e:
        kg.ingest("esem24", neg)
    assert (e.value.row, e.value.field) == (7, "downloads_last_month")

    cols = tmp_path / "cols"
    shutil.copytree(DIR, cols)
    with sqlite3.connect(cols / DB) as con:
        con.execute("ALTER TABLE PeaTMOSS_ANCIENT RENAME COLUMN downloads_last_month TO downloads")
    with pytest.raises(InputError) as e:
        kg.ingest("esem24", cols)
    assert e.value.field == "downloads_last_month"

    junk = tmp_path / "junk"
    shutil.copytree(DIR, junk)
    (junk / DB).write_text("modelId,downloads\nbert-base-uncased,1\n")
    with pytest.raises(InputError, match="SQLite"):
        kg.ingest("esem24", junk)
    assert len(kg) == before
