"""Errors that reach users: each names what was wrong and where."""

from __future__ import annotations

import difflib
import re


class PtmkgError(Exception):
    """Base class for errors reported to users as one clear line."""


class InputError(PtmkgError):
    """Bad input: names the file, the row or line, and the field."""

    def __init__(self, file: str, message: str, *, row: int | None = None, field: str | None = None):
        self.file, self.row, self.field, self.message = str(file), row, field, message
        where = self.file + (f", row {row}" if row is not None else "")
        what = f"field '{field}': " if field else ""
        super().__init__(f"{where}: {what}{message}")


class UnknownNameError(PtmkgError):
    """An unknown source, query or claim name: lists the known ones, or the closest few of a long list."""

    def __init__(self, kind: str, name: str, known: list[str], listing: str | None = None):
        if len(known) <= 20:
            hint = f"known: {', '.join(sorted(known)) or 'none'}"
        else:
            close = difflib.get_close_matches(name, known, n=4, cutoff=0.5) or [
                k for k in sorted(known) if name.lower() in k.lower()][:4]
            hint = (f"did you mean {', '.join(close)}?" if close else f"{len(known)} known")
            hint += f" ('{listing}' lists all)" if listing else ""
        super().__init__(f"unknown {kind} '{name}'; {hint}")


class QueryTimeout(PtmkgError):
    """A query ran past its time limit and its worker process was killed (the graph is still usable)."""

    def __init__(self, seconds: float, knob: str = "timeout="):
        self.seconds = seconds
        super().__init__(f"query cancelled after {seconds:g} s (timeout); narrow it with LIMIT/filters or raise "
                         f"{knob.strip()}")


class ResultTooLarge(PtmkgError):
    """A query's result passed its row cap; the worker stopped reading it (the graph is still usable)."""

    def __init__(self, max_rows: int, knob: str = "max_rows="):
        self.max_rows = max_rows
        super().__init__(f"the result has more than {max_rows:,} rows (the cap, {knob}{max_rows}); add a LIMIT "
                         f"or narrower filters, or raise {knob.strip()}")


class QueryCancelled(PtmkgError):
    """A query job was cancelled (``job.cancel()``) before it finished."""

    def __init__(self) -> None:
        super().__init__("the query was cancelled before it finished; the graph is still usable")


def sparql_syntax_error(text: str, message: str) -> PtmkgError:
    """Oxigraph's ``error at L:C: ...`` as a message that names line and column and shows the line."""
    m = re.match(r"error at (\d+):(\d+)(?:-\d+:\d+)?: (.*)", message, re.S)
    if not m:
        return PtmkgError(f"SPARQL syntax error: {message}")
    line, col, what = int(m.group(1)), int(m.group(2)), m.group(3).strip()
    lines = text.splitlines() or [""]
    shown = lines[line - 1] if 0 < line <= len(lines) else ""
    if "Prefix not found" in what:
        from ptmkg.namespaces import PREFIXES

        names = [p.group(1) for p in re.finditer(r"([A-Za-z][\w.-]*):", shown) if p.start() < col]
        prefix = f"'{names[-1]}:' " if names else ""
        what = (f"unknown prefix {prefix}(declared for you: {', '.join(p + ':' for p in PREFIXES)}; "
                "declare others with PREFIX name: <IRI>)")
    elif "\\u{" in what or what.count(",") >= 4:  # the parser's list of expected characters: no help to a reader
        what = "the parser cannot read on from here (the mistake is at the caret or just before it)"
    gutter = f"{line:>4} | "
    return PtmkgError(f"SPARQL syntax error at line {line}, column {col}: {what}\n"
                      f"{gutter}{shown}\n{' ' * (len(gutter) + max(col - 1, 0))}^")
