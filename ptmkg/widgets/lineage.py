"""A model's family tree from the graph: ancestors up to the root, all descendants, licences along each edge."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from ptmkg.errors import PtmkgError
from ptmkg.kg import KG
from ptmkg.mapping.identity import PERMISSIVE

UNKNOWN_LICENCES = {"none", "other", "unknown"}

_FAMILY = "{ ?_model_iri prov:wasDerivedFrom* ?node } UNION { ?node prov:wasDerivedFrom* ?_model_iri }"

_EDGES = """
SELECT ?child ?parent (GROUP_CONCAT(DISTINCT ?rel; separator=", ") AS ?relation) WHERE {
  { ?_model_iri prov:wasDerivedFrom* ?child . ?child prov:wasDerivedFrom ?parent }
  UNION
  { ?child prov:wasDerivedFrom ?parent . ?parent prov:wasDerivedFrom* ?_model_iri }
  OPTIONAL {
    VALUES (?p ?rel) { (ptmkg:fineTunedFrom "finetune") (ptmkg:adapterOf "adapter")
                       (ptmkg:quantizedFrom "quantized") (ptmkg:mergedFrom "merge") }
    ?child ?p ?parent .
  }
} GROUP BY ?child ?parent"""

_NODES = f"""
SELECT ?node (SAMPLE(?id) AS ?hub_id) (MAX(?dl) AS ?downloads)
       (COALESCE(SAMPLE(REPLACE(STR(?l), "^.*/", "")), "none") AS ?licence) WHERE {{
  {{ {_FAMILY} }}
  OPTIONAL {{ ?node ptmkg:hubId ?id }}
  OPTIONAL {{ ?node ptmkg:downloads ?dl }}
  OPTIONAL {{ ?node dct:license ?l }}
}} GROUP BY ?node"""

_FORMATS = f"""
SELECT ?node (GROUP_CONCAT(DISTINCT ?fmt; separator=", ") AS ?formats) WHERE {{
  {{ {_FAMILY} }}
  ?node ptmkg:hasFile/ptmkg:serialisationFormat ?fmt .
}} GROUP BY ?node"""

_EMISSIONS = f"""
SELECT ?node (MAX(?g) AS ?emissions_g) WHERE {{
  {{ {_FAMILY} }}
  ?node ptmkg:trainingRun/ptmkg:emissions ?q .
  ?q qudt:numericValue ?v ; qudt:unit ?u .
  BIND(REPLACE(STR(?u), "^.*/", "") AS ?unit)
  BIND(IF(?unit = "KiloGM", ?v * 1000, IF(?unit = "TONNE", ?v * 1000000, ?v)) AS ?g)
}} GROUP BY ?node"""

_FIND = """
SELECT ?m ?id WHERE { ?m a ptmkg:Model ; ptmkg:hubId ?id . FILTER(LCASE(STR(?id)) = LCASE(?_hub)) } LIMIT 1"""


def licence_class(licence: pl.Expr) -> pl.Expr:
    """``permissive`` (on the identity module's list), ``unknown`` (none/other/unknown) or ``non-permissive``."""
    return (pl.when(licence.is_in(list(PERMISSIVE))).then(pl.lit("permissive"))
            .when(licence.str.to_lowercase().is_in(list(UNKNOWN_LICENCES)) | licence.is_null())
            .then(pl.lit("unknown")).otherwise(pl.lit("non-permissive")))


def find_model(kg: KG, hub_id: str) -> str:
    """The IRI of the model with this Hub id (case-insensitive)."""
    rows = kg.query(_FIND, hub=hub_id)
    if not rows.height:
        raise PtmkgError(f"no model '{hub_id}' in the graph")
    return rows["m"][0]


def generations(edges: pl.DataFrame, model: str) -> pl.DataFrame:
    """Generation of every node relative to ``model``: 0 itself, -k k steps up, +k k steps down (shortest)."""
    found = pl.DataFrame({"node": [model], "generation": [0]})
    for column, other, step in (("child", "parent", -1), ("parent", "child", 1)):
        frontier, level = found.head(1), 0
        while frontier.height:
            level += step
            frontier = (edges.join(frontier, left_on=column, right_on="node", how="semi")
                        .select(pl.col(other).alias("node")).unique()
                        .join(found, on="node", how="anti").with_columns(generation=pl.lit(level, dtype=pl.Int64)))
            found = pl.concat([found, frontier])
    return found


@dataclass(frozen=True)
class Family:
    """A model's family: ``nodes`` (one row per model) and ``edges`` (child → parent with licences)."""

    model: str
    nodes: pl.DataFrame
    edges: pl.DataFrame

    @property
    def conflicts(self) -> pl.DataFrame:
        """Edges whose parent and child licences differ in kind (permissive vs non-permissive)."""
        return self.edges.filter("conflict")

    def tree(self) -> pl.DataFrame:
        """Nodes in depth-first order from the root(s), most downloaded siblings first, with the relation to the
        parent shown on each row."""
        children: dict[str, list[str]] = {}
        parent_of: dict[str, tuple[str, str | None]] = {}
        down = (self.edges.join(self.nodes.select("node", "generation", "downloads"), left_on="child", right_on="node")
                .sort(["downloads", "child"], descending=[True, False], nulls_last=True))
        for child, parent, rel in down.select("child", "parent", "relation").iter_rows():
            if child not in parent_of:  # a merge has several parents: show it under the first
                parent_of[child] = (parent, rel)
                children.setdefault(parent, []).append(child)
        roots = self.nodes.filter(~pl.col("node").is_in(list(parent_of)))["node"].sort().to_list()
        order: list[tuple[str, int]] = []
        stack = [(r, 0) for r in reversed(roots)]
        while stack:
            node, indent = stack.pop()
            order.append((node, indent))
            stack.extend((c, indent + 1) for c in reversed(children.get(node, [])))
        shape = pl.DataFrame(order, schema={"node": pl.String, "indent": pl.Int64}, orient="row")
        rel = pl.DataFrame([(c, r) for c, (_, r) in parent_of.items()],
                           schema={"node": pl.String, "relation": pl.String}, orient="row")
        flags = self.edges.group_by("child").agg(pl.col("conflict").any().alias("conflict"))
        return (shape.with_row_index("order").join(self.nodes, on="node", how="left")
                .join(rel, on="node", how="left").join(flags, left_on="node", right_on="child", how="left")
                .with_columns(pl.col("conflict").fill_null(False)).sort("order").drop("order"))


def family(kg: KG, hub_id: str) -> Family:
    """The family tree of the model with Hub id ``hub_id``: ancestors to the root and every descendant."""
    model = find_model(kg, hub_id)
    edges = kg.query(_EDGES, model=model).with_columns(pl.col("relation").replace("", None))
    nodes = (kg.query(_NODES, model=model)
             .join(kg.query(_FORMATS, model=model), on="node", how="left")
             .join(kg.query(_EMISSIONS, model=model), on="node", how="left")
             .join(generations(edges, model), on="node", how="left")
             .with_columns(pl.col("emissions_g").cast(pl.Float64), pl.col("downloads").cast(pl.Int64))
             .with_columns(licence_class=licence_class(pl.col("licence"))))
    lic = nodes.select("node", "licence", "licence_class")
    edges = (edges.join(lic.rename({"licence": "child_licence", "licence_class": "child_class"}),
                        left_on="child", right_on="node", how="left")
             .join(lic.rename({"licence": "parent_licence", "licence_class": "parent_class"}),
                   left_on="parent", right_on="node", how="left")
             .with_columns(conflict=(pl.col("child_class") != pl.col("parent_class"))
                           & (pl.col("child_class") != "unknown") & (pl.col("parent_class") != "unknown")))
    return Family(model, nodes.sort("generation", "hub_id"), edges.sort("child", "parent"))
