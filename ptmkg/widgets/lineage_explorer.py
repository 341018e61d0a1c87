"""LineageExplorer: pick a model, see its family tree with relations, licences (conflicts flagged, or alone),
downloads, serialisation formats and reported emissions."""

from __future__ import annotations

import html

import altair as alt
import ipywidgets as w
import polars as pl

from ptmkg.charts import chart, chart_widget
from ptmkg.errors import PtmkgError
from ptmkg.kg import KG
from ptmkg.widgets.lineage import Family, family
from ptmkg.widgets.lineage_tree import tree_html
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
            "(permissive ↔ non-permissive along an edge; highlighted, or alone with 'licence conflicts only')"
            ) if k else "no licence conflicts"
    return f"{up} ancestor{'s' if up != 1 else ''}; {down} descendants ({rels}); {flag}."


def conflict_rows(fam: Family) -> pl.DataFrame:
    """One row per licence conflict: the child model beside its parent, each with its licence and kind."""
    names = fam.nodes.select("node", name=pl.col("hub_id").fill_null(pl.col("node")))
    return (fam.conflicts
            .join(names.rename({"name": "model"}), left_on="child", right_on="node", how="left")
            .join(names.rename({"name": "parent_model"}), left_on="parent", right_on="node", how="left")
            .join(fam.nodes.select("node", "downloads"), left_on="child", right_on="node", how="left")
            .select(model="model", relation="relation", licence="child_licence", licence_kind="child_class",
                    parent="parent_model", parent_licence="parent_licence", parent_kind="parent_class",
                    downloads="downloads", conflict="conflict")
            .sort("model"))


class LineageExplorer(w.VBox):
    """Pick a model and explore its family: a collapsible tree, a paged table and a chart of descendants per
    generation; "conflicts only" narrows the tree to the paths to licence conflicts and the table to the
    conflicting edges. State: :meth:`show` sets ``.family``, ``.rows`` (what the table shows) and ``.chart``;
    :meth:`set_conflicts_only` switches the filter."""

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
        self.conflicts_only = w.Checkbox(description="licence conflicts only", value=False, indent=False)
        self.conflicts_only.add_class("ptmkg-conflicts-only")
        self.info = w.HTML()
        self.tree = w.HTML()
        self.table = ResultTable(page_size=page_size, flag="conflict")
        self.chart_box = w.VBox()
        self.tabs = w.Tab(children=[self.tree, self.table, self.chart_box])
        for i, title in enumerate(("Tree", "Table", "Chart")):
            self.tabs.set_title(i, title)
        self.show_btn.on_click(lambda _: self.show(self.picker.value))
        self.conflicts_only.observe(lambda c: self.set_conflicts_only(c["new"]), names="value")
        super().__init__([w.HBox([self.picker, self.show_btn, self.conflicts_only]), self.info, self.tabs])
        self.add_class("ptmkg-lineage-explorer")

    def show(self, hub_id: str) -> Family | None:
        """Load and display the family of ``hub_id`` (case-insensitive)."""
        self.picker.value = hub_id
        try:
            fam = family(self.kg, hub_id)
        except PtmkgError as e:
            self.family, self.rows, self.chart, self.error = None, None, None, str(e)
            self.info.value = f'<span style="color:#b00">{html.escape(self.error)}</span>'
            self.tree.value = ""
            self.table.show(pl.DataFrame())
            self.chart_box.children = []
            return None
        self.family, self.error = fam, None
        self.info.value = summary(fam)
        down = fam.tree().filter(pl.col("generation") > 0)
        self.chart = chart(down, GENERATION_CHART, title="descendants per generation") if down.height else None
        self.chart_box.children = [chart_widget(self.chart)] if self.chart is not None else []
        self._render()
        return fam

    def set_conflicts_only(self, on: bool) -> pl.DataFrame | None:
        """Show only the licence conflicts (the tree: their paths from the root; the table: one row per
        conflicting edge, child beside parent) or, ``on=False``, the whole family; returns ``.rows``."""
        if self.conflicts_only.value != on:
            self.conflicts_only.value = on  # its observer calls back here
            return self.rows
        if self.family is not None:
            self._render()
        return self.rows

    def _render(self) -> None:
        fam, only = self.family, self.conflicts_only.value
        self.rows = conflict_rows(fam) if only else tree_rows(fam)
        self.tree.value = tree_html(fam, conflicts_only=only)
        self.table.show(self.rows)
