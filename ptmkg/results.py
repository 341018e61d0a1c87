"""SPARQL results → polars DataFrames with proper dtypes."""

from __future__ import annotations

from datetime import date, datetime, timezone

import polars as pl
import pyoxigraph as ox

from ptmkg.namespaces import XSD

_INT = {XSD + t for t in ("integer", "int", "long", "short", "byte", "nonNegativeInteger", "positiveInteger",
                          "negativeInteger", "nonPositiveInteger", "unsignedInt", "unsignedLong")}
_FLOAT = {XSD + t for t in ("double", "float", "decimal")}


def _convert(term: ox.NamedNode | ox.BlankNode | ox.Literal | None) -> tuple[object, str]:
    """A Python value and its kind for one term."""
    if term is None:
        return None, "null"
    if isinstance(term, ox.NamedNode):
        return term.value, "str"
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}", "str"
    if not isinstance(term, ox.Literal):
        return str(term), "str"
    dt = term.datatype.value
    v = term.value
    try:
        if dt in _INT:
            return int(v), "int"
        if dt in _FLOAT:
            return float(v), "float"
        if dt == XSD + "boolean":
            return v in ("true", "1"), "bool"
        if dt == XSD + "date":
            return date.fromisoformat(v[:10]), "date"
        if dt == XSD + "dateTime":
            return datetime.fromisoformat(v.replace("Z", "+00:00")), "datetime"
    except ValueError:
        pass
    return v, "str"


_DTYPES = {"int": pl.Int64, "float": pl.Float64, "bool": pl.Boolean, "date": pl.Date, "str": pl.String}


def _column(name: str, cells: list[tuple[object, str]]) -> pl.Series:
    kinds = {k for _, k in cells} - {"null"}
    values = [v for v, _ in cells]
    if kinds == {"int", "float"}:
        return pl.Series(name, [None if v is None else float(v) for v in values], dtype=pl.Float64)
    if len(kinds) == 1:
        kind = kinds.pop()
        if kind == "datetime":
            utc = [v.astimezone(timezone.utc) if v is not None and v.tzinfo else
                   (v.replace(tzinfo=timezone.utc) if v is not None else None) for v in values]
            return pl.Series(name, utc, dtype=pl.Datetime("us", "UTC"))
        return pl.Series(name, values, dtype=_DTYPES[kind])
    if not kinds:
        return pl.Series(name, values, dtype=pl.String)
    return pl.Series(name, [None if v is None else str(v) for v in values], dtype=pl.String)


def solutions_frame(solutions: ox.QuerySolutions) -> pl.DataFrame:
    """Convert SELECT solutions; IRIs become strings, typed literals native dtypes."""
    names = [v.value for v in solutions.variables]
    columns: list[list[tuple[object, str]]] = [[] for _ in names]
    for row in solutions:
        for i, term in enumerate(row):
            columns[i].append(_convert(term))
    return pl.DataFrame([_column(n, c) for n, c in zip(names, columns)])
