"""The command line, through the same entry point users run."""

from __future__ import annotations

import json
import subprocess
import sys

import polars as pl
import pytest

from ptmkg.cli import main


@pytest.fixture(scope="module")
def built(built_store):
    return built_store


def test_build_reports_what_the_graph_holds(tmp_path, capsys):
    assert main(["build", "--store", str(tmp_path / "s")]) == 0
    out = capsys.readouterr().out
    assert "starter snapshot loaded" in out and "queries snapshot loaded" in out
    assert "| models" in out and "## models-per-licence" in out
    assert main(["build", "--store", str(tmp_path / "s")]) == 0
    assert "starter snapshot already loaded" in capsys.readouterr().out


def test_info_lists_snapshots_with_triple_counts(built, capsys):
    assert main(["info", "--store", str(built), "--format", "csv"]) == 0
    table = pl.read_csv(capsys.readouterr().out.split("\n\n")[1].encode())
    assert set(table["source"]) == {"starter", "starter-carbon", "queries"}
    assert (table["triples"] > 0).all()


def test_query_formats(built, capsys):
    assert main(["query", "models-per-licence", "--store", str(built), "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert rows and set(rows[0]) == {"licence", "models"}
    assert sum(r["models"] for r in rows) == main_models(built)


def main_models(store) -> int:
    from ptmkg import KG

    kg = KG(store, read_only=True)
    return kg.query("SELECT (COUNT(DISTINCT ?m) AS ?n) WHERE { ?m a ptmkg:Model ; ptmkg:hubId ?i ; ptmkg:downloads ?d }")["n"][0]


def test_query_list_and_show(built, capsys):
    assert main(["query", "--list", "--store", str(built), "--format", "csv"]) == 0
    names = pl.read_csv(capsys.readouterr().out.encode())["name"].to_list()
    assert "models-per-licence" in names and "teaching/solutions/05-count-by-class" in names
    assert main(["query", "models-citing-paper", "--show", "--store", str(built)]) == 0
    assert "?_arxiv" in capsys.readouterr().out


@pytest.mark.parametrize("argv, message", [
    (["query", "no-such-query"], "unknown query 'no-such-query'"),
    (["query", "models-citing-paper", "--param", "arxiv"], "--param takes NAME=VALUE"),
    (["query", "models-citing-paper", "--param", "nope=1"], "has no parameter nope"),
    (["ingest", "no-such-source", "x"], "unknown source 'no-such-source'"),
    (["export", "--format", "turtle"], "name a snapshot"),
])
def test_user_mistakes_are_one_line_and_exit_2(built, capsys, argv, message):
    assert main(argv + ["--store", str(built)]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1 and "Traceback" not in err


def test_export_snapshot_as_turtle(built, tmp_path, capsys):
    from ptmkg import KG

    graph = KG(built, read_only=True).snapshots().filter(source="starter")["graph"][0]
    out = tmp_path / "starter.ttl"
    assert main(["export", "--store", str(built), "--format", "turtle", "--snapshot", graph, "--out", str(out)]) == 0
    import pyoxigraph as ox

    triples = list(ox.parse(path=str(out), format=ox.RdfFormat.TURTLE))
    assert len(triples) == KG(built, read_only=True).snapshots().filter(source="starter")["triples"][0]


def test_console_script_runs(built):
    proc = subprocess.run([sys.executable, "-m", "ptmkg.cli", "query", "snapshots", "--store", str(built),
                           "--format", "csv"], capture_output=True, text=True, check=True)
    assert "starter" in proc.stdout


def test_validate_exit_codes(tmp_path, capsys):
    import pyoxigraph as ox

    from ptmkg import KG
    from ptmkg.namespaces import PTMKG, XSD

    store = tmp_path / "s"
    kg = KG(store)
    kg.ingest("starter")
    graph = kg.snapshots()["graph"][0]
    model = kg.query("SELECT ?m WHERE { ?m ptmkg:downloads ?d } LIMIT 1")["m"][0]
    del kg
    assert main(["validate", "--store", str(store)]) == 0
    assert "conforms: 0 violation(s)" in capsys.readouterr().out
    kg = KG(store)
    kg.oxigraph.add(ox.Quad(ox.NamedNode(model), ox.NamedNode(PTMKG + "downloads"),
                            ox.Literal("-5", datatype=ox.NamedNode(XSD + "integer")), ox.NamedNode(graph)))
    kg.oxigraph.flush()
    del kg
    assert main(["validate", "--store", str(store)]) == 1
    out = capsys.readouterr().out
    assert f"Violation\t{model}\t{PTMKG}downloads" in out and "does not conform: 1 violation(s)" in out


def test_ingest_retrieved_dates_an_undated_file(tmp_path, capsys):
    import json

    from ptmkg import KG

    records = tmp_path / "models.jsonl"
    records.write_text(json.dumps({"id": "org/m", "downloads": 3}) + "\n")
    store = tmp_path / "s"
    assert main(["ingest", "hf", str(records), "--store", str(store)]) == 2
    assert "no retrieval date" in capsys.readouterr().err
    assert main(["ingest", "hf", str(records), "--retrieved", "2025-01-31", "--store", str(store)]) == 0
    snaps = KG(store, read_only=True).snapshots()
    assert snaps["retrieved"].cast(str).to_list() == ["2025-01-31"]


def test_kg_estimate_energy_facade(tmp_path):
    import json

    from ptmkg import KG

    card = "# M\n## Environmental Impact\n- **Hardware Type:** 8x A100 80GB\n- **Hours used:** 10\n"
    path = tmp_path / "r_20250101_000000.jsonl"
    path.write_text(json.dumps({"id": "org/m", "card": card}) + "\n")
    kg = KG.memory()
    kg.ingest("hf", path)
    result = kg.estimate_energy(pue=1.0)
    assert result.loaded and result.estimated == 1
    kwh = kg.query("SELECT ?v WHERE { ?run ptmkg:energy ?q . ?q ptmkg:obtainedBy ptmkg:Estimated ; "
                   "qudt:numericValue ?v }")["v"].to_list()
    assert kwh == [pytest.approx(8 * 400 * 10 / 1000)]  # 8 × 400 W (A100 SXM4 80GB TDP) × 10 h, PUE 1


def test_ingest_all_optimizes_once_and_optimize_keeps_the_content(tmp_path, capsys, monkeypatch):
    from ptmkg.store import GraphStore
    from tests.conftest import shared_path

    data = tmp_path / "data"
    data.mkdir()
    for name in ["ptmtorrent", "counting-carbon"]:
        (data / name).symlink_to(shared_path("data", name), target_is_directory=True)
    optimized = []
    real = GraphStore.optimize
    monkeypatch.setattr(GraphStore, "optimize", lambda self: (optimized.append(self.path), real(self)))
    store = tmp_path / "store"
    assert main(["ingest", "all", str(data), "--store", str(store)]) == 0
    assert optimized == [store]
    assert main(["ingest", "all", str(data), "--store", str(store)]) == 0  # nothing new: nothing to compact
    assert optimized == [store]
    from ptmkg import KG

    kg = KG(store)
    before = set(kg.oxigraph)
    del kg
    capsys.readouterr()
    assert main(["optimize", "--store", str(store)]) == 0
    assert capsys.readouterr().out.startswith(f"store {store} optimized in ")
    assert set(KG(store, read_only=True).oxigraph) == before and len(before) > 5_000
