"""``KG.remote`` on all the shared data: every canned query and every claim give on Oxigraph's server what
they give on the embedded store (the starter-snapshot case is in test_endpoint_remote.py)."""

from __future__ import annotations

import pytest

from ptmkg import KG
from ptmkg.queries import catalogue
from tests.test_endpoint_remote import LOCAL, OxigraphServer, same


@pytest.fixture(scope="module")
def pair(shared_store):
    server = OxigraphServer(shared_store)
    yield KG(shared_store, read_only=True), KG.remote(server.url)
    server.stop()


def test_every_canned_query_gives_the_same_result_on_all_shared_data(pair):
    embedded, remote = pair
    assert len(embedded) > 1_000_000
    differ = [name for name in LOCAL if not same(catalogue().get(name).run(embedded), catalogue().get(name).run(remote))]
    assert differ == []


def test_claims_give_the_same_verdicts_on_all_shared_data(pair):
    embedded, remote = pair
    here, there = embedded.claims.run(), remote.claims.run()
    assert here.height >= 40 and (here["verdict"] != "NOT MEASURABLE").sum() > 10
    assert here.equals(there)
