"""The triple count recorded for a snapshot is the number of distinct triples the store holds in its graph.

Counts come from the writer (one line per distinct triple, see ``Triples.write_ntriples``), not from
the store; this checks the two agree on every shared source and on the starter snapshot.
"""

from __future__ import annotations

import pytest

from ptmkg import KG
from ptmkg.ingest import ingest_all
from tests.conftest import shared_path


def _store_counts(kg: KG) -> dict[str, tuple[int, int]]:
    snaps = kg.snapshots()
    return {g: (recorded, kg.graph_size(g)) for g, recorded in zip(snaps["graph"], snaps["triples"])}


def test_recorded_counts_match_the_store_for_every_shared_source():
    kg = KG.memory()
    results = ingest_all(kg, shared_path("data"))
    counts = _store_counts(kg)
    assert len(counts) == len(results) >= 9
    assert all(recorded == held > 0 for recorded, held in counts.values()), counts


@pytest.mark.parametrize("source", ["starter", "starter-carbon", "queries"])
def test_recorded_counts_match_the_store_for_packaged_sources(source):
    kg = KG.memory()
    kg.ingest(source)
    ((recorded, held),) = _store_counts(kg).values()
    assert recorded == held > 0
