"""``KG.remote(url)``: the KG query API against SPARQL servers on loopback gives what the embedded store gives."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import polars as pl
import pytest

from ptmkg import KG
from ptmkg.errors import PtmkgError
from ptmkg.queries import catalogue
from ptmkg.remote import publish
from ptmkg.sparql_guard import service_targets
from tests.test_endpoint import LOOPBACK, Listener, Server, free_port

LOCAL = [q.name for q in catalogue() if not service_targets(q.sparql)]  # federated exercises need their endpoints


class OxigraphServer:
    """``oxigraph serve-read-only`` with a union default graph, as ptmkg expects of a server."""

    def __init__(self, store: Path, mode: str = "serve-read-only"):
        beside = Path(sys.executable).parent / "oxigraph"  # not a version manager's shim, which may keep signals
        exe = str(beside) if beside.exists() else shutil.which("oxigraph")
        if exe is None:
            pytest.skip("the 'oxigraph' server is not installed (pip install oxigraph)")
        port = free_port()
        self.url, self.store_url = f"http://{LOOPBACK}:{port}/query", f"http://{LOOPBACK}:{port}/store"
        self.proc = subprocess.Popen([exe, mode, "--location", str(store), "--bind", f"{LOOPBACK}:{port}",
                                      "--union-default-graph"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(100):
            try:
                urllib.request.urlopen(self.url + "?query=ASK%7B%7D", timeout=2)
                return
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.1)
        self.stop()
        pytest.fail("oxigraph serve-read-only did not start")

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=20)


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("remote") / "store"
    kg = KG(path)
    for source in ("starter", "starter-carbon", "queries"):
        kg.ingest(source)
    del kg
    return path


@pytest.fixture(scope="module")
def embedded(store) -> KG:
    return KG(store, read_only=True)


@pytest.fixture(scope="module", params=["oxigraph", "ptmkg"])
def remote(request, store) -> KG:
    server = OxigraphServer(store) if request.param == "oxigraph" else Server(store)
    url = server.url if request.param == "oxigraph" else server.url + "/query"
    yield KG.remote(url)
    server.stop()


def same(a: object, b: object) -> bool:
    """Equal results: frames with the same schema and rows (in any order), booleans, or sets of triples."""
    if isinstance(a, pl.DataFrame):
        return a.schema == b.schema and a.sort(a.columns, nulls_last=True).equals(b.sort(b.columns, nulls_last=True))
    return set(a) == set(b) if isinstance(a, list) else a == b


def test_every_canned_query_gives_the_same_result_and_dtypes(embedded, remote):
    differ = [name for name in LOCAL if not same(catalogue().get(name).run(embedded), catalogue().get(name).run(remote))]
    assert differ == []
    assert len(LOCAL) > 50


def test_parameters_snapshots_and_counts(embedded, remote):
    lineage = remote.run("family-lineage", root="microsoft/phi-2")
    assert lineage.height > 10 and same(lineage, embedded.run("family-lineage", root="microsoft/phi-2"))
    assert same(remote.snapshots(), embedded.snapshots()) and remote.snapshots().height == 3
    assert len(remote) == len(embedded)
    graph = embedded.snapshots()["graph"][1]
    q = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    assert remote.query(q, graphs=[graph])["n"][0] == embedded.query(q, graphs=[graph])["n"][0] < len(embedded)


def test_claims_give_the_same_verdicts(embedded, remote):
    here, there = embedded.claims.run(), remote.claims.run()
    assert here.height >= 40 and here.equals(there)


def test_the_remote_graph_is_read_only_and_refuses_service(remote):
    for write in (lambda: remote.remove_snapshot(remote.snapshots()["graph"][0]), remote.optimize,
                  lambda: remote.ingest("starter", force=True)):
        with pytest.raises(PtmkgError, match="read through SPARQL only"):
            write()
    assert remote.snapshots().height == 3
    with pytest.raises(PtmkgError, match="not a SPARQL query"):
        remote.query("DELETE WHERE { ?s ?p ?o }")
    lst = Listener()
    try:
        with pytest.raises(PtmkgError, match="refused"):
            remote.query(f"SELECT * WHERE {{ SERVICE SILENT <{lst.url}> {{ ?s ?p ?o }} }}")
        time.sleep(0.3)
        assert lst.connections == 0
    finally:
        lst.close()


def test_an_unreachable_server_is_one_clear_error():
    with pytest.raises(PtmkgError, match="cannot reach the SPARQL server"):
        KG.remote(f"http://{LOOPBACK}:{free_port()}/query").snapshots()


def test_publish_puts_every_snapshot_on_a_graph_store(embedded, tmp_path):
    server = OxigraphServer(tmp_path / "server-store", mode="serve")
    try:
        remote = KG.remote(server.url)
        assert remote.snapshots().height == 0
        assert publish(embedded, server.store_url) == list(embedded.snapshots()["graph"])
        assert same(remote.snapshots(), embedded.snapshots()) and len(remote) == len(embedded)
        assert same(remote.run("models-per-licence"), embedded.run("models-per-licence"))
        publish(embedded, server.store_url)  # again: nothing changes
        assert len(remote) == len(embedded) and same(remote.snapshots(), embedded.snapshots())
        with pytest.raises(PtmkgError, match="no snapshot"):
            publish(embedded, server.store_url, ["https://w3id.org/ptmkg/graph/none/0"])
    finally:
        server.stop()


def test_the_query_explorer_widget_runs_on_a_remote_graph(embedded, remote):
    from ptmkg.widgets import QueryExplorer

    qe = QueryExplorer(remote)
    qe.select("models-citing-paper")
    qe.set_params(arxiv="1910.09700")
    result = qe.run()
    assert result.height > 5 and same(result, embedded.run("models-citing-paper", arxiv="1910.09700"))
    assert "ptmkg-results" in qe.table.html.value
