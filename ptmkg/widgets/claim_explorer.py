"""ClaimExplorer: pick a literature claim, see its verdict on a snapshot, filter its evidence and re-test it."""

from __future__ import annotations

import dataclasses
import html
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import altair as alt
import ipywidgets as w
import polars as pl

from ptmkg.charts import COUNT, chart, chart_widget
from ptmkg.claims import stats
from ptmkg.claims.definitions import ClaimDefinition
from ptmkg.claims.measure import derive, measure, missing_share, select_rows
from ptmkg.claims.runner import ClaimOutcome, PartOutcome, loaded_snapshots
from ptmkg.claims.verdict import Verdict, combine, decide
from ptmkg.errors import PtmkgError
from ptmkg.kg import KG
from ptmkg.widgets.table import ResultTable, to_html

FILTERS: dict[str, tuple[str, ...]] = {
    "task": ("task", "pipeline_task"),
    "year": ("year", "created"),
    "library": ("library", "child_library"),
    "licence family": ("licence_family", "licence_class", "child_class"),
}
"""Filter name → the evidence columns that carry it (first present wins; ``year`` may come from a date)."""

COLOURS = {Verdict.REPLICATED: "#116329", Verdict.SUPPORTED: "#2da44e", Verdict.NOT_SUPPORTED: "#cf222e",
           Verdict.INSUFFICIENT_DATA: "#9a6700", Verdict.NOT_MEASURABLE: "#6e7781"}
MAX_POINTS = 5000
_LATEST = "latest snapshot of each source"


def source_names(definition: ClaimDefinition) -> set[str]:
    """Every source a claim can run on (its ``sources`` entries, alternatives ``a|b`` split)."""
    return {name for entry in definition.sources for name in entry.split("|")}


# -- filters ------------------------------------------------------------------------

def filter_keys(evidence: pl.DataFrame) -> dict[str, pl.Expr]:
    """The filters ``evidence`` supports: name → expression giving each row's value (year from a date column)."""
    out: dict[str, pl.Expr] = {}
    for name, candidates in FILTERS.items():
        column = next((c for c in candidates if c in evidence.columns), None)
        if column is None:
            continue
        dtype, expr = evidence.schema[column], pl.col(column)
        if name == "year" and dtype.is_temporal():
            expr = expr.dt.year().cast(pl.Int64)
        elif name == "year" and dtype == pl.String:
            expr = expr.str.slice(0, 4).cast(pl.Int64, strict=False)
        out[name] = expr
    return out


def filter_values(evidence: pl.DataFrame, key: pl.Expr) -> pl.DataFrame:
    """Distinct non-null values of a filter key with their row counts (columns ``value``, ``rows``), sorted."""
    return (evidence.select(key.alias("value")).drop_nulls().group_by("value").agg(pl.len().alias("rows"))
            .sort("value"))


def apply_filters(evidence: pl.DataFrame, filters: dict[str, object]) -> pl.DataFrame:
    """Rows of ``evidence`` matching every ``name == value`` filter."""
    keys = filter_keys(evidence)
    unknown = set(filters) - set(keys)
    if unknown:
        raise PtmkgError(f"evidence has no {', '.join(sorted(unknown))} column; "
                         f"filters here: {', '.join(keys) or 'none'}")
    return evidence.filter(*(keys[k] == v for k, v in filters.items())) if filters else evidence


def retest(outcome: ClaimOutcome, rows: pl.DataFrame) -> ClaimOutcome:
    """The claim's tests and verdict rules re-run on ``rows`` (a subset of its evidence), as the runner runs a
    one-claim batch: derived columns recomputed on the rows, Holm within the claim, then Benjamini–Hochberg when
    more than one part is tested. Parts whose fields are absent from the graph stay unmeasured."""
    d = outcome.definition
    if not d.parts or not outcome.evidence.width:
        return outcome
    ops = [op for p in d.parts for op in p.test.get("derive", [])]
    rows = derive(rows.drop([op["as"] for op in ops], strict=False), ops)
    parts = []
    for old in outcome.parts:
        if old.missing_fields:
            parts.append(PartOutcome(old.part, None, old.missing_fields, 0.0))
            continue
        selected = select_rows(rows, old.part)
        parts.append(PartOutcome(old.part, measure(selected, old.part), [], missing_share(selected, old.part)))
    tested = [p for p in parts if p.result is not None]
    raw = [p.result.p_value for p in tested]
    for p, r in zip(tested, stats.adjust([p.result for p in tested], "holm")):
        p.result = r
    if len(tested) > 1:
        for p, r, p_raw in zip(tested, stats.adjust([p.result for p in tested], "bh"), raw):
            p.result = r if r.p_value is None else dataclasses.replace(
                r, details={**r.details, "p_raw": p_raw, "p_adjust": "holm+bh"})
    for p in parts:
        p.decision = decide(p.part.rule, p.result, missing_fields=p.missing_fields, missing_share=p.missing_share)
    decisions = [dataclasses.replace(p.decision, reason=f"{p.part.name}: {p.decision.reason}") for p in parts]
    decision = decisions[0] if len(decisions) == 1 else combine(decisions)
    return ClaimOutcome(d, outcome.snapshots, parts, rows, decision)


# -- chart --------------------------------------------------------------------------

def _field(text: str) -> tuple[str | None, str]:
    """``"mean(x):Q"`` → ``("mean", "x")``; ``"x:O"`` → ``(None, "x")`` (polars dtypes decide the type)."""
    name = text.partition(":")[0]
    m = re.fullmatch(r"(\w+)\((\w*)\)", name)
    return (m[1], m[2]) if m else (None, name)


def chart_spec(definition: ClaimDefinition) -> dict[str, str] | None:
    """The measuring query's declared chart, else one drawn from the first part's statistic."""
    if definition.query.chart:
        return dict(definition.query.chart)
    if not definition.parts:
        return None
    t = definition.parts[0].test
    stat = t["stat"]
    if stat == "proportion" and "flag" in t:
        return {"mark": "bar", "x": t["flag"], "y": COUNT}
    if stat in ("spearman", "wilcoxon_paired", "sign_test"):
        return {"mark": "point", "x": t["x"], "y": t["y"]}
    if stat == "mcnemar":
        return {"mark": "bar", "x": t["x"], "y": COUNT, "color": t["y"]}
    if stat == "mann_whitney":
        return {"mark": "tick", "x": t["group"], "y": t["value"]}
    if stat == "chi_square":
        return {"mark": "bar", "x": t["cols"], "y": COUNT, "color": t["rows"], "sort": "-y"}
    if stat == "trend":
        if t.get("aggregate") == "month":
            return {"mark": "line", "x": f"yearmonth({t['time']})", "y": f"mean({t['value']})"}
        return {"mark": "point", "x": t["time"], "y": t["value"]}
    if stat == "gini":
        return {"mark": "bar", "x": t["value"], "y": COUNT}
    return None


def chart_data(evidence: pl.DataFrame, spec: dict[str, str]) -> tuple[pl.DataFrame, dict[str, str], str]:
    """Apply a spec's ``year``/``yearmonth`` time units and ``mean``/``sum``/``median`` aggregates in polars;
    returns the rows, a plain spec for :func:`ptmkg.charts.chart`, and a note when the rows were sampled."""
    (x_fn, x), (y_fn, y) = _field(spec["x"]), _field(spec["y"])
    color = _field(spec["color"])[1] if spec.get("color") else None
    frame = evidence
    if x_fn in ("year", "yearmonth"):
        col = pl.col(x).str.to_datetime(strict=False) if frame.schema[x] == pl.String else pl.col(x)
        frame = frame.with_columns(col.dt.year() if x_fn == "year" else col.dt.truncate("1mo").dt.date())
    plain = {**spec, "x": x, "y": COUNT if y_fn == "count" else y}
    if color:
        plain["color"] = color
    if y_fn in ("mean", "sum", "median"):
        agg = getattr(pl.col(y).cast(pl.Float64), y_fn)()
        keys = [x] + ([color] if color else [])
        frame = frame.drop_nulls(x).group_by(keys).agg(agg.alias(f"{y_fn}_{y}")).sort(keys)
        plain["y"] = f"{y_fn}_{y}"
    note = ""
    if y_fn is None and frame.height > MAX_POINTS:
        note = f"a random sample of {MAX_POINTS:,} of {frame.height:,} rows"
        frame = frame.sample(MAX_POINTS, seed=0)
    return frame, plain, note


def evidence_chart(definition: ClaimDefinition, evidence: pl.DataFrame) -> alt.Chart | None:
    """An Altair chart of a claim's evidence rows (None when the claim declares none or there are no rows)."""
    spec = chart_spec(definition)
    if spec is None or not evidence.height:
        return None
    data, plain, note = chart_data(evidence, spec)
    title = f"{definition.id}: {definition.query.summary.removeprefix(f'Claim {definition.id}: ')}"
    figure = chart(data, plain, title=title)
    return figure.properties(title=alt.TitleParams(title, subtitle=note)) if note else figure


# -- view helpers ---------------------------------------------------------------------

def verdict_badge(label: str) -> str:
    """A coloured HTML badge for a verdict label."""
    colour = COLOURS.get(Verdict(label), "#6e7781")
    return (f'<span class="ptmkg-verdict" data-verdict="{html.escape(label)}" style="background:{colour};'
            f'color:white;padding:2px 10px;border-radius:10px;font-weight:600">{html.escape(label)}</span>')


def parts_frame(outcome: ClaimOutcome) -> pl.DataFrame:
    """One row per tested part: statistic, n, estimate with CI, raw and adjusted p, effect size, verdict."""
    rows = []
    for p in outcome.parts:
        r = p.result
        rows.append({"part": p.part.name, "stat": p.part.stat, "n": r.n if r else None,
                     "estimate": r.estimate if r else None, "ci_low": r.ci_low if r else None,
                     "ci_high": r.ci_high if r else None,
                     "p": r.details.get("p_raw", r.p_value) if r else None, "p_adjusted": r.p_value if r else None,
                     "effect": r.effect_size if r else None, "effect_name": r.effect_name if r else None,
                     "verdict": p.decision.label.value if p.decision else None})
    schema = {"part": pl.String, "stat": pl.String, "n": pl.Int64, "estimate": pl.Float64, "ci_low": pl.Float64,
              "ci_high": pl.Float64, "p": pl.Float64, "p_adjusted": pl.Float64, "effect": pl.Float64,
              "effect_name": pl.String, "verdict": pl.String}
    return pl.DataFrame(rows, schema=schema)


def _num(value: object) -> str:
    return "—" if value is None else f"{value:.3g}" if isinstance(value, float) else f"{value:,}"


class ClaimExplorer(w.VBox):
    """Re-test a literature claim: pick it, pick a snapshot, filter its evidence; the verdict and chart follow.

    State in/out without a browser: :meth:`select`, :meth:`set_snapshot`, :meth:`set_filter` set
    ``.outcome``; ``.verdict`` (the row ``kg.claims.run`` returns), ``.evidence`` and ``.chart`` read it.
    """

    def __init__(self, kg: KG, claim_id: str | None = None):
        self.kg, self.runner = kg, kg.claims
        self.definitions = self.runner.definitions()
        self.definition: ClaimDefinition | None = None
        self.snapshot: str | None = None
        self.filters: dict[str, object] = {}
        self.full: ClaimOutcome | None = None
        self.outcome: ClaimOutcome | None = None
        self.chart: alt.Chart | None = None
        self._quiet = False
        self.picker = w.Dropdown(description="claim", layout=w.Layout(width="640px"), options=[
            (f"{d.id} — {d.wording[:80]}{'…' if len(d.wording) > 80 else ''}", d.id)
            for d in self.definitions.values()])
        self.snapshot_picker = w.Dropdown(description="snapshot", layout=w.Layout(width="520px"))
        self.filter_box = w.HBox()
        self.info = w.HTML()
        self.verdict_html = w.HTML()
        self.parts_html = w.HTML()
        self.chart_box = w.VBox()
        self.table = ResultTable(page_size=15)
        self.sparql = w.HTML()
        self.tabs = w.Tab(children=[self.chart_box, self.table, self.sparql])
        for i, title in enumerate(("Chart", "Evidence", "SPARQL")):
            self.tabs.set_title(i, title)
        self.picker.observe(lambda c: self._react(self.select, c["new"]), names="value")
        self.snapshot_picker.observe(lambda c: self._react(self.set_snapshot, c["new"]), names="value")
        super().__init__([self.picker, self.info, self.snapshot_picker, self.filter_box, self.verdict_html,
                          self.parts_html, self.tabs])
        self.add_class("ptmkg-claim-explorer")
        self.select(claim_id or self._first_measurable())

    # -- state -------------------------------------------------------------------------

    @property
    def verdict(self) -> dict[str, Any]:
        """The current verdict as the row ``kg.claims.run`` returns (plus ``filters`` and ``rows``)."""
        assert self.outcome is not None
        return {**self.outcome.row(), "filters": dict(self.filters), "rows": self.outcome.evidence.height}

    @property
    def evidence(self) -> pl.DataFrame:
        """The evidence rows behind the current verdict (after filters)."""
        assert self.outcome is not None
        return self.outcome.evidence

    @property
    def filter_options(self) -> dict[str, list[object]]:
        """Filters this claim's evidence supports, with their values."""
        assert self.full is not None
        ev = self.full.evidence
        return {name: filter_values(ev, key)["value"].to_list() for name, key in filter_keys(ev).items()}

    def snapshot_options(self, definition: ClaimDefinition | None = None) -> list[tuple[str, str]]:
        """Loaded data snapshots the claim can run on: ``(source@version, graph IRI)``."""
        names = source_names(definition or self.definition)
        return [(s.label, s.graph) for s in loaded_snapshots(self.kg) if not names or s.source in names]

    def select(self, claim_id: str) -> dict[str, Any]:
        """Show claim ``claim_id`` on the current snapshot (reset when the claim cannot use it), no filters."""
        d = self.runner.get(claim_id).definition
        self.definition, self.filters = d, {}
        graphs = [g for _, g in self.snapshot_options(d)]
        if self.snapshot not in graphs:
            self.snapshot = None
        with self._silence():
            self.picker.value = d.id
            self.snapshot_picker.options = [(_LATEST, None)] + self.snapshot_options(d)
            self.snapshot_picker.value = self.snapshot
        self.info.value = (f"<p style='font-size:14px'><b>{html.escape(d.id)}</b> (v{d.version}) "
                           f"{html.escape(d.wording)}</p><p><i>{html.escape(d.citation)}</i><br>"
                           f"<b>published:</b> {html.escape(d.published)}"
                           + (f"<br><b>population:</b> {html.escape(d.population)}" if d.population else "")
                           + (f"<br><small>{html.escape(d.note)}</small>" if d.note else "") + "</p>")
        self.sparql.value = f"<pre>{html.escape(d.query.sparql)}</pre>"
        return self._measure()

    def set_snapshot(self, graph: str | None) -> dict[str, Any]:
        """Run the claim on one loaded snapshot (its graph IRI), or on the latest of each source (None)."""
        graphs = [g for _, g in self.snapshot_options()]
        if graph is not None and graph not in graphs:
            raise PtmkgError(f"claim {self.definition.id} cannot run on snapshot '{graph}'; "
                             f"its snapshots: {', '.join(graphs) or 'none loaded'}")
        self.snapshot = graph
        with self._silence():
            self.snapshot_picker.value = graph
        return self._measure()

    def set_filter(self, name: str, value: object) -> dict[str, Any]:
        """Keep only evidence rows whose ``name`` (task, year, library, licence family) is ``value`` and re-test;
        ``value=None`` removes the filter."""
        options = self.filter_options
        if name not in options:
            raise PtmkgError(f"claim {self.definition.id}'s evidence has no {name!r}; "
                             f"filters here: {', '.join(options) or 'none'}")
        if value is None:
            self.filters.pop(name, None)
        else:
            self.filters[name] = value
        return self._refilter()

    # -- internals -----------------------------------------------------------------------

    def _first_measurable(self) -> str:
        sources = {s.source for s in loaded_snapshots(self.kg)}
        usable = (d.id for d in self.definitions.values()
                  if d.parts and (not d.sources or source_names(d) & sources))
        return next(usable, next(iter(self.definitions)))

    def _measure(self) -> dict[str, Any]:
        self.full = self.runner.get(self.definition.id).outcome([self.snapshot] if self.snapshot else None)
        options = self.filter_options
        self.filters = {k: v for k, v in self.filters.items() if v in options.get(k, [])}
        with self._silence():
            self.filter_box.children = [self._filter_control(name, values) for name, values in options.items()]
        return self._refilter()

    def _filter_control(self, name: str, values: list[object]) -> w.Dropdown:
        counts = dict(filter_values(self.full.evidence, filter_keys(self.full.evidence)[name]).iter_rows())
        options = [("(all)", None)] + [(f"{v} ({counts[v]:,})", v) for v in values]
        control = w.Dropdown(description=name, options=options, value=self.filters.get(name),
                             layout=w.Layout(width="300px"))
        control.observe(lambda c, n=name: self._react(self.set_filter, n, c["new"]), names="value")
        return control

    def _refilter(self) -> dict[str, Any]:
        full = self.full
        self.outcome = retest(full, apply_filters(full.evidence, self.filters)) if self.filters else full
        self.chart = evidence_chart(self.definition, self.outcome.evidence)
        self._render()
        return self.verdict

    def _render(self) -> None:
        v, o = self.verdict, self.outcome
        ci = "" if v["ci_low"] is None else f" [{_num(v['ci_low'])}, {_num(v['ci_high'])}]"
        scope = ", ".join(v["snapshots"]) or "no loaded snapshot of its sources"
        where = " and ".join(f"{k} = {html.escape(str(x))}" for k, x in self.filters.items())
        rows = f"{o.evidence.height:,} of {self.full.evidence.height:,} evidence rows ({where})" if where else \
            f"{o.evidence.height:,} evidence rows"
        self.verdict_html.value = (
            f"<div style='font-size:14px;margin:6px 0'>{verdict_badge(v['verdict'])} "
            f"&nbsp;measured <b>{_num(v['estimate'])}</b>{ci} vs published <i>{html.escape(v['published'])}</i></div>"
            f"<div>n = {_num(v['n'])} · p = {_num(v['p_value'])} (adjusted {_num(v['p_adjusted'])}) · "
            f"effect size {_num(v['effect_size'])} · on {html.escape(scope)} · {rows}</div>"
            f"<div><b>reason:</b> {html.escape(v['reason'])}</div>")
        self.parts_html.value = to_html(parts_frame(o)) if o.parts else ""
        self.table.show(o.evidence)
        self.chart_box.children = [chart_widget(self.chart)] if self.chart is not None else [
            w.HTML("<i>no evidence rows to chart</i>")]

    def _react(self, method: Any, *args: object) -> None:
        if not self._quiet:
            method(*args)

    @contextmanager
    def _silence(self) -> Iterator[None]:
        self._quiet, previous = True, self._quiet
        try:
            yield
        finally:
            self._quiet = previous
