"""LineageExplorer: pick a model, see its family tree with relations, licences (conflicts flagged), downloads,
serialisation formats and reported emissions."""

from __future__ import annotations

import html

import altair as alt
import ipywidgets as w
import polars as pl

from ptmkg.charts import chart, chart_widget
from ptmkg.errors import PtmkgError
from ptmkg.kg import KG
from ptmkg.widgets.lineage import Family, family
from ptmkg.widgets.table import ResultTable

_PICKABLE = """
SELECT ?id (MAX(?dl) AS ?downloads) WHERE {
  ?m ptmkg:hubId ?id . { ?m prov:wasDerivedFrom ?x } UNION { ?x prov:wasDerivedFrom ?m }
  OPTIONAL { ?m ptmkg:downloads ?dl }
} GROUP BY ?id ORDER BY DESC(?downloads) ?id LIMIT 5000"""

GENERATION_CHART = {"mark": "bar", "x": "generation", "y": "count()", "color": "relation"}


def tree_rows(fam: Family) -> pl.DataFrame:
    """The family tree as display rows: the model name indented by depth, ★ on the picked model."""
    tree = fam.tree()
    mark = pl.when(pl.col("node") == fam.model).then(pl.lit("★ ")).otherwise(pl.lit(""))
    return tree.select(
        model=pl.concat_str(pl.lit("\u2003").repeat_by(pl.col("indent")).list.join(""), mark,
                            pl.col("hub_id").fill_null(pl.col("node"))),
        relation=pl.col("relation"), generation=pl.col("generation"), licence=pl.col("licence"),
        licence_kind=pl.col("licence_class"), downloads=pl.col("downloads"), formats=pl.col("formats"),
        emissions_g=pl.col("emissions_g"), conflict=pl.col("conflict"),
    )


def summary(fam: Family) -> str:
    """A one-paragraph HTML summary: ancestors, descendants by relation, licence conflicts."""
    n = fam.nodes
    up, down = n.filter(pl.col("generation") < 0).height, n.filter(pl.col("generation") > 0).height
    rel = (fam.tree().filter(pl.col("generation") > 0)["relation"].fill_null("unstated")
           .value_counts(sort=True).iter_rows())
    rels = ", ".join(f"{c} {html.escape(r)}" for r, c in rel) or "none"
    k = fam.conflicts.height
    flag = (f'<span style="color:#b00"><b>{k} licence conflict{"s" if k != 1 else ""}</b></span> '
            "(permissive ↔ non-permissive along an edge; highlighted rows)") if k else "no licence conflicts"
    return f"{up} ancestor{'s' if up != 1 else ''}; {down} descendants ({rels}); {flag}."


class LineageExplorer(w.VBox):
    """Pick a model and explore its family. State: :meth:`show` sets ``.family``, ``.rows`` and ``.chart``."""

    def __init__(self, kg: KG, page_size: int = 25):
        self.kg = kg
        self.family: Family | None = None
        self.rows: pl.DataFrame | None = None
        self.chart: alt.Chart | None = None
        self.error: str | None = None
        options = kg.query(_PICKABLE)["id"].to_list()
        self.picker = w.Combobox(description="model", options=options, placeholder="owner/name",
                                 ensure_option=False, layout=w.Layout(width="520px"))
        self.show_btn = w.Button(description="Show family", button_style="primary", icon="sitemap")
        self.info = w.HTML()
        self.table = ResultTable(page_size=page_size, flag="conflict")
        self.chart_box = w.VBox()
        self.show_btn.on_click(lambda _: self.show(self.picker.value))
        super().__init__([w.HBox([self.picker, self.show_btn]), self.info, self.table, self.chart_box])
        self.add_class("ptmkg-lineage-explorer")

    def show(self, hub_id: str) -> Family | None:
        """Load and display the family of ``hub_id`` (case-insensitive)."""
        self.picker.value = hub_id
        try:
            fam = family(self.kg, hub_id)
        except PtmkgError as e:
            self.family, self.rows, self.chart, self.error = None, None, None, str(e)
            self.info.value = f'<span style="color:#b00">{html.escape(self.error)}</span>'
            self.table.show(pl.DataFrame())
            self.chart_box.children = []
            return None
        self.family, self.error, self.rows = fam, None, tree_rows(fam)
        self.info.value = summary(fam)
        self.table.show(self.rows)
        down = fam.tree().filter(pl.col("generation") > 0)
        self.chart = chart(down, GENERATION_CHART, title="descendants per generation") if down.height else None
        self.chart_box.children = [chart_widget(self.chart)] if self.chart is not None else []
        return fam
