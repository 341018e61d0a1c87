"""Drive JupyterLab in headless Chromium: run the quickstart and check the widgets and chart really render."""

import shutil

import pytest

from tests.browser import ARGS, ARTIFACTS, CHROMIUM, ROOT, jupyter_lab, require_browser, run_all_cells

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """A JupyterLab server over a temporary copy of notebooks/; yields its base URL and token."""
    require_browser()
    root = tmp_path_factory.mktemp("lab") / "notebooks"
    shutil.copytree(ROOT / "notebooks", root)
    with jupyter_lab(root, root.parent / "lab.log", {"PTMKG_SHARED": str(root / "no-shared")}) as served:
        yield served


def _run_notebook(base: str, token: str, name: str, shot: str, ready_selector: str):
    """Open a notebook, run all cells, wait for ``ready_selector``; returns the page's checks and saves a shot."""
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 2400})
        try:
            run_all_cells(page, base, token, name)
            page.wait_for_selector(ready_selector, timeout=300_000)
            page.wait_for_timeout(1500)  # let vega finish drawing before the screenshot
            checks = page.evaluate("""() => ({
                rows: document.querySelectorAll('.ptmkg-query-explorer table.ptmkg-results tbody tr').length,
                charts: document.querySelectorAll('.vega-embed canvas, .vega-embed svg.marks').length,
                verdicts: [...document.querySelectorAll('.ptmkg-claim-explorer .ptmkg-verdict')].map(e => e.textContent),
                errors: document.querySelectorAll('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"] .ansi-red-fg, .jp-RenderedText[data-mime-type="application/vnd.jupyter.error"]').length,
            })""")
            page.locator(ready_selector).first.scroll_into_view_if_needed()
            page.screenshot(path=str(ARTIFACTS / shot), full_page=False)
        finally:
            browser.close()
    return checks


def test_quickstart_renders_query_explorer_and_chart(lab):
    base, token = lab
    checks = _run_notebook(base, token, "01-quickstart.ipynb", "01-quickstart.png",
                           ".ptmkg-query-explorer table.ptmkg-results tbody tr")
    assert checks["errors"] == 0
    assert checks["rows"] > 0
    assert checks["charts"] >= 2  # the standalone chart and the QueryExplorer's chart tab content


VERDICTS = {"REPLICATED", "SUPPORTED", "NOT SUPPORTED", "INSUFFICIENT DATA", "NOT MEASURABLE", "NOT COMPARABLE"}


def test_claims_notebook_shows_a_verdict(lab):
    base, token = lab
    badge = ".ptmkg-claim-explorer .ptmkg-verdict"
    checks = _run_notebook(base, token, "02-claims.ipynb", "02-claims.png", badge)
    assert checks["errors"] == 0
    assert checks["verdicts"] and set(checks["verdicts"]) <= VERDICTS
    assert checks["charts"] >= 2  # the evidence chart and the ClaimExplorer's chart tab
