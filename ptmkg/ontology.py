"""The ptmkg ontology and SHACL shapes: loading them and validating data against them."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pyoxigraph as ox
import rdflib
from rdflib.namespace import OWL, RDF, SH
from tqdm.auto import tqdm

from ptmkg import resources
from ptmkg.errors import PtmkgError
from ptmkg.namespaces import PTMKG
from ptmkg.results import solutions_frame
from ptmkg.shacl_sparql import Check, compile_shapes, run_checks
from ptmkg.store import GraphStore, to_term

ONTOLOGY_DIR: Path = resources.folder("ontology")
SHAPES_FILE: Path = ONTOLOGY_DIR / "shapes.ttl"

_DECLARATION_TYPES = (
    OWL.Class,
    OWL.ObjectProperty,
    OWL.DatatypeProperty,
    OWL.AnnotationProperty,
    OWL.NamedIndividual,
    RDF.Property,
)

# Accepted names for `validate(fmt=...)`, mapped to rdflib parser names.
_FORMATS = {
    "nquads": "nquads",
    "nq": "nquads",
    "trig": "trig",
    "turtle": "turtle",
    "ttl": "turtle",
    "ntriples": "nt",
    "nt": "nt",
}
_QUAD_FORMATS = {"nquads", "trig"}
_OX_FORMATS = {"nquads": ox.RdfFormat.N_QUADS, "trig": ox.RdfFormat.TRIG, "turtle": ox.RdfFormat.TURTLE,
               "nt": ox.RdfFormat.N_TRIPLES}
ENGINES = ("sparql", "pyshacl")


@dataclass(frozen=True)
class Violation:
    """One SHACL validation result (of any severity)."""

    focus_node: str
    path: str | None
    message: str
    severity: str  # "Violation", "Warning" or "Info"
    shape: str  # IRI of the node shape (for a property shape: the node shape holding it)


@dataclass(frozen=True)
class ValidationReport:
    """Outcome of `validate`: `conforms` is False iff some result has severity Violation."""

    conforms: bool
    violations: list[Violation]


def ontology_graph() -> rdflib.Graph:
    """All ontology/*.ttl files except the shapes, parsed into one graph."""
    graph = rdflib.Graph()
    for path in sorted(ONTOLOGY_DIR.glob("*.ttl")):
        if path != SHAPES_FILE:
            graph.parse(path, format="turtle")
    return graph


def shapes_graph() -> rdflib.Graph:
    """The SHACL shapes graph (ontology/shapes.ttl)."""
    return rdflib.Graph().parse(SHAPES_FILE, format="turtle")


def declared_terms() -> set[str]:
    """IRIs in the ptmkg: namespace declared as a class, property or individual."""
    graph = ontology_graph()
    declared = {
        str(s)
        for kind in _DECLARATION_TYPES
        for s in graph.subjects(RDF.type, kind)
        if isinstance(s, rdflib.URIRef)
    }
    return {iri for iri in declared if iri.startswith(PTMKG) and iri != PTMKG}


def _parser(fmt: str) -> str:
    try:
        return _FORMATS[fmt.lower()]
    except KeyError:
        raise ValueError(f"unknown RDF format {fmt!r}; use one of {sorted(_FORMATS)}") from None


def _data_graph(data: str, fmt: str) -> rdflib.Graph:
    parser = _parser(fmt)
    if parser not in _QUAD_FORMATS:
        return rdflib.Graph().parse(data=data, format=parser)
    store = ox.Store()
    store.load(data, format=_OX_FORMATS[parser])
    return _union_graph(store)


def _union_graph(store: ox.Store, where: str = "{ ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } }") -> rdflib.Graph:
    """The triples matching ``where`` as one rdflib graph: Oxigraph writes them as N-Triples, which
    rdflib parses straight in (on 1.5M quads 60 s, where merging an rdflib Dataset took 126 s)."""
    text = store.query(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ {where} }}").serialize(format=ox.RdfFormat.N_TRIPLES)
    return rdflib.Graph().parse(data=text, format="nt")


def _named_shape(shapes: rdflib.Graph, shape: rdflib.term.Node) -> str:
    """The IRI of `shape`, or of the node shape whose sh:property is the blank `shape`."""
    if isinstance(shape, rdflib.BNode):
        parent = shapes.value(predicate=SH.property, object=shape)
        if parent is not None:
            return str(parent)
    return str(shape)


def _sorted(found: list[Violation]) -> list[Violation]:
    return sorted(found, key=lambda v: (v.focus_node, v.path or "", v.message, v.severity, v.shape))


def _violations(results: rdflib.Graph, shapes: rdflib.Graph) -> list[Violation]:
    found = []
    for result in results.subjects(RDF.type, SH.ValidationResult):
        path = results.value(result, SH.resultPath)
        message = results.value(result, SH.resultMessage)
        severity = str(results.value(result, SH.resultSeverity))
        found.append(
            Violation(
                focus_node=str(results.value(result, SH.focusNode)),
                path=None if path is None else str(path),
                message="" if message is None else str(message),
                severity=severity.removeprefix(str(SH)),
                shape=_named_shape(shapes, results.value(result, SH.sourceShape)),
            )
        )
    return _sorted(found)


def _report(found: list[Violation]) -> ValidationReport:
    return ValidationReport(conforms=all(v.severity != "Violation" for v in found), violations=_sorted(found))


def _validate_pyshacl(data: rdflib.Graph) -> ValidationReport:
    """Validate ``data``, a graph built for this call, with pySHACL: the ontology is mixed into it in place
    (copying 1.5M triples first took a third of pyshacl's time on the shared sources)."""
    import pyshacl  # the reference engine: imported only when asked for

    shapes = shapes_graph()
    conforms, results, _ = pyshacl.validate(
        data,
        shacl_graph=shapes,
        ont_graph=ontology_graph(),
        inference="none",
        allow_warnings=True,
        inplace=True,
    )
    return ValidationReport(conforms=bool(conforms), violations=_violations(results, shapes))


@lru_cache(maxsize=1)
def compiled_shapes() -> tuple[Check, ...]:
    """The shapes as SPARQL checks (:mod:`ptmkg.shacl_sparql`), compiled once per process."""
    return tuple(compile_shapes(shapes_graph(), ontology_graph()))


def _ontology_store() -> ox.Store:
    store = ox.Store()
    for path in sorted(ONTOLOGY_DIR.glob("*.ttl")):
        if path != SHAPES_FILE:
            store.load(path=str(path), format=ox.RdfFormat.TURTLE)
    return store


def _run(store: ox.Store, graphs: list[ox.NamedNode] | None = None) -> list[Violation]:
    """The compiled checks on ``store``: over the union of its graphs, or over ``graphs`` only."""
    scope: dict[str, object] = {"use_default_graph_as_union": True} if graphs is None else {"default_graph": graphs}
    rows = run_checks(list(compiled_shapes()), lambda sparql: solutions_frame(store.query(sparql, **scope)))
    return [Violation(**r) for r in rows.iter_rows(named=True)]


def _with_ontology(found: list[Violation]) -> list[Violation]:
    """``found`` plus the results on the ontology's own typed individuals (none with today's ontology)."""
    seen = set(found)
    return found + [v for v in _run(_ontology_store()) if v not in seen]


def validate(data: str, fmt: str = "nquads", *, engine: str = "sparql") -> ValidationReport:
    """Validate RDF text against the ptmkg shapes (the ontology is mixed in for subclass targets; no RDFS
    closure is computed, since mappings state every type explicitly).

    N-Quads/TriG input is merged into a single graph first, so links between snapshots
    (e.g. a verdict in one graph using a snapshot described in the catalog) are seen.
    Warnings are reported but do not make the data non-conforming. ``engine`` is ``"sparql"`` (the shapes
    compiled to SPARQL, run on Oxigraph) or ``"pyshacl"`` (the reference; slower by two orders of magnitude).
    """
    if engine not in ENGINES:
        raise ValueError(f"unknown validation engine {engine!r}; use one of {list(ENGINES)}")
    if engine == "pyshacl":
        return _validate_pyshacl(_data_graph(data, fmt))
    store = _ontology_store()
    store.load(data, format=_OX_FORMATS[_parser(fmt)])
    return _report(_run(store))


def validate_store(store: GraphStore, snapshot: str | None = None, *, engine: str = "sparql") -> ValidationReport:
    """Validate the union of the store's graphs (or one snapshot graph) as :func:`validate` does.

    With the ``"sparql"`` engine the checks run on the store in place (seconds on all shared data, where
    pySHACL needs the data copied into rdflib: about 3 minutes)."""
    if engine not in ENGINES:
        raise ValueError(f"unknown validation engine {engine!r}; use one of {list(ENGINES)}")
    graphs = None
    if snapshot is not None:
        graph = to_term(snapshot, as_iri=True)
        if not store.oxigraph.contains_named_graph(graph):
            raise PtmkgError(f"no snapshot graph {snapshot} in the store; 'ptmkg info' lists them")
        graphs = [graph]
    if engine == "sparql":
        with tqdm(total=1, desc="validating (SHACL as SPARQL)", unit="store", disable=None, leave=False) as bar:
            found = _with_ontology(_run(store.oxigraph, graphs))
            bar.update()
        return _report(found)
    where = "GRAPH ?g { ?s ?p ?o }" if snapshot is None else f"GRAPH {graph} {{ ?s ?p ?o }}"
    with tqdm(total=2, desc="reading the store", unit="step", disable=None, leave=False) as bar:
        data = _union_graph(store.oxigraph, where)
        bar.set_description("validating (pyshacl)")
        bar.update()
        report = _validate_pyshacl(data)
        bar.update()
    return report
