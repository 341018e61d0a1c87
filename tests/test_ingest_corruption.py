"""Random corruption of a valid literature sheet never leaves a partial snapshot behind."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ptmkg import KG
from ptmkg.errors import InputError
from tests.test_source_literature import SHEET

VALID = SHEET.encode()
HEADER = SHEET.splitlines()[0].split(",")


@st.composite
def corrupted(draw: st.DrawFn) -> bytes:
    """The valid sheet after truncation, byte flips and/or a deleted column (at least one of them)."""
    data = VALID
    if draw(st.booleans()):  # delete a column from every line
        col = draw(st.integers(0, len(HEADER) - 1))
        lines = [line.split(",") for line in SHEET.splitlines()]
        data = "\n".join(",".join(p[:col] + p[col + 1:]) for p in lines).encode() + b"\n"
    flips = draw(st.lists(st.tuples(st.integers(0, len(data) - 1), st.integers(0, 255)), max_size=4))
    buf = bytearray(data)
    for pos, byte in flips:
        buf[pos % len(buf)] = byte
    if draw(st.booleans()):
        buf = buf[:draw(st.integers(0, len(buf)))]
    return bytes(buf)


def graph_size(kg: KG, graph: str) -> int:
    return int(kg.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")["n"][0])


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(corrupted())
def test_corruption_loads_all_or_nothing(data: bytes) -> None:
    kg = KG.memory()
    with tempfile.TemporaryDirectory() as tmp:
        good, bad = Path(tmp) / "good.csv", Path(tmp) / "bad.csv"
        good.write_bytes(VALID)
        bad.write_bytes(data)
        kg.ingest("literature", good)
        before = len(kg)
        try:
            result = kg.ingest("literature", bad)
        except InputError:
            assert len(kg) == before
            return
    snaps = kg.snapshots()
    if not result.loaded:  # byte-identical to the first sheet: already there, nothing added
        assert len(kg) == before and snaps.height == 1
        return
    recorded = int(snaps.filter(graph=result.graph)["triples"][0])
    assert graph_size(kg, result.graph) == recorded == result.triples > 0
    assert snaps.height == 2
