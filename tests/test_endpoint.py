"""The SPARQL endpoint: Oxigraph's read-only server on loopback, queried with SPARQLWrapper."""

from __future__ import annotations

import socket
import subprocess
import time
import urllib.error
import urllib.request

import pytest
from SPARQLWrapper import JSON, SPARQLWrapper

from ptmkg import KG
from ptmkg.endpoint import LOOPBACK, server_command
from ptmkg.errors import PtmkgError
from tests.test_store import info, model_triples


def free_port() -> int:
    with socket.socket() as s:
        s.bind((LOOPBACK, 0))
        return s.getsockname()[1]


@pytest.fixture
def endpoint(tmp_path):
    store = tmp_path / "store"
    kg = KG(store)
    kg.load_snapshot(info(), model_triples())
    del kg  # release the write lock: the server opens the store read-only
    port = free_port()
    proc = subprocess.Popen(server_command(store, port=port), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://{LOOPBACK}:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(url + "/query?query=ASK%7B%7D", timeout=1)
            break
        except (urllib.error.URLError, ConnectionError):
            if proc.poll() is not None:
                pytest.fail(proc.stderr.read().decode())
            time.sleep(0.1)
    yield url
    proc.terminate()
    proc.wait(timeout=10)


def test_default_bind_is_loopback(tmp_path):
    KG(tmp_path / "s").load_snapshot(info(), model_triples())
    cmd = server_command(tmp_path / "s")
    assert "serve-read-only" in cmd and cmd[cmd.index("--bind") + 1] == "127.0.0.1:7878"


def test_missing_store_is_a_clear_error(tmp_path):
    with pytest.raises(PtmkgError, match="run 'ptmkg build' first"):
        server_command(tmp_path / "nothing")


def test_sparqlwrapper_reads_the_union_of_snapshots(endpoint):
    client = SPARQLWrapper(endpoint + "/query")
    client.setQuery("PREFIX ptmkg: <https://w3id.org/ptmkg/> "
                    "SELECT ?id ?d WHERE { ?m ptmkg:hubId ?id ; ptmkg:downloads ?d } ORDER BY ?id")
    client.setReturnFormat(JSON)
    rows = client.query().convert()["results"]["bindings"]
    assert [(r["id"]["value"], int(r["d"]["value"])) for r in rows] == [("org/a", 10), ("org/b", 250)]


def test_updates_are_refused(endpoint):
    req = urllib.request.Request(endpoint + "/update", data=b"DELETE WHERE { GRAPH ?g { ?s ?p ?o } }",
                                 headers={"Content-Type": "application/sparql-update"}, method="POST")
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(req, timeout=5)
    assert 400 <= err.value.code < 500
    client = SPARQLWrapper(endpoint + "/query")
    client.setQuery("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
    client.setReturnFormat(JSON)
    assert int(client.query().convert()["results"]["bindings"][0]["n"]["value"]) > 15
