"""Drive JupyterLab in headless Chromium: run the quickstart and check the widgets and chart really render."""

import os
import secrets
import shutil
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """A JupyterLab server over a temporary copy of notebooks/; yields its base URL and token."""
    pytest.importorskip("playwright.sync_api", reason="pip install playwright (never `playwright install`)")
    if not CHROMIUM.exists():
        pytest.skip("no /usr/bin/chromium (apt-get install chromium)")
    root = tmp_path_factory.mktemp("lab") / "notebooks"
    shutil.copytree(ROOT / "notebooks", root)
    port, token = _free_port(), secrets.token_hex(16)
    log = (root.parent / "lab.log").open("w")
    proc = subprocess.Popen(
        ["jupyter", "lab", "--no-browser", "--ip=127.0.0.1", f"--port={port}", f"--IdentityProvider.token={token}",
         f"--ServerApp.root_dir={root}", "--LabApp.expose_app_in_browser=True", "--allow-root"],
        stdout=log, stderr=subprocess.STDOUT, env={**os.environ, "PTMKG_SHARED": str(root / "no-shared")},
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            try:
                urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2)
                break
            except OSError:
                if proc.poll() is not None:
                    pytest.fail(f"jupyter lab exited: {(root.parent / 'lab.log').read_text()[-2000:]}")
                time.sleep(0.5)
        yield base, token
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


def _run_notebook(base: str, token: str, name: str, shot: str, ready_selector: str):
    """Open a notebook, run all cells, wait for ``ready_selector``; returns the page's checks and saves a shot."""
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 2400})
        try:
            page.goto(f"{base}/lab/tree/{name}?reset&token={token}")  # reset: only this notebook open
            page.wait_for_function("window.jupyterapp !== undefined", timeout=60_000)
            page.wait_for_selector(".jp-NotebookPanel .jp-Cell", timeout=60_000)
            page.wait_for_function(  # the kernel is up and idle
                "document.querySelector('.jp-Notebook') && "
                "!!window.jupyterapp.shell.currentWidget?.sessionContext?.session?.kernel", timeout=120_000)
            page.evaluate("window.jupyterapp.commands.execute('notebook:run-all-cells')")
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
