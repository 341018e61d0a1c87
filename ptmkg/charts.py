"""Altair charts from a result DataFrame and a canned query's ``chart`` spec; offline rendering; PNG/SVG export.

A spec is the ``chart:`` entry of a query header: ``{mark, x, y, color, sort}``. ``y: "count()"`` counts rows
per ``x`` (and ``color``); the count is done in polars, so large results never reach the browser row by row.
``sort: -y`` orders the x axis by descending y, ``sort: x`` by x; ``x_title``/``y_title``/``color_title`` name
the axes (default: :func:`title_of` the column). Every chart says in its subtitle which rows it cannot show
(:func:`not_shown`), and a colour with more than :data:`TOP_CATEGORIES` values keeps the largest and groups the
rest as "other" (:func:`group_top`).
"""

from __future__ import annotations

import sys
from pathlib import Path

import altair as alt
import polars as pl

from ptmkg.errors import PtmkgError

_MARKS = {"bar", "line", "point", "area", "tick", "circle", "square", "rule"}
COUNT = "count()"
TOP_CATEGORIES = 10
"""At most this many categories get their own colour; the rest are grouped as "other"."""

TITLES: dict[str, str] = {
    "downloads": "downloads (count)", "descendants": "descendants (models)", "sections": "model-card sections (count)",
    "grams": "CO₂e emitted (g)", "size": "model size (bytes)", "dataset_size": "dataset size (bytes)",
    "card_length": "model-card length (characters)", "child_length": "child's card length (characters)",
    "parent_length": "parent's card length (characters)", "similarity": "trait similarity (Jaccard index, 0–1)",
    "repositories": "downstream repositories (count)", "created": "creation month", "stratum": "popularity stratum",
    "models": "models (count)", "count": "rows (count)", "len": "rows (count)", "depth": "depth below the root (edges)",
    "relation": "relation to the parent", "licence": "licence", "arxiv": "arXiv paper", "model": "model",
    "format": "serialisation format", "field": "field", "agreement": "agreement (share)", "kind": "kind",
    "reported_kwh": "reported energy (kWh)", "estimated_kwh": "estimated energy (kWh)", "kwh": "energy (kWh)",
    "co2_kg": "CO₂e emitted (kg)", "hours": "training time (hours)", "emissions": "reports emissions",
    "task": "pipeline task", "variant": "variant type", "label": "change label", "change_type": "version change",
    "grams_tercile": "emissions tercile", "hardware_id": "accelerator", "share": "share of runs",
}
"""Axis titles (words with units) of the result columns charts draw; others fall back to :func:`title_of`."""

BOOLEAN_WORDS = {"true": "yes", "false": "no"}
NULL_WORD = "not stated"


def in_jupyter() -> bool:
    """True inside a running IPython kernel (a notebook or JupyterLab console)."""
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    return shell is not None and hasattr(shell, "kernel")


def enable_offline() -> bool:
    """Render charts with the JS bundled in Python packages (no CDN) when in Jupyter; returns whether it did."""
    if not in_jupyter():
        return False
    try:
        alt.renderers.enable("jupyter", offline=True)
        alt.JupyterChart.enable_offline(True)
    except ImportError as e:
        print(f"charts render online (the offline renderer needs {e.name or 'vl-convert-python'}: "
              "pip install vl-convert-python anywidget)")
        return False
    return True


def vl_convert():
    """The vl-convert module (static PNG/SVG rendering), or one clear error naming the package to install."""
    try:
        import vl_convert as vlc
    except ImportError:
        raise PtmkgError("static charts (PNG, SVG, the HTML report) need vl-convert-python: "
                         "pip install vl-convert-python") from None
    return vlc


def chart_widget(figure: alt.TopLevelMixin) -> alt.JupyterChart:
    """A chart as an ipywidget that renders with bundled JS (no CDN), for use inside widget layouts."""
    alt.JupyterChart.enable_offline(True)
    return alt.JupyterChart(figure)


def title_of(column: str) -> str:
    """An axis title in words: :data:`TITLES`, else the column with underscores as spaces and a leading
    ``has_``/``is_`` as "has"/"is" (``has_safetensors`` → "has safetensors")."""
    return TITLES.get(column) or column.replace("_", " ").strip()


def as_words(values: pl.Expr) -> pl.Expr:
    """Category labels as words: booleans as yes/no, nulls as "not stated"."""
    text = values.cast(pl.String)
    return text.replace(BOOLEAN_WORDS).fill_null(NULL_WORD)


def group_top(df: pl.DataFrame, column: str, weight: str | None = None, top: int = TOP_CATEGORIES) -> pl.DataFrame:
    """``column`` with all but its ``top`` largest categories (by summed ``weight``, else by rows) replaced by
    ``other (k categories)``; unchanged when it has at most ``top + 1`` categories."""
    sizes = df.group_by(column).agg(pl.col(weight).sum() if weight else pl.len().alias("_n"))
    key = weight or "_n"
    if sizes.height <= top + 1:
        return df
    keep = sizes.sort([key, column], descending=[True, False], nulls_last=True).head(top)[column]
    other = f"other ({sizes.height - top} categories)"
    return df.with_columns(pl.when(pl.col(column).is_in(keep.implode())).then(pl.col(column).cast(pl.String))
                           .otherwise(pl.lit(other)).alias(column))


def not_shown(total: int, unit: str = "rows", **reasons: int) -> str:
    """``12 of 400 rows not shown: 10 zeros on a log axis, 2 nulls`` ('' when every row is shown); the keyword
    names are the reasons with underscores as spaces (``nulls=2``, ``zeros_on_a_log_axis=10``)."""
    counted = {k.replace("_", " "): v for k, v in reasons.items() if v}
    if not counted:
        return ""
    hidden = sum(counted.values())
    parts = ", ".join(f"{v:,} {k}" for k, v in counted.items())
    return f"{hidden:,} of {total:,} {unit} not shown: {parts}"


def _type(dtype: pl.DataType) -> str:
    """The Vega-Lite encoding type of a polars dtype."""
    if dtype.is_numeric():
        return "quantitative"
    if dtype.is_temporal():
        return "temporal"
    return "nominal"


def chart_frame(df: pl.DataFrame, spec: dict[str, str], top: int | None = 50) -> pl.DataFrame:
    """The rows a spec plots: ``count()`` aggregated in polars, and at most ``top`` nominal x categories.

    With ``sort: -y`` the kept categories are those with the largest y; otherwise the first ``top`` in order.
    """
    x, y, color = spec["x"], spec["y"], spec.get("color")
    missing = [c for c in (x, y, color) if c and c != COUNT and c not in df.columns]
    if missing:
        raise ValueError(f"chart needs column(s) {', '.join(missing)}; the result has {', '.join(df.columns)}")
    if y == COUNT:
        keys = [x] + ([color] if color else [])
        df = df.group_by(keys, maintain_order=True).agg(pl.len().alias("count"))
        y = "count"
    if top is None or _type(df.schema[x]) != "nominal":
        return df
    totals = df.group_by(x, maintain_order=True).agg(pl.col(y).sum())
    if spec.get("sort") == "-y":
        totals = totals.sort(y, descending=True, nulls_last=True)
    keep = totals.head(top)[x]
    return df.filter(pl.col(x).is_in(keep.implode()) | (pl.col(x).is_null() & keep.has_nulls()))


def chart(df: pl.DataFrame, spec: dict[str, str], *, title: str | None = None, top: int | None = 50) -> alt.Chart:
    """An Altair chart of ``df`` as the spec declares (see :func:`chart_frame` for ``top``): axis titles in words,
    booleans as yes/no, at most :data:`TOP_CATEGORIES` colours (+ "other"), and a subtitle naming the rows
    it cannot show (nulls on a quantitative axis) and the x categories it left out."""
    mark = spec.get("mark", "bar")
    if mark not in _MARKS:
        raise ValueError(f"unknown mark '{mark}'; use one of {', '.join(sorted(_MARKS))}")
    data = chart_frame(df, spec, top)
    x_name, y_name, color = spec["x"], "count" if spec["y"] == COUNT else spec["y"], spec.get("color")
    x_type, y_type = _type(data.schema[x_name]), _type(data.schema[y_name])
    if x_type == "quantitative" and mark == "bar" and spec["y"] == COUNT:
        x_type = "ordinal"  # counts per depth/level read as categories
    quantitative = [c for c, k in ((x_name, x_type), (y_name, y_type)) if k == "quantitative"]
    plotted = data.height
    nulls = (data.select(pl.any_horizontal(pl.col(c).is_null() for c in quantitative).sum()).item()
             if quantitative else 0)
    data = data.drop_nulls(quantitative) if quantitative else data
    words = [c for c in (x_name, y_name, color) if c and _type(data.schema[c]) == "nominal"]
    data = data.with_columns(as_words(pl.col(c)) for c in words)
    if color and _type(data.schema[color]) == "nominal":
        data = group_top(data, color, weight=y_name if y_type == "quantitative" else None)
    sort = spec.get("sort")
    x_sort = "-y" if sort == "-y" else ("ascending" if sort == "x" else None)
    encoding = {
        "x": alt.X(x_name, type=x_type, sort=x_sort, title=spec.get("x_title") or title_of(x_name)),
        "y": alt.Y(y_name, type=y_type, title=spec.get("y_title") or title_of(y_name)),
        "tooltip": [alt.Tooltip(c, type=_type(data.schema[c]), title=title_of(c)) for c in data.columns],
    }
    if color:
        encoding["color"] = alt.Color(color, type=_type(data.schema[color]),
                                      title=spec.get("color_title") or title_of(color))
    shown = data[x_name].n_unique()
    total = df[x_name].n_unique() if x_type != "quantitative" else shown
    subtitle = [f"top {shown} of {total} {title_of(x_name)} values" if shown < total else "",
                not_shown(plotted, nulls=nulls)]
    subtitle = [line for line in subtitle if line]
    props = {"width": alt.Step(32) if x_type != "quantitative" and shown <= 25 else 560}
    if title or subtitle:
        props["title"] = alt.TitleParams(title or "", subtitle=subtitle) if subtitle else title
    return getattr(alt.Chart(data), f"mark_{mark}")(tooltip=True).encode(**encoding).properties(**props)


def save(figure: alt.TopLevelMixin, path: str | Path, scale: float = 1.0) -> Path:
    """Write a chart as PNG or SVG (by suffix) with vl-convert, offline; returns the path."""
    vlc = vl_convert()
    path = Path(path)
    spec = figure.to_json()
    if path.suffix == ".png":
        path.write_bytes(vlc.vegalite_to_png(spec, scale=scale))
    elif path.suffix == ".svg":
        path.write_text(vlc.vegalite_to_svg(spec), encoding="utf-8")
    else:
        raise ValueError(f"save a chart as .png or .svg, not '{path.suffix}'")
    return path
