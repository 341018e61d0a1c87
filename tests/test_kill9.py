"""kill -9 at any moment: `ptmkg ingest`, `ptmkg energy estimate` and `ptmkg claims` killed mid-run leave a
store that opens, shows no partial snapshot, says what it holds, and re-running completes it.

A driver process imports ptmkg once and forks one child per run (each child a whole `ptmkg` command, its
own process, killed with SIGKILL), so 30+ kills fit in the time budget. Kill points are spread over each
command's measured duration, plus hooks (``PTMKG_KILL_AT``, see ``ptmkg.store._hook``) that kill between
the bulk load and the catalog write, right after the catalog write, during a removal after its catalog
record went, and during a rollback (``PTMKG_FAIL_AT`` makes the load fail first). ``ingest --force`` is
killed at each step of its replacement (staged load, catalog swap, old graph dropped; the same into the
snapshot's own graph), and after each kill the snapshot is there, catalogued and whole, in one graph.
"""

from __future__ import annotations

import contextlib
import gc
import io
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

import polars as pl
import pyoxigraph as ox
import pytest

from ptmkg import KG, cli
from ptmkg.namespaces import CATALOG_GRAPH, PROV
from ptmkg.store import GraphStore
from tests.conftest import shared_path

DRIVER = r"""
import json, os, signal, sys, tempfile, time
import ptmkg.cli as cli
cli.build_parser()  # every import done before forking
for line in sys.stdin:
    job = json.loads(line)
    t0 = time.monotonic()
    pid = os.fork()
    if pid == 0:
        log = os.open(job["log"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
        os.dup2(log, 1), os.dup2(log, 2)
        os.environ.update(job["env"])
        tempfile.tempdir = job["tmp"]
        try:
            code = cli.main(job["argv"])
        except SystemExit as e:
            code = e.code
        sys.stdout.flush(), sys.stderr.flush()
        os._exit(code or 0)
    if job["delay"] is not None:
        time.sleep(job["delay"])
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    _, status = os.waitpid(pid, 0)
    killed = os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL
    code = None if killed else os.WEXITSTATUS(status)
    print(json.dumps({"killed": killed, "code": code, "seconds": time.monotonic() - t0}), flush=True)
"""
TIMED = {"ingest": 13, "ingest --force": 6, "energy": 7, "claims": 6}
RUN_SOURCE = "claims"


class Driver:
    """The forking driver: ``run(argv, store, delay=..., env=...)`` → (killed, exit code, seconds)."""

    def __init__(self, tmp: Path):
        self.tmp = tmp
        self.proc = subprocess.Popen([sys.executable, "-c", DRIVER], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     text=True, cwd=Path(__file__).resolve().parents[1])
        self.n = 0

    def run(self, argv: list[str], delay: float | None = None, env: dict[str, str] | None = None) -> dict:
        self.n += 1
        tmp = self.tmp / f"tmp{self.n}"
        tmp.mkdir()
        job = {"argv": argv, "delay": delay, "env": env or {}, "log": str(self.tmp / f"log{self.n}"), "tmp": str(tmp)}
        self.proc.stdin.write(json.dumps(job) + "\n")
        self.proc.stdin.flush()
        out = json.loads(self.proc.stdout.readline())
        out["log"] = Path(job["log"]).read_text(errors="replace")
        return out

    def close(self) -> None:
        self.proc.stdin.close()
        self.proc.wait(timeout=30)


def _closed(store: GraphStore) -> None:
    del store
    gc.collect()


def content(path: Path) -> tuple[frozenset[str], int]:
    """(the store's quads as text, catalog load times left out; claims-run graphs left out) and the number
    of claims-run snapshots, after a writable open."""
    kg = KG(path)
    runs = kg.snapshots().filter(source=RUN_SOURCE)["graph"].to_list() if len(kg) else []
    skip = {ox.NamedNode(g) for g in runs}
    loaded_at = ox.NamedNode(PROV + "generatedAtTime")
    quads = frozenset(str(q) for q in kg.oxigraph if q.graph_name not in skip and q.predicate != loaded_at
                      and not (q.graph_name == ox.NamedNode(CATALOG_GRAPH) and q.subject in skip))
    _closed(kg)
    return quads, len(runs)


def snapshot_triples(path: Path, source: str) -> list[frozenset[str]]:
    """The triples of each catalogued snapshot of ``source``, whatever graph holds them (read-only)."""
    ro = GraphStore(path, read_only=True)
    graphs = ro.snapshots().filter(source=source)["graph"].to_list()
    found = [frozenset(str(q.triple) for q in ro.oxigraph.quads_for_pattern(None, None, None, ox.NamedNode(g)))
             for g in graphs]
    _closed(ro)
    return found


def check_after_kill(path: Path) -> int:
    """The invariants after a kill; returns the number of unfinished graphs the kill left."""
    ro = GraphStore(path, read_only=True)
    snaps = ro.snapshots()
    for graph, triples in zip(snaps["graph"], snaps["triples"]):
        assert ro.graph_size(graph) == int(triples), f"partial snapshot {graph}"
    hidden = ro.unfinished()
    visible = ro.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")["n"][0]
    catalog = ro.graph_size(CATALOG_GRAPH)
    assert visible <= sum(int(n) for n in snaps["triples"]) + catalog  # queries see whole snapshots only
    _closed(ro)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert cli.main(["info", "--store", str(path), "--format", "csv"]) == 0
    text = out.getvalue()
    if snaps.height:  # the snapshot table (CSV) lists exactly the catalogued snapshots and their counts
        table = text[text.index("source,version,"):].split("\n\n")[0]
        listed = pl.read_csv(io.StringIO(table), infer_schema=False)
        assert sorted(zip(listed["graph"], listed["triples"])) == sorted(
            zip(snaps["graph"], (str(n) for n in snaps["triples"])))
    assert ("unfinished graph" in text) == bool(hidden)
    kg = GraphStore(path)  # a writable open removes what the kill left
    assert kg.unfinished() == []
    _closed(kg)
    return len(hidden)


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Template stores: counting-carbon loaded (for ingest and claims); plus an estimate at another
    utilisation (so `energy estimate` loads one and removes the old one)."""
    base = tmp_path_factory.mktemp("kill9")
    carbon = shared_path("data", "counting-carbon")
    hf_carbon = shared_path("data", "hf-carbon")
    one = base / "one"
    kg = KG(one)
    kg.ingest("counting-carbon", carbon)
    _closed(kg)
    estimated = base / "estimated"
    shutil.copytree(one, estimated)
    kg = KG(estimated)
    kg.estimate_energy(utilisation=0.5)
    _closed(kg)
    return {"one": one, "estimated": estimated, "hf-carbon": hf_carbon, "base": base}


COMMANDS = {
    "ingest": ("one", lambda s, i: ["ingest", "hf-carbon", str(i["hf-carbon"]), "--store", s]),
    "ingest --force": ("one", lambda s, i: ["ingest", "counting-carbon", str(shared_path("data", "counting-carbon")),
                                           "--force", "--store", s]),
    "energy": ("estimated", lambda s, i: ["energy", "estimate", "--store", s]),
    "claims": ("one", lambda s, i: ["claims", "--store", s, "--format", "json"]),
}
HOOKS = {
    "ingest": [{"PTMKG_KILL_AT": "load:bulk"}, {"PTMKG_KILL_AT": "load:catalog"},
               {"PTMKG_FAIL_AT": "load:bulk", "PTMKG_KILL_AT": "drop:chunk"}],
    "ingest --force": [{"PTMKG_KILL_AT": f"replace:{phase}:{step}"} for phase in ("staged", "final")
                       for step in ("loaded", "swapped", "drop")] + [
        {"PTMKG_FAIL_AT": f"replace:{phase}:loaded", "PTMKG_KILL_AT": "drop:chunk"} for phase in ("staged", "final")],
    "energy": [{"PTMKG_KILL_AT": "load:bulk"}, {"PTMKG_KILL_AT": "load:catalog"},
               {"PTMKG_KILL_AT": "remove:catalog"}, {"PTMKG_KILL_AT": "drop:chunk"}],
    "claims": [{"PTMKG_KILL_AT": "load:bulk"}, {"PTMKG_KILL_AT": "load:catalog"}],
}


def test_kill9_at_any_moment(inputs: dict[str, Path], tmp_path: Path) -> None:
    driver = Driver(tmp_path)
    kills = unfinished = 0
    try:
        for name, (template, argv) in COMMANDS.items():
            clean = tmp_path / f"clean-{name.replace(' ', '')}"
            shutil.copytree(inputs[template], clean)
            first = driver.run(argv(str(clean), inputs))
            assert first["code"] == 0, first["log"]
            reference, runs = content(clean)
            forced = snapshot_triples(clean, "counting-carbon") if name == "ingest --force" else None
            duration = first["seconds"]
            points = [{"delay": duration * 0.9 * (k + 0.5) / TIMED[name]} for k in range(TIMED[name])]
            points += [{"env": env} for env in HOOKS[name]]
            for n, point in enumerate(points):
                store = tmp_path / f"{name.replace(' ', '')}-{n}"
                shutil.copytree(inputs[template], store)
                out = driver.run(argv(str(store), inputs), delay=point.get("delay"), env=point.get("env"))
                if "env" in point:
                    assert out["killed"], (point, out["log"])
                kills += out["killed"]
                if forced is not None:  # the old snapshot or the new one, whole, never none (here: the same triples)
                    assert snapshot_triples(store, "counting-carbon") == forced, (point, out["log"])
                unfinished += check_after_kill(store)
                again = driver.run(argv(str(store), inputs))
                assert again["code"] == 0, again["log"]
                after, after_runs = content(store)
                assert after == reference, (name, point)
                if name == "claims":  # each run records its verdicts in a graph of its own
                    assert after_runs in (runs, runs + 1)
                else:
                    assert after_runs == runs
                shutil.rmtree(store)
    finally:
        driver.close()
    assert kills >= 40
    print(f"{kills} kills, {unfinished} left an unfinished graph (hidden, then removed); 0 partial snapshots")


def data_bytes(path: Path) -> int:
    """The size of a store's files, its diagnostic logs left out."""
    return sum(f.stat().st_size for f in path.iterdir() if f.is_file() and not f.name.startswith("LOG"))


def batch_bytes(path: Path) -> int:
    """The size of the bulk loader's batch files in a store folder."""
    total = 0
    for file in path.glob("bulk-*.sst"):
        with contextlib.suppress(FileNotFoundError):  # taken in by RocksDB meanwhile
            total += file.stat().st_size
    return total


def test_a_load_killed_while_its_batches_are_on_disk_leaves_no_space_behind(inputs: dict[str, Path],
                                                                             tmp_path: Path) -> None:
    """Oxigraph's bulk loader writes each batch as a ``bulk-*.sst`` file in the store folder before RocksDB
    takes it in; a kill in between left them there for good (RocksDB neither reads nor deletes them)."""
    source = shared_path("data", "ptlm-versioning")  # 537k triples: its batches are on disk for seconds
    ingest = [sys.executable, "-m", "ptmkg.cli", "ingest", "ptlm-versioning", str(source), "--store"]
    optimize = [sys.executable, "-m", "ptmkg.cli", "optimize", "--store"]
    clean, killed = tmp_path / "clean", tmp_path / "killed"
    shutil.copytree(inputs["one"], clean)
    shutil.copytree(inputs["one"], killed)
    for argv in (ingest, optimize):
        subprocess.run([*argv, str(clean)], check=True, capture_output=True)
    proc = subprocess.Popen([*ingest, str(killed)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    while proc.poll() is None and batch_bytes(killed) < 1 << 20:
        time.sleep(0.01)
    proc.kill()
    assert proc.wait() == -9, "the load ended before its batch files were seen"
    left = batch_bytes(killed)
    assert left > 0
    done = subprocess.run([*optimize, str(killed)], check=True, capture_output=True, text=True)
    assert "optimized" in done.stdout and not list(killed.glob("bulk-*.sst"))
    assert content(killed) == content(inputs["one"])  # the killed load left nothing that is read
    for argv in (ingest, optimize):
        subprocess.run([*argv, str(killed)], check=True, capture_output=True)
    assert content(killed) == content(clean)
    assert abs(data_bytes(killed) - data_bytes(clean)) <= 0.1 * data_bytes(clean), (data_bytes(killed), left,
                                                                                     data_bytes(clean))
