"""Errors that reach users: each names what was wrong and where."""

from __future__ import annotations


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
    """An unknown source, query or claim name; lists the known ones."""

    def __init__(self, kind: str, name: str, known: list[str]):
        super().__init__(f"unknown {kind} '{name}'; known: {', '.join(sorted(known)) or 'none'}")
