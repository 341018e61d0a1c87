"""SHACL shapes compiled to SPARQL and run on Oxigraph itself: no copy of the data into rdflib.

Each property shape of ``ontology/shapes.ttl`` becomes one SELECT of the value nodes that break any of
its value constraints (``sh:datatype``, ``sh:nodeKind``, ``sh:class``, ``sh:in``, ``sh:pattern``,
``sh:min/maxInclusive``, ``sh:min/maxExclusive``, ``sh:or`` of datatypes), plus one SELECT per count
(``sh:minCount``, ``sh:maxCount``) and pair (``sh:lessThanOrEquals``) constraint; node shapes add their
focus-node constraints (``sh:nodeKind``, ``sh:in``, ``sh:not`` of a class). Targets are ``sh:targetClass``
with the subclasses the ontology declares (what pySHACL sees when the ontology is mixed into the data).
Results are sets, as in one merged graph: a focus node or value repeated across snapshot graphs is
reported once, and there is one result per focus node, value node and constraint, as pySHACL gives.

Anything else in a shapes graph (other paths, targets or components) raises :class:`NotImplementedError`
when compiling, so a new kind of shape cannot be skipped silently; pySHACL remains the reference
(``tests/test_validate_fast.py`` checks that both give the same report).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

import polars as pl
import rdflib
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS, SH, XSD

_VALUE_COMPONENTS = {SH.datatype, SH.nodeKind, SH["class"], SH["in"], SH.pattern, SH["or"], SH.minInclusive,
                     SH.maxInclusive, SH.minExclusive, SH.maxExclusive}
_OTHER_PROPERTY_KEYS = {SH.path, SH.flags, SH.minCount, SH.maxCount, SH.lessThanOrEquals, SH.message, SH.severity,
                        SH.name, SH.description}
_NODE_KEYS = {RDF.type, SH.targetClass, SH.message, SH.severity, SH.property, SH.nodeKind, SH["in"], SH["not"],
              SH.name, SH.description}
_CASTS = {XSD.integer, XSD.double, XSD.boolean, XSD.dateTime, XSD.date}  # well-formedness: the cast must work
_NODE_KINDS = {
    SH.IRI: "isIRI({v})", SH.Literal: "isLiteral({v})", SH.BlankNode: "isBlank({v})",
    SH.BlankNodeOrIRI: "(isBlank({v}) || isIRI({v}))", SH.BlankNodeOrLiteral: "(isBlank({v}) || isLiteral({v}))",
    SH.IRIOrLiteral: "(isIRI({v}) || isLiteral({v}))",
}
_COMPARE = {SH.minInclusive: ">=", SH.maxInclusive: "<=", SH.minExclusive: ">", SH.maxExclusive: "<"}


@dataclass(frozen=True)
class Result:
    """The results one constraint yields from the rows of a :class:`Check`: every row where the boolean
    columns ``when`` are all true (every row when there are none) is one result for its ``?focus``."""

    shape: str
    path: str | None  # None for constraints on the focus node itself
    severity: str
    message: str
    when: tuple[str, ...] = ()


@dataclass(frozen=True)
class Check:
    """One compiled query and the constraints whose results its rows are."""

    sparql: str
    results: tuple[Result, ...]


@dataclass(frozen=True)
class _ValueTest:
    """A value constraint, kept apart so that all those on one path share one scan of its triples."""

    result: Result
    test: str  # SPARQL expression over ?v, true when the value breaks the constraint
    targets: tuple[str, ...]


def _n3(term: rdflib.term.Node) -> str:
    if isinstance(term, rdflib.BNode):
        raise NotImplementedError("blank nodes as constraint values cannot be compiled to SPARQL")
    return term.n3()


def _one(shapes: rdflib.Graph, node: rdflib.term.Node, key: rdflib.URIRef) -> rdflib.term.Node | None:
    values = list(shapes.objects(node, key))
    if len(values) > 1:
        raise NotImplementedError(f"{node} has {len(values)} values of {key}; one is supported")
    return values[0] if values else None


def subclass_closure(ontology: rdflib.Graph) -> Callable[[rdflib.URIRef], list[str]]:
    """A function giving a class and all its subclasses (``rdfs:subClassOf*`` in ``ontology``) as SPARQL terms."""
    def closure(cls: rdflib.URIRef) -> list[str]:
        return sorted(_n3(c) for c in ontology.transitive_subjects(RDFS.subClassOf, cls))
    return closure


def _typed(var: str, classes: list[str], type_var: str = "?_target") -> str:
    return f"{var} a {type_var} . VALUES {type_var} {{ {' '.join(classes)} }}"


def _datatype_ok(dt: rdflib.term.Node, v: str = "?v") -> str:
    ok = f"isLiteral({v}) && DATATYPE({v}) = {_n3(dt)}"
    if dt in _CASTS:
        ok += f" && COALESCE(isLiteral({_n3(dt)}({v})), false)"
    return f"({ok})"


def _violation(shapes: rdflib.Graph, shape: rdflib.term.Node, key: rdflib.URIRef, value: rdflib.term.Node,
               closure, v: str = "?v") -> str:
    """A SPARQL expression, true when the value ``v`` breaks the constraint ``key value`` of ``shape``."""
    if key == SH.datatype:
        return f"!COALESCE({_datatype_ok(value, v)}, false)"
    if key == SH.nodeKind:
        return f"!{_NODE_KINDS[value].format(v=v)}"
    if key == SH["class"]:
        return f"NOT EXISTS {{ {_typed(v, closure(value), '?_class')} }}"
    if key == SH["in"]:
        members = list(Collection(shapes, value))
        return f"!({' || '.join(f'sameTerm({v}, {_n3(m)})' for m in members) or 'false'})"
    if key == SH.pattern:
        flags = _one(shapes, shape, SH.flags)
        regex = f"REGEX(STR({v}), {_n3(rdflib.Literal(str(value)))}{', ' + _n3(flags) if flags else ''})"
        return f"(isBlank({v}) || !COALESCE({regex}, false))"
    if key in _COMPARE:
        return f"!COALESCE({v} {_COMPARE[key]} {_n3(value)}, false)"
    if key == SH["or"]:
        options = []
        for member in Collection(shapes, value):
            keys = set(shapes.predicates(member)) - {RDF.type}
            if keys != {SH.datatype}:
                raise NotImplementedError("sh:or is compiled for lists of sh:datatype shapes only")
            options.append(_datatype_ok(shapes.value(member, SH.datatype), v))
        return f"!COALESCE({' || '.join(options)}, false)"
    raise NotImplementedError(f"constraint {key} is not compiled to SPARQL")


def _text(shapes: rdflib.Graph, node: rdflib.term.Node, key: rdflib.URIRef, default: str = "") -> str:
    value = _one(shapes, node, key)
    return default if value is None else str(value)


def _check(result: Result, sparql: str) -> Check:
    return Check(sparql, (result,))


def _value_check(path: str, tests: list[_ValueTest]) -> Check:
    """One scan of ``path``: every value test as a column, then — for the values failing some test only —
    whether their focus node is a target of each shape concerned."""
    target_sets = sorted({t.targets for t in tests})
    exprs = sorted({t.test for t in tests})
    flags = [f"?c{i}" for i in range(len(exprs))]
    binds = " ".join(f"BIND(COALESCE({e}, true) AS {f})" for e, f in zip(exprs, flags))
    targets = " ".join(f"BIND(EXISTS {{ {_typed('?focus', list(s))} }} AS ?t{i})" for i, s in enumerate(target_sets))
    sparql = (f"SELECT * WHERE {{\n  {{ SELECT DISTINCT ?focus ?v {' '.join(flags)} WHERE {{\n"
              f"    ?focus <{path}> ?v . {binds}\n    FILTER({' || '.join(flags)}) }} }}\n  {targets}\n}}")
    results = tuple(Result(t.result.shape, t.result.path, t.result.severity, t.result.message,
                           (f"c{exprs.index(t.test)}", f"t{target_sets.index(t.targets)}")) for t in tests)
    return Check(sparql, results)


def _property_checks(shapes, node_shape, prop, targets: list[str], closure,
                     severity: str) -> Iterable[Check | _ValueTest]:
    unknown = set(shapes.predicates(prop)) - _VALUE_COMPONENTS - _OTHER_PROPERTY_KEYS
    if unknown:
        raise NotImplementedError(f"property shape keys {sorted(map(str, unknown))} are not compiled to SPARQL")
    path = _one(shapes, prop, SH.path)
    if not isinstance(path, rdflib.URIRef):
        raise NotImplementedError("only predicate paths (an IRI as sh:path) are compiled to SPARQL")
    p, shape, message = _n3(path), str(node_shape), _text(shapes, prop, SH.message)
    severity = _text(shapes, prop, SH.severity, severity).removeprefix(str(SH))
    for key, value in shapes.predicate_objects(prop):
        if key in _VALUE_COMPONENTS:
            yield _ValueTest(Result(shape, str(path), severity, message), _violation(shapes, prop, key, value, closure),
                             tuple(targets))
    low, high = _one(shapes, prop, SH.minCount), _one(shapes, prop, SH.maxCount)
    if low is not None and int(low) == 1:
        yield _check(Result(shape, str(path), severity, message), (
            f"SELECT DISTINCT ?focus WHERE {{ {_typed('?focus', targets)} FILTER NOT EXISTS {{ ?focus {p} ?v }} }}"))
    elif low is not None and int(low) > 1:
        yield _check(Result(shape, str(path), severity, message), (
            f"SELECT ?focus WHERE {{ {{ SELECT DISTINCT ?focus WHERE {{ {_typed('?focus', targets)} }} }}\n"
            f"  OPTIONAL {{ ?focus {p} ?v }} }} GROUP BY ?focus HAVING (COUNT(DISTINCT ?v) < {int(low)})"))
    if high is not None:  # counted over every subject first: few have more values than allowed
        yield _check(Result(shape, str(path), severity, message), (
            f"SELECT ?focus WHERE {{ {{ SELECT ?focus WHERE {{ ?focus {p} ?v }} GROUP BY ?focus "
            f"HAVING (COUNT(DISTINCT ?v) > {int(high)}) }} FILTER EXISTS {{ {_typed('?focus', targets)} }} }}"))
    for other in shapes.objects(prop, SH.lessThanOrEquals):
        yield _check(Result(shape, str(path), severity, message), (
            f"SELECT DISTINCT ?focus ?v ?w WHERE {{ ?focus {p} ?v ; {_n3(other)} ?w . "
            f"FILTER EXISTS {{ {_typed('?focus', targets)} }} FILTER(!COALESCE(?v <= ?w, false)) }}"))


def _node_checks(shapes, node_shape, targets: list[str], closure, severity: str) -> Iterable[Check]:
    message = _text(shapes, node_shape, SH.message)
    for key, value in shapes.predicate_objects(node_shape):
        if key in (SH.nodeKind, SH["in"]):
            test = _violation(shapes, node_shape, key, value, closure, "?focus")
        elif key == SH["not"]:
            keys = set(shapes.predicates(value)) - {RDF.type}
            if keys != {SH["class"]}:
                raise NotImplementedError("sh:not is compiled for a shape with one sh:class only")
            test = f"EXISTS {{ {_typed('?focus', closure(shapes.value(value, SH['class'])), '?_not')} }}"
        else:
            continue
        yield _check(Result(str(node_shape), None, severity, message), (
            f"SELECT DISTINCT ?focus WHERE {{ {_typed('?focus', targets)} FILTER(COALESCE({test}, true)) }}"))


def compile_shapes(shapes: rdflib.Graph, ontology: rdflib.Graph) -> list[Check]:
    """Every constraint of every node shape in ``shapes`` as SPARQL checks (see the module docstring)."""
    closure = subclass_closure(ontology)
    checks: list[Check] = []
    by_path: dict[str, list[_ValueTest]] = {}
    for node_shape in sorted(set(shapes.subjects(RDF.type, SH.NodeShape)), key=str):
        unknown = set(shapes.predicates(node_shape)) - _NODE_KEYS
        if unknown:
            raise NotImplementedError(f"node shape keys {sorted(map(str, unknown))} are not compiled to SPARQL")
        classes = list(shapes.objects(node_shape, SH.targetClass))
        if not classes:
            raise NotImplementedError(f"{node_shape}: only sh:targetClass targets are compiled to SPARQL")
        targets = sorted({t for c in classes for t in closure(c)})
        severity = _text(shapes, node_shape, SH.severity, str(SH.Violation)).removeprefix(str(SH))
        checks.extend(_node_checks(shapes, node_shape, targets, closure, severity))
        for prop in shapes.objects(node_shape, SH.property):
            for item in _property_checks(shapes, node_shape, prop, targets, closure, severity):
                if isinstance(item, _ValueTest):
                    by_path.setdefault(item.result.path, []).append(item)
                else:
                    checks.append(item)
    return checks + [_value_check(path, tests) for path, tests in sorted(by_path.items())]


def run_checks(checks: list[Check], query: Callable[[str], pl.DataFrame]) -> pl.DataFrame:
    """Run ``checks`` with ``query`` (SPARQL text → frame); one row per result: focus, path, message,
    severity, shape (pySHACL's result count: one per focus node, value node and failed constraint)."""
    frames = []
    for check in checks:
        rows = query(check.sparql)
        if rows.height == 0:
            continue
        for result in check.results:
            hits = rows.filter(*(pl.col(c).fill_null(False) for c in result.when)) if result.when else rows
            frames.append(hits.select(
                pl.col("focus").alias("focus_node"), pl.lit(result.path, pl.String).alias("path"),
                pl.lit(result.message).alias("message"), pl.lit(result.severity).alias("severity"),
                pl.lit(result.shape).alias("shape")))
    schema = {"focus_node": pl.String, "path": pl.String, "message": pl.String, "severity": pl.String,
              "shape": pl.String}
    return pl.concat(frames) if frames else pl.DataFrame(schema=schema)
