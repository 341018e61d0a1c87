"""One Altair chart per tested claim part, drawing the relationship its test measures.

Every chart's title is the part's statistic with its CI and n, as the verdict states it (:func:`headline`), e.g.
``Spearman ρ = −0.086 [−0.13, −0.042], n = 1,954``; its subtitle names the part and its verdict, what the marks
are, and how many rows it cannot show (nulls, values outside the drawn range, a sample). Per statistic:

- Spearman: a rank–rank plot (percentile ranks, ties at their mean rank) with the median y rank per 5 % bin of x,
  not a fit on raw values;
- proportion: the yes/no counts (a count checked against a published count: both bars);
- Wilcoxon / sign test: the paired differences x − y with 0 and their median marked;
- trend: the monthly mean (or, for raw rows, points and the monthly median) with Sen's slope;
- Mann–Whitney: boxplots of the two groups compared;
- McNemar / χ²: a heatmap with the count in every cell (at most 10 categories per side, the rest as "other");
- Gini: the Lorenz curve.
"""

from __future__ import annotations

import altair as alt
import numpy as np
import polars as pl

from ptmkg.charts import as_words, group_top, not_shown, title_of
from ptmkg.claims.measure import select_rows
from ptmkg.claims.runner import ClaimOutcome, PartOutcome
from ptmkg.claims.verdict import statistic

MAX_POINTS = 5000
"""Charts draw at most this many points (a seeded random sample; the subtitle says so)."""
WIDTH, HEIGHT = 420, 260
_EFFECT_WORDS = {"cliffs_delta": "Cliff's δ", "rank_biserial": "rank-biserial r", "cramers_v": "Cramér's V",
                 "mann_kendall_tau": "Kendall τ"}
_NOUNS = {"model": "models", "child": "parent–child pairs", "record": "records", "pair": "version pairs",
          "run": "training runs", "kind": "model pairs", "population": "parent models", "hub": "hubs"}


def number(x: float) -> str:
    """A number as a title shows it: 3 significant digits (as the verdict's reason) below 1,000, else whole with
    thousands separators; a true minus sign."""
    text = f"{x:,.0f}" if abs(x) >= 1000 else f"{x:.3g}"
    return text.replace("-", "−")


def headline(part: PartOutcome) -> str:
    """The part's statistic, CI and n in words, e.g. ``Spearman ρ = 0.42 [0.39, 0.45], n = 3,471``; a count
    checked against a published count reads ``count = 158, published 15,913``; '' without a result."""
    r = part.result
    if r is None:
        return ""
    if part.counted:
        return f"count = {r.details['count']:,}, published {r.details['expected']:,}"
    ci = f" [{number(r.ci_low)}, {number(r.ci_high)}]" if r.ci_low is not None and r.ci_high is not None else ""
    effect = ""
    if r.effect_name in _EFFECT_WORDS and r.effect_size is not None:
        effect = f", {_EFFECT_WORDS[r.effect_name]} = {number(r.effect_size)}"
    per = f" per {r.details['time_unit']}" if r.details.get("time_unit") == "month" else ""
    return f"{statistic(r.test)} = {number(r.estimate)}{per}{ci}, n = {r.n:,}{effect}"


def noun(o: ClaimOutcome) -> str:
    """What one evidence row is, in words (``models``, ``parent–child pairs``; ``rows`` if unknown)."""
    first = o.evidence.columns[0] if o.evidence.width else ""
    return _NOUNS.get(first, "rows")


def chart(o: ClaimOutcome, part: PartOutcome) -> alt.TopLevelMixin | None:
    """The chart of one part's evidence (None when the part has no result or no rows to draw)."""
    spec = part.part.test
    rows = o.evidence
    if any(c not in rows.columns for c in (spec.get("where") or {})):
        return None
    rows = select_rows(rows, part.part)
    if rows.is_empty() or part.result is None:
        return None
    build = _BUILDERS.get(spec["stat"])
    if build is None or (spec["stat"] == "proportion" and "flag" not in spec and not part.counted):
        return None
    figure, notes = build(rows, spec, part, noun(o))
    label = part.decision.label.value if part.decision else ""
    subtitle = [f"{part.part.name} — {label}"] + [n for n in notes if n]
    return figure.properties(title=alt.TitleParams(headline(part), subtitle=subtitle, anchor="start"))


def _bare(column: str) -> str:
    """The axis title of a column without its unit (``downloads (count)`` → ``downloads``)."""
    return title_of(column).split(" (")[0]


def _sample(frame: pl.DataFrame) -> tuple[pl.DataFrame, str]:
    if frame.height <= MAX_POINTS:
        return frame, ""
    return frame.sample(MAX_POINTS, seed=0), f"drawn: a random {MAX_POINTS:,} of {frame.height:,} points"


def _proportion(rows: pl.DataFrame, spec: dict, part: PartOutcome, unit: str):
    if part.counted:
        r = part.result
        data = pl.DataFrame({"what": ["counted in the graph", "published"],
                             "count": [r.details["count"], r.details["expected"]]})
        base = alt.Chart(data).encode(y=alt.Y("what:N", title="number", sort=None),
                                      x=alt.X("count:Q", title=f"{title_of(spec['count'])}"))
        figure = (base.mark_bar() + base.mark_text(align="left", dx=3).encode(text=alt.Text("count:Q", format=",")))
        return figure.properties(width=WIDTH, height=90), ["bars: the count in the graph and the paper's count"]
    flag = spec["flag"]
    nulls = rows[flag].null_count()
    data = (rows.drop_nulls(flag).group_by(flag).len("count")
            .with_columns(share=pl.col("count") / pl.col("count").sum(), answer=as_words(pl.col(flag))))
    y = alt.Y("answer:N", title=title_of(flag), sort=["yes", "no"])
    base = alt.Chart(data).encode(y=y, x=alt.X("count:Q", title=f"{unit} (count)"),
                                  tooltip=[alt.Tooltip("answer:N", title=title_of(flag)),
                                           alt.Tooltip("count:Q", title=unit, format=","),
                                           alt.Tooltip("share:Q", title="share", format=".1%")])
    text = base.mark_text(align="left", dx=3).encode(text=alt.Text("share:Q", format=".1%"))
    return ((base.mark_bar() + text).properties(width=WIDTH, height=90),
            ["bars: rows per answer, labelled with their share", not_shown(rows.height, nulls=nulls)])


def _percentile_rank(column: str) -> pl.Expr:
    return (pl.col(column).rank("average") - 0.5) / pl.len() * 100


def _spearman(rows: pl.DataFrame, spec: dict, part: PartOutcome, unit: str):
    x, y = spec["x"], spec["y"]
    pairs = rows.select(pl.col(x).cast(pl.Float64), pl.col(y).cast(pl.Float64))
    data = pairs.drop_nulls().with_columns(rx=_percentile_rank(x), ry=_percentile_rank(y))
    medians = (data.with_columns(bin=(pl.col("rx") // 5).clip(0, 19)).group_by("bin")
               .agg(rx=pl.col("rx").median(), ry=pl.col("ry").median()).sort("bin"))
    shown, sampled = _sample(data)
    xt, yt = f"{_bare(x)}, percentile rank (%)", f"{_bare(y)}, percentile rank (%)"
    scale = alt.Scale(domain=[0, 100])
    points = alt.Chart(shown).mark_circle(size=14, opacity=0.3).encode(
        x=alt.X("rx:Q", title=xt, scale=scale), y=alt.Y("ry:Q", title=yt, scale=scale),
        tooltip=[alt.Tooltip(f"{x}:Q", title=title_of(x)), alt.Tooltip(f"{y}:Q", title=title_of(y))])
    line = alt.Chart(medians).mark_line(color="firebrick", point=True, strokeWidth=2.5).encode(
        x="rx:Q", y="ry:Q", tooltip=[alt.Tooltip("ry:Q", title="median rank of y", format=".0f")])
    notes = [f"points: {unit} by rank (ties at their mean rank); red: median {_bare(y)} rank per 5 % of x",
             not_shown(pairs.height, nulls=pairs.height - data.height), sampled]
    return (points + line).properties(width=WIDTH, height=HEIGHT), notes


def _paired(rows: pl.DataFrame, spec: dict, part: PartOutcome, unit: str):
    x, y = spec["x"], spec["y"]
    pairs = rows.select(pl.col(x).cast(pl.Float64), pl.col(y).cast(pl.Float64))
    d = pairs.drop_nulls().select(difference=pl.col(x) - pl.col(y))
    lo, hi = d["difference"].quantile(0.01, "linear"), d["difference"].quantile(0.99, "linear")
    inside = d.filter(pl.col("difference").is_between(lo, hi))
    counts, edges = np.histogram(inside["difference"].to_numpy(), bins=40)
    hist = pl.DataFrame({"start": edges[:-1], "end": edges[1:], "count": counts})
    marks = pl.DataFrame({"at": [0.0, float(d["difference"].median())], "what": ["no difference", "median"]})
    title = f"{_bare(x)} − {title_of(y)}"
    bars = alt.Chart(hist).mark_rect(color="#4c78a8").encode(
        x=alt.X("start:Q", title=title), x2="end:Q", y=alt.Y("count:Q", title=f"{unit} (count)"),
        tooltip=[alt.Tooltip("start:Q", title="from"), alt.Tooltip("end:Q", title="to"),
                 alt.Tooltip("count:Q", title=unit, format=",")])
    rules = alt.Chart(marks).mark_rule(strokeWidth=2).encode(
        x="at:Q", color=alt.Color("what:N", title="line", scale=alt.Scale(domain=["no difference", "median"],
                                                                          range=["#555", "firebrick"])),
        tooltip=[alt.Tooltip("what:N", title="line"), alt.Tooltip("at:Q", title="difference")])
    notes = ["bars: paired differences; grey line: 0, red: their median",
             not_shown(pairs.height, nulls=pairs.height - d.height,
                       outside_the_1st_to_99th_percentile=d.height - inside.height)]
    return (bars + rules).properties(width=WIDTH, height=HEIGHT), notes


def _trend(rows: pl.DataFrame, spec: dict, part: PartOutcome, unit: str):
    time, value = spec["time"], spec["value"]
    raw = rows.select(time, pl.col(value).cast(pl.Float64))
    data = raw.drop_nulls()
    temporal = data[time].dtype.is_temporal()
    r = part.result
    if temporal:
        data = data.with_columns(pl.col(time).cast(pl.Date).dt.truncate("1mo"))
    monthly = data.group_by(time).agg(mean=pl.col(value).mean(), median=pl.col(value).median()).sort(time)
    index = (pl.col(time).dt.year() - 1970) * 12 + pl.col(time).dt.month() - 1 if temporal else pl.col(time)
    monthly = monthly.with_columns(sen=r.details.get("intercept", 0.0) + r.estimate * index.cast(pl.Float64))
    per_row = spec.get("aggregate") != "month" and rows.schema[value] != pl.Boolean
    central = "median" if per_row else "mean"
    what = title_of(value) if rows.schema[value] != pl.Boolean else f"{title_of(value)} (share)"
    x = alt.X(f"{time}:T" if temporal else f"{time}:O", title=title_of(time))
    top = data[value].quantile(0.99, "linear") if per_row and data.height else None
    scale = alt.Scale(domain=[min(0.0, data[value].min()), top]) if top else alt.Undefined
    y = alt.Y(f"{central}:Q", title=what, scale=scale)
    layers = []
    notes = [f"line: {central} per {'month' if temporal else 'step'}; red dashed: Sen's slope"]
    above = 0
    if per_row:
        shown, sampled = _sample(data.filter(pl.col(value) <= top))
        above = data.height - data.filter(pl.col(value) <= top).height
        layers.append(alt.Chart(shown).mark_circle(size=10, opacity=0.25, color="#888").encode(
            x=x, y=alt.Y(f"{value}:Q", title=what, scale=scale)))
        notes.append(sampled)
    layers.append(alt.Chart(monthly).mark_line(point=True, clip=True).encode(x=x, y=y))
    layers.append(alt.Chart(monthly).mark_line(color="firebrick", strokeDash=[6, 3], clip=True).encode(
        x=x, y=alt.Y("sen:Q", scale=scale)))
    notes.append(not_shown(raw.height, nulls=raw.height - data.height,
                           **({f"above_the_99th_percentile_({number(top)})": above} if above else {})))
    return alt.layer(*layers).properties(width=WIDTH, height=HEIGHT), notes


def _mann_whitney(rows: pl.DataFrame, spec: dict, part: PartOutcome, unit: str):
    group, value, a, b = spec["group"], spec["value"], spec["a"], spec["b"]
    raw = rows.filter(pl.col(group).is_in([a, b])).select(pl.col(group).cast(pl.String),
                                                          pl.col(value).cast(pl.Float64))
    data = raw.drop_nulls()
    q = pl.col(value).quantile
    boxes = data.group_by(group).agg(q1=q(0.25, "linear"), median=pl.col(value).median(), q3=q(0.75, "linear"),
                                     n=pl.len(), low=pl.col(value).min(), high=pl.col(value).max())
    x = alt.X(f"{group}:N", title=title_of(group), sort=[str(a), str(b)])
    base = alt.Chart(boxes).encode(x=x, tooltip=[alt.Tooltip(f"{group}:N", title=title_of(group)),
                                                 alt.Tooltip("n:Q", title=unit, format=","),
                                                 "low:Q", "q1:Q", "median:Q", "q3:Q", "high:Q"])
    whisker = base.mark_rule().encode(y=alt.Y("low:Q", title=title_of(value)), y2="high:Q")
    box = base.mark_bar(size=40, color="#9ecae1").encode(y="q1:Q", y2="q3:Q")
    median = base.mark_tick(size=40, thickness=3, color="firebrick").encode(y="median:Q")
    return (whisker + box + median).properties(width=240, height=HEIGHT), [
        "boxes: quartiles; red: median; line: min to max", not_shown(raw.height, nulls=raw.height - data.height)]


def _table(rows: pl.DataFrame, spec: dict, part: PartOutcome, unit: str):
    a, b = (spec["x"], spec["y"]) if spec["stat"] == "mcnemar" else (spec["rows"], spec["cols"])
    raw = rows.select(a, b)
    data = raw.drop_nulls().with_columns(as_words(pl.col(a)), as_words(pl.col(b)))
    data = group_top(group_top(data, a), b).group_by(a, b).len("count")
    step = 80 if max(data[a].n_unique(), data[b].n_unique()) <= 3 else 36
    base = alt.Chart(data).encode(
        x=alt.X(f"{b}:N", title=title_of(b), axis=alt.Axis(labelAngle=-30, labelLimit=160)),
        y=alt.Y(f"{a}:N", title=title_of(a), axis=alt.Axis(labelLimit=160)))
    cells = base.mark_rect().encode(color=alt.Color("count:Q", title=f"{unit} (count)",
                                                    scale=alt.Scale(scheme="blues")),
                                    tooltip=[alt.Tooltip(f"{a}:N", title=title_of(a)),
                                             alt.Tooltip(f"{b}:N", title=title_of(b)),
                                             alt.Tooltip("count:Q", title=unit, format=",")])
    text = base.mark_text(fontSize=12).encode(
        text=alt.Text("count:Q", format=","),
        color=alt.condition(alt.datum.count > data["count"].max() / 2, alt.value("white"), alt.value("black")))
    what = "discordant cells (yes/no, no/yes) decide the test" if spec["stat"] == "mcnemar" else \
        "cells: rows per pair of categories"
    figure = (cells + text).properties(width=alt.Step(step), height=alt.Step(step))
    return figure, [f"{what}; count in every cell", not_shown(raw.height, nulls=raw.height - raw.drop_nulls().height)]


def _gini(rows: pl.DataFrame, spec: dict, part: PartOutcome, unit: str):
    value = spec["value"]
    raw = rows[value].cast(pl.Float64)
    v = raw.drop_nulls().sort()
    total = v.sum()
    curve = pl.DataFrame({"units": (pl.int_range(1, v.len() + 1, eager=True) / v.len() * 100),
                          "held": v.cum_sum() / total * 100 if total else v * 0})
    step = max(1, curve.height // 400)
    curve = pl.concat([pl.DataFrame({"units": [0.0], "held": [0.0]}), curve.gather_every(step), curve.tail(1)])
    x = alt.X("units:Q", title=f"share of {unit}, fewest {_bare(value)} first (%)")
    y = alt.Y("held:Q", title=f"share of all {_bare(value)} (%)")
    lorenz = alt.Chart(curve).mark_line(color="firebrick").encode(x=x, y=y)
    equal = alt.Chart(pl.DataFrame({"units": [0, 100], "held": [0, 100]})).mark_line(
        color="#888", strokeDash=[4, 4]).encode(x="units:Q", y="held:Q")
    return (equal + lorenz).properties(width=WIDTH, height=HEIGHT), [
        "red: Lorenz curve; grey dashed: equal shares", not_shown(raw.len(), nulls=raw.null_count())]


_BUILDERS = {"proportion": _proportion, "spearman": _spearman, "wilcoxon_paired": _paired, "sign_test": _paired,
             "trend": _trend, "mann_whitney": _mann_whitney, "mcnemar": _table, "chi_square": _table,
             "gini": _gini}
