"""Concurrent use from several processes: each works with a consistent view, or fails in one clear line.

Patterns: a notebook holds the store (a writable KG) while the CLI ingests; a notebook reads (read-only
KG, as queries and widgets do) while the CLI ingests; two ingests at once.
"""

from __future__ import annotations

import gc
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ptmkg import KG
from ptmkg.errors import PtmkgError
from ptmkg.namespaces import CATALOG_GRAPH
from ptmkg.store import GraphStore
from tests.conftest import shared_path

IN_USE = "is in use by another process"


def ptmkg(*argv: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "ptmkg.cli", *argv], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def finish(proc: subprocess.Popen) -> tuple[int, str, str]:
    out, err = proc.communicate(timeout=300)
    return proc.returncode, out, err


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store holding counting-carbon."""
    path = tmp_path_factory.mktemp("concurrency") / "store"
    kg = KG(path)
    kg.ingest("counting-carbon", shared_path("data", "counting-carbon"))
    del kg
    gc.collect()
    return path


def copy(template: Path, tmp_path: Path) -> Path:
    store = tmp_path / "store"
    shutil.copytree(template, store)
    return store


def whole(store: GraphStore) -> int:
    """Check every catalogued snapshot is whole and queries see no other graph; returns the snapshot count."""
    snaps = store.snapshots()
    for graph, triples in zip(snaps["graph"], snaps["triples"]):
        assert store.graph_size(graph) == int(triples)
    graphs = store.query("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")["g"].to_list()
    assert set(graphs) <= set(snaps["graph"]) | {CATALOG_GRAPH}
    return snaps.height


def test_cli_ingest_while_a_notebook_holds_the_store_is_one_line(template: Path, tmp_path: Path) -> None:
    store = copy(template, tmp_path)
    holder = subprocess.Popen([sys.executable, "-c", "import sys, time; from ptmkg import KG; kg = KG(sys.argv[1]); "
                               "print(kg.snapshots().height, flush=True); time.sleep(120)", str(store)],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "1"
        code, out, err = finish(ptmkg("ingest", "ptmtorrent", str(shared_path("data", "ptmtorrent")), "--store", str(store)))
        assert code == 2 and out == ""
        assert err.count("\n") == 1 and IN_USE in err and "close it" in err, err
        # reading beside the holder works (queries open read-only)
        code, out, err = finish(ptmkg("info", "--store", str(store), "--format", "csv"))
        assert code == 0 and "counting-carbon" in out, err
    finally:
        holder.kill()
        holder.wait()
    code, _, err = finish(ptmkg("ingest", "ptmtorrent", str(shared_path("data", "ptmtorrent")), "--store", str(store)))
    assert code == 0, err


def test_a_kg_in_this_process_blocks_a_second_writer_in_one_line(template: Path, tmp_path: Path) -> None:
    store = copy(template, tmp_path)
    kg = KG(store)
    with pytest.raises(PtmkgError, match=IN_USE):
        KG(store)
    assert kg.snapshots().height == 1


def test_reading_during_an_ingest_sees_snapshots_whole_or_not_at_all(template: Path, tmp_path: Path) -> None:
    """A notebook's read-only KG (what queries and widgets open) beside `ptmkg ingest`: every open during
    the load sees 1 snapshot or 2, each whole, and no half-loaded graph."""
    store = copy(template, tmp_path)
    proc = ptmkg("ingest", "hf-carbon", str(shared_path("data", "hf-carbon")), "--store", str(store))
    seen = []
    while proc.poll() is None:
        reader = GraphStore(store, read_only=True)
        seen.append(whole(reader))
        held = reader  # a view opened before the load ends stays what it was
        time.sleep(0.05)
        assert whole(held) == seen[-1]
        del reader, held
        gc.collect()
    code, _, err = finish(proc)
    assert code == 0, err
    reader = GraphStore(store, read_only=True)
    assert whole(reader) == 2
    assert len(seen) >= 3 and set(seen) <= {1, 2}


def test_two_ingests_at_once_one_works_the_other_says_busy(template: Path, tmp_path: Path) -> None:
    store = copy(template, tmp_path)
    jobs = {"ptmtorrent": shared_path("data", "ptmtorrent"), "hf-extraction": shared_path("data", "hf-metadata-extraction")}
    procs = {name: ptmkg("ingest", name, str(path), "--store", str(store)) for name, path in jobs.items()}
    results = {name: finish(p) for name, p in procs.items()}
    for code, _, err in results.values():
        assert code == 0 or (code == 2 and err.count("\n") == 1 and IN_USE in err), err
    assert any(code == 0 for code, _, _ in results.values())
    for name, (code, _, _) in results.items():  # the one that was told "busy" works when retried
        if code:
            assert finish(ptmkg("ingest", name, str(jobs[name]), "--store", str(store)))[0] == 0
    kg = GraphStore(store, read_only=True)
    assert whole(kg) == 3
