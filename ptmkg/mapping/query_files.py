"""Canned queries → SHACL SPARQL executables (the SIB sparql-examples pattern)."""

from __future__ import annotations

import polars as pl

from ptmkg.mapping import terms as T
from ptmkg.namespaces import PTMKG, RDFS, SCHEMA, SH
from ptmkg.sources.base import SourceData

TARGET = "https://w3id.org/ptmkg/sparql"


# query form → its SHACL executable class and text property (DESCRIBE: sparql-examples' sh:describe)
FORMS = {"select": ("SPARQLSelectExecutable", "select"), "ask": ("SPARQLAskExecutable", "ask"),
         "construct": ("SPARQLConstructExecutable", "construct"), "describe": (None, "describe")}


def to_triples(data: SourceData) -> T.Triples:
    """One ``sh:SPARQLExecutable`` per query, typed and worded by its form (``sh:SPARQLSelectExecutable``
    with ``sh:select``, …), with its comment, keywords and parameters."""
    q = data.frames["queries"]
    s = T.entity("query", "name")
    t = T.Triples().types(q, s, SH + "SPARQLExecutable")
    for form, (cls, text) in FORMS.items():
        part = q.filter(pl.col("form") == form)
        if cls:
            t.types(part, s, SH + cls)
        t.add(part, s, SH + text, T.text("sparql"))
    t.add(q, s, RDFS + "label", T.text("summary", lang="en"))
    t.add(q, s, RDFS + "comment", T.text("description", lang="en"))
    t.add(q, s, SCHEMA + "name", T.text("name"))
    t.add(q, s, SCHEMA + "target", T.const(TARGET))
    tags = q.select("name", "tags").explode("tags")
    t.add(tags, s, SCHEMA + "keywords", T.text("tags"))
    params = q.select("name", "parameters").explode("parameters")
    t.add(params, s, PTMKG + "queryParameter", T.text("parameters"))
    return t
