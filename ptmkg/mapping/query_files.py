"""Canned queries → SHACL SPARQL executables (the SIB sparql-examples pattern)."""

from __future__ import annotations

from ptmkg.mapping import terms as T
from ptmkg.namespaces import PTMKG, RDFS, SCHEMA, SH
from ptmkg.sources.base import SourceData

TARGET = "https://w3id.org/ptmkg/sparql"


def to_triples(data: SourceData) -> T.Triples:
    """One ``sh:SPARQLSelectExecutable`` per query with its comment, text, keywords and parameters."""
    q = data.frames["queries"]
    s = T.entity("query", "name")
    t = T.Triples().types(q, s, SH + "SPARQLExecutable", SH + "SPARQLSelectExecutable")
    t.add(q, s, RDFS + "label", T.text("summary", lang="en"))
    t.add(q, s, RDFS + "comment", T.text("description", lang="en"))
    t.add(q, s, SH + "select", T.text("sparql"))
    t.add(q, s, SCHEMA + "name", T.text("name"))
    t.add(q, s, SCHEMA + "target", T.const(TARGET))
    tags = q.select("name", "tags").explode("tags")
    t.add(tags, s, SCHEMA + "keywords", T.text("tags"))
    params = q.select("name", "parameters").explode("parameters")
    t.add(params, s, PTMKG + "queryParameter", T.text("parameters"))
    return t
