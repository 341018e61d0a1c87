"""``ptmkg serve`` on loopback over the starter snapshot: protocol, formats, read-only, SERVICE, limits, signals, API."""

from __future__ import annotations

import csv
import http.client
import io
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import urlencode

import pyoxigraph as ox
import pytest
from SPARQLWrapper import JSON, SPARQLWrapper

from ptmkg import KG
from ptmkg.endpoint.server import LOOPBACK, Settings, banner, is_loopback, make_server
from ptmkg.errors import PtmkgError
from ptmkg.namespaces import PTMKG, VOID
from ptmkg.queries import catalogue

SD = "http://www.w3.org/ns/sparql-service-description#"
HEAVY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"  # 57k^3 rows: never finishes


def free_port() -> int:
    with socket.socket() as s:
        s.bind((LOOPBACK, 0))
        return s.getsockname()[1]


class Listener:
    """A loopback TCP listener that counts the connections it receives (and answers none)."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind((LOOPBACK, 0))
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        self.url = f"http://{LOOPBACK}:{self.sock.getsockname()[1]}/sparql"
        self.connections = 0
        self.running = True
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self) -> None:
        while self.running:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.connections += 1
            conn.close()

    def close(self) -> None:
        self.running = False
        self.thread.join(timeout=5)
        self.sock.close()


@pytest.fixture
def listener():
    lst = Listener()
    yield lst
    lst.close()


class Server:
    """``python -m ptmkg.cli serve`` as a child process on a free loopback port."""

    def __init__(self, store: Path, *options: str):
        self.port = free_port()
        self.url = f"http://{LOOPBACK}:{self.port}"
        self.log = store.parent / f"serve-{self.port}.log"
        with self.log.open("wb") as log:
            self.proc = subprocess.Popen([sys.executable, "-m", "ptmkg.cli", "serve", "--store", str(store),
                                          "--port", str(self.port), "--workers", "2", *options],
                                         stdout=subprocess.DEVNULL, stderr=log)
        for _ in range(1800):  # up to 3 minutes on a loaded machine; it returns as soon as the server answers
            try:
                urllib.request.urlopen(self.url + "/query?query=ASK%7B%7D", timeout=2)
                return
            except (urllib.error.URLError, ConnectionError):
                if self.proc.poll() is not None:
                    pytest.fail(self.log.read_text())
                time.sleep(0.1)
        self.stop()
        pytest.fail("ptmkg serve did not start")

    def workers(self) -> list[int]:
        """Child processes of every thread of the server (replacements are started by a helper thread)."""
        tasks = Path(f"/proc/{self.proc.pid}/task").glob("*/children")
        return [int(p) for t in tasks for p in t.read_text().split()]

    def stop(self, sig: int = signal.SIGTERM) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        try:
            return self.proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            pytest.fail(f"ptmkg serve did not stop within 60 s of signal {sig}: {self.log.read_text()[-2000:]}")


def request(url: str, data: bytes | None = None, headers: dict[str, str] | None = None,
            method: str | None = None) -> tuple[int, str, bytes]:
    """Status, Content-Type and body, also for error statuses."""
    req = urllib.request.Request(url, data=data, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(req, timeout=60) as r:
            return r.status, r.headers.get("Content-Type", ""), r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers.get("Content-Type", ""), e.read()


def get(base: str, query: str, accept: str = "application/sparql-results+json", **extra: str):
    return request(f"{base}/query?{urlencode({'query': query, **extra})}", headers={"Accept": accept})


def parse(body: bytes, fmt: ox.RdfFormat = ox.RdfFormat.TURTLE) -> set[ox.Triple]:
    return {ox.Triple(q.subject, q.predicate, q.object) for q in ox.parse(body, fmt)}


def gone(pid: int) -> bool:
    """Dead: reaped, or a zombie whose threads have all exited (a zombie leader's threads can still be
    exiting, with the process's files, pipes included, still open)."""
    try:
        return (Path(f"/proc/{pid}/stat").read_text().split(") ")[1][0] in "ZX"
                and len(os.listdir(f"/proc/{pid}/task")) <= 1)
    except FileNotFoundError:
        return True


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("endpoint") / "store"
    kg = KG(path)
    kg.ingest("starter")
    kg.ingest("starter-carbon")
    del kg  # release the write lock: the workers open the store read-only
    return path


@pytest.fixture(scope="module")
def allowed():
    lst = Listener()
    yield lst
    lst.close()


@pytest.fixture(scope="module")
def server(store, allowed):
    # No answer cache here: these tests must reach the workers every time (the cache has its own tests).
    server = Server(store, "--timeout", "5", "--max-result-mb", "1", "--allow-service", allowed.url, "--cache-mb", "0")
    yield server
    server.stop()


@pytest.fixture(scope="module")
def endpoint(server) -> str:
    return server.url


@pytest.fixture(scope="module")
def kg(store, endpoint) -> KG:
    return KG(store, read_only=True)


def quads(kg: KG) -> int:
    return kg.query("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")["n"][0]


# -- SPARQL 1.1 Protocol and formats --------------------------------------------------------------

TOP = "SELECT ?id ?d WHERE { ?m ptmkg:hubId ?id ; ptmkg:downloads ?d } ORDER BY DESC(?d) ?id LIMIT 5"


def test_get_post_form_and_post_direct_give_the_same_rows(endpoint, kg):
    expected = kg.query(TOP)["id"].to_list()
    answers = [get(endpoint, TOP),
               request(endpoint + "/query", urlencode({"query": TOP}).encode(),
                       {"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/sparql-results+json"}),
               request(endpoint + "/query", TOP.encode(), {"Content-Type": "application/sparql-query"})]
    for status, ctype, body in answers:
        assert status == 200 and ctype.startswith("application/sparql-results+json")
        assert [b["id"]["value"] for b in json.loads(body)["results"]["bindings"]] == expected


def test_select_results_as_xml_csv_and_tsv(endpoint, kg):
    expected = kg.query(TOP)
    status, ctype, body = get(endpoint, TOP, "application/sparql-results+xml")
    assert status == 200 and ctype.startswith("application/sparql-results+xml")
    ns = {"r": "http://www.w3.org/2005/sparql-results#"}
    ids = [b.find("r:literal", ns).text for b in ET.fromstring(body).iterfind(".//r:binding[@name='id']", ns)]
    assert ids == expected["id"].to_list()
    status, ctype, body = get(endpoint, TOP, "text/csv")
    rows = list(csv.DictReader(io.StringIO(body.decode())))
    assert ctype.startswith("text/csv") and [int(r["d"]) for r in rows] == expected["d"].to_list()
    status, ctype, body = get(endpoint, TOP, "text/tab-separated-values")
    lines = body.decode().splitlines()
    assert ctype.startswith("text/tab-separated-values") and lines[0] == "?id\t?d" and len(lines) == 6


def test_construct_as_turtle_ntriples_and_jsonld(endpoint, kg):
    q = "CONSTRUCT { ?m ptmkg:hubId ?id } WHERE { ?m ptmkg:hubId ?id ; ptmkg:downloads ?d FILTER(?d > 1000) }"
    expected = set(kg.query(q))
    assert expected
    for accept, fmt in [("text/turtle", ox.RdfFormat.TURTLE), ("application/n-triples", ox.RdfFormat.N_TRIPLES),
                        ("application/ld+json", ox.RdfFormat.JSON_LD)]:
        status, ctype, body = get(endpoint, q, accept)
        assert status == 200 and ctype.startswith(accept)
        assert parse(body, fmt) == expected


def test_describe_and_ask(endpoint):
    status, _, body = get(endpoint, "DESCRIBE ?m WHERE { ?m ptmkg:hubId \"microsoft/phi-2\" }", "text/turtle")
    assert status == 200 and any(t.predicate.value == PTMKG + "hubId" for t in parse(body))
    status, _, body = get(endpoint, "ASK { ?m ptmkg:hubId \"microsoft/phi-2\" }")
    assert status == 200 and json.loads(body)["boolean"] is True


def test_unacceptable_format_and_bad_query_are_readable_errors(endpoint):
    status, _, body = get(endpoint, TOP, "image/png")
    assert status == 406 and b"application/sparql-results+json" in body
    status, ctype, body = get(endpoint, "SELECT * WHERE { ?s ?p }")
    assert status == 400 and ctype.startswith("text/plain") and b"SPARQL syntax error" in body


def test_default_graph_uri_restricts_the_dataset(endpoint, kg):
    snaps = kg.snapshots()
    graph, triples = snaps["graph"][0], snaps["triples"][0]
    q = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    status, _, body = get(endpoint, q, **{"default-graph-uri": graph})
    assert status == 200 and int(json.loads(body)["results"]["bindings"][0]["n"]["value"]) == triples
    _, _, body = get(endpoint, q)
    assert int(json.loads(body)["results"]["bindings"][0]["n"]["value"]) > triples  # the union of snapshots


def test_sparqlwrapper_reads_the_union_of_snapshots(endpoint, kg):
    client = SPARQLWrapper(endpoint + "/query")
    client.setQuery("PREFIX ptmkg: <https://w3id.org/ptmkg/> SELECT (COUNT(DISTINCT ?m) AS ?n) WHERE { ?m a ptmkg:Model }")
    client.setReturnFormat(JSON)
    n = int(client.query().convert()["results"]["bindings"][0]["n"]["value"])
    assert n == kg.query("SELECT (COUNT(DISTINCT ?m) AS ?n) WHERE { ?m a ptmkg:Model }")["n"][0] > 400


# -- read-only -------------------------------------------------------------------------------------

def test_every_kind_of_update_is_refused_and_the_store_is_unchanged(endpoint, kg):
    before = quads(kg)
    drop = "DELETE WHERE { GRAPH ?g { ?s ?p ?o } }"
    answers = [
        request(endpoint + "/update", drop.encode(), {"Content-Type": "application/sparql-update"}),
        request(endpoint + "/update", urlencode({"update": drop}).encode(),
                {"Content-Type": "application/x-www-form-urlencoded"}),
        request(endpoint + "/query", drop.encode(), {"Content-Type": "application/sparql-update"}),
        request(endpoint + "/query", urlencode({"update": "DROP ALL"}).encode(),
                {"Content-Type": "application/x-www-form-urlencoded"}),
        get(endpoint, "PREFIX x: <http://x/> # comment\nINSERT DATA { x:a x:b x:c }"),
        get(endpoint, drop),
    ]
    for status, _, body in answers:
        assert status == 403 and b"read-only" in body, body
    assert quads(kg) == before > 50_000


# -- SERVICE: no request leaves the process unless allowed ----------------------------------------

def service_queries(url: str) -> list[str]:
    host, path = url.removeprefix("http://").split("/", 1)
    return [f"SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
            f"SELECT * WHERE {{ SERVICE SILENT <{url}> {{ ?s ?p ?o }} }}",
            f"PREFIX far: <http://{host}/> SELECT * WHERE {{ ?m ptmkg:hubId ?id OPTIONAL {{ service far:{path} {{ ?m ?p ?o }} }} }}",
            f"SELECT * WHERE {{ SERV\\u0049CE <{url}> {{ ?s ?p ?o }} }}",
            f"BASE <http://{host}/> SELECT * WHERE {{ SERVICE <{path}> {{ ?s ?p ?o }} }}",
            f"SELECT * WHERE {{ BIND(<{url}> AS ?e) SERVICE ?e {{ ?s ?p ?o }} }}"]


def test_service_is_refused_by_the_endpoint_and_nothing_is_requested(endpoint, listener):
    for q in service_queries(listener.url):
        status, _, body = get(endpoint, q)
        assert status == 403 and b"refused" in body and b"--allow-service" in body, (q, body)
    federated = [q.name for q in catalogue() if "SERVICE <" in q.sparql]
    for name in federated:  # the course's federated exercises: their loopback endpoints are not allow-listed here
        status, _, body = request(f"{endpoint}/api/{name}")
        assert status == 403 and b"SERVICE <http://127.0.0.1:" in body
    time.sleep(0.5)
    assert listener.connections == 0


def test_an_allowed_service_is_called(endpoint, allowed):
    """The control: the same check sees the request when the IRI is on the allowlist."""
    status, _, _ = get(endpoint, f"SELECT * WHERE {{ SERVICE SILENT <{allowed.url}> {{ ?s ?p ?o }} }}")
    assert status == 200
    for _ in range(50):
        if allowed.connections:
            break
        time.sleep(0.1)
    assert allowed.connections >= 1


def test_kg_query_refuses_service_unless_allowed(listener):
    kg = KG.memory()
    for q in service_queries(listener.url):
        with pytest.raises(Exception, match="refused"):
            kg.query(q)
    time.sleep(0.3)
    assert listener.connections == 0
    kg.allow_service = (listener.url,)
    kg.query(f"SELECT * WHERE {{ SERVICE SILENT <{listener.url}> {{ ?s ?p ?o }} }}")
    assert listener.connections >= 1


def test_ptmkg_query_on_the_command_line_refuses_service(tmp_path, listener, store):
    rq = tmp_path / "far.rq"
    rq.write_text(f"#+ summary: far away\nSELECT * WHERE {{ SERVICE SILENT <{listener.url}> {{ ?s ?p ?o }} }}\n")
    done = subprocess.run([sys.executable, "-m", "ptmkg.cli", "query", str(rq), "--store", str(store)],
                          capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 2 and f"SERVICE <{listener.url}> is refused" in done.stderr
    assert listener.connections == 0


# -- time limit and size cap ----------------------------------------------------------------------

def test_a_query_past_the_time_limit_is_an_error_status_and_the_worker_is_replaced(server):
    before = set(server.workers())
    start = time.monotonic()
    status, ctype, body = get(server.url, HEAVY)
    assert status == 503 and ctype.startswith("text/plain")
    assert b"5 s limit" in body and b"--timeout" in body
    assert 5 <= time.monotonic() - start < 30
    for _ in range(100):
        now = set(server.workers())
        if len(now) == 2 and now != before:
            break
        time.sleep(0.1)
    assert len(now) == 2 and len(now & before) == 1  # the stuck worker was killed and replaced
    time.sleep(1)  # the replacement has opened the store
    for _ in range(4):
        status, _, body = get(server.url, TOP)
        assert status == 200 and json.loads(body)["results"]["bindings"]


def test_a_worker_killed_while_idle_costs_no_query(server):
    victim = server.workers()[0]
    os.kill(victim, signal.SIGKILL)
    for _ in range(100):
        if gone(victim):
            break
        time.sleep(0.1)
    assert gone(victim)
    for _ in range(4):  # whichever worker each goes to, every query is answered
        status, _, body = get(server.url, TOP)
        assert status == 200 and json.loads(body)["results"]["bindings"], (body, server.log.read_text()[-3000:])
    for _ in range(100):
        if len(server.workers()) == 2 and victim not in server.workers():
            break
        time.sleep(0.1)
    assert len(server.workers()) == 2 and victim not in server.workers()


def test_a_result_past_the_size_cap_is_refused(endpoint):
    status, ctype, body = get(endpoint, "SELECT * WHERE { GRAPH ?g { ?s ?p ?o } }")
    assert status == 422 and ctype.startswith("text/plain") and b"cap of 1 MB" in body and b"LIMIT" in body
    assert get(endpoint, TOP)[0] == 200


# -- stopping -------------------------------------------------------------------------------------

@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_stops_the_server_and_its_workers(store, sig):
    server = Server(store)
    workers = server.workers()
    assert len(workers) == 2 and not any(gone(p) for p in workers)
    browser_like = http.client.HTTPConnection(LOOPBACK, server.port, timeout=30)  # kept alive: must not hold it up
    browser_like.request("GET", "/assets/page.css")
    assert browser_like.getresponse().read()
    started = time.monotonic()
    assert server.stop(sig) == 0
    assert time.monotonic() - started < 15
    browser_like.close()
    for _ in range(50):
        if all(gone(p) for p in workers):
            break
        time.sleep(0.1)
    assert all(gone(p) for p in workers)
    with pytest.raises(urllib.error.URLError):
        urllib.request.urlopen(server.url + "/query?query=ASK%7B%7D", timeout=2)


def test_workers_die_with_a_killed_server(store):
    server = Server(store)
    workers = server.workers()
    server.stop(signal.SIGKILL)
    for _ in range(50):
        if all(gone(p) for p in workers):
            break
        time.sleep(0.1)
    assert all(gone(p) for p in workers)


def test_workers_outlive_the_thread_that_started_the_server(store):
    """A notebook may start the server from a thread that then ends: the workers must not die with it."""
    made = {}
    starter = threading.Thread(target=lambda: made.update(pair=make_server(Settings(store, port=0, workers=2))))
    starter.start()
    starter.join()
    server, endpoint = made["pair"]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        time.sleep(1)  # a worker killed by its starting thread's end is gone by now
        assert len(endpoint.pool.pids()) == 2 and not any(gone(p) for p in endpoint.pool.pids())
        url = f"http://{LOOPBACK}:{server.server_address[1]}"
        for _ in range(4):
            status, _, body = get(url, TOP)
            assert status == 200 and json.loads(body)["results"]["bindings"]
    finally:
        server.shutdown()
        server.server_close()
        endpoint.close()
    assert not endpoint.pool.pids()


# -- answer cache ----------------------------------------------------------------------------------

@pytest.fixture
def local(store):
    """An in-process server (its Endpoint at hand) on a free port, with a 2 s limit and the default cache."""
    server, endpoint = make_server(Settings(store, port=0, workers=2, timeout_s=2))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://{LOOPBACK}:{server.server_address[1]}", endpoint
    server.shutdown()
    server.server_close()
    endpoint.close()


def test_a_repeated_query_is_answered_from_the_cache_per_format(local, kg):
    url, endpoint = local
    first = get(url, TOP)
    assert first[0] == 200 and endpoint.cache.hits == 0 and len(endpoint.cache) == 1
    assert get(url, TOP) == first and endpoint.cache.hits == 1
    as_csv = get(url, TOP, accept="text/csv")  # another format is another answer, not the JSON one
    assert as_csv[1].startswith("text/csv") and endpoint.cache.hits == 1 and len(endpoint.cache) == 2
    rows = list(csv.DictReader(io.StringIO(as_csv[2].decode())))
    assert [r["id"] for r in rows] == kg.query(TOP)["id"].to_list()
    assert get(url, TOP, accept="text/csv") == as_csv and endpoint.cache.hits == 2
    assert get(url, TOP, **{"default-graph-uri": "http://example.org/none"})[2] != first[2]  # another dataset


def test_errors_are_not_cached_and_a_replaced_worker_empties_the_cache(local):
    url, endpoint = local
    get(url, TOP)
    assert get(url, "SELECT * WHERE {")[0] == 400 and get(url, "SELECT * WHERE {")[0] == 400
    assert len(endpoint.cache) == 1
    assert get(url, HEAVY)[0] == 503  # the worker is killed: its replacement opens the store anew
    assert len(endpoint.cache) == 0 and get(url, HEAVY)[0] == 503


def test_no_cache_when_asked(store):
    server, endpoint = make_server(Settings(store, port=0, workers=1, cache_mb=0))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://{LOOPBACK}:{server.server_address[1]}"
        assert get(url, TOP) == get(url, TOP) and endpoint.cache.hits == 0 and len(endpoint.cache) == 0
    finally:
        server.shutdown()
        server.server_close()
        endpoint.close()
    with pytest.raises(PtmkgError, match="--cache-mb"):
        Settings(store, cache_mb=-1)


def test_the_cache_keeps_within_its_budget():
    from ptmkg.endpoint.cache import ReplyCache

    cache = ReplyCache(1000)
    for i in range(20):
        cache.put(i, (200, "text/plain", b"x" * 200))
    assert cache.size <= 1000 and len(cache) == 5 and cache.get(19) and cache.get(0) is None
    cache.put("big", (200, "text/plain", b"x" * 400))  # over a quarter of the budget: not kept
    assert cache.get("big") is None


# -- binding, CORS ---------------------------------------------------------------------------------

def test_loopback_by_default_and_a_loud_warning_otherwise():
    from ptmkg.cli import build_parser

    assert build_parser().parse_args(["serve"]).host == LOOPBACK == Settings(Path("s")).host
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.4")
    assert "WARNING" not in banner(Settings(Path("s")), LOOPBACK, 7878)
    assert "WARNING" in banner(Settings(Path("s"), host="0.0.0.0"), "0.0.0.0", 7878)
    assert "NOT loopback" in banner(Settings(Path("s"), host="0.0.0.0"), "0.0.0.0", 7878)


def test_cors_is_off_unless_asked(endpoint):
    req = urllib.request.Request(endpoint + "/query?" + urlencode({"query": TOP}), headers={"Origin": "http://evil"})
    with urllib.request.urlopen(req, timeout=10) as r:
        assert r.headers.get("Access-Control-Allow-Origin") is None
    assert request(endpoint + "/query", method="OPTIONS")[0] == 405


def test_cors_when_asked(store):
    server = Server(store, "--cors")
    try:
        with urllib.request.urlopen(server.url + "/query?" + urlencode({"query": TOP}), timeout=30) as r:
            assert r.headers.get("Access-Control-Allow-Origin") == "*"
        req = urllib.request.Request(server.url + "/query", method="OPTIONS",
                                     headers={"Origin": "http://elsewhere", "Access-Control-Request-Method": "POST"})
        with urllib.request.urlopen(req, timeout=30) as r:
            assert r.status == 204 and "POST" in r.headers.get("Access-Control-Allow-Methods")
    finally:
        server.stop()


def test_limits_must_be_positive():
    for option in ("timeout_s", "max_result_mb", "workers"):
        with pytest.raises(PtmkgError, match="must be positive"):
            Settings(Path("s"), **{option: 0})


def test_missing_store_is_a_clear_error(tmp_path):
    done = subprocess.run([sys.executable, "-m", "ptmkg.cli", "serve", "--store", str(tmp_path / "none"),
                           "--port", str(free_port())], capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 2 and "run 'ptmkg build' first" in done.stderr


# -- descriptions and the canned-query API ---------------------------------------------------------

def test_service_description_on_get_without_query(endpoint):
    status, ctype, body = request(endpoint + "/query", headers={"Accept": "text/turtle"})
    assert status == 200 and ctype.startswith("text/turtle")
    triples = parse(body)
    service = ox.NamedNode(endpoint + "/query")
    assert ox.Triple(service, ox.NamedNode(SD + "endpoint"), service) in triples
    formats = {t.object.value for t in triples if t.predicate.value == SD + "resultFormat"}
    assert "http://www.w3.org/ns/formats/SPARQL_Results_CSV" in formats and len(formats) == 8
    status, ctype, body = request(endpoint + "/query", headers={"Accept": "text/html,*/*;q=0.8"})  # a browser
    assert status == 200 and ctype.startswith("text/html") and b"/assets/yasgui.min.js" in body


def test_void_describes_every_snapshot(endpoint, kg):
    status, _, body = request(endpoint + "/.well-known/void", headers={"Accept": "text/turtle"})
    assert status == 200, body
    graph = parse(body)
    subsets = {t.object.value for t in graph if t.predicate.value == VOID + "subset"}
    triples = {t.subject.value: int(t.object.value) for t in graph if t.predicate.value == VOID + "triples"}
    snaps = kg.snapshots()
    assert subsets == set(snaps["graph"]) and len(subsets) == 2
    assert triples == dict(zip(snaps["graph"], snaps["triples"]))


def test_openapi_lists_every_canned_query_with_its_parameters(endpoint):
    status, _, body = request(endpoint + "/api/openapi.json")
    spec = json.loads(body)
    assert status == 200 and spec["openapi"].startswith("3.")
    assert set(spec["paths"]) == {f"/api/{q.name}" for q in catalogue()}
    lineage = spec["paths"]["/api/family-lineage"]["get"]
    assert [p["name"] for p in lineage["parameters"]] == catalogue().get("family-lineage").parameters
    assert "text/csv" in lineage["responses"]["200"]["content"]
    construct = spec["paths"]["/api/teaching/solutions/28-construct-family"]["get"]["responses"]["200"]["content"]
    assert "text/turtle" in construct and "text/csv" not in construct


def test_canned_query_api_matches_kg_run(endpoint, kg):
    status, ctype, body = request(endpoint + "/api/family-lineage?root=microsoft/phi-2", headers={"Accept": "text/csv"})
    assert status == 200 and ctype.startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(body.decode())))
    expected = kg.run("family-lineage", root="microsoft/phi-2")
    assert len(rows) == expected.height > 10
    assert sorted(r["model"] for r in rows) == sorted(expected["model"])
    status, _, body = request(endpoint + "/api/models-per-licence")  # defaults, JSON
    licences = [b["licence"]["value"] for b in json.loads(body)["results"]["bindings"]]
    assert status == 200 and licences == kg.run("models-per-licence")["licence"].to_list()


def test_canned_query_api_mistakes(endpoint):
    status, _, body = request(endpoint + "/api/family-lineage?rot=x")
    assert status == 400 and b"no parameter rot" in body and b"root" in body
    assert request(endpoint + "/api/no-such-query")[0] == 404
    assert request(endpoint + "/api/..%2F..%2Fetc%2Fpasswd")[0] == 404
    assert request(endpoint + "/api/..%2Fqueries%2Fsnapshots.rq")[0] == 404  # only catalogue names, never a path
