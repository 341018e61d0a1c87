"""Grade a student's query: run it and the reference on the same graph, compare results, explain the difference."""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from html import escape
from itertools import combinations, permutations

import pyoxigraph as ox

from ptmkg.errors import PtmkgError
from ptmkg.namespaces import PREFIXES, XSD
from ptmkg.teaching.exercises import Exercise, get
from ptmkg.teaching.graph import execute

_NUMERIC = {XSD + t for t in ("integer", "int", "long", "short", "byte", "decimal", "double", "float",
                              "nonNegativeInteger", "positiveInteger", "negativeInteger", "nonPositiveInteger",
                              "unsignedInt", "unsignedLong", "unsignedShort", "unsignedByte")}
_EXAMPLES = 2
Cell = tuple | None


@dataclass
class Feedback:
    """The verdict on one answer: ``correct``, the problems found (``problems``) and messages a student can act on.

    Problems: ``syntax``, ``error``, ``form``, ``columns``, ``empty``, ``missing``, ``extra``, ``duplicates``,
    ``values`` (one column wrong), ``order``.
    """

    exercise: str
    correct: bool
    problems: list[str] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)
    expected_rows: int | None = None
    rows: int | None = None
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        head = "Correct" if self.correct else "Not yet"
        return "\n".join([f"{head} ({self.exercise})", *(f"- {m}" for m in self.messages)])

    def html(self) -> str:
        """The feedback as HTML (multi-line messages such as syntax errors keep their caret aligned)."""
        head = "✔ Correct" if self.correct else "✘ Not yet"
        items = "".join(f"<li><pre>{escape(m)}</pre></li>" if "\n" in m else f"<li>{_code_spans(escape(m))}</li>"
                        for m in self.messages)
        return f"<b>{head}</b> <small>({escape(self.exercise)})</small><ul>{items}</ul>"

    def _repr_html_(self) -> str:
        return self.html()


def _code_spans(text: str) -> str:
    return re.sub(r"`([^`]+)`", r"<code>\1</code>", text)


# -- terms -------------------------------------------------------------------------------------------


def _cell(term: object) -> Cell:
    """A comparable key for one RDF term: numbers by value, blank nodes all alike."""
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return ("iri", term.value)
    if isinstance(term, ox.BlankNode):
        return ("bnode",)
    if isinstance(term, ox.Literal):
        dt = term.datatype.value
        if dt in _NUMERIC:
            try:
                return ("num", float(term.value))
            except ValueError:
                pass
        if term.language:
            return ("lit", term.value, "@" + term.language)
        return ("lit", term.value, "" if dt == XSD + "string" else dt)
    return ("term", str(term))


_SHORT = sorted(((iri, p) for p, iri in PREFIXES.items()), key=lambda x: -len(x[0]))


def show(cell: Cell) -> str:
    """A term as a student would write it (prefixed names, numbers bare, strings quoted)."""
    if cell is None:
        return "(unbound)"
    kind = cell[0]
    if kind == "iri":
        for iri, prefix in _SHORT:
            local = cell[1][len(iri):]
            if cell[1].startswith(iri) and re.fullmatch(r"[A-Za-z0-9_.\-]*", local):
                return f"{prefix}:{local}"
        return f"<{cell[1]}>"
    if kind == "num":
        return f"{cell[1]:g}" if not cell[1].is_integer() or abs(cell[1]) >= 1e15 else str(int(cell[1]))
    if kind == "lit":
        suffix = cell[2] if cell[2].startswith("@") else f"^^{show(('iri', cell[2]))}" if cell[2] else ""
        return f'"{cell[1]}"{suffix}'
    return "[]" if kind == "bnode" else str(cell[1])


def _n(k: int, noun: str) -> str:
    return f"{k:,} {noun}{'s' * (k != 1)}"


def _are(items: list) -> str:
    return "is" if len(items) == 1 else "are"


def _examples(names: list[str], rows: list[tuple]) -> str:
    return "; ".join(_row(names, r) for r in rows[:_EXAMPLES])


def _row(names: list[str], row: tuple) -> str:
    return "(" + ", ".join(f"?{n} = {show(c)}" for n, c in zip(names, row)) + ")"


def _close(a: Cell, b: Cell, tolerance: float) -> bool:
    if a == b:
        return True
    if a is None or b is None or a[0] != "num" or b[0] != "num":
        return False
    return math.isclose(a[1], b[1], rel_tol=tolerance, abs_tol=tolerance * 1e-6)


def _difference(expected: list[tuple], got: list[tuple], tolerance: float) -> tuple[list[tuple], list[tuple]]:
    """(rows of ``expected`` missing from ``got``, rows of ``got`` not in ``expected``), as multisets;
    numbers within ``tolerance`` (relative) count as equal."""
    missing_c, extra_c = Counter(expected) - Counter(got), Counter(got) - Counter(expected)
    missing, extra = list(missing_c.elements()), list(extra_c.elements())
    if not missing or not extra or len(missing) * len(extra) > 1_000_000:  # too different to pair up
        return missing, extra
    unmatched = []
    for row in missing:
        for i, other in enumerate(extra):
            if all(_close(a, b, tolerance) for a, b in zip(row, other)):
                del extra[i]
                break
        else:
            unmatched.append(row)
    return unmatched, extra


# -- columns -----------------------------------------------------------------------------------------


def _jaccard(a: set, b: set) -> float:
    return len(a & b) / len(a | b) if a | b else 1.0


def _match_columns(expected: list[set], got: list[set]) -> list[int]:
    """For each expected column, the index of the student's column whose values are most alike."""
    score = [[_jaccard(e, g) for g in got] for e in expected]
    if len(expected) <= 6 and len(got) <= 7:
        best = max(permutations(range(len(got)), len(expected)),
                   key=lambda p: sum(score[i][j] for i, j in enumerate(p)))
        return list(best)
    taken: list[int] = []
    for row in score:
        j = max((j for j in range(len(got)) if j not in taken), key=lambda j: row[j])
        taken.append(j)
    return taken


def _columns(ex: Exercise, exp_names: list[str], exp_rows: list[tuple], names: list[str], rows: list[tuple],
             fb: Feedback) -> list[int] | None:
    """The student's column for each answer column, or None (with feedback) when the columns are wrong."""
    wanted = list(ex.variables)
    if wanted:
        missing = [v for v in wanted if v not in names]
        extra = [v for v in names if v not in wanted]
        if missing or extra:
            fb.problems.append("columns")
            text = f"The exercise asks for the variables {', '.join('?' + v for v in wanted)}"
            text += f"; your SELECT returns {', '.join('?' + v for v in names) or 'none'}."
            if missing:
                text += f" Missing: {', '.join('?' + v for v in missing)}."
            if extra:
                text += f" Not asked for: {', '.join('?' + v for v in extra)} (remove from SELECT)."
            fb.messages.append(text)
            return None
        return [names.index(v) for v in exp_names]
    if sorted(names) == sorted(exp_names):
        return [names.index(v) for v in exp_names]  # the reference's own names: same meaning
    exp_sets = [{r[i] for r in exp_rows} for i in range(len(exp_names))]
    got_sets = [{r[i] for r in rows} for i in range(len(names))]
    if len(names) == len(exp_names):
        return _match_columns(exp_sets, got_sets)
    fb.problems.append("columns")
    example = exp_rows[0] if exp_rows else ()
    like = ", ".join(f"one like {show(c)}" for c in example) if example else ""
    text = (f"The answer has {len(exp_names)} column{'s' * (len(exp_names) != 1)}"
            f"{f' ({like})' if like else ''}; your SELECT returns {len(names)}: "
            f"{', '.join('?' + n for n in names) or 'none'}.")
    if len(names) > len(exp_names):
        used = set(_match_columns(exp_sets, got_sets))
        spare = [names[j] for j in range(len(names)) if j not in used]
        text += f" {', '.join('?' + n for n in spare)} look{'s' * (len(spare) == 1)} unneeded: drop from SELECT."
    else:
        text += " Add the missing column(s) to SELECT."
    fb.messages.append(text)
    return None


# -- comparisons -------------------------------------------------------------------------------------


def _compare_rows(ex: Exercise, names: list[str], expected: list[tuple], got: list[tuple], fb: Feedback) -> None:
    """Multiset comparison of projected rows (answer column order); names are the student's for each column."""
    tol = ex.tolerance
    missing, extra = _difference(expected, got, tol)
    fb.expected_rows, fb.rows = len(expected), len(got)
    if not missing and not extra:
        return
    if not got:
        fb.problems.append("empty")
        fb.messages.append(f"Your query returns no rows; the answer has {len(expected)}. Check the spelling of "
                           "classes, properties and literals (\"text\" vs a number), and remove patterns one by one "
                           "to find the one that matches nothing.")
        return
    if set(got) == set(expected) and not missing:
        fb.problems.append("duplicates")
        repeated = sum(n - 1 for n in Counter(got).values() if n > 1)
        fb.messages.append(f"Your rows are the right ones, but {repeated} of them come back more than once "
                           f"({len(got)} rows instead of {len(expected)}). Add DISTINCT: a fact that two snapshots "
                           "both state is matched once per snapshot.")
        return
    text = _differing_columns(names, expected, got, tol)
    if text:
        fb.problems.append("values")
        fb.messages.append(text)
        return
    if missing:
        fb.problems.append("missing")
        fb.messages.append(
            f"{_n(len(missing), 'row')} of the answer {_are(missing)} missing from yours (you have "
            f"{_n(len(got), 'row')}, the answer {len(expected):,}), e.g. {_examples(names, missing)}. A FILTER may "
            "be too strict, or a pattern may require facts that not every row has (OPTIONAL).")
    if extra:
        fb.problems.append("extra")
        fb.messages.append(
            f"{_n(len(extra), 'row')} of yours {_are(extra)} not in the answer, e.g. {_examples(names, extra)}. "
            "A condition may be missing (a FILTER, a type, a pattern), or too loose.")


def _differing_columns(names: list[str], expected: list[tuple], got: list[tuple], tol: float) -> str | None:
    """When the rows agree on some columns (as multisets) and differ only in the others, say where and how."""
    k = len(names)
    if len(expected) != len(got):  # multisets of projected rows can agree only when the counts do
        return None
    for size in range(1, k):
        for wrong in combinations(range(k), size):
            keep = [i for i in range(k) if i not in wrong]

            def key(r: tuple, keep: list[int] = keep) -> tuple:
                return tuple(r[i] for i in keep)

            if Counter(map(key, expected)) != Counter(map(key, got)):
                continue
            answer = {key(r): r for r in expected}
            diffs = [(r, answer[key(r)]) for r in got
                     if not all(_close(r[i], answer[key(r)][i], tol) for i in wrong)]
            if not diffs:
                continue
            cols = ", ".join(f"?{names[i]}" for i in wrong)
            wrong_names = [names[i] for i in wrong]

            def part(r: tuple, wrong: tuple = wrong, names: list[str] = wrong_names) -> str:
                return show(r[wrong[0]]) if len(wrong) == 1 else _row(names, tuple(r[i] for i in wrong))

            examples = "; ".join(f"for {_row([names[i] for i in keep], key(r))} the answer has {part(want)}, "
                                 f"yours {part(r)}" for r, want in diffs[:_EXAMPLES])
            return f"Every row matches except in {cols}: {examples}." + _size_advice(
                [(r[i], want[i]) for r, want in diffs for i in wrong])
    return None


def _size_advice(pairs: list[tuple[Cell, Cell]]) -> str:
    """What the direction (or a constant factor) of the wrong numbers suggests."""
    nums = [(g[1], w[1]) for g, w in pairs if g and w and g[0] == w[0] == "num"]
    if not nums or len(nums) != len(pairs):
        return ""
    ratios = {round(g / w, 9) for g, w in nums if w}
    if len(ratios) == 1 and len(nums) > 1 and ratios != {1.0} and all(w for _, w in nums):
        return (f" Yours are all {ratios.pop():g} times the answer's: check the units and the conversion "
                "factor.")
    if all(g > w for g, w in nums):
        whole = any(float(g).is_integer() and float(w).is_integer() for g, w in nums)
        return (" Your numbers are too large: count each thing once (COUNT(DISTINCT ...)), or look for a "
                "pattern that multiplies rows." if whole else " Your numbers are too large.")
    if all(g < w for g, w in nums):
        return " Your numbers are too small: a FILTER or a required pattern may drop things that count."
    return ""


def _compare_order(ex: Exercise, exp_names: list[str], names: list[str], expected: list[tuple], got: list[tuple],
                   fb: Feedback) -> None:
    keys = [exp_names.index(c) for c in ex.order_by]

    def seq(rows: list[tuple]) -> list[tuple]:
        return [tuple(r[k] for k in keys) for r in rows]

    want, have = seq(expected), seq(got)
    for i, (a, b) in enumerate(zip(want, have)):
        if not all(_close(x, y, ex.tolerance) for x, y in zip(a, b)):
            fb.problems.append("order")
            by = ", ".join("?" + names[k] for k in keys)
            fb.messages.append(f"Right rows, wrong order: the exercise asks for ORDER BY on {by}. Row {i + 1} "
                               f"should have {', '.join(show(x) for x in a)}, yours has "
                               f"{', '.join(show(x) for x in b)} (DESC(?x) sorts from the largest).")
            return


def _triples(rows: list[tuple]) -> list[tuple]:
    return sorted({tuple(_cell(t) for t in triple) for triple in rows}, key=repr)


def _compare_graphs(expected: list[tuple], got: list[tuple], fb: Feedback) -> None:
    want, have = set(_triples(expected)), set(_triples(got))
    fb.expected_rows, fb.rows = len(want), len(have)
    names = ["subject", "predicate", "object"]
    missing, extra = sorted(want - have, key=repr), sorted(have - want, key=repr)
    if missing:
        fb.problems.append("missing" if have else "empty")
        fb.messages.append(f"{_n(len(missing), 'triple')} of the answer graph {_are(missing)} missing from yours "
                           f"({_n(len(have), 'triple')}, the answer {len(want):,}), e.g. {_examples(names, missing)}.")
    if extra:
        fb.problems.append("extra")
        fb.messages.append(f"{_n(len(extra), 'triple')} of yours {_are(extra)} not in the answer graph, "
                           f"e.g. {_examples(names, extra)}.")


def _form(result: tuple[list[str] | None, object]) -> str:
    names, rows = result
    return "SELECT" if names is not None else "ASK" if isinstance(rows, bool) else "CONSTRUCT or DESCRIBE"


def _syntax_advice(message: str) -> str:
    """What usually causes the parser to stop where it did, in a student's words."""
    if "unknown prefix" in message:
        return "Use one of the prefixes declared for you, or declare yours with PREFIX p: <...> above the query."
    return ("The parser stopped at the caret: the mistake is there or just before it. Usual causes: a missing '.' "
            "between triple patterns, an unclosed bracket, brace or quote, an operator without its right-hand "
            "side, or BIND(... AS ?x) for a variable already bound.")


@lru_cache(maxsize=64)
def _reference(solution: str, sources: tuple[str, ...], services: tuple[tuple[str, tuple[str, ...]], ...],
               ) -> tuple[list[str] | None, object]:
    """The reference's result (the graph is fixed, so it is computed once per process)."""
    return execute(solution, sources, dict(services))


def check(exercise: str | Exercise, query: str) -> Feedback:
    """Grade ``query`` against the exercise's reference solution on the exercise's graph.

    Results are compared as multisets (order only where the exercise asks for ORDER BY; variable
    names only where it names them; numbers within its tolerance).
    """
    ex = get(exercise)
    fb = Feedback(exercise=ex.id, correct=False)
    expected = _reference(ex.solution, ex.sources, tuple(ex.services.items()))
    try:
        got = execute(query, ex.sources, ex.services)
    except PtmkgError as e:
        text = str(e)
        m = re.search(r"at line (\d+), column (\d+)", text)
        fb.problems.append("syntax" if m else "error")
        if m:
            fb.line, fb.column = int(m.group(1)), int(m.group(2))
            fb.messages += [text, _syntax_advice(text)]
        else:
            fb.messages.append(text)
        return fb
    if _form(expected) != _form(got):
        fb.problems.append("form")
        fb.messages.append(f"This exercise asks for a {_form(expected)} query; yours is {_form(got)}.")
        return fb
    (exp_names, exp_rows), (names, rows) = expected, got
    if isinstance(exp_rows, bool):
        if exp_rows != rows:
            fb.problems.append("values")
            fb.messages.append(f"The answer is {str(exp_rows).lower()}, yours is {str(rows).lower()}: "
                               "check each pattern of the ASK against the data.")
    elif exp_names is None:
        _compare_graphs(exp_rows, rows, fb)
    else:
        exp_cells = [tuple(_cell(t) for t in r) for r in exp_rows]
        cells = [tuple(_cell(t) for t in r) for r in rows]
        mapping = _columns(ex, exp_names, exp_cells, names, cells, fb)
        if mapping is not None:
            projected = [tuple(r[j] for j in mapping) for r in cells]
            shown = [names[j] for j in mapping]
            _compare_rows(ex, shown, exp_cells, projected, fb)
            if not fb.problems and ex.order_by:
                _compare_order(ex, exp_names, shown, exp_cells, projected, fb)
    fb.correct = not fb.problems
    if fb.correct:
        size = "" if fb.rows is None else f" ({_n(fb.rows, 'row')})"
        fb.messages.append(f"Your result matches the reference{size}.")
    return fb


def run(exercise: str | Exercise, query: str) -> object:
    """Run ``query`` on the exercise's graph: a DataFrame for SELECT, a bool for ASK, triples otherwise."""
    ex = get(exercise)
    return execute(query, ex.sources, ex.services, frame=True)[1]
