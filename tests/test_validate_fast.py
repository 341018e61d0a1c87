"""The shapes compiled to SPARQL (ptmkg.shacl_sparql, the default engine) give pySHACL's report, result for
result (focus node, path, message, severity, shape, as many of each): on a valid document, on documents broken
in every kind of constraint the shapes use, on the starter snapshot, and on all shared data."""

from __future__ import annotations

import pytest
from rdflib.namespace import RDF, SH

from ptmkg import KG
from ptmkg.ingest import ingest_all
from ptmkg.namespaces import PTMKG
from ptmkg.ontology import ontology_graph, shapes_graph, validate, validate_store
from ptmkg.shacl_sparql import compile_shapes
from tests.conftest import SHARED_DATA, shared_path
from tests.test_ontology import VALID, edit

XSD = "http://www.w3.org/2001/XMLSchema#"
ID = "<https://w3id.org/ptmkg/id/"

BROKEN = {
    "datatype": ("ptmkg:downloads 1234 ;", 'ptmkg:downloads "1234" ;'),
    "datatype-and-minimum": ("ptmkg:downloads 1234 ;", 'ptmkg:downloads "-5"^^xsd:decimal ;'),
    "ill-formed-integer": ("ptmkg:downloads 1234 ;", 'ptmkg:downloads "many"^^xsd:integer ;'),
    "language-tagged-string": ("ptmkg:window \"last_month\" .", 'ptmkg:window "last_month"@en .'),
    "minimum": ("ptmkg:downloads 1234 ;", "ptmkg:downloads -1234 ;"),
    "min-count": ("    qudt:unit unit:KiloW-HR ;\n", ""),
    "max-count": ("void:triples 42 ;", "void:triples 42, 43 ;"),
    "in-literal": ('ptmkg:verdict "SUPPORTED" ;', 'ptmkg:verdict "MAYBE" ;'),
    "in-iri": ("ptmkg:obtainedBy ptmkg:Reported ;", "ptmkg:obtainedBy ptmkg:Guessed ;"),
    "pattern": ('ptmkg:country "USA" ;', 'ptmkg:country "US" ;'),
    "less-than-or-equals": ("ptmkg:ciLow 0.1e0 ;", "ptmkg:ciLow 0.5e0, 0.6e0 ;"),
    "class": ("ptmkg:measuredBy d:claim\\/c1\\/test .", "ptmkg:measuredBy d:claim\\/c1 ."),
    "node-kind": ("ptmkg:availabilityOf d:paper\\/arxiv\\/1810.04805 ;", 'ptmkg:availabilityOf "1810.04805" ;'),
    "warning": ('d:model\\/hf\\/bert-base-uncased a ptmkg:Model ; ptmkg:hubId "bert-base-uncased" .\n',
                "d:model\\/hf\\/bert-base-uncased a ptmkg:Model .\n"),
}
APPENDED = {
    "person-and-organization": f"{ID}agent/x> a <https://w3id.org/ptmkg/Person>, <https://w3id.org/ptmkg/Organization> .\n",
    "or-of-datatypes": (f'{ID}paper/arxiv/1810.04805> <http://prismstandard.org/namespaces/basic/2.0/publicationDate> '
                        f'"2019", "2019"^^<{XSD}gYear> .\n'),
    "licence-as-blank-node": "_:licence a <https://w3id.org/ptmkg/License> .\n",
}


def results(report) -> list[tuple]:
    """The report's results, blank nodes unnamed (each engine labels them its own way)."""
    return sorted((v.focus_node if "://" in v.focus_node else "_:", v.path, v.message, v.severity, v.shape)
                  for v in report.violations)


def same_report(data: str, fmt: str) -> None:
    fast, reference = validate(data, fmt, engine="sparql"), validate(data, fmt, engine="pyshacl")
    assert fast.conforms == reference.conforms and results(fast) == results(reference)


def test_every_shape_compiles() -> None:
    shapes = shapes_graph()
    checks = compile_shapes(shapes, ontology_graph())
    assert {r.shape for c in checks for r in c.results} == {str(s) for s in shapes.subjects(RDF.type, SH.NodeShape)}


def test_valid_document_gives_the_same_report() -> None:
    same_report(VALID, "turtle")
    assert validate(VALID, "turtle").conforms


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_broken_document_gives_the_same_report(name: str) -> None:
    old, new = BROKEN[name]
    data = edit(old, new)
    same_report(data, "turtle")
    assert validate(data, "turtle").violations, name


@pytest.mark.parametrize("name", sorted(APPENDED))
def test_appended_breakage_gives_the_same_report(name: str) -> None:
    data = VALID + APPENDED[name]
    same_report(data, "turtle")
    assert not validate(data, "turtle").conforms, name


def test_starter_snapshot_gives_the_same_report() -> None:
    kg = KG.memory()
    kg.ingest("starter")
    kg.ingest("starter-carbon")
    graph = kg.snapshots()["graph"][0]
    assert results(validate_store(kg)) == results(validate_store(kg, engine="pyshacl"))
    # Broken in place: three models lose their hub id (warnings), one gets negative downloads (a violation).
    kg.oxigraph.update(f"""
        DELETE {{ GRAPH ?g {{ ?m <{PTMKG}hubId> ?id }} }}
        INSERT {{ GRAPH ?g {{ ?m <{PTMKG}downloads> -1 }} }}
        WHERE {{ {{ SELECT ?m WHERE {{ GRAPH ?g {{ ?m <{PTMKG}downloads> ?d }} }} ORDER BY ?m LIMIT 3 }}
                 GRAPH ?g {{ ?m <{PTMKG}hubId> ?id }} }}""")
    fast = validate_store(kg)
    assert {v.severity for v in fast.violations} == {"Warning", "Violation"} and not fast.conforms
    assert results(fast) == results(validate_store(kg, engine="pyshacl"))
    assert results(validate_store(kg, graph)) == results(validate_store(kg, graph, engine="pyshacl"))


def test_unknown_engine_is_rejected() -> None:
    with pytest.raises(ValueError, match="unknown validation engine"):
        validate(VALID, "turtle", engine="jena")


def test_all_shared_data_conforms_with_the_lineage_only_models_as_warnings() -> None:
    """pySHACL's report on all shared data (about 3 minutes): conforms, 95 warnings — each a model known only as
    a lineage parent (no hub id). The compiled engine must find exactly those models, independently counted."""
    shared_path("data")
    kg = KG.memory()
    ingest_all(kg, SHARED_DATA)
    report = validate_store(kg)
    assert report.conforms
    lineage_only = set(kg.query("SELECT DISTINCT ?m WHERE { ?m a ptmkg:Model FILTER NOT EXISTS { ?m ptmkg:hubId ?id } }")["m"])
    assert [v.severity for v in report.violations] == ["Warning"] * len(lineage_only)
    assert {v.focus_node for v in report.violations} == lineage_only and len(lineage_only) == 95
