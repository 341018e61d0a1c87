"""Bulk loading: pieces hold the same quads as one load, errors name the whole file's line, Ctrl-C is safe."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from hypothesis import given
from hypothesis import strategies as st

from ptmkg import KG, bulk
from ptmkg.snapshot import SnapshotInfo

GRAPH = ox.NamedNode("https://w3id.org/ptmkg/graph/test")


@given(st.lists(st.binary(max_size=30).map(lambda b: b.replace(b"\n", b"") + b"\n"), max_size=40),
       st.integers(1, 6))
def test_line_bounds_cover_the_file_at_line_ends(lines, n):
    data = b"".join(lines)
    bounds = bulk.line_bounds(data, n)
    assert b"".join(data[a:b] for a, b in bounds) == data
    assert len(bounds) <= n and all(data[b - 1:b] == b"\n" for _, b in bounds)


def test_pieces_only_below_the_loader_batch(monkeypatch):
    monkeypatch.setattr(bulk, "_cores", lambda: 4)
    assert bulk.pieces(None) == 1
    assert bulk.pieces(bulk.LOADER_BATCH) == 1
    assert bulk.pieces(bulk.MIN_PIECE - 1) == 1
    assert bulk.pieces(bulk.MIN_PIECE * 2) == 2
    assert bulk.pieces(bulk.LOADER_BATCH - 1) == 4
    monkeypatch.setattr(bulk, "_cores", lambda: 1)
    assert bulk.pieces(bulk.LOADER_BATCH - 1) == 1


class Recording:
    """A store that records the bulk loads it is asked for."""

    def __init__(self, store: ox.Store):
        self.store, self.loads = store, []

    def bulk_load(self, **kwargs):
        self.loads.append(kwargs)
        self.store.bulk_load(**kwargs)


def test_cut_load_holds_the_same_quads_as_one_load(tmp_path, monkeypatch):
    nt = tmp_path / "starter.nt"
    kg = KG.memory()
    kg.ingest("starter")
    kg.oxigraph.dump(str(nt), format=ox.RdfFormat.N_TRIPLES, from_graph=ox.NamedNode(kg.snapshots()["graph"][0]))
    lines = nt.read_bytes().count(b"\n")
    monkeypatch.setattr(bulk, "_cores", lambda: 3)
    monkeypatch.setattr(bulk, "MIN_PIECE", 10)
    one, cut = Recording(ox.Store(str(tmp_path / "one"))), Recording(ox.Store(str(tmp_path / "cut")))
    bulk.bulk_load(one, nt, GRAPH)
    bulk.bulk_load(cut, nt, GRAPH, triples=lines)
    assert len(one.loads) == 1 and len(cut.loads) == 3
    assert len(one.store) == lines > 40_000
    assert set(cut.store) == set(one.store)


@pytest.mark.parametrize("cores", [1, 3])
def test_syntax_error_names_the_file_line_and_loses_nothing(tmp_path, monkeypatch, cores):
    monkeypatch.setattr(bulk, "_cores", lambda: cores)  # 3: the bad line is in the third piece
    monkeypatch.setattr(bulk, "MIN_PIECE", 1)
    kg = KG(tmp_path / "store")
    kg.ingest("starter-carbon")
    before = set(kg.oxigraph)
    good = [f"<https://e.org/s{i}> <https://e.org/p> \"{i}\" .\n" for i in range(9)]
    good[7] = "<https://e.org/s7> <https://e.org/p> <not an iri> .\n"
    nt = tmp_path / "bad.nt"
    nt.write_text("".join(good))
    info = SnapshotInfo("test", "v1", "2025-04-22", "https://example.org", "sha256:" + "ab" * 32, files=("x",))
    with pytest.raises(SyntaxError) as raised:
        kg.load_ntriples(info, nt, triples=9)
    assert raised.value.lineno == 8 and raised.value.filename == str(nt)
    assert str(raised.value).startswith("Parser error at line 8 ")
    assert set(kg.oxigraph) == before


def test_ctrl_c_while_pieces_load_waits_for_them_then_rolls_back(tmp_path, monkeypatch):
    """The loaders cannot be stopped: the graph is dropped only once every piece has landed.

    Ctrl-C is simulated in the wait itself: with polars imported a real SIGINT only reaches the
    waiting thread once the pieces are done, which would not exercise the early interrupt.
    """
    import time
    from concurrent.futures import wait

    monkeypatch.setattr(bulk, "_cores", lambda: 3)
    monkeypatch.setattr(bulk, "MIN_PIECE", 1)
    kg = KG(tmp_path / "store")
    kg.ingest("starter-carbon")
    store = kg.oxigraph
    before = set(store)

    class Slow:
        def __getattr__(self, name):
            return getattr(store, name)

        def bulk_load(self, **kwargs):
            time.sleep(0.3)
            store.bulk_load(**kwargs)

    waits = []

    def interrupted_once(futures):
        waits.append(len(futures))
        if len(waits) == 1:
            raise KeyboardInterrupt
        return wait(futures)

    monkeypatch.setattr(kg, "_store", Slow())
    monkeypatch.setattr(bulk, "wait", interrupted_once)
    nt = tmp_path / "good.nt"
    nt.write_text("".join(f"<https://e.org/s{i}> <https://e.org/p> \"{i}\" .\n" for i in range(9)))
    info = SnapshotInfo("test", "v1", "2025-04-22", "https://example.org", "sha256:" + "ab" * 32, files=("x",))
    with pytest.raises(KeyboardInterrupt):
        kg.load_ntriples(info, nt, triples=9)
    time.sleep(0.5)  # a piece still running would land now
    assert waits == [3, 3]
    assert set(store) == before


def test_ctrl_c_stops_a_single_load_at_its_next_read(tmp_path, monkeypatch):
    """A load of one piece (large files, or an unknown size) stops within a read, not at its end."""
    import signal

    kg = KG(tmp_path / "store")
    kg.ingest("starter-carbon")
    before = set(kg.oxigraph)
    nt = tmp_path / "big.nt"
    nt.write_text("".join(f"<https://e.org/s{i}> <https://e.org/p> \"{i}\" .\n" for i in range(100_000)))
    reads = []
    real_read = bulk._Interruptible.read

    def read(self, size=-1):
        reads.append(size)
        if len(reads) == 3:
            signal.raise_signal(signal.SIGINT)  # Ctrl-C while the loader is reading
        return real_read(self, size)

    monkeypatch.setattr(bulk._Interruptible, "read", read)
    info = SnapshotInfo("test", "v1", "2025-04-22", "https://example.org", "sha256:" + "ab" * 32, files=("x",))
    with pytest.raises(KeyboardInterrupt):
        kg.load_ntriples(info, nt)  # size unknown: one piece
    assert len(reads) == 3 and 0 < sum(reads) < nt.stat().st_size / 100  # stopped early in the file
    assert set(kg.oxigraph) == before
