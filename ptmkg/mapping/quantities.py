"""Quantities: a number with its QUDT unit and how it was obtained, as a ptmkg:Quantity node."""

from __future__ import annotations

import polars as pl

from ptmkg.mapping.terms import Triples, const, double, text
from ptmkg.namespaces import PTMKG, QUDT, UNIT


def add_quantity(t: Triples, frame: pl.DataFrame, subject: pl.Expr, predicate: str, node: pl.Expr,
                 value: str, unit: str, obtained_by: str, raw: str | None = None) -> Triples:
    """Link ``subject`` to a ptmkg:Quantity ``node`` holding ``value`` in QUDT ``unit`` (rows with a value)."""
    rows = frame.filter(pl.col(value).is_not_null() & pl.col(value).is_finite())
    t.add(rows, subject, predicate, node)
    t.types(rows, node, PTMKG + "Quantity")
    t.add(rows, node, QUDT + "numericValue", double(value))
    t.add(rows, node, QUDT + "unit", const(UNIT + unit))
    t.add(rows, node, PTMKG + "obtainedBy", const(PTMKG + obtained_by))
    if raw:
        t.add(rows, node, PTMKG + "rawValue", text(raw))
    return t
