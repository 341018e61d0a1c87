"""``KG.remote`` on OpenLink Virtuoso (Debian's virtuoso-opensource 7.2.5): every canned query and claim gives
the embedded store's frames, dtypes included; each of Virtuoso's differences has its own small test."""

from __future__ import annotations

import math
import re
import shutil
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import polars as pl
import pytest

from ptmkg import KG
from ptmkg.errors import PtmkgError
from ptmkg.queries import catalogue
from ptmkg.remote import RemoteKG, publish
from ptmkg.remote_dialects import VIRTUOSO
from ptmkg.remote_virtuoso import bulk_load
from ptmkg.sparql_guard import service_targets
from tests.test_endpoint import LOOPBACK, free_port
from tests.test_endpoint_remote import embedded, store  # noqa: F401  (module fixtures: the starter store)

LOCAL = [q.name for q in catalogue() if not service_targets(q.sparql)]
UNSUPPORTED = {"family-lineage": "LATERAL"}  # Oxigraph's extension; Virtuoso 7 has no lateral join
# A comparison of unbound operands: SPARQL gives an error (unbound), Virtuoso a boolean. Only where a
# snapshot lacks the rows: MAX(?safe) >= MAX(?other) over no rows, as on the starter (no PTLM statistics).
STARTER_DIFFERS = {"claims/VER-04.replication": "MAX(no rows) >= MAX(no rows) is true on Virtuoso, unbound in SPARQL"}


class VirtuosoServer:
    """A throwaway ``virtuoso-t`` in the foreground: its own ini and database in ``folder``, loopback ports."""

    def __init__(self, folder: Path, buffers: int = 20000):
        exe = shutil.which("virtuoso-t")
        if exe is None:
            pytest.skip("Virtuoso is not installed (Debian: apt-get install virtuoso-opensource)")
        folder.mkdir(parents=True, exist_ok=True)
        self.folder, self.sql_port, http = folder, free_port(), free_port()
        self.url = f"http://{LOOPBACK}:{http}/sparql"
        self.store_url = f"http://dba:dba@{LOOPBACK}:{http}/sparql-graph-crud-auth"
        self.loads = folder / "loads"
        self.loads.mkdir(exist_ok=True)
        (folder / "virtuoso.ini").write_text(f"""[Database]
DatabaseFile = {folder}/virtuoso.db
ErrorLogFile = {folder}/virtuoso.log
LockFile = {folder}/virtuoso.lck
TransactionFile = {folder}/virtuoso.trx
xa_persistent_file = {folder}/virtuoso.pxa
TempStorage = TempDatabase
[TempDatabase]
DatabaseFile = {folder}/virtuoso-temp.db
TransactionFile = {folder}/virtuoso-temp.trx
[Parameters]
ServerPort = {LOOPBACK}:{self.sql_port}
DisableUnixSocket = 1
DirsAllowed = ., {self.loads}
NumberOfBuffers = {buffers}
MaxDirtyBuffers = {buffers * 3 // 4}
ThreadsPerQuery = 2
CheckpointInterval = 0
[HTTPServer]
ServerPort = {LOOPBACK}:{http}
ServerRoot = {folder}
ServerThreads = 4
[SPARQL]
ResultSetMaxRows = 100000000
MaxQueryExecutionTime = 0
MaxQueryCostEstimationTime = 0
""")
        self.proc = subprocess.Popen([exe, "+configfile", str(folder / "virtuoso.ini"), "+foreground"],
                                     cwd=folder, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(600):  # a new database is made first: about 10 s here
            try:
                urllib.request.urlopen(self.url + "?query=ASK%7B%7D", timeout=2)
                return
            except (urllib.error.URLError, ConnectionError):
                if self.proc.poll() is not None:
                    break
                time.sleep(0.1)
        self.stop()
        pytest.fail(f"virtuoso-t did not start; see {folder}/virtuoso.log")

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def same(a: object, b: object, ordered: bool = False) -> bool:
    """Equal results: same schema and rows (in any order unless ``ordered``), floats to 1e-12 relative
    (Oxigraph's decimals carry 18 fractional digits, the doubles Virtuoso computes with 53 bits), and
    GROUP_CONCAT lists as sets (their order is not defined)."""
    if not isinstance(a, pl.DataFrame):
        return set(a) == set(b) if isinstance(a, list) else a == b
    if not isinstance(b, pl.DataFrame) or a.schema != b.schema or a.shape != b.shape:
        return False
    if not ordered:
        a, b = a.sort(a.columns, nulls_last=True), b.sort(b.columns, nulls_last=True)
    for x, y in zip(a.iter_rows(), b.iter_rows()):
        for u, v in zip(x, y):
            if isinstance(u, float) and isinstance(v, float):
                if not (math.isclose(u, v, rel_tol=1e-12) or (math.isnan(u) and math.isnan(v))):
                    return False
            elif u != v:
                return False
    return True


def _group_concat_sets(frame: pl.DataFrame, sparql: str) -> pl.DataFrame:
    """GROUP_CONCAT columns with their parts sorted (the order of the parts is implementation-defined)."""
    for sep, var in re.findall(r'(?is)GROUP_CONCAT\s*\([^;]*;\s*SEPARATOR\s*=\s*"([^"]*)"\s*\)\s*AS\s+\?(\w+)', sparql):
        if var in frame.columns and frame.schema[var] == pl.String:
            frame = frame.with_columns(pl.col(var).str.split(sep).list.sort().list.join(sep))
    return frame


def compare(embedded: KG, remote: KG, names: list[str]) -> list[str]:
    """The canned queries whose results differ (order compared where the query has ORDER BY)."""
    differ = []
    for name in names:
        q = catalogue().get(name)
        here, there = q.run(embedded), q.run(remote)
        if isinstance(here, pl.DataFrame):
            here, there = _group_concat_sets(here, q.sparql), _group_concat_sets(there, q.sparql)
        if not same(here, there, ordered=bool(re.search(r"(?i)\bORDER\s+BY\b", q.sparql.split("\n}")[-1]))):
            differ.append(name)
    return differ


@pytest.fixture(scope="module")
def server(tmp_path_factory, embedded):
    running = VirtuosoServer(tmp_path_factory.mktemp("virtuoso"))
    publish(embedded, running.store_url)
    yield running
    running.stop()


@pytest.fixture(scope="module")
def remote(server) -> KG:
    return KG.remote(server.url)


def test_the_engine_is_found_from_the_server_header(remote, server):
    assert remote.dialect is VIRTUOSO
    assert RemoteKG(server.url, engine="sparql").dialect.name == "sparql"
    with pytest.raises(PtmkgError, match="unknown engine 'qlever'"):
        RemoteKG(server.url, engine="qlever")


def test_every_canned_query_gives_the_embedded_result_and_dtypes(embedded, remote):
    names = [n for n in LOCAL if n not in UNSUPPORTED and n not in STARTER_DIFFERS]
    assert compare(embedded, remote, names) == []
    assert len(names) > 100


def test_known_differences_are_what_they_say(embedded, remote):
    for name, construct in UNSUPPORTED.items():
        with pytest.raises(PtmkgError, match=f"query {name} cannot run on Virtuoso: it uses {construct}"):
            catalogue().get(name).run(remote)
    q = catalogue().get("claims/VER-04.replication")
    assert q.run(embedded)["safetensors_top"].to_list() == [None]
    assert q.run(remote)["safetensors_top"].to_list() == [True]


def same_claims(here: pl.DataFrame, there: pl.DataFrame) -> bool:
    """The same claim rows, but for the percentile-bootstrap intervals (and the reasons that quote them):
    the runner resamples row indices with a fixed seed, so rows that come in another order (no ORDER BY)
    resample other rows. Those intervals must still agree to 0.02."""
    boot = ["ci_low", "ci_high", "reason"]
    if not same(here.drop(boot), there.drop(boot), ordered=True):
        return False
    return all(u is None and v is None or abs(u - v) < 0.02
               for c in boot[:2] for u, v in zip(here[c], there[c]))


def test_claims_give_the_embedded_frames_and_verdicts(embedded, remote):
    here, there = embedded.claims.run(), remote.claims.run()
    assert here.height >= 40 and same_claims(here, there)
    assert here["verdict"].to_list() == there["verdict"].to_list()


def test_snapshots_parameters_and_the_union_default_graph(embedded, remote):
    assert remote.snapshots().equals(embedded.snapshots())
    lineage = "models-citing-paper"
    assert same(remote.run(lineage, arxiv="1910.09700"), embedded.run(lineage, arxiv="1910.09700"))
    # Virtuoso's default graph also holds its system graphs (virtrdf#, …): the adapter leaves them out
    everything = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    assert RemoteKG(remote.url, engine="sparql").query(everything)["n"][0] > len(embedded)
    assert remote.query(everything)["n"][0] == embedded.query(everything)["n"][0] and len(remote) == len(embedded)
    graph = embedded.snapshots()["graph"][1]
    assert remote.query(everything, graphs=[graph])["n"][0] == embedded.query(everything, graphs=[graph])["n"][0]


def test_computed_booleans_come_back_as_booleans(remote):
    q = "SELECT ?x (?x > 1 AS ?big) (BOUND(?x) AS ?b) (EXISTS { ?m a ptmkg:Model } AS ?e) WHERE { VALUES ?x { 1 2 } }"
    raw = RemoteKG(remote.url, engine="sparql").query(q)
    assert raw.schema["big"] == pl.Int64 and sorted(raw["big"]) == [0, 1]  # what Virtuoso sends
    frame = remote.query(q).sort("x")
    assert frame.schema["big"] == pl.Boolean and frame["big"].to_list() == [False, True]
    assert frame["b"].to_list() == [True, True] and frame["e"].to_list() == [True, True]


def test_integer_division_is_a_decimal_division(remote, embedded):
    q = "SELECT (7 / 2 AS ?half) (?n / 4 AS ?quarter) WHERE { VALUES ?n { 3 } }"
    assert RemoteKG(remote.url, engine="sparql").query(q)["half"].to_list() == [3]
    assert remote.query(q).rows() == embedded.query(q).rows() == [(3.5, 0.75)]
    path = "SELECT (COUNT(*) AS ?n) WHERE { ?m ptmkg:fineTunedFrom/ptmkg:hubId ?id }"  # a path's / stays
    assert remote.query(path)["n"][0] == embedded.query(path)["n"][0] > 0


def test_doubles_keep_all_their_digits(remote, embedded):
    q = 'SELECT ?d WHERE { VALUES ?d { "14.61162525"^^xsd:double 1.5e300 } } ORDER BY ?d'
    assert RemoteKG(remote.url, engine="sparql").query(q)["d"].to_list() == [14.6116, 1.5e300]
    assert remote.query(q)["d"].to_list() == embedded.query(q)["d"].to_list() == [14.61162525, 1.5e300]


def test_integers_past_32_bits_stay_integers(remote, embedded):
    q = "SELECT ?p (DATATYPE(?p) AS ?t) WHERE { ?m ptmkg:parameterCount ?p } ORDER BY DESC(?p) LIMIT 1"
    assert remote.query(q).equals(embedded.query(q))
    assert remote.query(q)["p"][0] > 2**32 and remote.query(q)["t"][0].endswith("#integer")


def test_in_and_string_tests_of_an_unbound_variable_are_errors(remote, embedded):
    q = ('SELECT ?x (?x IN ("a", "b") AS ?in) (?x NOT IN ("a") AS ?out) (COALESCE(REGEX(?x, "b"), "none") AS ?re) '
         'WHERE { VALUES ?x { "b" UNDEF } }')
    raw = RemoteKG(remote.url, engine="sparql").query(q)
    assert sorted(raw["in"].to_list()) == [0, 2]  # Virtuoso: the position of the match, false for unbound
    assert same(remote.query(q), embedded.query(q))
    assert remote.query(q).sort("x", nulls_last=True).rows() == [("b", True, True, "True"), (None, None, None, "none")]


def test_sum_of_no_rows_is_zero(remote, embedded):
    q = "SELECT (SUM(?k) AS ?s) (COUNT(?k) AS ?n) WHERE { ?r ptmkg:noSuchProperty ?k }"
    assert remote.query(q).equals(embedded.query(q)) and remote.query(q).rows() == [(0, 0)]


def test_an_exists_flag_in_a_logical_expression_compiles(remote, embedded):
    q = ("SELECT ?ok WHERE { VALUES ?m { ptmkg:none } BIND(EXISTS { ?m ?p ?o } AS ?e) "
         "BIND(IF(?e || 1 = 0, 1, 0) AS ?ok) }")
    with pytest.raises(PtmkgError, match="SQ074"):
        RemoteKG(remote.url, engine="sparql").query(q)
    assert remote.query(q).equals(embedded.query(q))


def test_describe_gives_the_concise_bounded_description(remote, embedded):
    q = catalogue().get("teaching/solutions/30-describe-training-run")
    raw = set(RemoteKG(remote.url, engine="sparql").query(q.sparql))
    assert set(q.run(remote)) == set(q.run(embedded)) < raw  # Virtuoso's own also has the triples pointing in


@pytest.mark.skip(reason="on the shared data Virtuoso 7.2.5 grew to 23 GB and was OOM-killed on "
                  "teaching/solutions/34-claim-zero-downloads; isNumeric in the ORDER BY rewrite fails on long strings")
def test_all_shared_data_by_the_bulk_loader(tmp_path_factory, shared_store):
    shared = KG(shared_store, read_only=True)
    server = VirtuosoServer(tmp_path_factory.mktemp("virtuoso-shared"), buffers=170000)
    try:
        assert bulk_load(shared, server.loads, port=server.sql_port) == list(shared.snapshots()["graph"])
        remote = KG.remote(server.url)
        assert remote.snapshots().equals(shared.snapshots()) and len(remote) == len(shared)
        assert compare(shared, remote, [n for n in LOCAL if n not in UNSUPPORTED]) == []
        assert same_claims(shared.claims.run(), remote.claims.run())
    finally:
        server.stop()
