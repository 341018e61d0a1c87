"""Claim charts on the shared data: the title states the verdict's statistic, the marks draw what the test
measures (ranks for Spearman), every hidden row is counted, heatmaps carry their counts, axes are words."""

from __future__ import annotations

import re

import numpy as np
import polars as pl
import pytest

from ptmkg import KG
from ptmkg.claims.charts import chart, headline
from ptmkg.claims.measure import select_rows
from tests.conftest import SHARED_DATA, shared_path

CLAIMS = ["DOC-01", "DOC-02", "DOC-03", "LIC-01", "EN-03", "LIN-02"]


@pytest.fixture(scope="module")
def outcomes():
    for folder in ("hf-lineage", "hf-carbon-2026"):
        shared_path("data", folder)
    kg = KG.memory()
    kg.ingest("hf", SHARED_DATA / "hf-lineage")
    kg.ingest("hf-carbon", SHARED_DATA / "hf-carbon-2026")
    return {o.definition.id: o for o in kg.claims.outcomes(CLAIMS)}


def _charts(outcomes):
    for o in outcomes.values():
        for p in o.parts:
            c = chart(o, p)
            if c is not None:
                yield o, p, c


def _data(c, layer: int = 0) -> pl.DataFrame:
    """The rows a layer draws (its own, or the chart's shared data)."""
    own = c.layer[layer].data
    return own if isinstance(own, pl.DataFrame) else c.data


def _titles(node) -> list[str]:
    """Every axis/legend title in a chart's Vega-Lite dict (encodings of all layers)."""
    out = []
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "encoding":
                out += [ch["title"] for ch in value.values() if isinstance(ch, dict) and ch.get("title")]
            else:
                out += _titles(value)
    elif isinstance(node, list):
        for item in node:
            out += _titles(item)
    return out


def test_every_title_states_the_verdicts_statistic(outcomes):
    drawn = list(_charts(outcomes))
    assert len(drawn) >= 8
    for o, p, c in drawn:
        title = c.to_dict()["title"]
        assert title["text"] == headline(p)
        shown = float(re.search(r"= (−?[\d,.]+)", title["text"]).group(1).replace("−", "-").replace(",", ""))
        value = p.result.details["count"] if p.counted else p.result.estimate
        assert shown == pytest.approx(value, rel=5e-3, abs=5e-3), (o.definition.id, title["text"])
        assert p.decision.label.value in title["subtitle"][0]


def test_doc01_draws_ranks_whose_correlation_is_the_verdicts_rho(outcomes):
    o = outcomes["DOC-01"]
    p = o.parts[0]
    spec = chart(o, p).to_dict()
    assert "Spearman ρ = −0.0857" in spec["title"]["text"]
    assert not any(layer.get("transform") for layer in spec["layer"])  # no regression fit on raw values
    points = _data(chart(o, p))
    assert points.height == p.result.n  # every complete row drawn (n < the sample size)
    r = np.corrcoef(points["rx"].to_numpy(), points["ry"].to_numpy())[0, 1]
    assert r == pytest.approx(p.result.estimate, abs=1e-9)  # Pearson of the drawn ranks is Spearman's rho


def test_hidden_rows_are_counted_in_the_subtitle(outcomes):
    o = outcomes["DOC-02"]
    p = next(p for p in o.parts if p.part.test["value"] == "card_length")
    rows = select_rows(o.evidence, p.part)
    nulls = rows.filter(pl.col("card_length").is_null() | pl.col("created").is_null()).height
    lengths = rows.drop_nulls(["card_length", "created"])["card_length"].cast(pl.Float64)
    above = int((lengths > lengths.quantile(0.99, "linear")).sum())
    assert nulls > 0 and above > 0
    hidden = f"{nulls + above:,} of {rows.height:,} rows not shown: {nulls:,} nulls, {above:,} above the 99th percentile"
    assert any(line.startswith(hidden) for line in chart(o, p).to_dict()["title"]["subtitle"])


def test_mcnemar_heatmap_has_a_count_in_every_cell_and_a_readable_size(outcomes):
    o = outcomes["LIC-01"]
    p = next(p for p in o.parts if p.part.stat == "mcnemar")
    c = chart(o, p)
    cells = _data(c)
    assert cells.height == 4 and int(cells["count"].sum()) == p.result.n
    assert c.layer[1].to_dict()["encoding"]["text"]["field"] == "count"
    assert c.to_dict()["width"]["step"] >= 60
    assert set(cells["parent_restrictive"]) == {"yes", "no"}


def test_chi_square_keeps_ten_categories_and_groups_the_rest(outcomes):
    o = outcomes["EN-03"]
    p = next(p for p in o.parts if p.part.stat == "chi_square")
    tasks = set(_data(chart(o, p))["task"])
    others = [t for t in tasks if t.startswith("other (")]
    assert len(tasks) == 11 and len(others) == 1
    assert o.evidence["task"].drop_nulls().n_unique() - 10 == int(re.search(r"\d+", others[0]).group())


def test_axis_titles_are_words(outcomes):
    for o, p, c in _charts(outcomes):
        for title in _titles(c.to_dict()):
            assert "_" not in title and title not in {"len", "count", "true", "false"}, (o.definition.id, title)
            assert re.search(r"[a-z]{3}", title), title
