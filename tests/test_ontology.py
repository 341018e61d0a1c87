"""The ontology declares the VOCAB.md contract; the shapes accept valid data and pinpoint errors."""

from __future__ import annotations

import re
from pathlib import Path

import pyoxigraph
import pytest
import rdflib
from rdflib.namespace import OWL, RDF, RDFS, SH

from ptmkg.ontology import ONTOLOGY_DIR, declared_terms, ontology_graph, shapes_graph, validate

PTMKG = rdflib.Namespace("https://w3id.org/ptmkg/")
PROV = rdflib.Namespace("http://www.w3.org/ns/prov#")
FAIR4ML = rdflib.Namespace("http://w3id.org/fair4ml#")
VOCAB = Path(__file__).resolve().parents[1] / "VOCAB.md"


def vocab_terms() -> set[str]:
    """Every ptmkg: term named in VOCAB.md: prefixed tokens (with `/`-joined siblings such as
    `ptmkg:sharesCode/sharesModel`) plus the unprefixed class names of the Classes section."""
    text = VOCAB.read_text(encoding="utf-8")
    names = set()
    for match in re.finditer(r"ptmkg:([A-Za-z]\w*)((?:/[A-Za-z]\w*)*)", text):
        names.add(match.group(1))
        names.update(part for part in match.group(2).split("/") if part)
    classes = text.split("Classes (ptmkg:)", 1)[1].split("Properties (", 1)[0]
    names.update(re.findall(r"(?:^|[;(,]\s*)([A-Z]\w*)\s*(?:⊑|\()", classes, flags=re.M))
    return {str(PTMKG[name]) for name in names}


# ---------------------------------------------------------------- ontology


@pytest.mark.parametrize("name", ["ptmkg.ttl", "shapes.ttl"])
def test_turtle_parses_identically_with_rdflib_and_pyoxigraph(name: str) -> None:
    path = ONTOLOGY_DIR / name
    with_rdflib = rdflib.Graph().parse(path, format="turtle")
    with_oxigraph = list(pyoxigraph.parse(path=str(path), format=pyoxigraph.RdfFormat.TURTLE))
    assert len(with_rdflib) > 100
    assert len(with_oxigraph) == len(with_rdflib)


def test_ontology_header() -> None:
    graph = ontology_graph()
    onto = rdflib.URIRef("https://w3id.org/ptmkg/")
    assert (onto, RDF.type, OWL.Ontology) in graph
    assert str(graph.value(onto, OWL.versionInfo)) == "0.1.0"
    assert graph.value(onto, rdflib.DCTERMS.license) == rdflib.URIRef(
        "https://creativecommons.org/licenses/by/4.0/"
    )
    assert str(graph.value(onto, rdflib.DCTERMS.created)) == "2026-11-22"


def test_declares_exactly_the_vocab_terms() -> None:
    expected = vocab_terms()
    # Spot checks that the VOCAB parser itself works on all the syntaxes it meets.
    for name in ["Model", "ModelCard", "Subject", "Person", "VersionPair", "ClaimRun",
                 "sharesData", "HandLabelled", "n", "pue", "Provenance"]:
        assert str(PTMKG[name]) in expected
    declared = declared_terms()
    assert expected - declared == set(), "VOCAB.md terms missing from the ontology"
    core = rdflib.Graph().parse(ONTOLOGY_DIR / "ptmkg.ttl")
    core_terms = {str(t) for t in core.subjects(RDFS.label, None) if str(t).startswith(str(PTMKG))}
    assert core_terms - expected == set(), "ptmkg.ttl declares terms not in VOCAB.md (extensions go in ext-*.ttl)"


def test_every_term_has_english_label_and_comment() -> None:
    graph = ontology_graph()
    for term in map(rdflib.URIRef, declared_terms()):
        for prop in (RDFS.label, RDFS.comment):
            values = list(graph.objects(term, prop))
            assert [v.language for v in values] == ["en"], f"{term} {prop}"


@pytest.mark.parametrize("name", ["fineTunedFrom", "adapterOf", "quantizedFrom", "mergedFrom"])
def test_lineage_properties_specialise_was_derived_from(name: str) -> None:
    graph = ontology_graph()
    assert (PTMKG[name], RDFS.subPropertyOf, PROV.wasDerivedFrom) in graph
    assert (PTMKG[name], RDFS.range, PTMKG.Model) in graph


def test_alignments_to_standard_vocabularies() -> None:
    graph = ontology_graph()
    assert (PTMKG.fineTunedFrom, RDFS.subPropertyOf, FAIR4ML.fineTunedFrom) in graph
    assert (PTMKG.Model, RDFS.subClassOf, FAIR4ML.MLModel) in graph
    assert (PTMKG.Model, RDFS.subClassOf, rdflib.URIRef("https://schema.org/SoftwareApplication")) in graph
    assert (PTMKG.Quantity, RDFS.subClassOf, rdflib.URIRef("http://qudt.org/schema/qudt/QuantityValue")) in graph
    assert (PTMKG.Snapshot, RDFS.subClassOf, rdflib.URIRef("http://rdfs.org/ns/void#Dataset")) in graph
    provenance = set(graph.subjects(RDF.type, PTMKG.Provenance))
    assert provenance == {PTMKG[n] for n in ["Reported", "Measured", "Estimated", "Extracted", "HandLabelled"]}


def test_every_class_is_targeted_and_every_shape_explains_itself() -> None:
    onto, shapes = rdflib.Graph().parse(ONTOLOGY_DIR / "ptmkg.ttl"), shapes_graph()
    classes = {c for c in onto.subjects(RDF.type, OWL.Class) if str(c).startswith(str(PTMKG))}
    assert len(classes) == 25
    assert classes <= set(shapes.objects(None, SH.targetClass))
    for shape in set(shapes.subjects(RDF.type, SH.NodeShape)) | set(shapes.objects(None, SH.property)):
        assert shapes.value(shape, SH.message) is not None, shape


# ---------------------------------------------------------------- shapes

VALID = """
@prefix ptmkg: <https://w3id.org/ptmkg/> .
@prefix d: <https://w3id.org/ptmkg/id/> .
@prefix g: <https://w3id.org/ptmkg/graph/> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix schema: <https://schema.org/> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix prism: <http://prismstandard.org/namespaces/basic/2.0/> .
@prefix fair4ml: <http://w3id.org/fair4ml#> .
@prefix qudt: <http://qudt.org/schema/qudt/> .
@prefix unit: <http://qudt.org/vocab/unit/> .
@prefix void: <http://rdfs.org/ns/void#> .
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .

d:model\\/hf\\/acme\\/bert-ft a ptmkg:Model ;
    ptmkg:hubId "acme/bert-ft" ;
    ptmkg:hub "huggingface" ;
    ptmkg:downloads 1234 ;
    ptmkg:likes 7 ;
    dct:created "2023-04-01T10:00:00Z"^^xsd:dateTime ;
    dct:license <http://spdx.org/licenses/Apache-2.0> ;
    ptmkg:licenseRaw "apache-2.0" ;
    schema:author d:agent\\/hf\\/acme ;
    fair4ml:trainedOn d:dataset\\/hf\\/imdb ;
    ptmkg:citesPaper d:paper\\/arxiv\\/1810.04805 ;
    ptmkg:hasFile d:file\\/hf\\/acme\\/bert-ft\\/model.safetensors ;
    ptmkg:hasModelCard d:card\\/hf\\/acme\\/bert-ft ;
    ptmkg:fineTunedFrom d:model\\/hf\\/bert-base-uncased ;
    prov:wasDerivedFrom d:model\\/hf\\/bert-base-uncased ;
    ptmkg:lineageDepth 1 ;
    ptmkg:trainingRun d:run\\/hf\\/acme-bert-ft .

d:model\\/hf\\/bert-base-uncased a ptmkg:Model ; ptmkg:hubId "bert-base-uncased" .
d:agent\\/hf\\/acme a ptmkg:Organization ; schema:name "ACME" .
d:dataset\\/hf\\/imdb a ptmkg:Dataset ; schema:name "imdb" .

d:file\\/hf\\/acme\\/bert-ft\\/model.safetensors a ptmkg:ModelFile ;
    ptmkg:filePath "model.safetensors" ;
    ptmkg:serialisationFormat "safetensors" ;
    ptmkg:fileSize 438000000 .

d:card\\/hf\\/acme\\/bert-ft a ptmkg:ModelCard ;
    ptmkg:cardLength 2048 ;
    ptmkg:hasSection "Training procedure" ;
    ptmkg:cardField "co2_eq_emissions" .

d:run\\/hf\\/acme-bert-ft a ptmkg:TrainingRun ;
    ptmkg:hardwareRaw "1 x A100" ;
    ptmkg:hardware d:hardware\\/nvidia-a100 ;
    ptmkg:acceleratorCount 1 ;
    ptmkg:energy d:quantity\\/hf\\/acme-bert-ft\\/energy ;
    ptmkg:country "USA" ;
    ptmkg:pue 1.1e0 .

d:hardware\\/nvidia-a100 a ptmkg:Hardware ; schema:name "NVIDIA A100" ; ptmkg:tdpWatts 400.0e0 .

d:quantity\\/hf\\/acme-bert-ft\\/energy a ptmkg:Quantity ;
    qudt:numericValue 12.5e0 ;
    qudt:unit unit:KiloW-HR ;
    ptmkg:obtainedBy ptmkg:Reported ;
    ptmkg:rawValue "12.5 kWh" .

d:paper\\/arxiv\\/1810.04805 a ptmkg:Paper ;
    dct:title "BERT: Pre-training of Deep Bidirectional Transformers" ;
    ptmkg:arxivId "1810.04805" ;
    prism:publicationDate "2018-10-11"^^xsd:date ;
    ptmkg:sharesCode true ;
    ptmkg:codeRepository d:repo\\/github\\/google-research\\/bert .

d:repo\\/github\\/google-research\\/bert a ptmkg:Repository ;
    ptmkg:stars 38000 ;
    ptmkg:usesModel d:model\\/hf\\/bert-base-uncased .

d:availability\\/pwc\\/bert\\/code a ptmkg:ArtifactAvailability ;
    ptmkg:availabilityOf d:paper\\/arxiv\\/1810.04805 ;
    ptmkg:artifactKind "code" ;
    ptmkg:available true .

d:obs a ptmkg:DownloadsObservation ;
    ptmkg:observedModel d:model\\/hf\\/bert-base-uncased ;
    ptmkg:downloads 50000000 ;
    ptmkg:window "last_month" .

d:pair a ptmkg:VersionPair ;
    ptmkg:fromModel d:model\\/hf\\/bert-base-uncased ;
    ptmkg:toModel d:model\\/hf\\/acme\\/bert-ft ;
    ptmkg:changeType "minor" .

g:hf_models\\/0123456789ab a ptmkg:Snapshot ;
    ptmkg:contentHash "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef" ;
    void:triples 42 ;
    ptmkg:sourceName "hf_models" ;
    prov:generatedAtTime "2026-11-22T12:00:00Z"^^xsd:dateTime .

d:claim\\/c1 a ptmkg:Claim ;
    ptmkg:claimId "c1" ;
    schema:text "Most fine-tuned models are derived from a handful of base models." ;
    ptmkg:measuredBy d:claim\\/c1\\/test .

d:claim\\/c1\\/test a ptmkg:ClaimTest ; sh:select "SELECT * WHERE { ?s ?p ?o }" .

d:claim\\/c1\\/verdict a ptmkg:Verdict ;
    ptmkg:verdictOf d:claim\\/c1 ;
    ptmkg:verdict "SUPPORTED" ;
    ptmkg:n 10 ;
    ptmkg:ciLow 0.1e0 ;
    ptmkg:ciHigh 0.4e0 ;
    ptmkg:pValue 0.03e0 ;
    prov:used g:hf_models\\/0123456789ab ;
    prov:generatedAtTime "2026-11-22T12:30:00Z"^^xsd:dateTime .
"""

ID = "https://w3id.org/ptmkg/id/"


def violations(report) -> set[tuple[str, str | None]]:
    return {(v.focus_node, v.path) for v in report.violations if v.severity == "Violation"}


def test_valid_document_conforms() -> None:
    report = validate(VALID, fmt="turtle")
    assert violations(report) == set()
    assert report.conforms


def edit(old: str, new: str) -> str:
    assert VALID.count(old) == 1, old
    return VALID.replace(old, new)


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("    qudt:unit unit:KiloW-HR ;\n", "",
         {(ID + "quantity/hf/acme-bert-ft/energy", "http://qudt.org/schema/qudt/unit")}),
        ("ptmkg:downloads 1234 ;", "ptmkg:downloads -1234 ;",
         {(ID + "model/hf/acme/bert-ft", str(PTMKG.downloads))}),
        ('ptmkg:verdict "SUPPORTED" ;', 'ptmkg:verdict "MAYBE" ;',
         {(ID + "claim/c1/verdict", str(PTMKG.verdict))}),
        ('    ptmkg:contentHash "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef" ;\n', "",
         {("https://w3id.org/ptmkg/graph/hf_models/0123456789ab", str(PTMKG.contentHash))}),
        ("ptmkg:obtainedBy ptmkg:Reported ;", "ptmkg:obtainedBy ptmkg:Guessed ;",
         {(ID + "quantity/hf/acme-bert-ft/energy", str(PTMKG.obtainedBy))}),
        ('ptmkg:country "USA" ;', 'ptmkg:country "US" ;',
         {(ID + "run/hf/acme-bert-ft", str(PTMKG.country))}),
        ("ptmkg:ciLow 0.1e0 ;", "ptmkg:ciLow 0.5e0 ;",
         {(ID + "claim/c1/verdict", str(PTMKG.ciLow))}),
        ("qudt:numericValue 12.5e0 ;", 'qudt:numericValue "12.5" ;',
         {(ID + "quantity/hf/acme-bert-ft/energy", "http://qudt.org/schema/qudt/numericValue")}),
    ],
    ids=["quantity-without-unit", "negative-downloads", "verdict-maybe", "snapshot-without-hash",
         "unknown-provenance", "alpha2-country", "ci-inverted", "numeric-value-string"],
)
def test_invalid_document_yields_exactly_the_expected_violations(old, new, expected) -> None:
    report = validate(edit(old, new), fmt="turtle")
    assert not report.conforms
    assert violations(report) == expected
    for found in report.violations:
        assert found.message and found.shape.startswith("https://w3id.org/ptmkg/shapes/")


def test_model_known_only_as_lineage_target_is_a_warning_not_a_violation() -> None:
    base_line = 'd:model\\/hf\\/bert-base-uncased a ptmkg:Model ; ptmkg:hubId "bert-base-uncased" .\n'
    report = validate(edit(base_line, "d:model\\/hf\\/bert-base-uncased a ptmkg:Model .\n"), fmt="turtle")
    assert report.conforms
    assert [(v.focus_node, v.path, v.severity) for v in report.violations] == [
        (ID + "model/hf/bert-base-uncased", str(PTMKG.hubId), "Warning")
    ]


def test_types_must_be_explicit_as_sparql_sees_them() -> None:
    # No RDFS closure: a lineage parent typed only through rdfs:range is not a Model to SPARQL, nor here.
    base_line = 'd:model\\/hf\\/bert-base-uncased a ptmkg:Model ; ptmkg:hubId "bert-base-uncased" .\n'
    report = validate(edit(base_line, ""), fmt="turtle")
    assert not report.conforms
    assert ID + "model/hf/acme/bert-ft" in {v.focus_node for v in report.violations}


def test_nquads_graphs_are_merged_before_validation() -> None:
    quantity = "<https://w3id.org/ptmkg/id/quantity/x/k/energy>"
    base = (
        f'{quantity} <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://w3id.org/ptmkg/Quantity> <https://w3id.org/ptmkg/graph/a/1> .\n'
        f'{quantity} <http://qudt.org/schema/qudt/numericValue> "3.0E0"^^<http://www.w3.org/2001/XMLSchema#double> <https://w3id.org/ptmkg/graph/a/1> .\n'
        f"{quantity} <https://w3id.org/ptmkg/obtainedBy> <https://w3id.org/ptmkg/Estimated> <https://w3id.org/ptmkg/graph/a/1> .\n"
    )
    unit = f"{quantity} <http://qudt.org/schema/qudt/unit> <http://qudt.org/vocab/unit/HR> <https://w3id.org/ptmkg/graph/b/2> .\n"
    assert validate(base + unit).conforms
    assert validate(base + unit.replace(" <https://w3id.org/ptmkg/graph/b/2> .", " .")).conforms  # default graph
    assert violations(validate(base)) == {
        ("https://w3id.org/ptmkg/id/quantity/x/k/energy", "http://qudt.org/schema/qudt/unit")
    }


def test_unknown_format_is_rejected() -> None:
    with pytest.raises(ValueError, match="unknown RDF format"):
        validate(VALID, fmt="rdfxml-ish")


def test_catalog_record_written_by_snapshot_module_conforms() -> None:
    import pyoxigraph as ox

    from ptmkg.snapshot import SnapshotInfo

    info = SnapshotInfo(
        source="hf_models",
        version="2024-01",
        retrieved="2024-01-15",
        source_url="https://huggingface.co/api/models",
        content_hash="sha256:" + "ab" * 32,
        licence="http://spdx.org/licenses/CC-BY-4.0",
        files=("models.parquet",),
    )
    nquads = ox.serialize(info.metadata(triples=42), format=ox.RdfFormat.N_QUADS).decode()
    report = validate(nquads)
    assert report.violations == [] and report.conforms
    integer = "^^<http://www.w3.org/2001/XMLSchema#integer>"
    broken = nquads.replace(f'"42"{integer}', f'"-1"{integer}')
    assert violations(validate(broken)) == {(info.graph, "http://rdfs.org/ns/void#triples")}


def test_store_is_validated_across_its_graphs_or_one_snapshot() -> None:
    import pyoxigraph as ox

    from ptmkg import KG
    from ptmkg.errors import PtmkgError
    from ptmkg.namespaces import CATALOG_GRAPH
    from ptmkg.ontology import validate_store

    kg = KG.memory()
    kg.ingest("starter-carbon")
    graph = kg.snapshots()["graph"][0]
    assert violations(validate_store(kg)) == set()
    # The catalog record lives in another graph than the snapshot: a bad count there is seen in the union.
    void_triples = ox.NamedNode("http://rdfs.org/ns/void#triples")
    (record,) = kg.oxigraph.quads_for_pattern(ox.NamedNode(graph), void_triples, None, ox.NamedNode(CATALOG_GRAPH))
    kg.oxigraph.remove(record)
    kg.oxigraph.add(ox.Quad(record.subject, void_triples, ox.Literal("-1", datatype=record.object.datatype),
                            record.graph_name))
    assert violations(validate_store(kg)) == {(graph, void_triples.value)}
    assert violations(validate_store(kg, graph)) == set()  # the snapshot graph alone holds no record
    with pytest.raises(PtmkgError, match="no snapshot graph"):
        validate_store(kg, "https://w3id.org/ptmkg/graph/none")
    with pytest.raises(PtmkgError, match="not an IRI"):
        validate_store(kg, "> } DROP ALL #")
