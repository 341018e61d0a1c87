"""QueryExplorer: search the canned queries (claims and exercises apart), fill in parameters, run, page, chart,
export."""

from __future__ import annotations

import html
import re
import threading
import time

import altair as alt
import ipywidgets as w
import polars as pl

from ptmkg import stoppable
from ptmkg.charts import chart, chart_widget
from ptmkg.errors import PtmkgError
from ptmkg.kg import KG
from ptmkg.queries import CannedQuery, Catalogue, catalogue
from ptmkg.widgets import export
from ptmkg.widgets.picker import QueryPicker
from ptmkg.widgets.progress import RunControl
from ptmkg.widgets.table import ResultTable


def parse_value(text: str, default: object = None) -> object:
    """Form text as a query parameter: an int/float when the default is one, else a string; blank → None."""
    text = text.strip()
    if not text:
        return None
    if isinstance(default, bool):
        return text.lower() in ("true", "1", "yes")
    if isinstance(default, int):
        return int(text)
    if isinstance(default, float):
        return float(text)
    return text


def _slug(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]+", "-", name).strip("-") or "result"


def empty_hint(params: dict[str, object]) -> str:
    """Why a query may have returned nothing: the values given, or what the graph holds."""
    given = {k: v for k, v in params.items() if v not in (None, "")}
    if given:
        shown = ", ".join(f"{k} = {v!r}" for k, v in given.items())
        return f"no rows: is {shown} in the graph? (ids are Hub ids such as microsoft/phi-2, matched exactly)"
    return "no rows: the loaded snapshots hold no matching facts ('ptmkg info' lists what is loaded)"


class QueryExplorer(w.VBox):
    """Pick a canned query, set its parameters, run it; see a paged table, its chart, its SPARQL; export.

    The picker searches names, titles, summaries and tags as you type (:meth:`search`) and lists canned queries
    first, then claims, then exercises. State in/out without a browser: :meth:`select`, :meth:`set_params`,
    :meth:`run` set ``.query``, ``.result`` (DataFrame), ``.chart`` (Altair chart or None) and ``.error``.
    """

    def __init__(self, kg: KG, queries: Catalogue | None = None, page_size: int = 15):
        self.kg, self.queries = kg, queries or catalogue()
        self.query: CannedQuery | None = None
        self.result: pl.DataFrame | None = None
        self.chart: alt.Chart | None = None
        self.error: str | None = None
        self.seconds: float | None = None
        self.picker = QueryPicker(self.queries, self._picked)
        self.info = w.HTML()
        self.form = w.VBox()
        self.run_btn = w.Button(description="Run", button_style="primary", icon="play")
        self.status = w.HTML()
        self.run_control = RunControl("running the query")
        self.table = ResultTable(page_size=page_size)
        self.chart_box = w.VBox()
        self.sparql = w.HTML()
        self.export_fmt = w.ToggleButtons(options=list(export.FORMATS), value="csv")
        self.export_path = w.Text(placeholder="path/to/result.csv or .parquet", layout=w.Layout(width="360px"))
        self.save_btn = w.Button(description="Write to path", icon="save")
        self.link = w.HTML()
        self.tabs = w.Tab(children=[
            self.table, self.chart_box, self.sparql,
            w.VBox([w.HBox([self.export_fmt]), self.link, w.HBox([self.export_path, self.save_btn])]),
        ])
        for i, title in enumerate(("Table", "Chart", "SPARQL", "Export")):
            self.tabs.set_title(i, title)
        self.run_btn.on_click(lambda _: self.start())
        self.export_fmt.observe(lambda _: self._refresh_link(), names="value")
        self.save_btn.on_click(lambda _: self._save())
        bar = w.HBox([self.run_btn, self.run_control, self.status])
        super().__init__([self.picker, self.info, self.form, bar, self.tabs])
        self.add_class("ptmkg-query-explorer")
        if self.picker.dropdown.value is not None:
            self.select(self.picker.dropdown.value)

    # -- state ---------------------------------------------------------------------

    def select(self, name: str) -> CannedQuery:
        """Show query ``name``: its description, a form for its parameters (defaults filled in), its SPARQL."""
        q = self.queries.get(name)
        self.run_control.cancel(drop=True)  # a run of the previous query is of no use now
        self.query, self.result, self.chart, self.error = q, None, None, None
        self.picker.show(name)
        self.run_btn.disabled = False
        tags = " ".join(f"<code>{html.escape(t)}</code>" for t in q.tags)
        self.info.value = (f"<b>{html.escape(q.summary)}</b><br>{html.escape(q.description)}<br>{tags}")
        self.form.children = [
            w.Text(description=p, value="" if q.defaults.get(p) is None else str(q.defaults[p]),
                   layout=w.Layout(width="520px"))
            for p in q.parameters
        ]
        self.sparql.value = f"<pre>{html.escape(q.sparql)}</pre>"
        self.status.value = ""
        self.table.show(pl.DataFrame())
        self.chart_box.children = []
        self.link.value = ""
        return q

    def search(self, text: str) -> list[str]:
        """Type ``text`` in the picker's search box; returns the names it lists (the first is selected)."""
        self.picker.search.value = text
        return self.picker.names

    def _picked(self, name: str | None) -> None:
        if name is not None:
            self.select(name)
            return
        self.query, self.result, self.chart, self.error = None, None, None, None
        self.run_btn.disabled = True
        self.info.value, self.form.children, self.sparql.value, self.status.value = "", [], "", ""
        self.table.show(pl.DataFrame())
        self.chart_box.children = []

    @property
    def params(self) -> dict[str, object]:
        """The parameter values in the form, typed like the query's defaults."""
        assert self.query is not None
        return {t.description: parse_value(t.value, self.query.defaults.get(t.description))
                for t in self.form.children}

    def set_params(self, **values: object) -> None:
        """Fill in form fields by parameter name."""
        fields = {t.description: t for t in self.form.children}
        for name, value in values.items():
            if name not in fields:
                raise PtmkgError(f"query '{self.query.name}' has no parameter '{name}'")
            fields[name].value = "" if value is None else str(value)

    def run(self) -> pl.DataFrame | None:
        """Run the selected query with the form's parameters and wait; sets ``.result`` and ``.chart`` (or
        ``.error``). The Run button uses :meth:`start` instead."""
        q = self._chosen()
        self.status.value = "<i>running…</i>"
        t0 = time.perf_counter()
        try:
            params = self.params
            result = q.run(self.kg, **params)
        except (PtmkgError, ValueError) as e:
            return self._failed(e)
        return self._show(q, params, result, time.perf_counter() - t0)

    def start(self) -> threading.Thread | None:
        """Run the selected query in the background (what the Run button does): past a second an elapsed
        counter and a Cancel button show; Cancel kills the query (``.error`` says so) and the widget stays
        usable. Returns the thread (``.run_control.wait()`` waits for it), or None when a parameter is wrong."""
        q = self._chosen()
        self.status.value = "<i>running…</i>"
        try:
            params = self.params
            args = q.arguments(**params)
        except (PtmkgError, ValueError) as e:
            self._failed(e)
            return None

        def work(stop: threading.Event) -> tuple[object, float]:
            t0 = time.perf_counter()
            return stoppable.query(self.kg, q.sparql, stop, **args), time.perf_counter() - t0

        return self.run_control.start(work, lambda done: self._show(q, params, *done), self._failed)

    def cancel(self) -> None:
        """Stop the background run (what the Cancel button does)."""
        self.run_control.cancel()

    def save(self, path: str) -> str:
        """Write the current result to ``path`` (.csv or .parquet); returns the path written."""
        if self.result is None:
            raise PtmkgError("run the query first")
        return str(export.write(self.result, path))

    # -- view helpers --------------------------------------------------------------

    def _chosen(self) -> CannedQuery:
        if self.query is None:
            raise PtmkgError("no query chosen: the search matches none")
        return self.query

    def _show(self, q: CannedQuery, params: dict[str, object], result: object, seconds: float) -> pl.DataFrame:
        self.seconds = seconds
        self.result = result if isinstance(result, pl.DataFrame) else pl.DataFrame({"answer": [result]})
        self.error = None
        self.chart = chart(self.result, q.chart, title=q.summary) if q.chart and self.result.height else None
        self.status.value = f"{self.result.height:,} rows in {self.seconds:.2f} s"
        if self.result.height == 0:
            self.status.value += " · " + html.escape(empty_hint(params))
        self.table.show(self.result)
        self.chart_box.children = [chart_widget(self.chart)] if self.chart is not None else [
            w.HTML("<i>this query declares no chart</i>" if not q.chart else "<i>no rows to chart</i>")]
        self._refresh_link()
        return self.result

    def _failed(self, error: BaseException) -> None:
        self.result, self.chart = None, None
        if isinstance(error, stoppable.Stopped):
            self.error = str(error)
            self.status.value = f"<span class='ptmkg-cancelled' style='color:#9a6700'>{html.escape(self.error)}</span>"
            return None
        self.error = str(error) if isinstance(error, (PtmkgError, ValueError)) else f"{type(error).__name__}: {error}"
        self.status.value = f'<span style="color:#b00">{html.escape(self.error)}</span>'
        return None

    def _refresh_link(self) -> None:
        if self.result is not None and self.query is not None:
            self.link.value = export.download_link(self.result, self.export_fmt.value, _slug(self.query.name))

    def _save(self) -> None:
        try:
            self.link.value = f"wrote <code>{html.escape(self.save(self.export_path.value))}</code>"
        except (PtmkgError, ValueError, OSError) as e:
            self.link.value = f'<span style="color:#b00">{html.escape(str(e))}</span>'
