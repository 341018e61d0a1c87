"""From a claim part's test spec and the measuring query's rows to a :class:`TestResult` (no RDF here)."""

from __future__ import annotations

import dataclasses
from typing import Any

import polars as pl

from ptmkg.claims import stats
from ptmkg.claims.definitions import Part


def quantile_bins(values: pl.Series, bins: int) -> pl.Series:
    """Labels ``q1``..``q<bins>`` of equal-count bins, right-closed at the linearly interpolated quantiles.

    The bins of polars' ``qcut`` (deprecated in polars 2), built from plain comparisons; nulls stay null.
    """
    breaks = [values.quantile(i / bins, "linear") for i in range(1, bins)]
    index = pl.sum_horizontal([(pl.lit(values) > b).cast(pl.Int32) for b in breaks]) if breaks else pl.lit(0)
    labels = pl.concat_str([pl.lit("q"), (index + 1).cast(pl.String)])
    return pl.select(pl.when(pl.lit(values).is_not_null()).then(labels)).to_series().alias(values.name)


def derive(frame: pl.DataFrame, ops: list[dict[str, Any]]) -> pl.DataFrame:
    """Add derived columns: ``log10`` (of positive values), ``jaccard`` (of two ``|``-joined sets),
    ``quantile_bin`` (equal-count bins), ``month`` (calendar month of a date); ``lineage_pairs`` reshapes
    per-model rows into sibling and parent-child pairs."""
    for op in ops:
        kind, out = op["op"], op["as"]
        if kind == "log10":
            col = pl.col(op["column"]).cast(pl.Float64)
            frame = frame.with_columns(pl.when(col > 0).then(col.log10()).alias(out))
        elif kind == "jaccard":
            a, b = (pl.col(c).fill_null("").str.split("|").list.eval(pl.element().filter(pl.element() != ""))
                    for c in op["columns"])
            union = a.list.set_union(b).list.len()
            frame = frame.with_columns(
                pl.when(union > 0).then(a.list.set_intersection(b).list.len() / union).alias(out))
        elif kind == "quantile_bin":
            frame = frame.with_columns(quantile_bins(frame[op["column"]].cast(pl.Float64), int(op["bins"])).alias(out))
        elif kind == "lineage_pairs":
            frame = lineage_pairs(frame, op["model"], op["parent"], op["traits"])
        elif kind == "month":
            frame = frame.with_columns(pl.col(op["column"]).cast(pl.Date).dt.truncate("1mo").alias(out))
        else:
            raise ValueError(f"unknown derive op {kind!r}")
    return frame


def lineage_pairs(frame: pl.DataFrame, model: str, parent: str, traits: str) -> pl.DataFrame:
    """Sibling pairs (a < b, same parent) and parent-child pairs, with both sides' traits (self-joins)."""
    nodes = frame.select(model, traits).unique(model)
    edges = frame.select(model, parent).drop_nulls().unique()
    siblings = (edges.join(edges, on=parent, suffix="_b").filter(pl.col(model) < pl.col(f"{model}_b"))
                .select(pl.lit("sibling").alias("kind"), pl.col(model).alias("a"), pl.col(f"{model}_b").alias("b")))
    parent_child = edges.select(pl.lit("parent-child").alias("kind"), pl.col(parent).alias("a"), pl.col(model).alias("b"))
    pairs = pl.concat([siblings, parent_child]).unique()
    return (pairs.join(nodes.rename({model: "a", traits: "traits_a"}), on="a")
            .join(nodes.rename({model: "b", traits: "traits_b"}), on="b"))


def select_rows(frame: pl.DataFrame, part: Part) -> pl.DataFrame:
    """The rows a part tests (``where`` equalities applied to the derived evidence)."""
    for column, value in (part.test.get("where") or {}).items():
        frame = frame.filter(pl.col(column) == value)
    return frame


def missing_share(frame: pl.DataFrame, part: Part) -> float:
    """Share of a part's rows with a null in any column its statistic reads."""
    inputs = [part.test[k] for k in ("flag", "x", "y", "value", "group", "rows", "cols", "time") if k in part.test]
    if frame.height == 0 or not inputs:
        return 0.0
    return float(frame.select(pl.any_horizontal(pl.col(c).is_null() for c in inputs).mean()).item())


def measure(frame: pl.DataFrame, part: Part) -> stats.TestResult | None:
    """Run the part's statistic on ``frame`` (already through :func:`select_rows`); None if too few data."""
    spec = part.test
    published = part.rule.get("published")
    try:
        return _dispatch(frame, spec, published if isinstance(published, (int, float)) else None)
    except stats.InsufficientDataError:
        return None


def _complete(frame: pl.DataFrame, *columns: str) -> pl.DataFrame:
    return frame.select(columns).drop_nulls()


def _dispatch(frame: pl.DataFrame, spec: dict[str, Any], p0: float | None) -> stats.TestResult:
    stat = spec["stat"]
    if stat == "proportion":
        if "expected" in spec:  # a count checked against a published count: coverage ratio min/max
            count = int(frame[spec["count"]].fill_null(0).sum()) if frame.height else 0
            expected = int(spec["expected"])
            if max(count, expected) == 0:
                raise stats.InsufficientDataError("nothing counted")
            r = stats.proportion(min(count, expected), max(count, expected), p0=p0)
            return dataclasses.replace(r, details={**r.details, "count": count, "expected": expected})
        flags = frame[spec["flag"]].drop_nulls().cast(pl.Boolean)
        if flags.len() == 0:
            raise stats.InsufficientDataError("no rows")
        return stats.proportion(int(flags.sum()), flags.len(), p0=p0)
    if stat in ("spearman", "wilcoxon_paired", "sign_test"):
        data = _complete(frame, spec["x"], spec["y"])
        fn = getattr(stats, stat)
        return fn(data[spec["x"]].cast(pl.Float64).to_numpy(), data[spec["y"]].cast(pl.Float64).to_numpy())
    if stat == "mcnemar":
        data = _complete(frame, spec["x"], spec["y"]).cast(pl.Boolean)
        x, y = data[spec["x"]], data[spec["y"]]
        return stats.mcnemar(int((x & ~y).sum()), int((~x & y).sum()), n_pairs=data.height)
    if stat == "mann_whitney":
        data = _complete(frame, spec["value"], spec["group"])
        values = pl.col(spec["value"]).cast(pl.Float64)
        a = data.filter(pl.col(spec["group"]) == spec["a"]).select(values).to_series().to_numpy()
        b = data.filter(pl.col(spec["group"]) == spec["b"]).select(values).to_series().to_numpy()
        return stats.mann_whitney(a, b)
    if stat == "chi_square":
        rows, cols = spec["rows"], spec["cols"]
        weight = pl.col(spec["weight"]).sum() if "weight" in spec else pl.len()
        table = (_complete(frame, rows, cols, *([spec["weight"]] if "weight" in spec else []))
                 .with_columns(pl.col(rows).cast(pl.String), pl.col(cols).cast(pl.String))
                 .group_by(rows, cols).agg(weight.alias("n"))
                 .pivot(on=cols, index=rows, values="n").fill_null(0).sort(rows))
        return stats.chi_square(table.drop(rows).to_numpy())
    if stat == "trend":
        time, value = spec["time"], spec["value"]
        data = _complete(frame, time, value).with_columns(pl.col(value).cast(pl.Float64))
        if spec.get("aggregate") == "month":
            data = (data.with_columns(pl.col(time).cast(pl.Date).dt.truncate("1mo"))
                    .group_by(time).agg(pl.col(value).mean()).sort(time))
        times = data[time].to_numpy() if data[time].dtype.is_numeric() else data[time].cast(pl.Date).to_numpy()
        return stats.trend(times, data[value].to_numpy())
    if stat == "gini":
        values = frame[spec["value"]].drop_nulls().cast(pl.Float64).to_numpy()
        return stats.gini(values, top_fraction=float(spec.get("top_fraction", 0.01)))
    raise ValueError(f"unknown stat {stat!r}")
