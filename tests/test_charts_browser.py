"""Claim charts and the charts of notebooks 03 and 04, drawn by Vega in headless Chromium: every title, axis
title and legend title is words (no raw column names, no snake_case, no ``len``), and a claim chart's title
states the verdict's own number."""

from __future__ import annotations

import ast
import json
import os
import re
from pathlib import Path

import altair as alt
import pytest

from ptmkg import KG
from ptmkg.claims.charts import chart as claim_chart
from tests.browser import ARGS, ARTIFACTS, CHROMIUM, ROOT, require_browser
from tests.conftest import SHARED, SHARED_DATA, shared_path

pytestmark = pytest.mark.browser
RAW = {"len", "count", "true", "false", "null", "none"}
READ = """() => ({
  title: [...document.querySelectorAll('.role-title-text text')].map(e => e.textContent),
  axes: [...document.querySelectorAll('.role-axis-title text')].map(e => e.textContent),
  legends: [...document.querySelectorAll('.role-legend-title text')].map(e => e.textContent),
})"""


def notebook_charts(path: Path) -> list[alt.TopLevelMixin]:
    """Run a notebook's code cells in this process; every chart it displays or ends a cell with (or a widget's
    ``.chart``)."""
    charts: list[alt.TopLevelMixin] = []

    def display(*objs, **_):
        charts.extend(o for o in objs if isinstance(o, alt.TopLevelMixin))

    ns = {"display": display, "__name__": "__main__"}
    cwd = os.getcwd()
    os.chdir(path.parent)
    try:
        for cell in json.loads(path.read_text())["cells"]:
            if cell["cell_type"] != "code":
                continue
            tree = ast.parse("".join(cell["source"]))
            last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
            exec(compile(tree, str(path), "exec"), ns)
            if last is not None:
                value = eval(compile(ast.Expression(last.value), str(path), "eval"), ns)
                value = getattr(value, "chart", value)
                if isinstance(value, alt.TopLevelMixin):
                    charts.append(value)
    finally:
        os.chdir(cwd)
    return charts


def rendered(charts: dict[str, alt.TopLevelMixin], tmp: Path) -> dict[str, dict[str, list[str]]]:
    """Each chart as a self-contained SVG page in Chromium: the texts of its title, axis and legend titles."""
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    out = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)
        page = browser.new_page(viewport={"width": 900, "height": 700})
        try:
            for name, c in charts.items():
                html = tmp / f"{name}.html"
                html.write_text(c.to_html(inline=True, embed_options={"renderer": "svg", "actions": False}))
                page.goto(html.as_uri())
                page.wait_for_selector("svg.marks", timeout=30_000)
                out[name] = page.evaluate(READ)
                page.screenshot(path=str(ARTIFACTS / f"chart-{name}.png"), full_page=True)
        finally:
            browser.close()
    return out


def assert_words(name: str, texts: dict[str, list[str]]) -> None:
    assert texts["title"] and all(t.strip() for t in texts["title"]), (name, texts)
    for title in texts["title"] + texts["axes"] + texts["legends"]:
        assert "_" not in title and title.strip().lower() not in RAW, (name, title)
        assert re.search(r"[A-Za-zρχ]{3}", title), (name, title)
    assert texts["axes"], (name, texts)


@pytest.fixture(scope="module")
def claims():
    require_browser()
    for folder in ("hf-lineage", "hf-carbon-2026"):
        shared_path("data", folder)
    kg = KG.memory()
    kg.ingest("hf", SHARED_DATA / "hf-lineage")
    kg.ingest("hf-carbon", SHARED_DATA / "hf-carbon-2026")
    return kg.claims.outcomes(["DOC-01", "DOC-02", "DOC-03", "LIC-01", "EN-03", "LIN-02", "POP-02"])


def test_claim_charts_titles_are_words_and_state_the_verdicts_number(claims, tmp_path):
    charts, numbers = {}, {}
    for o in claims:
        for i, p in enumerate(o.parts):
            c = claim_chart(o, p)
            if c is not None:
                name = f"{o.definition.id}-{i + 1}"
                charts[name] = c
                numbers[name] = p.result.details["count"] if p.counted else p.result.estimate
    assert len(charts) >= 8
    for name, texts in rendered(charts, tmp_path).items():
        assert_words(name, texts)
        shown = re.search(r"= (−?[\d,.]+)", texts["title"][0]).group(1)
        assert float(shown.replace("−", "-").replace(",", "")) == pytest.approx(numbers[name], rel=5e-3, abs=5e-3)
    doc01 = rendered({"DOC-01": charts["DOC-01-1"]}, tmp_path)["DOC-01"]
    assert doc01["title"][0].startswith("Spearman ρ = −0.0857 [")
    assert all("percentile rank" in a for a in doc01["axes"])


@pytest.mark.parametrize("notebook", ["03-energy.ipynb", "04-lineage-and-licences.ipynb"])
def test_notebook_charts_titles_are_words(notebook, tmp_path, monkeypatch):
    require_browser()
    monkeypatch.setenv("PTMKG_SHARED", str(SHARED))
    charts = notebook_charts(ROOT / "notebooks" / notebook)
    assert len(charts) >= 2
    texts = rendered({f"{notebook[:2]}-{i + 1}": c for i, c in enumerate(charts)}, tmp_path)
    for name, t in texts.items():
        assert_words(name, t)
