"""Chart builders: spec → encoding, count() aggregated in polars, top-N, PNG/SVG export."""

import polars as pl
import pytest

from ptmkg.charts import chart, chart_frame, group_top, in_jupyter, not_shown, save, title_of

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
    assert spec["encoding"]["x"] == {"field": "licence", "type": "nominal", "sort": "-y", "title": "licence"}
    assert spec["encoding"]["y"]["type"] == "quantitative"
    assert spec["title"]["subtitle"] == ["top 3 of 4 licence values"]
    counted = chart(LINEAGE, {"mark": "bar", "x": "depth", "y": "count()", "color": "relation"}).to_dict()
    assert counted["encoding"]["x"]["type"] == "ordinal"
    assert counted["encoding"]["y"]["field"] == "count"
    assert counted["encoding"]["color"]["field"] == "relation"


def test_axis_titles_are_words_and_booleans_read_yes_no():
    flags = pl.DataFrame({"has_card": [True, False, None, True], "card_length": [10, 20, None, 5]})
    spec = chart(flags, {"mark": "bar", "x": "has_card", "y": "count()"}).to_dict()
    assert spec["encoding"]["x"]["title"] == "has card" and spec["encoding"]["y"]["title"] == "rows (count)"
    assert {r["has_card"] for r in spec["datasets"][spec["data"]["name"]]} == {"yes", "no", "not stated"}
    assert title_of("card_length") == "model-card length (characters)"


def test_nulls_on_a_quantitative_axis_are_counted_in_the_subtitle():
    runs = pl.DataFrame({"reported_kwh": [1.0, 2.0, None, 4.0], "estimated_kwh": [1.0, None, None, 3.0]})
    spec = chart(runs, {"mark": "point", "x": "reported_kwh", "y": "estimated_kwh"}, title="energy").to_dict()
    assert spec["title"]["subtitle"] == ["2 of 4 rows not shown: 2 nulls"]
    assert spec["encoding"]["x"]["title"] == "reported energy (kWh)"
    assert not_shown(10) == ""


def test_more_than_ten_colours_keep_the_largest_and_group_the_rest():
    many = pl.DataFrame({"hardware_id": [f"gpu-{i:02d}" for i in range(25)], "models": list(range(25))})
    grouped = group_top(many, "hardware_id", weight="models")
    assert grouped["hardware_id"].n_unique() == 11
    assert set(grouped.filter(pl.col("models") >= 15)["hardware_id"]) == {f"gpu-{i:02d}" for i in range(15, 25)}
    assert set(grouped.filter(pl.col("models") < 15)["hardware_id"]) == {"other (15 categories)"}
    assert group_top(many.head(11), "hardware_id").equals(many.head(11))  # 10 + 1 is not worth an "other"


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
