"""Vectorised builders for N-Triples terms and triples (polars expressions).

Every builder returns a polars expression producing the N-Triples text of a term;
a null input gives a null term, and a triple with a null term is dropped.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl
from tqdm.auto import tqdm

from ptmkg.namespaces import ID, RDF_TYPE, XSD

# Characters not allowed in an IRI path (RFC 3987), plus '#' and '?' which would change an id's meaning,
# and control characters. Replaced in one pass (Aho-Corasick), so '%' is never encoded twice.
_IRI_UNSAFE = ["%", " ", "<", ">", '"', "{", "}", "|", "^", "`", "\\", "#", "?", "[", "]",
               *(chr(c) for c in range(0x20)), *(chr(c) for c in range(0x7f, 0xa0))]
# Unicode white space is allowed in IRIs but rejected by common N-Triples parsers (rdflib): encode it too.
_IRI_UNSAFE += ["\u00a0", "\u1680", *(chr(c) for c in range(0x2000, 0x200c)), "\u2028", "\u2029", "\u202f",
                "\u205f", "\u3000", "\ufeff"]
_IRI_ENCODED = ["".join(f"%{b:02X}" for b in ch.encode()) for ch in _IRI_UNSAFE]
_RAW_IRI_UNSAFE = [" ", "<", ">", '"', "{", "}", "|", "^", "`", "\\", "[", "]"]
_LITERAL_UNSAFE, _LITERAL_ESCAPED = ["\\", '"', "\n", "\r"], ["\\\\", '\\"', "\\n", "\\r"]


def encode_key(expr: pl.Expr) -> pl.Expr:
    """Percent-encode the characters of ``expr`` that may not stand in an IRI path."""
    return expr.str.replace_many(_IRI_UNSAFE, _IRI_ENCODED)


def iri(prefix: str, key: pl.Expr | str) -> pl.Expr:
    """An IRI term ``<prefix + encoded key>``; ``key`` is a column name or expression."""
    key = pl.col(key) if isinstance(key, str) else key
    return pl.concat_str([pl.lit("<" + prefix), encode_key(key.cast(pl.String)), pl.lit(">")])


def entity(kind: str, key: pl.Expr | str) -> pl.Expr:
    """An instance IRI ``id/<kind>/<key>`` (see VOCAB.md)."""
    return iri(f"{ID}{kind}/", key)


def raw_iri(expr: pl.Expr | str) -> pl.Expr:
    """An IRI term from a column that already holds full IRIs (only unsafe characters are encoded)."""
    expr = pl.col(expr) if isinstance(expr, str) else expr
    encoded = expr.str.replace_many(_RAW_IRI_UNSAFE, [f"%{ord(ch):02X}" for ch in _RAW_IRI_UNSAFE])
    return pl.concat_str([pl.lit("<"), encoded, pl.lit(">")])


def const(iri_text: str) -> pl.Expr:
    """A constant IRI term."""
    return pl.lit(f"<{iri_text}>")


def _escape(expr: pl.Expr) -> pl.Expr:
    return expr.str.replace_many(_LITERAL_UNSAFE, _LITERAL_ESCAPED)


def text(expr: pl.Expr | str, lang: str | None = None) -> pl.Expr:
    """A plain (xsd:string) or language-tagged literal; empty strings become null."""
    expr = pl.col(expr) if isinstance(expr, str) else expr
    expr = expr.cast(pl.String)
    expr = pl.when(expr.str.len_chars() > 0).then(expr)
    tail = f'"@{lang}' if lang else '"'
    return pl.concat_str([pl.lit('"'), _escape(expr), pl.lit(tail)])


def typed(expr: pl.Expr | str, datatype: str) -> pl.Expr:
    """A typed literal; ``datatype`` is a full IRI or an ``xsd:`` local name."""
    expr = pl.col(expr) if isinstance(expr, str) else expr
    dt = datatype if "://" in datatype else XSD + datatype
    return pl.concat_str([pl.lit('"'), _escape(expr.cast(pl.String)), pl.lit(f'"^^<{dt}>')])


def integer(expr: pl.Expr | str) -> pl.Expr:
    """An xsd:integer literal."""
    expr = pl.col(expr) if isinstance(expr, str) else expr
    return typed(expr.cast(pl.Int64), "integer")


def double(expr: pl.Expr | str) -> pl.Expr:
    """An xsd:double literal; NaN and infinities become null."""
    expr = pl.col(expr) if isinstance(expr, str) else expr
    expr = expr.cast(pl.Float64)
    return typed(pl.when(expr.is_finite()).then(expr), "double")


def boolean(expr: pl.Expr | str) -> pl.Expr:
    """An xsd:boolean literal."""
    expr = pl.col(expr) if isinstance(expr, str) else expr
    return typed(expr.cast(pl.Boolean).cast(pl.String), "boolean")


def date_time(expr: pl.Expr | str) -> pl.Expr:
    """An xsd:dateTime literal (UTC) from a Datetime column."""
    expr = pl.col(expr) if isinstance(expr, str) else expr
    return typed(expr.dt.convert_time_zone("UTC").dt.strftime("%Y-%m-%dT%H:%M:%SZ"), "dateTime")


def date(expr: pl.Expr | str) -> pl.Expr:
    """An xsd:date literal from a Date column."""
    expr = pl.col(expr) if isinstance(expr, str) else expr
    return typed(expr.dt.strftime("%Y-%m-%d"), "date")


class Triples:
    """Collects triples as whole columns of N-Triples terms; nothing is built row by row.

    Parts stay lazy until written, so a large mapping is streamed to disk one part at a time. Parts are
    grouped so that triples of different groups never coincide: by predicate, and ``rdf:type`` triples
    added by :meth:`types` by class as well.
    """

    def __init__(self) -> None:
        self._parts: dict[str, list[pl.LazyFrame]] = {}

    def add(self, frame: pl.DataFrame, s: pl.Expr, p: str, o: pl.Expr) -> Triples:
        """Add one triple per row of ``frame``: subject and object expressions, predicate IRI.

        ``rdf:type`` triples go through :meth:`types`, which keeps each class apart.
        """
        if p == RDF_TYPE:
            raise ValueError("add rdf:type triples with Triples.types()")
        return self._add(p, frame, s, p, o)

    def types(self, frame: pl.DataFrame, s: pl.Expr, *classes: str) -> Triples:
        """Add ``rdf:type`` triples for each class IRI."""
        for cls in classes:
            self._add(f"{RDF_TYPE} {cls}", frame, s, RDF_TYPE, const(cls))
        return self

    def _add(self, group: str, frame: pl.DataFrame, s: pl.Expr, p: str, o: pl.Expr) -> Triples:
        if frame.height:
            part = frame.lazy().select(s.alias("s"), pl.lit(f"<{p}>").alias("p"), o.alias("o")).drop_nulls()
            self._parts.setdefault(group, []).append(part)
        return self

    def extend(self, other: Triples) -> Triples:
        """Append another collection's parts."""
        for p, parts in other._parts.items():
            self._parts.setdefault(p, []).extend(parts)
        return self

    def frame(self) -> pl.DataFrame:
        """All triples as one frame of ``s``, ``p``, ``o`` terms, duplicates removed."""
        parts = [part for group in self._parts.values() for part in group]
        if not parts:
            return pl.DataFrame(schema={"s": pl.String, "p": pl.String, "o": pl.String})
        return pl.concat(pl.collect_all(parts), how="vertical").unique()

    def __len__(self) -> int:
        return self.frame().height

    def write_ntriples(self, path: Path) -> int:
        """Stream N-Triples to ``path`` one group at a time, each triple once; returns the triples written.

        Triples of different groups never coincide, so duplicates are removed within each group's
        parts only (small working sets), and the count written is the number of distinct triples.
        """
        written = 0
        with open(path, "wb") as fh:
            for parts in tqdm(self._parts.values(), desc="mapping", unit="group", disable=None, leave=False):
                lines = (pl.concat(parts, how="vertical")
                         .select(pl.concat_str(["s", "p", "o"], separator=" ") + pl.lit(" ."))
                         .unique().collect())
                lines.write_csv(fh, include_header=False, quote_style="never")
                written += lines.height
        return written

    def ntriples(self) -> str:
        """The N-Triples text (for small graphs and tests)."""
        lines = self.frame().select(pl.concat_str(["s", "p", "o"], separator=" ") + pl.lit(" .\n"))
        return lines.to_series().str.join("").item() if lines.height else ""
