"""Runs a reader can stop: QueryExplorer and ClaimExplorer in the background with Cancel, claims.run's progress bar
and stop event. No timings are asserted: the tests wait for states (the counter shown, the run ended)."""

from __future__ import annotations

import threading
import time

import pytest

from ptmkg import KG
from ptmkg.errors import PtmkgError, QueryCancelled
from ptmkg.queries import Catalogue
from ptmkg.stoppable import Stopped
from ptmkg.widgets import ClaimExplorer, QueryExplorer

PAIRS = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?p ?b . ?c ?q ?d }"  # every pair of triples: minutes on the starter
MODELS = "SELECT (COUNT(*) AS ?n) WHERE { ?m a ptmkg:Model }"


@pytest.fixture(scope="module")
def kg():
    k = KG.memory()
    k.ingest("starter")
    return k


@pytest.fixture
def queries(tmp_path):
    (tmp_path / "pairs.rq").write_text(f"#+ summary: every pair of triples\n{PAIRS}\n")
    (tmp_path / "models.rq").write_text(f"#+ summary: how many models\n{MODELS}\n")
    return Catalogue(tmp_path)


def _until(condition, what: str, limit: float = 120.0) -> None:
    """Wait for ``condition()`` (polling); fail naming ``what`` if it never holds."""
    end = time.monotonic() + limit
    while not condition():
        if time.monotonic() > end:
            pytest.fail(f"never happened: {what}")
        time.sleep(0.05)


def test_cancel_kills_a_long_query_and_the_explorer_stays_usable(kg, queries):
    qe = QueryExplorer(kg, queries)
    qe.select("pairs")
    qe.run_btn.click()  # the button runs in the background
    control = qe.run_control
    _until(lambda: control.layout.display == "flex", "the counter and Cancel button shown past a second")
    assert control.running and "running the query…" in control.elapsed.value and not control.cancel_btn.disabled
    control.cancel_btn.click()
    control.wait(60)
    assert not control.running and control.layout.display == "none"
    assert qe.result is None and "cancelled before it finished" in qe.error and "ptmkg-cancelled" in qe.status.value
    qe.select("models")
    qe.start()
    control.wait(60)
    assert qe.error is None and qe.result["n"].item() == kg.query(MODELS)["n"].item()
    assert "1 rows in" in qe.status.value


def test_picking_another_query_drops_the_run_in_progress(kg, queries):
    qe = QueryExplorer(kg, queries)
    qe.select("pairs")
    first = qe.start()
    qe.select("models")  # the reader moves on: the long run is stopped and says nothing
    first.join(60)
    assert not first.is_alive() and qe.error is None and qe.status.value == ""
    assert qe.run().height == 1  # the synchronous run (code) still works beside it


def test_claim_explorer_cancel_leaves_the_claim_unmeasured_then_reruns(kg):
    ce = ClaimExplorer(kg, "EN-01")
    expected = ce.verdict
    ce.start_select("DOC-06")
    ce.cancel()  # at once: the run stops at its next query
    ce.run_control.wait(60)
    assert ce.outcome is None and "ptmkg-cancelled" in ce.verdict_html.value
    assert "pick the claim or a snapshot again" in ce.verdict_html.value and ce.parts_html.value == ""
    ce.picker.value = "EN-01"  # the reader picks a claim: measured in the background, not cancelled
    ce.run_control.wait(120)
    assert {k: ce.verdict[k] for k in expected} == expected


def test_claims_run_stops_between_claims_and_through_jobs(kg):
    stop = threading.Event()
    stop.set()
    first, *_ = ids = list(kg.claims.definitions())
    with pytest.raises(Stopped, match=rf"the claims run \(at {first}, 0 of {len(ids)} claims done\) was cancel"
                       ) as e:
        kg.claims.run(stop=stop)
    assert isinstance(e.value, QueryCancelled) and isinstance(e.value, PtmkgError)
    ids = ["EN-01", "DOC-06", "LIN-04"]
    assert kg.claims.run(ids=ids, stop=threading.Event()).equals(kg.claims.run(ids=ids))  # jobs give the same


def test_claims_run_shows_progress(kg, capsys):
    kg.claims.run(ids=["EN-01", "DOC-06"], progress=True)
    err = capsys.readouterr().err
    assert "claims: 100%" in err and "2/2" in err
    kg.claims.run(ids=["EN-01"], progress=False)
    assert capsys.readouterr().err == ""
