"""Quantities: a number with its QUDT unit and how it was obtained, as a ptmkg:Quantity node."""

from __future__ import annotations

import polars as pl

from ptmkg.mapping.terms import Triples, const, double, text
from ptmkg.namespaces import PTMKG, QUDT, UNIT


def add_quantity(t: Triples, frame: pl.DataFrame, subject: pl.Expr, predicate: str, node: pl.Expr,
                 value: str, unit: str, obtained_by: str, raw: str | None = None,
                 keep_unparsed: bool = False) -> Triples:
    """Link ``subject`` to a ptmkg:Quantity ``node`` holding ``value`` in QUDT ``unit`` (rows with a value).

    ``raw``: a column with the value as the source wrote it (kept as ``ptmkg:rawValue``). With
    ``keep_unparsed``, rows whose raw text gave no number keep a Quantity too: raw text, unit and
    provenance, no ``qudt:numericValue``.
    """
    has_value = pl.col(value).is_not_null() & pl.col(value).is_finite()
    if keep_unparsed and raw:
        has_value = has_value.fill_null(False) | pl.col(raw).is_not_null()
    rows = frame.filter(has_value)
    t.add(rows, subject, predicate, node)
    t.types(rows, node, PTMKG + "Quantity", QUDT + "QuantityValue")
    t.add(rows, node, QUDT + "numericValue", double(value))
    t.add(rows, node, QUDT + "unit", const(UNIT + unit))
    t.add(rows, node, PTMKG + "obtainedBy", const(PTMKG + obtained_by))
    if raw:
        t.add(rows, node, PTMKG + "rawValue", text(raw))
    return t
