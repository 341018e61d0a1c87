"""ClaimExplorer: pick a literature claim, see its verdict on a snapshot, filter its evidence and re-test it."""

from __future__ import annotations

import html
import threading
from typing import Any

import altair as alt
import ipywidgets as w
import polars as pl

from ptmkg import stoppable
from ptmkg.charts import chart_widget
from ptmkg.claims import report
from ptmkg.claims.definitions import ClaimDefinition
from ptmkg.claims.display import parts_table, replication_badge, verdict_badge
from ptmkg.claims.runner import ClaimOutcome, loaded_snapshots, parts_frame, retest
from ptmkg.claims.verdict import COMBINATION_RULE
from ptmkg.errors import PtmkgError
from ptmkg.kg import KG
from ptmkg.widgets.progress import RunControl
from ptmkg.widgets.quiet import Quiet
from ptmkg.widgets.table import ResultTable

FILTERS: dict[str, tuple[str, ...]] = {
    "task": ("task", "pipeline_task"),
    "year": ("year", "created"),
    "library": ("library", "child_library"),
    "licence family": ("licence_family", "licence_class", "child_class"),
}
"""Filter name → the evidence columns that carry it (first present wins; ``year`` may come from a date)."""

_ANY = ""  # the dropdown value for "no choice" (ipywidgets shows a None value as an empty selection)


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


class ClaimExplorer(Quiet, w.VBox):
    """Re-test a literature claim: pick it, pick a snapshot, filter its evidence; the verdict and chart follow.

    Picking a claim or a snapshot measures it in the background (:meth:`start_select`,
    :meth:`start_snapshot`; a Cancel button shows past a second). State in/out without a browser:
    :meth:`select`, :meth:`set_snapshot`, :meth:`set_filter` set
    ``.outcome``; ``.verdict`` (the row ``kg.claims.run`` returns), ``.parts`` (one row per part),
    ``.evidence``, ``.charts`` (one per tested part, from :func:`ptmkg.claims.report.chart`) and ``.chart``
    (the first part's) read it. The page shows the claim's verdict with its parts counted, then every part
    with its own verdict, estimate beside its published number, and full reason.
    """

    def __init__(self, kg: KG, claim_id: str | None = None):
        self.kg, self.runner = kg, kg.claims
        self.definitions = self.runner.definitions()
        self.definition: ClaimDefinition | None = None
        self.snapshot: str | None = None
        self.filters: dict[str, object] = {}
        self.full: ClaimOutcome | None = None
        self.outcome: ClaimOutcome | None = None
        self.charts: dict[str, alt.TopLevelMixin] = {}
        self.picker = w.Dropdown(description="claim", layout=w.Layout(width="640px"), options=[
            (f"{d.id} — {d.wording[:80]}{'…' if len(d.wording) > 80 else ''}", d.id)
            for d in self.definitions.values()])
        self.snapshot_picker = w.Dropdown(description="snapshot", layout=w.Layout(width="520px"))
        self.filter_box = w.HBox()
        self.run_control = RunControl("measuring the claim")
        self.filter_controls: dict[str, w.Dropdown] = {}
        self.info = w.HTML()
        self.verdict_html = w.HTML()
        self.parts_html = w.HTML()
        self.chart_box = w.VBox()
        self.table = ResultTable(page_size=15)
        self.sparql = w.HTML()
        self.tabs = w.Tab(children=[self.chart_box, self.table, self.sparql])
        for i, title in enumerate(("Chart", "Evidence", "SPARQL")):
            self.tabs.set_title(i, title)
        self.picker.observe(lambda c: self._react(self.start_select, c["new"]), names="value")
        self.snapshot_picker.observe(lambda c: self._react(self.start_snapshot, c["new"] or None), names="value")
        super().__init__([self.picker, self.info, self.snapshot_picker, self.filter_box, self.run_control,
                          self.verdict_html, self.parts_html, self.tabs])
        self.add_class("ptmkg-claim-explorer")
        self.select(claim_id or self._first_measurable())

    # -- state -------------------------------------------------------------------------

    @property
    def verdict(self) -> dict[str, Any]:
        """The current verdict as the row ``kg.claims.run`` returns (plus ``filters`` and ``rows``)."""
        assert self.outcome is not None
        return {**self.outcome.row(), "filters": dict(self.filters), "rows": self.outcome.evidence.height}

    @property
    def parts(self) -> pl.DataFrame:
        """The current outcome's parts, one row each (:func:`ptmkg.claims.runner.parts_frame`)."""
        assert self.outcome is not None
        return parts_frame([self.outcome])

    @property
    def evidence(self) -> pl.DataFrame:
        """The evidence rows behind the current verdict (after filters)."""
        assert self.outcome is not None
        return self.outcome.evidence

    @property
    def chart(self) -> alt.TopLevelMixin | None:
        """The chart of the headline part (the first with a test result), if any."""
        return next(iter(self.charts.values()), None)

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
        self._show_claim(claim_id)
        return self._measured(self._outcome(None))

    def set_snapshot(self, graph: str | None) -> dict[str, Any]:
        """Run the claim on one loaded snapshot (its graph IRI), or on the latest of each source (None)."""
        self._use_snapshot(graph)
        return self._measured(self._outcome(None))

    def start_select(self, claim_id: str) -> threading.Thread:
        """:meth:`select` in the background (what picking a claim does): past a second an elapsed counter and
        a Cancel button show; Cancel kills the query running then and leaves the claim unmeasured (pick it
        again to re-run). Returns the thread (``.run_control.wait()`` waits for it)."""
        self._show_claim(claim_id)
        return self._start_measure()

    def start_snapshot(self, graph: str | None) -> threading.Thread:
        """:meth:`set_snapshot` in the background (what picking a snapshot does), as :meth:`start_select`."""
        self._use_snapshot(graph)
        return self._start_measure()

    def cancel(self) -> None:
        """Stop the background run (what the Cancel button does)."""
        self.run_control.cancel()

    def _show_claim(self, claim_id: str) -> None:
        d = self.runner.get(claim_id).definition
        self.run_control.cancel(drop=True)
        self.definition, self.filters = d, {}
        graphs = [g for _, g in self.snapshot_options(d)]
        if self.snapshot not in graphs:
            self.snapshot = None
        with self._silence():
            self.picker.value = d.id
            self.snapshot_picker.options = [("latest snapshot of each source", _ANY)] + self.snapshot_options(d)
            self.snapshot_picker.value = self.snapshot or _ANY
        self.info.value = (f"<p style='font-size:14px'><b>{html.escape(d.id)}</b> (v{d.version}) "
                           f"{html.escape(d.wording)}</p><p><i>{html.escape(d.citation)}</i><br>"
                           f"<b>published:</b> {html.escape(d.published)}"
                           + f"<br><b>population:</b> {html.escape(d.population)} ({html.escape(d.population_key)})"
                           + (f"<br><small>{html.escape(d.note)}</small>" if d.note else "") + "</p>")
        self.sparql.value = f"<pre>{html.escape(d.query.sparql)}</pre>"

    def _use_snapshot(self, graph: str | None) -> None:
        graphs = [g for _, g in self.snapshot_options()]
        if graph is not None and graph not in graphs:
            raise PtmkgError(f"claim {self.definition.id} cannot run on snapshot '{graph}'; "
                             f"its snapshots: {', '.join(graphs) or 'none loaded'}")
        self.run_control.cancel(drop=True)
        self.snapshot = graph
        with self._silence():
            self.snapshot_picker.value = graph or _ANY

    def set_filter(self, name: str, value: object) -> dict[str, Any]:
        """Keep only evidence rows whose ``name`` (task, year, library, licence family) is ``value`` and re-test;
        ``value=None`` removes the filter."""
        options = self.filter_options
        if name not in options:
            raise PtmkgError(f"claim {self.definition.id}'s evidence has no {name!r}; "
                             f"filters here: {', '.join(options) or 'none'}")
        if value is not None and value not in options[name]:
            raise PtmkgError(f"no evidence rows with {name} = {value!r}; values: {options[name][:20]}")
        if value is None:
            self.filters.pop(name, None)
        else:
            self.filters[name] = value
        with self._silence():
            self.filter_controls[name].value = self.filters.get(name, _ANY)
        return self._refilter()

    # -- internals -----------------------------------------------------------------------

    def _first_measurable(self) -> str:
        sources = {s.source for s in loaded_snapshots(self.kg)}
        usable = (d.id for d in self.definitions.values()
                  if d.parts and (not d.sources or source_names(d) & sources))
        return next(usable, next(iter(self.definitions)))

    def _outcome(self, stop: threading.Event | None, claim_id: str | None = None,
                 snapshot: str | None = None) -> ClaimOutcome:
        claim_id, snapshot = (claim_id, snapshot) if claim_id else (self.definition.id, self.snapshot)
        return self.runner.get(claim_id).outcome([snapshot] if snapshot else None, stop=stop)

    def _start_measure(self) -> threading.Thread:
        claim_id, snapshot = self.definition.id, self.snapshot
        self.full = self.outcome = None
        with self._silence():
            self.filter_box.children = []
        self.verdict_html.value = f"<i>measuring {html.escape(claim_id)}…</i>"
        self.parts_html.value = ""
        return self.run_control.start(lambda stop: self._outcome(stop, claim_id, snapshot), self._measured,
                                      self._failed)

    def _failed(self, error: BaseException) -> None:
        self.full = self.outcome = None
        self.charts = {}
        stopped = isinstance(error, stoppable.Stopped)
        text = f"{error}; pick the claim or a snapshot again to re-run it" if stopped else \
            str(error) if isinstance(error, PtmkgError) else f"{type(error).__name__}: {error}"
        self.verdict_html.value = (f"<span class='{'ptmkg-cancelled' if stopped else 'ptmkg-error'}' "
                                   f"style='color:{'#9a6700' if stopped else '#b00'}'>{html.escape(text)}</span>")
        self.parts_html.value = ""
        self.table.show(pl.DataFrame())
        self.chart_box.children = [w.HTML("<i>not measured</i>")]

    def _measured(self, full: ClaimOutcome) -> dict[str, Any]:
        self.full = full
        options = self.filter_options
        self.filters = {k: v for k, v in self.filters.items() if v in options.get(k, [])}
        self.filter_controls = {name: self._filter_control(name, values) for name, values in options.items()}
        with self._silence():
            self.filter_box.children = list(self.filter_controls.values())
        return self._refilter()

    def _filter_control(self, name: str, values: list[object]) -> w.Dropdown:
        counts = dict(filter_values(self.full.evidence, filter_keys(self.full.evidence)[name]).iter_rows())
        options = [("(all)", _ANY)] + [(f"{v} ({counts[v]:,})", v) for v in values]
        control = w.Dropdown(description=name, options=options, value=self.filters.get(name, _ANY),
                             layout=w.Layout(width="300px"))
        control.observe(lambda c, n=name: self._react(self.set_filter, n, None if c["new"] == _ANY else c["new"]),
                        names="value")
        return control

    def _refilter(self) -> dict[str, Any]:
        full = self.full
        self.outcome = retest(full, apply_filters(full.evidence, self.filters)) if self.filters else full
        self.charts = {p.part.name: c for p in self.outcome.parts if (c := report.chart(self.outcome, p)) is not None}
        self._render()
        return self.verdict

    def _render(self) -> None:
        v, o = self.verdict, self.outcome
        scope = ", ".join(v["snapshots"]) or "no loaded snapshot of its sources"
        frames = "; ".join(v["frames"]) or "no frame"
        where = " and ".join(f"{k} = {html.escape(str(x))}" for k, x in self.filters.items())
        rows = f"{o.evidence.height:,} of {self.full.evidence.height:,} evidence rows ({where})" if where else \
            f"{o.evidence.height:,} evidence rows"
        combined = (f"<div><small>the claim's verdict: {html.escape(COMBINATION_RULE)}</small></div>" if o.parts
                    else f"<div><b>reason:</b> {html.escape(v['reason'])}</div>")
        self.verdict_html.value = (
            f"<div style='font-size:14px;margin:6px 0'>{verdict_badge(v['verdict'])} "
            f"&nbsp;<b>{html.escape(v['summary'])}</b></div>{combined}"
            f"<div>on {html.escape(scope)} ({html.escape(frames)}) · {rows}</div>" + self._replication_html(v)
            + report.replication_checks_html(o))
        self.parts_html.value = parts_table(o)
        self.table.show(o.evidence)
        self.chart_box.children = [w.VBox([w.HTML(f"<b>{html.escape(name)}</b>"), chart_widget(c)])
                                   for name, c in self.charts.items()] or [w.HTML("<i>no tested part to chart</i>")]

    @staticmethod
    def _replication_html(v: dict[str, Any]) -> str:
        """The replication step's badge, the paper's snapshot and the reason (nothing if the claim has none)."""
        if v["replication"] is None:
            return ""
        on = f" on {html.escape(v['replication_snapshot'])}" if v["replication_snapshot"] else ""
        return (f"<div style='margin-top:6px'><b>replication</b> {replication_badge(v['replication'])}{on}: "
                f"{html.escape(v['replication_reason'])}</div>")

