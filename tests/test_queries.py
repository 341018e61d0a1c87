"""Every canned query parses, declares its columns truthfully, and runs on the starter snapshot."""

from __future__ import annotations

import polars as pl
import pytest

from ptmkg import KG
from ptmkg.errors import InputError, PtmkgError
from ptmkg.queries import Catalogue, catalogue, parse_query_file

QUERIES = list(catalogue())


@pytest.fixture(scope="module")
def starter_kg():
    kg = KG.memory()
    kg.ingest("starter")
    return kg


def test_catalogue_is_not_empty():
    assert len(QUERIES) >= 6


@pytest.mark.parametrize("query", QUERIES, ids=[q.name for q in QUERIES])
def test_query_header_and_columns(query):
    assert query.summary and query.description, f"{query.name}: summary and description are required"
    if "SERVICE" in query.sparql:
        pytest.skip("federation exercise: run against its loopback endpoints by tests/test_teaching.py")
    result = query.run(KG.memory())
    kind = {"select": pl.DataFrame, "ask": bool, "construct": list, "describe": list}[query.form]
    assert isinstance(result, kind), f"{query.name}: form {query.form} but the engine returned {type(result)}"
    if query.columns:
        assert tuple(result.columns) == query.columns


@pytest.mark.parametrize("name", ["models-per-licence", "serialisation-formats", "reported-emissions",
                                  "most-cited-papers", "family-lineage", "snapshots"])
def test_core_queries_have_results_on_starter(starter_kg, name):
    assert catalogue().get(name).run(starter_kg).height > 0


def test_unknown_parameter_and_missing_summary(tmp_path):
    q = catalogue().get("models-citing-paper")
    with pytest.raises(PtmkgError, match="has no parameter nope"):
        q.run(KG.memory(), nope=1)
    bad = tmp_path / "bad.rq"
    bad.write_text("#+ description: no summary\nSELECT * WHERE { ?s ?p ?o }\n")
    with pytest.raises(InputError, match="needs a summary"):
        parse_query_file(bad)


def test_subfolders_give_prefixed_names(tmp_path):
    (tmp_path / "teaching").mkdir()
    (tmp_path / "teaching" / "01-count.rq").write_text("#+ summary: Count\nSELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }\n")
    cat = Catalogue(tmp_path)
    assert list(cat.queries) == ["teaching/01-count"]
    assert cat.get("teaching/01-count").run(KG.memory())["n"].to_list() == [0]


def test_the_collection_is_queryable_as_rdf(memory_kg):
    result = memory_kg.ingest("queries")
    assert result.loaded and result.source == "queries"
    names = memory_kg.query("SELECT ?name WHERE { ?q a sh:SPARQLExecutable ; schema:keywords 'teaching' ; "
                            "schema:name ?name } ORDER BY ?name")["name"].to_list()
    expected = sorted(q.name for q in QUERIES if "teaching" in q.tags)
    assert names == expected and len(names) >= 6
    typed = memory_kg.query("SELECT ?name ?class WHERE { ?q schema:name ?name ; a ?class . "
                            "FILTER(?class != sh:SPARQLExecutable) }")
    forms = {n: c.removeprefix("http://www.w3.org/ns/shacl#SPARQL").removesuffix("Executable").lower()
             for n, c in typed.iter_rows()}
    assert forms == {q.name: q.form for q in QUERIES if q.form != "describe"}  # SHACL has no DESCRIBE class
    text = memory_kg.query("SELECT ?t WHERE { ?q schema:name 'models-citing-paper' ; sh:select ?t ; "
                           "ptmkg:queryParameter 'arxiv' }")["t"][0]
    assert text == catalogue().get("models-citing-paper").sparql


GRAPH_SCOPED = {"snapshots", "reported-emissions", *(f"teaching/solutions/{n}" for n in (
    "18-which-snapshot-says", "19-triples-per-snapshot", "20-disagreeing-sources", "21-one-snapshot-only"))}


def test_overlapping_snapshots_do_not_double_count(tmp_path):
    """The same facts in two snapshots must not change any canned result (set, not bag, semantics).

    Oxigraph 0.5 counts a triple once per graph in the union default graph (oxigraph#1919), so
    every canned query must use DISTINCT where rows could repeat.
    """
    import shutil
    from importlib.resources import files

    once, twice = KG.memory(), KG.memory()
    once.ingest("starter")
    twice.ingest("starter")
    copy = tmp_path / "starter_copy.jsonl.gz"
    shutil.copy(files("ptmkg.data.starter") / "hf_models.jsonl.gz", copy)
    assert twice.ingest("hf", copy).loaded
    for query in QUERIES:
        if (query.name in GRAPH_SCOPED or query.name.startswith("claims/") or not query.columns
                or "SERVICE" in query.sparql):
            continue  # no columns: CONSTRUCT/DESCRIBE exercises (graphs are sets); SERVICE: tests/test_teaching.py
        a, b = query.run(once), query.run(twice)
        assert a.sort(a.columns).equals(b.sort(b.columns)), query.name
