"""The query page of ``ptmkg serve`` in headless Chromium, with every request off 127.0.0.1 blocked."""

from __future__ import annotations

import pytest

from ptmkg import KG
from ptmkg.endpoint.describe import example_order
from ptmkg.queries import catalogue
from ptmkg.teaching.exercises import exercises
from tests.browser import ARGS, CHROMIUM, require_browser
from tests.test_endpoint import Server

pytestmark = pytest.mark.browser



@pytest.fixture(scope="module")
def served(tmp_path_factory):
    require_browser()
    store = tmp_path_factory.mktemp("page") / "store"
    kg = KG(store)
    kg.ingest("starter")
    expected = {name: kg.run(name).height for name in ("models-per-licence", "snapshots")}
    del kg
    server = Server(store)
    yield server.url, expected
    server.stop()


@pytest.fixture
def page(served):
    from playwright.sync_api import sync_playwright

    url, _ = served
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)
        page = browser.new_page()
        page.left = []  # requests that tried to leave the loopback server

        def route(r):
            if r.request.url.startswith(url + "/"):
                r.continue_()
            else:
                page.left.append(r.request.url)
                r.abort()

        page.route("**/*", route)
        page.errors = []
        page.on("pageerror", lambda e: page.errors.append(str(e)))
        page.goto(url + "/")
        page.wait_for_selector(".yasqe .CodeMirror", timeout=30_000)
        yield page
        browser.close()


def test_page_loads_offline_with_the_prefixes_and_every_canned_query(page):
    start = page.evaluate("window.ptmkgYasgui.getTab().getYasqe().getValue()")
    assert "PREFIX ptmkg: <https://w3id.org/ptmkg/>" in start and "PREFIX prov: <http://www.w3.org/ns/prov#>" in start
    listed = page.eval_on_selector_all("#examples button", "bs => bs.map(b => b.dataset.query)")
    canned = [q.name for q in sorted(catalogue(), key=example_order) if not q.name.startswith("teaching/solutions/")]
    assert listed == canned + [f"exercises/{e.id}" for e in exercises()] and len(exercises()) >= 30
    headings = page.eval_on_selector_all("#examples li.group", "hs => hs.map(h => h.textContent)")
    assert headings[0] == "queries" and headings[-1] == "exercises" and len(headings) == len(set(headings))
    assert "teaching/solutions" not in headings  # the course's reference solutions stay off the page
    assert page.locator("#examples li", has_text="(parameters: root)").count() >= 1
    assert page.left == [] and page.errors == []


@pytest.mark.parametrize("name", ["models-per-licence", "snapshots"])
def test_a_canned_query_runs_and_shows_its_rows(page, served, name):
    page.click(f"button[data-query='{name}']")
    page.wait_for_selector(".yasr table tbody tr", timeout=30_000)
    rows = page.locator(".yasr table tbody tr")
    assert rows.count() == served[1][name] > 0
    assert page.left == [] and page.errors == []


def test_an_exercise_opens_its_task_without_a_solution(page):
    first = exercises()[0]
    page.click(f"button[data-query='exercises/{first.id}']")
    page.wait_for_function("window.ptmkgYasgui.getTab().getYasqe().getValue().includes('# Exercise 1 ')")
    text = page.evaluate("window.ptmkgYasgui.getTab().getYasqe().getValue()")
    assert first.title in text and "SELECT * WHERE {" in text
    body = [ln.strip() for ln in first.solution.splitlines() if not ln.startswith("#") and len(ln.strip()) > 3]
    assert body and not any(ln in text for ln in body)  # none of the reference solution's lines
    assert page.left == [] and page.errors == []
