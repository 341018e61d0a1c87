"""The store: atomic snapshot loads, idempotent ingest, typed query results, parameter binding, export."""

from __future__ import annotations

from datetime import date, datetime, timezone

import polars as pl
import pyoxigraph as ox
import pytest

from ptmkg import KG
from ptmkg.errors import InputError, PtmkgError
from ptmkg.ingest import INGESTORS, Ingestor
from ptmkg.mapping import terms as T
from ptmkg.namespaces import CATALOG_GRAPH, PTMKG
from ptmkg.snapshot import SnapshotInfo, content_hash
from ptmkg.sources.base import SourceData, cast_checked, read_csv, require_columns

MODELS = pl.DataFrame({
    "id": ["org/a", "org/b", "org/c"],
    "downloads": [10, 250, None],
    "created": [datetime(2024, 1, 2, 3, 4, 5, tzinfo=timezone.utc)] * 3,
    "score": [0.5, 1.25, float("nan")],
    "name": ['quote " and \\ back', "line\nbreak", ""],
})


def model_triples(frame: pl.DataFrame = MODELS) -> T.Triples:
    s = T.entity("model/hf", "id")
    t = T.Triples().types(frame, s, PTMKG + "Model")
    t.add(frame, s, PTMKG + "hubId", T.text("id"))
    t.add(frame, s, PTMKG + "downloads", T.integer("downloads"))
    t.add(frame, s, "http://purl.org/dc/terms/created", T.date_time("created"))
    t.add(frame, s, PTMKG + "score", T.double("score"))
    t.add(frame, s, "https://schema.org/name", T.text("name"))
    return t


def info(h: str = "sha256:" + "ab" * 32, source: str = "test") -> SnapshotInfo:
    return SnapshotInfo(source, "v1", "2025-04-22", "https://example.org/data", h, files=("x.csv",))


def test_load_counts_distinct_triples_and_records_provenance(memory_kg):
    t = model_triples()
    # 3 types + 3 ids + 2 downloads + 3 created + 2 finite scores + 2 non-empty names
    assert memory_kg.load_snapshot(info(), t) == 15
    snap = memory_kg.snapshots()
    assert snap.height == 1
    row = snap.row(0, named=True)
    assert row["triples"] == 15 and row["source"] == "test" and row["retrieved"] == date(2025, 4, 22)
    assert row["graph"] == info().graph
    assert memory_kg.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{info().graph}> {{ ?s ?p ?o }} }}")["n"][0] == 15


def test_query_returns_native_dtypes(memory_kg):
    memory_kg.load_snapshot(info(), model_triples())
    df = memory_kg.query("SELECT ?id ?d ?c ?sc ?n WHERE { ?m ptmkg:hubId ?id ; dct:created ?c "
                         "OPTIONAL { ?m ptmkg:downloads ?d } OPTIONAL { ?m ptmkg:score ?sc } "
                         "OPTIONAL { ?m schema:name ?n } } ORDER BY ?id")
    assert df.schema["d"] == pl.Int64 and df.schema["sc"] == pl.Float64
    assert df.schema["c"] == pl.Datetime("us", "UTC")
    assert df["id"].to_list() == ["org/a", "org/b", "org/c"]
    assert df["d"].to_list() == [10, 250, None]
    assert df["n"].to_list() == ['quote " and \\ back', "line\nbreak", None]
    assert df["c"][0] == datetime(2024, 1, 2, 3, 4, 5, tzinfo=timezone.utc)
    assert memory_kg.query("ASK { ?m ptmkg:downloads 250 }") is True
    triples = memory_kg.query("CONSTRUCT { ?m ptmkg:downloads ?d } WHERE { ?m ptmkg:downloads ?d }")
    assert len(triples) == 2 and all(isinstance(x, ox.Triple) for x in triples)


def test_parameters_are_bound_not_pasted(memory_kg):
    memory_kg.load_snapshot(info(), model_triples())
    q = "SELECT ?m WHERE { ?m ptmkg:hubId ?_id }"
    assert memory_kg.query(q, id="org/b").height == 1
    before = len(memory_kg)
    assert memory_kg.query(q, id='org/b" } DELETE WHERE { ?s ?p ?o } #').height == 0
    assert len(memory_kg) == before
    iri = memory_kg.query("SELECT ?m WHERE { ?m ptmkg:hubId 'org/a' }")["m"][0]
    assert memory_kg.query("SELECT ?d WHERE { ?_m_iri ptmkg:downloads ?d }", m=iri)["d"].to_list() == [10]
    with pytest.raises(PtmkgError, match="not used"):
        memory_kg.query(q, other=1)
    with pytest.raises(PtmkgError, match="not an IRI"):
        memory_kg.query("SELECT ?d WHERE { ?_m_iri ptmkg:downloads ?d }", m="has space")


def test_failed_load_leaves_store_unchanged(memory_kg):
    memory_kg.load_snapshot(info(), model_triples())
    before = sorted(str(q) for q in memory_kg.oxigraph)
    bad = model_triples(MODELS.head(1))
    bad.add(MODELS.head(1), pl.lit("<not an iri>"), PTMKG + "x", pl.lit('"y"'))
    with pytest.raises(SyntaxError):
        memory_kg.load_snapshot(info("sha256:" + "cd" * 32), bad)
    assert sorted(str(q) for q in memory_kg.oxigraph) == before


def test_interrupted_load_rolls_back(memory_kg, monkeypatch):
    monkeypatch.setattr("ptmkg.store.DROP_CHUNK", 2)
    memory_kg.load_snapshot(info("sha256:" + "ef" * 32, source="other"), model_triples(MODELS.head(1)))
    store = memory_kg.oxigraph
    before = sorted(str(q) for q in store)
    removed = []  # quads removed by each update transaction

    class Interrupting:
        def __getattr__(self, name):
            return getattr(store, name)

        def extend(self, quads):
            raise KeyboardInterrupt

        def update(self, sparql):
            n = len(store)
            store.update(sparql)
            removed.append(n - len(store))

    monkeypatch.setattr(memory_kg, "_store", Interrupting())
    with pytest.raises(KeyboardInterrupt):
        memory_kg.load_snapshot(info(), model_triples())
    assert sorted(str(q) for q in store) == before
    assert not store.contains_named_graph(ox.NamedNode(info().graph))
    assert sum(removed) == 15 and max(removed) == 2


def test_loaded_snapshot_survives_a_killed_process(tmp_path):
    """No flush() after a load: the catalog record must still be on disk when the process dies at once."""
    import subprocess
    import sys

    code = (
        "import os\n"
        "from ptmkg import KG\n"
        "from tests.test_store import info, model_triples\n"
        f"KG({str(tmp_path / 'store')!r}).load_snapshot(info(), model_triples())\n"
        "os.kill(os.getpid(), 9)\n"
    )
    from tests.conftest import ROOT

    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT)
    assert done.returncode == -9
    snap = KG(tmp_path / "store").snapshots()
    assert snap["graph"].to_list() == [info().graph] and snap["triples"].to_list() == [15]


def test_unfinished_graph_is_dropped_on_open(tmp_path):
    kg = KG(tmp_path / "store")
    kg.load_snapshot(info(), model_triples())
    orphan = ox.NamedNode(info("sha256:" + "ef" * 32).graph)
    kg.oxigraph.add(ox.Quad(ox.NamedNode("https://e.org/s"), ox.NamedNode("https://e.org/p"), ox.Literal("o"), orphan))
    kg.oxigraph.flush()
    del kg
    reopened = KG(tmp_path / "store")
    assert not reopened.oxigraph.contains_named_graph(orphan)
    assert reopened.snapshots().height == 1


@pytest.fixture
def csv_source(tmp_path, monkeypatch):
    """A tiny ingestor over a CSV, registered for the test only."""
    import sys
    import types

    mod = types.ModuleType("ptmkg_test_csv_source")

    def read(path, **_):
        frame = read_csv(path)
        require_columns(frame, ["id", "downloads"], path)
        frame = cast_checked(frame, {"downloads": pl.Int64}, path)
        snap = SnapshotInfo("csvtest", "1", "2025-01-01", "https://example.org", content_hash([path]),
                            files=(path.name,))
        return SourceData(snap, {"models": frame})

    def to_triples(data):
        f = data.frames["models"]
        s = T.entity("model/hf", "id")
        return T.Triples().types(f, s, PTMKG + "Model").add(f, s, PTMKG + "downloads", T.integer("downloads"))

    mod.read, mod.to_triples = read, to_triples
    monkeypatch.setitem(sys.modules, mod.__name__, mod)
    monkeypatch.setitem(INGESTORS, "csvtest", Ingestor("csvtest", "test", mod.__name__, mod.__name__))
    path = tmp_path / "models.csv"
    path.write_text("id,downloads\norg/a,10\norg/b,20\n")
    return path


def test_ingest_is_idempotent_and_force_replaces(memory_kg, csv_source):
    first = memory_kg.ingest("csvtest", csv_source)
    assert first.loaded and first.triples == 4
    again = memory_kg.ingest("csvtest", csv_source)
    assert not again.loaded and again.graph == first.graph and again.triples == 4
    assert memory_kg.snapshots().height == 1 and len(memory_kg) == 4 + 13  # 4 triples + 13 catalog facts
    forced = memory_kg.ingest("csvtest", csv_source, force=True)
    assert forced.loaded and memory_kg.snapshots().height == 1
    csv_source.write_text("id,downloads\norg/a,10\norg/b,20\norg/c,5\n")
    assert memory_kg.ingest("csvtest", csv_source).loaded
    assert memory_kg.snapshots().height == 2


def test_bad_value_names_file_row_and_field(memory_kg, csv_source):
    memory_kg.ingest("csvtest", csv_source)
    before = len(memory_kg)
    csv_source.write_text("id,downloads\norg/a,10\norg/b,twenty\n")
    with pytest.raises(InputError) as err:
        memory_kg.ingest("csvtest", csv_source)
    assert (err.value.row, err.value.field) == (3, "downloads")
    assert "models.csv, row 3: field 'downloads'" in str(err.value)
    csv_source.write_text("id,dl\norg/a,10\n")
    with pytest.raises(InputError, match="field 'downloads': missing column"):
        memory_kg.ingest("csvtest", csv_source)
    csv_source.write_bytes("id,downloads\norg/\xe9,1\n".encode("latin-1"))
    with pytest.raises(InputError, match="row 2: not UTF-8 text"):
        memory_kg.ingest("csvtest", csv_source)
    assert len(memory_kg) == before


def test_unknown_source_lists_known_ones(memory_kg):
    with pytest.raises(PtmkgError, match="unknown source 'nope'; known: .*hf"):
        memory_kg.ingest("nope", "x")


@pytest.mark.parametrize("fmt", ["nquads", "trig", "jsonld"])
def test_export_round_trips(memory_kg, tmp_path, fmt):
    memory_kg.load_snapshot(info(), model_triples())
    out = tmp_path / f"dump.{fmt}"
    memory_kg.export(out, fmt)
    back = ox.Store()
    back.load(path=str(out), format={"nquads": ox.RdfFormat.N_QUADS, "trig": ox.RdfFormat.TRIG,
                                     "jsonld": ox.RdfFormat.JSON_LD}[fmt])
    assert len(back) == len(memory_kg.oxigraph)
    assert back.contains_named_graph(ox.NamedNode(CATALOG_GRAPH))


def test_export_one_snapshot_as_turtle(memory_kg, tmp_path):
    memory_kg.load_snapshot(info(), model_triples())
    out = tmp_path / "snap.ttl"
    memory_kg.export(out, "turtle", snapshot=info().graph)
    assert len(list(ox.parse(path=str(out), format=ox.RdfFormat.TURTLE))) == 15
    with pytest.raises(PtmkgError, match="name a snapshot"):
        memory_kg.export(out, "turtle")


def test_keys_with_iri_unsafe_characters_load(memory_kg):
    frame = pl.DataFrame({"id": ["org/x[1].mp4", "a b#c?d%e", 'q"<>{}|^`\\', "causal\u00a0insights\tx"]})
    t = T.Triples().types(frame, T.entity("file/hf", "id"), PTMKG + "ModelFile")
    assert memory_kg.load_snapshot(info(), t) == 4
    iris = memory_kg.query("SELECT ?f WHERE { ?f a ptmkg:ModelFile } ORDER BY ?f")["f"].to_list()
    assert "https://w3id.org/ptmkg/id/file/hf/org/x%5B1%5D.mp4" in iris
    assert "https://w3id.org/ptmkg/id/file/hf/a%20b%23c%3Fd%25e" in iris
    assert "https://w3id.org/ptmkg/id/file/hf/causal%C2%A0insights%09x" in iris


def test_export_parses_with_rdflib(memory_kg, tmp_path):
    import rdflib

    frame = pl.DataFrame({"id": ["causal\u00a0insights", "x\u2009y"]})
    memory_kg.load_snapshot(info(), T.Triples().types(frame, T.entity("file/hf", "id"), PTMKG + "ModelFile"))
    memory_kg.export(tmp_path / "all.nq", "nquads")
    assert len(rdflib.Dataset().parse(tmp_path / "all.nq", format="nquads")) == 2 + 13


def test_failed_forced_reingest_keeps_the_old_snapshot_or_the_new_one(memory_kg, csv_source, monkeypatch):
    first = memory_kg.ingest("csvtest", csv_source)
    before = sorted(str(q) for q in memory_kg.oxigraph)
    triples = sorted(str(q.triple) for q in memory_kg.oxigraph.quads_for_pattern(None, None, None,
                                                                                 ox.NamedNode(first.graph)))
    monkeypatch.setenv("PTMKG_FAIL_AT", "replace:staged:loaded")  # the new content staged, not yet catalogued
    with pytest.raises(PtmkgError, match="injected failure"):
        memory_kg.ingest("csvtest", csv_source, force=True)
    assert sorted(str(q) for q in memory_kg.oxigraph) == before  # undone: the old snapshot as it was
    monkeypatch.setenv("PTMKG_FAIL_AT", "replace:final:loaded")  # the new snapshot catalogued in its staging graph
    with pytest.raises(PtmkgError, match="injected failure"):
        memory_kg.ingest("csvtest", csv_source, force=True)
    (staged,) = memory_kg.snapshots()["graph"].to_list()
    assert staged == first.graph + "/staged" and memory_kg.unfinished() == []
    assert sorted(str(q.triple) for q in memory_kg.oxigraph.quads_for_pattern(None, None, None,
                                                                              ox.NamedNode(staged))) == triples
    monkeypatch.delenv("PTMKG_FAIL_AT")
    again = memory_kg.ingest("csvtest", csv_source)  # not forced: finishes the move
    assert again.loaded and again.graph == first.graph
    assert memory_kg.snapshots()["graph"].to_list() == [first.graph] and len(memory_kg) == len(before)


def test_load_ntriples_counts_distinct_triples_when_not_told(memory_kg, tmp_path):
    nt = tmp_path / "dup.nt"
    line = '<https://e.org/s> <https://e.org/p> "o" .\n'
    nt.write_text(line + line + '<https://e.org/s> <https://e.org/p> "o2" .\n')
    assert memory_kg.load_ntriples(info(), nt) == 2
    assert memory_kg.snapshots()["triples"].to_list() == [2]


def test_types_written_once_per_subject_and_class(memory_kg, tmp_path):
    s = T.entity("model/hf", "id")
    half = MODELS.head(2)
    # org/a and org/b typed Model twice (two frames) and Entity once; org/c only once
    t = T.Triples().types(MODELS, s, PTMKG + "Model").types(half, s, PTMKG + "Model", PTMKG + "Entity")
    assert t.write_ntriples(tmp_path / "t.nt") == 5
    assert memory_kg.load_snapshot(info(), t) == 5 == memory_kg.graph_size(info().graph)


def test_rdf_type_only_through_types():
    with pytest.raises(ValueError, match="types"):
        T.Triples().add(MODELS, T.entity("model/hf", "id"), T.RDF_TYPE, T.const(PTMKG + "Model"))


def test_ingest_result_prints_as_a_sentence(memory_kg):
    first, again = memory_kg.ingest("starter"), memory_kg.ingest("starter")
    assert str(first) == f"starter: loaded {first.triples:,} triples in {first.seconds:.1f} s -> {first.graph}"
    assert str(again).startswith(f"starter: already loaded ({first.triples:,} triples; same content)")
    assert "seconds=" not in first._repr_html_()
