"""The widgets in JupyterLab, driven by headless Chromium on the shared data: every part of a multi-part claim
with its verdict and full reason on the page, the query picker's search, LineageExplorer's conflicts filter."""

from __future__ import annotations

import json

import nbformat
import pytest

from ptmkg import KG
from ptmkg.widgets import QueryExplorer
from ptmkg.widgets.lineage import family
from tests.browser import ARGS, ARTIFACTS, CHROMIUM, jupyter_lab, require_browser, run_all_cells
from tests.conftest import shared_path

pytestmark = pytest.mark.browser

NOTEBOOK = "widgets.ipynb"
CLAIM = "EN-03"  # three parts on the 2023 carbon study: one SUPPORTED, two NOT MEASURABLE (fields absent)
SEARCH = "AutoTrain"
PAIRS = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?p ?b . ?c ?q ?d }"  # hours on this graph: it is cancelled
MODELS = "SELECT (COUNT(*) AS ?n) WHERE { ?m a ptmkg:Model }"
CONFLICT_NODES = "li.ptmkg-conflict > .node, li.ptmkg-conflict > details > summary > .node"


def _notebook(carbon, lineage) -> nbformat.NotebookNode:
    cells = [
        "import json\n\nfrom ptmkg import KG\nfrom ptmkg.charts import enable_offline\n"
        "from ptmkg.widgets import ClaimExplorer, LineageExplorer, QueryExplorer\n\nenable_offline()\n"
        f"kg = KG.memory()\nkg.ingest('starter')\nkg.ingest('hf-carbon', {str(carbon)!r})\n"
        f"kg.ingest('hf', {str(lineage)!r})",
        f"ce = ClaimExplorer(kg, {CLAIM!r})\n"
        "print(json.dumps(ce.parts.select('part', 'verdict', 'reason').to_dicts()))  # what the widget holds\nce",
        "QueryExplorer(kg)",
        "le = LineageExplorer(kg)\nle.show('microsoft/phi-2')\nle",
        "from pathlib import Path\n\nfrom ptmkg.queries import Catalogue\n\nslow = Path('slow-queries')\n"
        "slow.mkdir(exist_ok=True)\n"
        f"(slow / 'pairs.rq').write_text('#+ summary: every pair of triples\\n{PAIRS}\\n')\n"
        f"(slow / 'models.rq').write_text('#+ summary: how many models\\n{MODELS}\\n')\n"
        "QueryExplorer(kg, Catalogue(slow.resolve()))",
    ]
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return nb


@pytest.fixture(scope="module")
def data():
    """The shared folders the notebook loads, and the same graph in this process for the expected values."""
    carbon, lineage = shared_path("data", "hf-carbon"), shared_path("data", "hf-lineage")
    kg = KG.memory()
    kg.ingest("starter")
    kg.ingest("hf-carbon", carbon)
    kg.ingest("hf", lineage)
    return carbon, lineage, kg


@pytest.fixture(scope="module")
def page(data, tmp_path_factory):
    """The widgets notebook run in JupyterLab; yields the Playwright page."""
    from playwright.sync_api import sync_playwright

    require_browser()
    carbon, lineage, _ = data
    root = tmp_path_factory.mktemp("widgets")
    nbformat.write(_notebook(carbon, lineage), root / NOTEBOOK)
    ARTIFACTS.mkdir(exist_ok=True)
    with jupyter_lab(root, root / "lab.log") as (base, token), sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)
        pg = browser.new_page(viewport={"width": 1400, "height": 1800})
        try:
            run_all_cells(pg, base, token, NOTEBOOK)
            pg.wait_for_selector(".ptmkg-claim-explorer tr.ptmkg-part", timeout=300_000)
            pg.wait_for_selector(".ptmkg-lineage-explorer .ptmkg-tree", timeout=300_000)
            yield pg
            errors = pg.locator('.jp-RenderedText[data-mime-type="application/vnd.jupyter.error"]').count()
            assert errors == 0
        finally:
            browser.close()


def test_every_part_of_a_multi_part_claim_is_on_the_page(data, page):
    *_, kg = data
    expected = kg.claims.run(ids=[CLAIM], parts=True)
    assert expected.height == 3 and expected["verdict"].n_unique() > 1
    claim = kg.claims.run(ids=[CLAIM]).row(0, named=True)
    widget = page.locator(".ptmkg-claim-explorer").first
    # the kernel's own parts: bootstrap CIs follow the evidence rows' order, which differs between processes
    printed = page.locator(".jp-OutputArea-output pre", has_text='[{"part"').first.inner_text()
    held = json.loads(printed)
    assert [p["verdict"] for p in held] == expected["verdict"].to_list()
    shown = page.evaluate("""() => [...document.querySelectorAll('.ptmkg-claim-explorer tr.ptmkg-part')].map(tr => {
        const reason = tr.querySelector('.ptmkg-reason'), r = reason.getBoundingClientRect();
        const area = tr.closest('.jp-OutputArea-output').getBoundingClientRect();
        return {part: tr.querySelector('td').innerText, verdict: tr.querySelector('.ptmkg-verdict').innerText,
                reason: reason.innerText, height: r.height, inside: r.left >= area.left && r.right <= area.right + 1,
                visible: getComputedStyle(reason).visibility === 'visible' && r.width > 0};
    })""")
    assert [s["part"] for s in shown] == expected["part"].to_list()
    assert [s["verdict"] for s in shown] == expected["verdict"].to_list()  # each part's own badge
    assert [" ".join(s["reason"].split()) for s in shown] == [p["reason"] for p in held]  # in full, not cut
    assert all(s["visible"] and s["inside"] and s["height"] > 0 for s in shown), shown  # within the output area
    head = widget.locator(".ptmkg-verdict").first
    assert head.inner_text() == claim["verdict"] and claim["summary"] in widget.inner_text()
    widget.scroll_into_view_if_needed()
    widget.screenshot(path=str(ARTIFACTS / "claim-explorer-parts.png"))


def test_the_query_pickers_search_filters(data, page):
    *_, kg = data
    expected = QueryExplorer(kg).search(SEARCH)
    assert expected
    explorer = page.locator(".ptmkg-query-explorer").first
    picker = explorer.locator(".ptmkg-query-picker select")
    everything = picker.locator("option").count()
    explorer.locator(".ptmkg-query-search input").fill(SEARCH)
    page.wait_for_function(f"""() => document.querySelector(
        '.ptmkg-query-explorer .ptmkg-query-picker select').options.length === {len(expected)}""", timeout=60_000)
    labels = picker.locator("option").all_inner_texts()
    assert [label.rsplit("[", 1)[1].rstrip("]").strip() for label in labels] == expected
    assert everything > len(expected) and f"{len(expected)} of {everything} match" in explorer.inner_text()
    explorer.scroll_into_view_if_needed()
    explorer.screenshot(path=str(ARTIFACTS / "query-explorer-search.png"))


def test_lineage_conflicts_only_shows_phi2s_conflicts(data, page):
    *_, kg = data
    fam = family(kg, "microsoft/phi-2")
    conflicted = sorted(fam.nodes.filter(fam.nodes["node"].is_in(fam.conflicts["child"].to_list()))["hub_id"])
    assert len(conflicted) == 2
    explorer = page.locator(".ptmkg-lineage-explorer").first
    tree = explorer.locator(".ptmkg-tree")
    explorer.scroll_into_view_if_needed()
    explorer.screenshot(path=str(ARTIFACTS / "lineage-tree.png"))
    assert sorted(tree.locator(CONFLICT_NODES).evaluate_all(
        "els => els.map(e => e.dataset.hubId)")) == conflicted  # highlighted in the whole tree too
    explorer.locator(".ptmkg-conflicts-only input").check()
    page.wait_for_function("""() => document.querySelectorAll('.ptmkg-lineage-explorer .ptmkg-tree .node').length
                              === 3""", timeout=60_000)  # the root and its two conflicting children
    conflicts = tree.locator("li.ptmkg-conflict")
    assert conflicts.count() == 2 and all(conflicts.nth(i).is_visible() for i in range(2))
    assert sorted(tree.locator(CONFLICT_NODES).evaluate_all("els => els.map(e => e.dataset.hubId)")) == conflicted
    assert "licence conflict" in conflicts.first.inner_text() and "under MIT" in conflicts.first.inner_text()
    explorer.scroll_into_view_if_needed()
    explorer.screenshot(path=str(ARTIFACTS / "lineage-conflicts-tree.png"))
    explorer.locator(".lm-TabBar-tab", has_text="Table").click()
    rows = explorer.locator("table.ptmkg-results tbody tr.flag")
    rows.first.wait_for(timeout=30_000)
    assert rows.count() == 2 and sorted(rows.locator("td:first-child").all_inner_texts()) == conflicted
    explorer.screenshot(path=str(ARTIFACTS / "lineage-conflicts-table.png"))


def test_cancel_stops_a_long_query_in_the_page(data, page):
    *_, kg = data
    explorer = page.locator(".ptmkg-query-explorer").nth(1)
    explorer.scroll_into_view_if_needed()
    explorer.locator(".ptmkg-query-picker select").select_option(index=1)  # pairs (after models)
    explorer.locator("button", has_text="Run").click()
    cancel = explorer.locator(".ptmkg-run-control .ptmkg-cancel")
    cancel.wait_for(state="visible", timeout=60_000)  # shown once the run passes a second
    assert "running the query…" in explorer.locator(".ptmkg-run-control").inner_text()
    explorer.screenshot(path=str(ARTIFACTS / "query-explorer-running.png"))
    cancel.click()
    explorer.locator(".ptmkg-cancelled").wait_for(timeout=60_000)
    assert "cancelled before it finished" in explorer.inner_text()
    assert not explorer.locator(".ptmkg-run-control").is_visible()
    explorer.locator(".ptmkg-query-picker select").select_option(index=0)  # models: still usable
    explorer.locator("button", has_text="Run").click()
    cell = explorer.locator("table.ptmkg-results tbody tr td").first
    cell.wait_for(timeout=60_000)
    assert cell.inner_text() == f"{kg.query(MODELS)['n'].item():,}"
    explorer.screenshot(path=str(ARTIFACTS / "query-explorer-after-cancel.png"))
