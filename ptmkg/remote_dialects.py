"""What a SPARQL server does differently from the embedded store, and how ``KG.remote`` makes up for it.

A :class:`Dialect` rewrites a query before it is sent and repairs the SELECT results that come back,
so that a remote frame equals the embedded store's, dtypes included. :data:`STANDARD` changes
nothing (Oxigraph's server, ``ptmkg serve``). :data:`VIRTUOSO` handles OpenLink Virtuoso 7:

- booleans: Virtuoso computes ``?a < ?b``, ``BOUND``, ``EXISTS`` … as the integers 0/1; the
  variables a query assigns a boolean expression are found in its text and turned back into booleans;
- division: ``int / int`` is an integer division there (SPARQL: a decimal); every ``/`` of an
  expression is sent as ``/ 1e0 /``, so the quotient is a double, as precise as Oxigraph's decimal;
- doubles: its result writers print doubles with six significant digits (``14.6116``); each projected
  variable gets a companion column, the double printed with 17 digits (``bif:sprintf``), which
  replaces the rounded value;
- an ``EXISTS``-valued variable as an operand of ``||``/``&&`` fails to compile (SQ074): it is sent as
  ``(?x = true)``;
- ``LATERAL`` (an Oxigraph extension) is not SPARQL 1.1: such a query is refused with one line.

The union default graph (Virtuoso's holds its own system graphs too) is the caller's business: see
:class:`ptmkg.remote.RemoteKG`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ptmkg.errors import PtmkgError

XSD = "http://www.w3.org/2001/XMLSchema#"

_TOKEN = re.compile(
    r"""(?P<comment>\#[^\n\r]*)
       |(?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
          |'(?:[^'\\\n\r]|\\.)*'|"(?:[^"\\\n\r]|\\.)*")
       |(?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
       |(?P<var>[?$]\w+)
       |(?P<number>(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)
       |(?P<pname>(?:[^\W\d][\w.\-]*)?:(?:[\w\-.:]|%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?\#@%])*)
       |(?P<word>[^\W\d]\w*)
       |(?P<op>\|\||&&|!=|<=|>=|\^\^)
       |(?P<other>\S)""",
    re.VERBOSE | re.DOTALL,
)
_BOOLEAN_CALLS = {"BOUND", "ISIRI", "ISURI", "ISBLANK", "ISLITERAL", "ISNUMERIC", "REGEX", "CONTAINS",
                  "STRSTARTS", "STRENDS", "LANGMATCHES", "SAMETERM", "EXISTS", "NOT", "XSD:BOOLEAN"}
_COMPARISONS = {"=", "!=", "<", ">", "<=", ">=", "IN", "||", "&&"}
_AGGREGATES = {"MIN", "MAX", "SAMPLE"}
_COMPANION = "__ptmkg_double"
_UNBOUND = "?__ptmkg_unbound"  # a variable never bound: an expression's error value


@dataclass(frozen=True)
class Token:
    """One significant token of a query: kind, text and where it is."""

    kind: str
    text: str
    start: int
    end: int

    @property
    def upper(self) -> str:
        return self.text.upper() if self.kind in ("word", "pname") else self.text


def tokens(sparql: str) -> list[Token]:
    """The query's tokens, comments dropped (strings kept, as one token each)."""
    return [Token(m.lastgroup, m.group(), m.start(), m.end()) for m in _TOKEN.finditer(sparql)
            if m.lastgroup != "comment"]


def _closing(toks: list[Token], i: int) -> int:
    """Index of the bracket closing the one at ``i``."""
    depth = 0
    for j in range(i, len(toks)):
        if toks[j].text in "({[":
            depth += 1
        elif toks[j].text in ")}]":
            depth -= 1
            if depth == 0:
                return j
    return len(toks) - 1


def assignments(toks: list[Token]) -> list[tuple[str, list[Token]]]:
    """``(expression AS ?v)`` of SELECT clauses and BINDs: (v, the expression's tokens), in text order."""
    found = []
    for i, tok in enumerate(toks):
        if tok.upper != "AS" or i + 1 >= len(toks) or toks[i + 1].kind != "var":
            continue
        depth = 0
        for j in range(i - 1, -1, -1):
            if toks[j].text in ")}]":
                depth += 1
            elif toks[j].text in "({[":
                if depth == 0:
                    found.append((toks[i + 1].text[1:], toks[j + 1:i]))
                    break
                depth -= 1
    return found


def _arguments(toks: list[Token]) -> list[list[Token]]:
    """The comma-separated arguments of a call ``name ( … )`` spanning all of ``toks``."""
    args, depth, current = [], 0, []
    for tok in toks[2:-1]:
        if tok.text in "({[":
            depth += 1
        elif tok.text in ")}]":
            depth -= 1
        if tok.text == "," and depth == 0:
            args.append(current)
            current = []
        else:
            current.append(tok)
    return [*args, current]


def _is_boolean(expr: list[Token], booleans: set[str]) -> bool:
    """Whether the expression's value is a boolean, by its outermost operator or call."""
    while len(expr) > 2 and expr[0].text == "(" and _closing(expr, 0) == len(expr) - 1:
        expr = expr[1:-1]
    if not expr:
        return False
    if len(expr) == 1:
        return expr[0].upper in ("TRUE", "FALSE") or (expr[0].kind == "var" and expr[0].text[1:] in booleans)
    depth = 0
    for tok in expr:
        if tok.text in "({[":
            depth += 1
        elif tok.text in ")}]":
            depth -= 1
        elif depth == 0 and tok.upper in _COMPARISONS:
            return True
    head = expr[0].upper
    if head == "!" or head in _BOOLEAN_CALLS:
        return True
    if len(expr) > 2 and expr[1].text == "(" and _closing(expr, 1) == len(expr) - 1:
        args = _arguments(expr)
        if head == "IF" and len(args) == 3:
            return _is_boolean(args[1], booleans) or _is_boolean(args[2], booleans)
        if head == "COALESCE":
            return any(_is_boolean(a, booleans) for a in args)
        if head in _AGGREGATES:
            arg = [t for t in args[0] if t.upper != "DISTINCT"]
            return _is_boolean(arg, booleans)
    return False


def sum_variables(sparql: str) -> set[str]:
    """Variables the query assigns a bare ``SUM(…)`` (SPARQL: 0 over no rows; Virtuoso: unbound)."""
    return {v for v, e in assignments(tokens(sparql))
            if len(e) > 2 and e[0].upper == "SUM" and e[1].text == "(" and _closing(e, 1) == len(e) - 1}


def boolean_variables(sparql: str) -> set[str]:
    """Variables the query assigns a boolean expression (``BIND(?a < ?b AS ?x)``, ``(BOUND(?y) AS ?z)`` …).

    A name also assigned a non-boolean anywhere in the query is left out.
    """
    found = assignments(tokens(sparql))
    booleans: set[str] = set()
    for _ in range(4):  # a variable may be assigned from one assigned later in the text
        now = {v for v, e in found if _is_boolean(e, booleans)}
        now -= {v for v, e in found if not _is_boolean(e, now)}
        if now == booleans:
            break
        booleans = now
    return booleans


def _expression_parens(toks: list[Token]) -> list[bool]:
    """For each token, whether its innermost bracket is the parenthesis of an expression (not a path)."""
    inside, stack, in_select = [], [], False
    for i, tok in enumerate(toks):
        inside.append(bool(stack) and stack[-1])
        word = tok.upper if tok.kind == "word" else ""
        if word == "SELECT":
            in_select = True
        elif word == "WHERE" or tok.text == "{":
            in_select = False
        if tok.text == "(":
            prev = toks[i - 1] if i else None
            stack.append((bool(stack) and stack[-1]) or in_select or prev is None
                         or (prev.kind in ("word", "pname", "iri") and prev.upper != "A")
                         or (prev.kind in ("op", "other") and prev.text not in ";,.{}[]"))
        elif tok.text in "{[":
            stack.append(False)
        elif tok.text in ")}]" and stack:
            stack.pop()
    return inside


def _in_edits(sparql: str, toks: list[Token]) -> list[tuple[int, int, str]]:
    """``?x IN (a, b)`` → ``IF(BOUND(?x), ?x = a || ?x = b, ?unbound)`` (and NOT IN alike).

    Virtuoso's IN gives the position of the match (1, 2, …, 0 for none) and false for an unbound
    ``?x``; SPARQL gives a boolean, and an error (unbound) for an unbound ``?x``. Only a variable on
    the left is rewritten.
    """
    edits = []
    for i, tok in enumerate(toks):
        if tok.upper != "IN" or i == 0 or i + 1 >= len(toks) or toks[i + 1].text != "(":
            continue
        negated = toks[i - 1].upper == "NOT"
        left = toks[i - 2] if negated else toks[i - 1]
        if left.kind != "var":
            continue
        close = _closing(toks, i + 1)
        items = [sparql[a[0].start:a[-1].end] for a in _arguments(toks[i:close + 1]) if a]
        op, join = ("!=", " && ") if negated else ("=", " || ")
        test = join.join(f"{left.text} {op} {item}" for item in items) or ("true" if negated else "false")
        edits.append((left.start, toks[close].end,
                      f"IF(BOUND({left.text}), ({test}), {_UNBOUND})"))
    return edits


def _string_test_edits(toks: list[Token]) -> list[tuple[int, int, str]]:
    """``REGEX(?x, …)`` (and CONTAINS, STRSTARTS, STRENDS) → ``IF(BOUND(?x), REGEX(?x, …), ?unbound)``:
    of an unbound ``?x`` Virtuoso gives false, SPARQL an error (so that ``COALESCE`` passes over it)."""
    edits = []
    for i, tok in enumerate(toks[:-3]):
        if tok.upper in ("REGEX", "CONTAINS", "STRSTARTS", "STRENDS") and toks[i + 1].text == "(" \
                and toks[i + 2].kind == "var" and toks[i + 3].text == ",":
            close = toks[_closing(toks, i + 1)]
            edits += [(tok.start, tok.start, f"IF(BOUND({toks[i + 2].text}), "),
                      (close.end, close.end, f", {_UNBOUND})")]
    return edits


def _order_keys(toks: list[Token], i: int) -> tuple[list[tuple[str, list[Token]]], int]:
    """The keys of the ORDER BY whose BY is at ``i``: (direction, expression tokens), and the index after them."""
    keys, j = [], i + 1
    while j < len(toks):
        tok = toks[j]
        if tok.upper in ("ASC", "DESC") and j + 1 < len(toks) and toks[j + 1].text == "(":
            end = _closing(toks, j + 1)
            keys.append((tok.upper, toks[j + 2:end]))
        elif tok.kind == "var":
            end = j
            keys.append(("ASC", [tok]))
        elif tok.text == "(":
            end = _closing(toks, j)
            keys.append(("ASC", toks[j:end + 1]))
        elif tok.kind in ("word", "pname", "iri") and j + 1 < len(toks) and toks[j + 1].text == "(" \
                and tok.upper not in ("LIMIT", "OFFSET", "VALUES"):
            end = _closing(toks, j + 1)
            keys.append(("ASC", toks[j:end + 1]))
        else:
            break
        j = end + 1
    return keys, j


def _sortable(sparql: str, order: list[Token]) -> str:
    """ORDER BY keys (after the BY) with each key ``E`` as two: ``IF(isNumeric(E), E, 0)``, then ``STR(E)``.

    Virtuoso orders long strings by a prefix and then by their storage id, so that
    ``…tiny-nq-openvino`` comes before ``…tiny-nq``; as plain strings (``STR``) they sort as SPARQL says.
    Numbers keep their numeric order. Used on the outer query only: Virtuoso refuses an expression of
    an aggregate's alias in ORDER BY.
    """
    keys, _ = _order_keys([Token("word", "BY", 0, 0), *order], 0)
    parts = []
    for direction, expr in keys:
        e = sparql[expr[0].start:expr[-1].end]
        parts.append(f'{direction}(IF(isNumeric({e}), {e}, 0)) {direction}(IF(isNumeric({e}), "", STR({e})))')
    return " ".join(parts)

def unsupported(sparql: str) -> str | None:
    """The first construct of the query that Virtuoso 7 does not know (``LATERAL``), else ``None``."""
    for tok in tokens(sparql):
        if tok.upper == "LATERAL":
            return "LATERAL (an Oxigraph extension, not SPARQL 1.1)"
    return None


def _select_clause(toks: list[Token]) -> tuple[int, list[str], list[Token]] | None:
    """Of the outermost SELECT: where it starts, the projected variables, and its ORDER BY keys.

    ``None`` for ``SELECT *``, a FROM clause or a query form other than SELECT.
    """
    depth, start = 0, None
    for i, tok in enumerate(toks):
        if tok.text in "({[":
            depth += 1
        elif tok.text in ")}]":
            depth -= 1
        elif depth == 0 and tok.upper in ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE"):
            start = i if tok.upper == "SELECT" else None
            break
    if start is None:
        return None
    projected, i, depth = [], start + 1, 0
    while i < len(toks) and not (depth == 0 and (toks[i].text == "{" or toks[i].upper == "WHERE")):
        tok = toks[i]
        if tok.upper in ("FROM", "*") and depth == 0:
            return None
        if tok.text == "(":
            depth += 1
        elif tok.text == ")":
            depth -= 1
        elif tok.kind == "var" and (depth == 0 or toks[i - 1].upper == "AS"):
            projected.append(tok.text[1:])
        i += 1
    order: list[Token] = []
    depth = 0
    for j in range(i, len(toks)):
        tok = toks[j]
        if tok.text in "({[":
            depth += 1
        elif tok.text in ")}]":
            depth -= 1
        elif depth == 0 and tok.upper == "ORDER":
            k = j + 2
            while k < len(toks) and not (toks[k].upper in ("LIMIT", "OFFSET", "VALUES") and depth == 0):
                depth += toks[k].text in "({[" and 1 or 0
                depth -= toks[k].text in ")}]" and 1 or 0
                order.append(toks[k])
                k += 1
            break
    return start, projected, order


class Dialect:
    """A SPARQL server that needs nothing rewritten."""

    name = "sparql"

    def prepare(self, sparql: str, query_name: str | None = None) -> str:
        """The query text to send (``sparql`` with the project prefixes already declared)."""
        return sparql

    def repair(self, results: dict, sparql: str) -> dict:
        """SPARQL JSON results as the embedded store would give them."""
        return results


class Virtuoso(Dialect):
    """OpenLink Virtuoso 7 (Debian's virtuoso-opensource 7.2.5)."""

    name = "virtuoso"

    def prepare(self, sparql: str, query_name: str | None = None) -> str:
        construct = unsupported(sparql)
        if construct:
            raise PtmkgError(f"{'query ' + query_name if query_name else 'the query'} cannot run on Virtuoso: "
                             f"it uses {construct}; run it on the embedded store")
        toks = tokens(sparql)
        booleans = boolean_variables(sparql)
        edits: list[tuple[int, int, str]] = []
        for tok, in_expression in zip(toks, _expression_parens(toks)):
            if tok.text == "/" and in_expression:
                edits.append((tok.start, tok.end, "/ 1e0 /"))
        for i, tok in enumerate(toks):
            if tok.kind == "var" and tok.text[1:] in booleans and 0 < i < len(toks) - 1:
                before, after = toks[i - 1].text, toks[i + 1].text
                logical = {"||", "&&"} & {before, after}
                if logical and before in ("||", "&&", "(", "!") and after in ("||", "&&", ")"):
                    edits.append((tok.start, tok.end, f"({tok.text} = true)"))
        edits += _in_edits(sparql, toks) + _string_test_edits(toks)
        text = sparql
        for start, end, new in sorted(edits, key=lambda e: (e[0], e[1]), reverse=True):
            text = text[:start] + new + text[end:]
        if _select_clause(toks) is None and any(t.upper == "DESCRIBE" for t in toks):
            text = 'define sql:describe-mode "CBD"\n' + text  # Oxigraph's description; Virtuoso's adds in-links
        return self._with_companions(text)

    @staticmethod
    def _with_companions(sparql: str) -> str:
        """The SELECT wrapped so that each projected variable also comes as a 17-digit double string."""
        toks = tokens(sparql)
        clause = _select_clause(toks)
        if clause is None:
            return sparql
        start, projected, order = clause
        if not projected:
            return sparql
        companions = " ".join(
            f'(IF(datatype(?{v}) = <{XSD}double> || datatype(?{v}) = <{XSD}float>, '
            f'bif:sprintf("%.17g", ?{v}), "") AS ?{v}{_COMPANION})' for v in projected)
        keys = {t.text[1:] for t in order if t.kind == "var"}
        outer = " ORDER BY " + _sortable(sparql, order) if order and keys <= set(projected) else ""
        at = toks[start].start
        return (f"{sparql[:at]}SELECT {' '.join('?' + v for v in projected)} {companions} WHERE {{\n"
                f"{sparql[at:]}\n}}{outer}")

    def repair(self, results: dict, sparql: str) -> dict:
        if "results" not in results:
            return results
        if results["head"].get("vars") == ["__ASK_RETVAL"]:  # an ASK with default-graph-uri: a one-cell table
            rows = results["results"]["bindings"]
            return {"head": {}, "boolean": bool(rows) and rows[0]["__ASK_RETVAL"]["value"] not in ("0", "false")}
        booleans, sums = boolean_variables(sparql), sum_variables(sparql)
        names = results["head"]["vars"]
        results["head"]["vars"] = [n for n in names if not n.endswith(_COMPANION)]
        for row in results["results"]["bindings"]:
            for name in [n for n in row if n.endswith(_COMPANION)]:
                exact = row.pop(name)["value"]
                original = row.get(name[:-len(_COMPANION)])
                if exact and original is not None:
                    original["value"] = exact
            for name in sums & set(names):
                row.setdefault(name, {"type": "typed-literal", "datatype": XSD + "integer", "value": "0"})
            for name in booleans:
                cell = row.get(name)
                if cell and cell.get("datatype") == XSD + "integer" and cell["value"] in ("0", "1"):
                    cell["datatype"], cell["value"] = XSD + "boolean", "true" if cell["value"] == "1" else "false"
        return results


STANDARD, VIRTUOSO = Dialect(), Virtuoso()
DIALECTS = {d.name: d for d in (STANDARD, VIRTUOSO)}


def from_server_header(server: str | None) -> Dialect:
    """The dialect of a server, by its HTTP ``Server`` header (``Virtuoso/07.20.3229 (Linux) …``)."""
    return VIRTUOSO if server and server.lower().startswith("virtuoso") else STANDARD
