"""Chart builders: spec → encoding, count() aggregated in polars, top-N, PNG/SVG export."""

import polars as pl
import pytest

from ptmkg.charts import chart, chart_frame, in_jupyter, save

LICENCES = pl.DataFrame({"licence": ["MIT", "Apache-2.0", "none", "GPL-3.0-only"], "models": [3, 10, 1, 2]})
LINEAGE = pl.DataFrame({"depth": [1, 1, 2, 2, 2], "relation": ["finetune", "adapter", "finetune", "finetune", None]})


def test_count_is_aggregated_per_x_and_color():
    out = chart_frame(LINEAGE, {"mark": "bar", "x": "depth", "y": "count()", "color": "relation"})
    got = {(d, r): c for d, r, c in out.iter_rows()}
    assert got == {(1, "finetune"): 1, (1, "adapter"): 1, (2, "finetune"): 2, (2, None): 1}


def test_top_keeps_largest_y_when_sorted_descending():
    out = chart_frame(LICENCES, {"x": "licence", "y": "models", "sort": "-y"}, top=2)
    assert sorted(out["licence"]) == ["Apache-2.0", "MIT"]
    first_two = chart_frame(LICENCES, {"x": "licence", "y": "models"}, top=2)
    assert first_two["licence"].to_list() == ["MIT", "Apache-2.0"]


def test_encoding_types_sort_and_subtitle():
    spec = chart(LICENCES, {"mark": "bar", "x": "licence", "y": "models", "sort": "-y"}, title="t", top=3).to_dict()
    assert spec["mark"]["type"] == "bar"
    assert spec["encoding"]["x"] == {"field": "licence", "type": "nominal", "sort": "-y"}
    assert spec["encoding"]["y"]["type"] == "quantitative"
    assert spec["title"]["subtitle"] == "top 3 of 4 licence values"
    counted = chart(LINEAGE, {"mark": "bar", "x": "depth", "y": "count()", "color": "relation"}).to_dict()
    assert counted["encoding"]["x"]["type"] == "ordinal"
    assert counted["encoding"]["y"]["field"] == "count"
    assert counted["encoding"]["color"]["field"] == "relation"


def test_missing_column_and_bad_mark_are_reported():
    with pytest.raises(ValueError, match="chart needs column"):
        chart(LICENCES, {"x": "licence", "y": "downloads"})
    with pytest.raises(ValueError, match="unknown mark"):
        chart(LICENCES, {"mark": "pie", "x": "licence", "y": "models"})


def test_save_png_and_svg(tmp_path):
    c = chart(LICENCES, {"mark": "bar", "x": "licence", "y": "models"})
    png = save(c, tmp_path / "c.png")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    svg = (save(c, tmp_path / "c.svg")).read_text()
    assert svg.startswith("<svg") and "Apache-2.0" in svg
    with pytest.raises(ValueError, match=".png or .svg"):
        save(c, tmp_path / "c.pdf")


def test_not_in_jupyter_under_pytest():
    assert in_jupyter() is False


def test_static_export_without_vl_convert_is_one_clear_error(monkeypatch, tmp_path):
    import altair as alt

    from ptmkg.errors import PtmkgError

    monkeypatch.setitem(__import__("sys").modules, "vl_convert", None)  # as if not installed
    figure = alt.Chart(pl.DataFrame({"a": [1]})).mark_bar().encode(x="a")
    with pytest.raises(PtmkgError, match="pip install vl-convert-python"):
        save(figure, tmp_path / "c.png")
