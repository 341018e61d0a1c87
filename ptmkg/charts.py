"""Altair charts from a result DataFrame and a canned query's ``chart`` spec; offline rendering; PNG/SVG export.

A spec is the ``chart:`` entry of a query header: ``{mark, x, y, color, sort}``. ``y: "count()"`` counts rows
per ``x`` (and ``color``); the count is done in polars, so large results never reach the browser row by row.
``sort: -y`` orders the x axis by descending y, ``sort: x`` by x.
"""

from __future__ import annotations

import sys
from pathlib import Path

import altair as alt
import polars as pl

from ptmkg.errors import PtmkgError

_MARKS = {"bar", "line", "point", "area", "tick", "circle", "square", "rule"}
COUNT = "count()"


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
    return df.filter(pl.col(x).is_in(keep.implode()))


def chart(df: pl.DataFrame, spec: dict[str, str], *, title: str | None = None, top: int | None = 50) -> alt.Chart:
    """An Altair chart of ``df`` as the spec declares (see :func:`chart_frame` for ``top``)."""
    mark = spec.get("mark", "bar")
    if mark not in _MARKS:
        raise ValueError(f"unknown mark '{mark}'; use one of {', '.join(sorted(_MARKS))}")
    data = chart_frame(df, spec, top)
    x_name, y_name, color = spec["x"], "count" if spec["y"] == COUNT else spec["y"], spec.get("color")
    x_type, y_type = _type(data.schema[x_name]), _type(data.schema[y_name])
    if x_type == "quantitative" and mark == "bar" and spec["y"] == COUNT:
        x_type = "ordinal"  # counts per depth/level read as categories
    sort = spec.get("sort")
    x_sort = "-y" if sort == "-y" else ("ascending" if sort == "x" else None)
    encoding = {
        "x": alt.X(x_name, type=x_type, sort=x_sort),
        "y": alt.Y(y_name, type=y_type),
        "tooltip": [alt.Tooltip(c, type=_type(data.schema[c])) for c in data.columns],
    }
    if color:
        encoding["color"] = alt.Color(color, type=_type(data.schema[color]))
    shown = data[x_name].n_unique()
    total = df[x_name].n_unique()
    subtitle = f"top {shown} of {total} {x_name} values" if shown < total else ""
    props = {"width": alt.Step(32) if x_type != "quantitative" and shown <= 25 else 560}
    if title:
        props["title"] = alt.TitleParams(title, subtitle=subtitle) if subtitle else title
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
