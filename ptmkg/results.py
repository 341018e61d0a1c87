"""SPARQL results → polars DataFrames with proper dtypes.

:func:`solutions_frame` serialises the solutions as SPARQL TSV in Oxigraph and converts whole columns in
polars: on results of 50k–100k rows that is several times faster than a Python loop over the terms. A column
whose values the vectorised path cannot convert exactly as :func:`_convert` would (mixed kinds, dates and
times, numbers in unusual lexical forms) is converted cell by cell with the same functions, so the dtypes and
values are those of the row-by-row conversion either way.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timezone

import polars as pl
import pyoxigraph as ox

from ptmkg.namespaces import XSD

_INT = {XSD + t for t in ("integer", "int", "long", "short", "byte", "nonNegativeInteger", "positiveInteger",
                          "negativeInteger", "nonPositiveInteger", "unsignedInt", "unsignedLong")}
_FLOAT = {XSD + t for t in ("double", "float", "decimal")}


def _typed(v: str, dt: str) -> tuple[object, str]:
    """A Python value and its kind for a literal of lexical form ``v`` and datatype IRI ``dt``."""
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
    return _typed(term.value, term.datatype.value)


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


# -- the vectorised path: TSV terms (N-Triples syntax, Turtle's bare numbers and booleans) → columns -------------

_KIND_OF = {**{dt: "int" for dt in _INT}, **{dt: "float" for dt in _FLOAT}, XSD + "boolean": "bool",
            XSD + "date": "date", XSD + "dateTime": "datetime"}
_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
_QUOTED = r'(?s)^"(.*)"(?:\^\^<(.*)>|@(.*))?$'
_INT_TEXT = r"^-?[0-9]{1,18}$"  # what polars and int() read alike, within Int64
_FLOAT_TEXT = r"^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$"
_DATE_TEXT = r"^([1-9][0-9]{3}|0[1-9][0-9]{2}|00[1-9][0-9]|000[1-9])-[0-9]{2}-[0-9]{2}"  # no year 0 in Python
_ESCAPE = re.compile(r"\\(?:u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8})|(.))", re.S)
_ECHAR = {"t": "\t", "b": "\b", "n": "\n", "r": "\r", "f": "\f", '"': '"', "'": "'", "\\": "\\"}


def _unescape(text: str) -> str:
    """A string literal's value from its N-Triples form (ECHAR and UCHAR escapes)."""
    def one(m: re.Match[str]) -> str:
        code = m.group(1) or m.group(2)
        return chr(int(code, 16)) if code else _ECHAR.get(m.group(3), m.group(0))
    return _ESCAPE.sub(one, text)


def _terms(raw: pl.Series) -> pl.DataFrame:
    """TSV terms (``""`` = unbound) as columns ``value`` (lexical form, IRI or ``_:id``), ``dt`` (datatype
    IRI, null for IRIs and blank nodes) and ``kind`` (int, float, bool, date, datetime, str; null if unbound)."""
    t = pl.col("t")
    quoted = t.str.extract_groups(_QUOTED)
    bare_dt = (pl.when(t.str.contains(r"^[+-]?[0-9]+$")).then(pl.lit(XSD + "integer"))
               .when(t.str.contains(r"^[+-]?[0-9]*\.[0-9]+$")).then(pl.lit(XSD + "decimal"))
               .when(t.is_in(["true", "false"])).then(pl.lit(XSD + "boolean"))
               .otherwise(pl.lit(XSD + "double")))
    frame = pl.DataFrame({"t": raw}).with_columns(pl.when(t != "").then(t)).select(
        pl.when(t.str.starts_with('"')).then(quoted.struct.field("1"))
          .when(t.str.starts_with("<")).then(t.str.slice(1, t.str.len_chars() - 2))
          .otherwise(t).alias("value"),
        pl.when(t.str.starts_with('"'))
          .then(pl.coalesce(quoted.struct.field("2"),
                            pl.when(quoted.struct.field("3").is_not_null()).then(pl.lit(_LANG_STRING))
                            .otherwise(pl.lit(XSD + "string"))))
          .when(t.str.starts_with("<") | t.str.starts_with("_:")).then(None)
          .when(t.is_not_null()).then(bare_dt).alias("dt"),
        t.is_null().alias("unbound"),
    )
    escaped = (frame["dt"].is_not_null() & frame["value"].str.contains("\\", literal=True)).fill_null(False)
    if escaped.any():
        rows = escaped.arg_true()
        frame = frame.with_columns(frame["value"].scatter(rows, [_unescape(v) for v in frame["value"].gather(rows)]))
    return frame.with_columns(
        pl.when(pl.col("unbound")).then(None)
          .otherwise(pl.col("dt").replace_strict(_KIND_OF, default="str", return_dtype=pl.String))
          .alias("kind"))


def _vector_column(name: str, raw: pl.Series) -> pl.Series:
    """One result column from its TSV terms, converted as :func:`_column` converts :func:`_convert`'s cells."""
    terms = _terms(raw)
    value, kind = terms["value"], terms["kind"]
    kinds = set(kind.drop_nulls().unique().to_list())
    numeric = value.filter(kind.is_in(["int", "float"]).fill_null(False))
    if not kinds or kinds == {"str"}:
        return value.rename(name)
    if kinds == {"int"} and numeric.str.contains(_INT_TEXT).all():
        return value.cast(pl.Int64).rename(name)
    if kinds <= {"int", "float"} and numeric.str.contains(_FLOAT_TEXT).all() and \
            value.filter(kind == "int").str.contains(_INT_TEXT).all():
        return value.cast(pl.Float64).rename(name)
    if kinds == {"bool"}:
        return terms.select(pl.when(pl.col("kind").is_not_null()).then(pl.col("value").is_in(["true", "1"])))\
            .to_series().rename(name)
    if kinds == {"date"} and value.drop_nulls().str.contains(_DATE_TEXT).all():
        dates = value.str.slice(0, 10).str.to_date("%Y-%m-%d", strict=False)
        if dates.null_count() == value.null_count():
            return dates.rename(name)
    cells = [(None, "null") if unbound else (v, "str") if dt is None else _typed(v, dt)
             for v, dt, unbound in zip(value, terms["dt"], terms["unbound"])]
    return _column(name, cells)


def _row_frame(names: list[str], solutions: ox.QuerySolutions) -> pl.DataFrame:
    """The solutions converted term by term."""
    columns: list[list[tuple[object, str]]] = [[] for _ in names]
    for row in solutions:
        for i, term in enumerate(row):
            columns[i].append(_convert(term))
    return pl.DataFrame([_column(n, c) for n, c in zip(names, columns)])


def tsv_frame(tsv: bytes) -> pl.DataFrame:
    """A frame from SELECT solutions serialised as SPARQL TSV (header line of ``?name``s, one line per row)."""
    lines = tsv.decode().split("\n")
    names = [n[1:] for n in lines[0].split("\t")] if lines[0] else []
    if not names:
        return pl.DataFrame()
    rows = pl.Series("t", lines[1:-1], dtype=pl.String)
    if rows.str.contains(r"(^|\t)<<").any():
        return _row_frame(names, ox.parse_query_results(tsv, ox.QueryResultsFormat.TSV))  # quoted triples
    raw = [rows] if len(names) == 1 else rows.str.split_exact("\t", len(names) - 1).struct.unnest().get_columns()
    return pl.DataFrame([_vector_column(n, c) for n, c in zip(names, raw)])


def solutions_frame(solutions: ox.QuerySolutions) -> pl.DataFrame:
    """Convert SELECT solutions; IRIs become strings, typed literals native dtypes."""
    return tsv_frame(solutions.serialize(format=ox.QueryResultsFormat.TSV))
