"""The course notebook in JupyterLab, driven by headless Chromium: the ExerciseWidget checks typed answers."""

from __future__ import annotations

import json
import shutil

import pytest

from ptmkg import teaching
from ptmkg.teaching.export import solution_text
from tests.browser import ARGS, ARTIFACTS, CHROMIUM, ROOT, jupyter_lab, require_browser

pytestmark = pytest.mark.browser

NOTEBOOK = "06-sparql-course.ipynb"


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """JupyterLab on loopback over a copy of the course notebook; progress goes to a temporary file."""
    require_browser()
    base_dir = tmp_path_factory.mktemp("course")
    root = base_dir / "notebooks"
    root.mkdir()
    shutil.copy(ROOT / "notebooks" / NOTEBOOK, root / NOTEBOOK)
    progress = base_dir / "progress.json"
    with jupyter_lab(root, base_dir / "lab.log", {"PTMKG_TEACHING_PROGRESS": str(progress)}) as (base, token):
        yield base, token, progress


def test_the_widget_checks_a_wrong_and_a_right_answer(lab):
    from playwright.sync_api import sync_playwright

    base, token, progress = lab
    ex = teaching.get("01")
    widget = ".ptmkg-exercise"
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 2000})
        try:
            page.goto(f"{base}/lab/tree/{NOTEBOOK}?reset&token={token}")
            page.wait_for_function("window.jupyterapp !== undefined", timeout=60_000)
            page.wait_for_selector(".jp-NotebookPanel .jp-Cell", timeout=60_000)
            page.wait_for_function(
                "document.querySelector('.jp-Notebook') && "
                "!!window.jupyterapp.shell.currentWidget?.sessionContext?.session?.kernel", timeout=120_000)
            page.evaluate("window.jupyterapp.commands.execute('notebook:run-all-cells')")
            editor = page.locator(f"{widget} .ptmkg-sparql-editor textarea")
            editor.wait_for(timeout=300_000)
            assert ex.title in page.locator(widget).inner_text()

            editor.fill('SELECT DISTINCT ?id WHERE {\n  ?m ptmkg:pipelineTask "text-generation" ; ptmkg:hubId ?id .\n}')
            page.locator(f"{widget} button", has_text="Check").click()
            wrong = page.locator(f"{widget} .ptmkg-feedback")
            wrong.wait_for(timeout=60_000)
            assert "Not yet" in wrong.inner_text() and "missing from yours" in wrong.inner_text()

            page.locator(f"{widget} button", has_text="Hint").click()
            page.wait_for_selector(f"{widget} ol li", timeout=30_000)
            assert page.locator(f"{widget} ol li").count() == 1

            editor.fill(solution_text(ex))
            page.locator(f"{widget} button", has_text="Check").click()
            right = page.locator(f"{widget} .ptmkg-feedback.ptmkg-correct")
            right.wait_for(timeout=60_000)
            assert "Correct" in right.inner_text()
            assert "solved 1 of" in page.locator(f"{widget} .ptmkg-progress").inner_text()
            right.scroll_into_view_if_needed()
            page.screenshot(path=str(ARTIFACTS / "06-sparql-course.png"))
            errors = page.locator('.jp-RenderedText[data-mime-type="application/vnd.jupyter.error"]').count()
            assert errors == 0
        finally:
            browser.close()
    state = json.loads(progress.read_text())
    assert state[ex.id]["solved"] is True and state[ex.id]["attempts"] == 2 and state[ex.id]["hints"] == 1
