"""What notebooks print: the catalogue, the claims, a claim's outcome and snapshots read as text and HTML."""

import html
import re

import pytest
import yaml

from ptmkg import KG
from ptmkg.claims.definitions import CLAIMS_DIR, definitions_snapshot
from ptmkg.claims.report import text_report
from ptmkg.claims.runner import loaded_snapshots, parts_frame
from ptmkg.claims.verdict import Decision, Verdict
from ptmkg.queries import QUERIES_DIR, catalogue


@pytest.fixture(scope="module")
def kg():
    k = KG.memory()
    k.ingest("starter")
    return k


def test_catalogue_shows_every_entry_grouped():
    cat = catalogue()
    files = sorted(p.relative_to(QUERIES_DIR).with_suffix("").as_posix() for p in QUERIES_DIR.rglob("*.rq"))
    page = cat._repr_html_()
    tables = dict(re.findall(r"data-group='(\w+)'(.*?)</table>", page, flags=re.S))
    assert list(tables) == ["queries", "claims", "teaching"]
    shown = {g: re.findall(r"<tr><td[^>]*><code>([^<]+)</code>", t) for g, t in tables.items()}
    assert sorted(n for names in shown.values() for n in names) == files and len(files) > 100  # all, not ten
    claims = [n for n in files if n.startswith("claims/")]
    exercises = [n for n in files if n.startswith("teaching/")]
    assert sorted(shown["claims"]) == claims and sorted(shown["teaching"]) == exercises
    assert f"Claims ({len(claims)})" in page and f"Exercises ({len(exercises)})" in page
    assert repr(cat) == (f"<catalogue of {len(files)} queries: {len(files) - len(claims) - len(exercises)} queries, "
                         f"{len(claims)} claims, {len(exercises)} exercises; .frame() as a table>")
    q = cat.get("family-lineage")
    assert repr(q) == f"<query family-lineage: {q.summary}; parameters root>"
    assert html.escape(q.sparql) in q._repr_html_()


def test_the_claims_catalogue_lists_every_claim(kg):
    raw = [yaml.safe_load(p.read_text()) for p in sorted(CLAIMS_DIR.glob("*.yaml"))]
    claims = {c["id"]: c for c in raw if "wording" in c}
    page = kg.claims._repr_html_()
    assert re.findall(r"<td[^>]*><b>([A-Z]+-\d+)</b></td>", page) == sorted(claims)
    assert all(html.escape(" ".join(c["wording"].split())) in page for c in claims.values())
    assert f"{len(claims)} claims" in page and repr(kg.claims).startswith(f"<kg.claims: {len(claims)} claims")


def test_an_outcome_reads_as_its_verdict_and_every_part(kg):
    o = kg.claims.get("EN-01").outcome()
    assert repr(o) == (f"<ClaimOutcome EN-01 {o.decision.label.value} ({o.summary}); {o.evidence.height:,} evidence "
                       f"rows on {o.snapshots[0].label}>")
    assert str(o) == text_report([o]).rstrip()
    page = o._repr_html_()
    parts = parts_frame([o])
    assert parts.height == 2
    badges = re.findall(r'data-verdict="([A-Z ]+)"', page)
    assert badges == [o.decision.label.value, *parts["verdict"]]  # the claim's badge, then one per part
    assert all(html.escape(r) in page for r in parts["reason"])  # every reason in full
    assert 'data-replication="NOT RUN"' in page and html.escape(o.definition.wording) in page
    assert [repr(p) for p in o.parts][0].startswith(f"<part 'overall share': {parts['verdict'][0]}; share p̂ ")
    big = repr(o.parts) + repr(o.replication)
    assert "DataFrame" not in big and len(big) < 1000  # no evidence rows dumped


def test_snapshots_and_decisions_read_as_one_line(kg):
    info = definitions_snapshot()
    assert repr(info) == (f"<snapshot claim-definitions@{info.version} retrieved {info.retrieved}, "
                          f"{len(info.files)} files, {info.content_hash[:19]}… → {info.graph}>")
    assert f"<td style='padding:1px 8px'>{info.graph}</td>" in info._repr_html_()
    snap = loaded_snapshots(kg)[0]
    assert repr(snap).startswith(f"<Snapshot {snap.label}: {snap.frame}") and snap.graph in repr(snap)
    assert repr(Decision(Verdict.NOT_SUPPORTED, "p̂=0.2 → NOT SUPPORTED")) == "<NOT SUPPORTED: p̂=0.2 → NOT SUPPORTED>"
