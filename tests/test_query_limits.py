"""Queries with a time limit or a row cap (``KG.query(timeout=, max_rows=)``, ``KG.start_query``, ``ptmkg query
--timeout/--max-rows``): a slow query is stopped, a large result refused, each with one clear message, and
the KG (on disk, held read-write, or in memory) answers the next query as before."""

from __future__ import annotations

import contextlib
import gc
import io
import os
import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest

from ptmkg import KG, cli
from ptmkg.errors import PtmkgError, QueryCancelled, QueryTimeout, ResultTooLarge
from ptmkg.namespaces import GRAPH
from tests.conftest import shared_path

CROSS_JOIN = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o . ?a ?b ?c }"  # 57k² pairs on the built store: hours
ALL = "SELECT ?s ?p ?o WHERE { ?s ?p ?o }"
BOUND = 120  # seconds: only a guard against a hang (the kill failed), not a speed assertion


def query_workers() -> set[int]:
    """This process's live query worker processes."""
    pids = set()
    for entry in Path("/proc").iterdir():
        try:
            status = (entry / "status").read_text()
            cmdline = (entry / "cmdline").read_bytes()
        except (OSError, ValueError):
            continue
        if f"\nPPid:\t{os.getpid()}\n" in status and b"ptmkg.query_jobs" in cmdline and "State:\tZ" not in status:
            pids.add(int(entry.name))
    return pids


@pytest.fixture(scope="module")
def kg(built_store: Path) -> KG:
    return KG(built_store, read_only=True)


def test_a_timeout_stops_a_cross_join_and_the_kg_answers_afterwards(kg: KG) -> None:
    expected = kg.query("SELECT (COUNT(*) AS ?n) WHERE { ?s a ptmkg:Model }")
    assert kg.query("SELECT (COUNT(*) AS ?n) WHERE { ?s a ptmkg:Model }", timeout=BOUND).equals(expected)
    (worker,) = query_workers()  # the idle worker that answered, kept for the next query
    job = kg.start_query(CROSS_JOIN, timeout=1)
    with pytest.raises(QueryTimeout) as e:
        job.result(wait=BOUND)
    assert str(e.value) == ("query cancelled after 1 s (timeout); narrow it with LIMIT/filters or raise timeout=")
    assert isinstance(e.value, PtmkgError) and job.done() and job.elapsed >= 1
    assert worker not in query_workers()  # the process running it was killed
    assert kg.query("SELECT (COUNT(*) AS ?n) WHERE { ?s a ptmkg:Model }", timeout=BOUND).equals(expected)
    assert kg.query("SELECT (COUNT(*) AS ?n) WHERE { ?s a ptmkg:Model }").equals(expected)


def test_a_worker_is_reused_while_the_store_is_unchanged(kg: KG) -> None:
    kg.query("ASK { ?s ?p ?o }", timeout=BOUND)
    before = query_workers()
    assert kg.query("ASK { ?s ?p ?o }", timeout=BOUND) is True
    assert query_workers() == before and len(before) == 1


def test_cancel_kills_the_query_and_the_kg_stays_usable(kg: KG) -> None:
    job = kg.start_query(CROSS_JOIN)
    with pytest.raises(TimeoutError, match="still running"):
        job.result(wait=0.2)
    assert not job.done()
    job.cancel()
    assert job.done()
    with pytest.raises(QueryCancelled, match="cancelled"):
        job.result()
    stopped = job.elapsed
    assert job.elapsed == stopped  # the clock stops with the job
    job.cancel()  # a no-op once done
    assert kg.query("ASK { ?s a ptmkg:Model }", timeout=BOUND) is True


def test_max_rows_refuses_a_larger_result_and_returns_what_query_returns(kg: KG) -> None:
    n = kg.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }").item()
    with pytest.raises(ResultTooLarge) as e:
        kg.query(ALL, max_rows=n - 1)
    assert f"more than {n - 1:,} rows" in str(e.value) and "max_rows=" in str(e.value)
    with pytest.raises(ResultTooLarge):
        kg.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", max_rows=10)
    assert kg.query(ALL, max_rows=n).height == n  # exactly the cap: not too large
    select = "SELECT ?m ?name ?d WHERE { ?m a ptmkg:Model ; schema:name ?name . OPTIONAL { ?m ptmkg:downloads ?d } } " \
             "ORDER BY ?m LIMIT 200"
    same = kg.query(select, max_rows=200, timeout=BOUND)
    assert same.equals(kg.query(select)) and same.schema == kg.query(select).schema
    construct = "CONSTRUCT { ?m schema:name ?n } WHERE { ?m a ptmkg:Model ; schema:name ?n } ORDER BY ?m LIMIT 50"
    assert kg.query(construct, max_rows=50) == kg.query(construct)
    assert kg.query("ASK { ?m a ptmkg:Model }", max_rows=0) is True
    graph = kg.snapshots().filter(source="starter")["graph"][0]
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    assert kg.query(count, graphs=[graph], max_rows=1).equals(kg.query(count, graphs=[graph]))


def test_bad_queries_are_the_same_one_clear_message_in_a_worker(kg: KG) -> None:
    for text in ["SELECT * WHERE { ?s ?p }", "SELECT ?x WHERE {\n  ?x foo:bar 1 }", "SELEKT ?x WHERE { ?x ?p ?o }"]:
        with pytest.raises(PtmkgError) as inline:
            kg.query(text)
        with pytest.raises(PtmkgError) as limited:
            kg.query(text, timeout=BOUND)
        assert str(limited.value) == str(inline.value) and str(inline.value).startswith("SPARQL syntax error at line")
    with pytest.raises(PtmkgError, match="unknown prefix 'foo:'"):
        kg.query("SELECT ?x WHERE { ?x foo:bar 1 }", timeout=BOUND)
    with pytest.raises(PtmkgError, match="timeout must be a positive"):
        kg.query("ASK {}", timeout=0)
    with pytest.raises(PtmkgError, match="max_rows must be"):
        kg.query("ASK {}", max_rows=-1)
    assert kg.query("ASK { ?s ?p ?o }", timeout=BOUND) is True


def test_a_store_held_read_write_is_read_as_committed(built_store: Path, tmp_path: Path) -> None:
    path = tmp_path / "store"
    shutil.copytree(built_store, path)
    kg = KG(path)
    ask = "ASK { <https://example.org/new> ?p ?o }"
    assert kg.query(ask, timeout=BOUND) is False
    kg.oxigraph.add(ox.Quad(ox.NamedNode("https://example.org/new"), ox.NamedNode("https://example.org/p"),
                            ox.Literal("x"), ox.NamedNode(GRAPH + "catalog")))
    assert kg.query(ask, timeout=BOUND) is True  # the idle worker saw the store before: a new one reads it
    with pytest.raises(QueryTimeout):
        kg.query(CROSS_JOIN, timeout=1)
    assert kg.query(ask, timeout=BOUND) is True and kg.query(ask) is True
    del kg
    gc.collect()


def test_an_in_memory_kg_runs_limited_queries_in_a_fork(memory_kg: KG) -> None:
    memory_kg.ingest("starter")
    with pytest.raises(QueryTimeout):
        memory_kg.query(CROSS_JOIN, timeout=1)
    with pytest.raises(ResultTooLarge):
        memory_kg.query(ALL, max_rows=100)
    select = "SELECT ?m ?name WHERE { ?m a ptmkg:Model ; schema:name ?name } ORDER BY ?m LIMIT 100"
    assert memory_kg.query(select, max_rows=100).equals(memory_kg.query(select))
    ask = "ASK { <https://example.org/new> ?p ?o }"
    job = memory_kg.start_query(ask, timeout=BOUND)  # the child sees the store as it was at the call
    memory_kg.oxigraph.add(ox.Quad(ox.NamedNode("https://example.org/new"), ox.NamedNode("https://example.org/p"),
                                   ox.Literal("x")))
    assert job.result(wait=BOUND) is False
    assert memory_kg.query(ask, timeout=BOUND) is True
    job = memory_kg.start_query(CROSS_JOIN)
    job.cancel()
    with pytest.raises(QueryCancelled):
        job.result()
    assert memory_kg.query(ask, max_rows=1) is True


def test_millions_of_rows_on_the_shared_data_stop_at_the_cap(tmp_path: Path) -> None:
    kg = KG(tmp_path / "store")
    kg.ingest("counting-carbon", shared_path("data", "counting-carbon"))
    n = len(kg)
    assert n > 2_000  # the cross join below has n² (millions of) rows
    pairs = "WHERE { ?s ?p ?o . ?a ?b ?c }"
    with pytest.raises(ResultTooLarge, match="more than 100,000 rows"):
        kg.query(f"SELECT * {pairs}", max_rows=100_000)  # the worker stops at the 100,001st row; none reach us
    with pytest.raises(ResultTooLarge, match="more than 100,000 rows"):
        kg.query(f"CONSTRUCT {{ ?s ?p ?c }} {pairs}", max_rows=100_000, timeout=BOUND)
    assert kg.query(f"SELECT (COUNT(*) AS ?n) {pairs}", timeout=BOUND).item() == n * n
    del kg
    gc.collect()


def run_cli(argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli.main(argv)
    return code, out.getvalue(), err.getvalue()


def test_cli_timeout_and_max_rows_are_one_line(built_store: Path) -> None:
    store = ["--store", str(built_store)]
    code, out, err = run_cli(["query", "-e", CROSS_JOIN, "--timeout", "1", *store])
    assert code == 2 and out == ""
    assert err == "ptmkg: error: query cancelled after 1 s (timeout); narrow it with LIMIT/filters or raise --timeout\n"
    code, out, err = run_cli(["query", "-e", ALL, "--max-rows", "5", *store])
    assert code == 2 and err.count("\n") == 1 and "(the cap, --max-rows 5)" in err
    code, out, err = run_cli(["query", "models-per-licence", "--timeout", str(BOUND), "--max-rows", "1000",
                              "--format", "csv", *store])
    assert code == 0 and out == run_cli(["query", "models-per-licence", "--format", "csv", *store])[1]
