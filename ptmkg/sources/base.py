"""The contract every source module follows."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from ptmkg.errors import InputError
from ptmkg.snapshot import SnapshotInfo


@dataclass
class SourceData:
    """What a source read: its snapshot identity and named, typed frames."""

    snapshot: SnapshotInfo
    frames: dict[str, pl.DataFrame]


def require_columns(frame: pl.DataFrame, required: list[str], file: Path | str) -> None:
    """Raise :class:`InputError` naming the first missing column."""
    for col in required:
        if col not in frame.columns:
            found = ", ".join(repr(c)[1:-1][:60] for c in frame.columns[:12])  # one line, whatever the header
            raise InputError(str(file), f"missing column (found: {found})", field=col)


def read_csv(path: Path, schema: dict[str, pl.DataType] | None = None, **kwargs: object) -> pl.DataFrame:
    """Read a CSV as strings (then cast by the caller); errors name the file and line.

    A final record with fewer fields than the header (a file cut short) is an error naming its line and
    the first missing field: polars would fill the missing fields with nulls. Blank lines at the end
    (which polars reads as rows of nulls) are not rows.
    """
    try:
        frame = pl.read_csv(path, infer_schema=False, schema_overrides=schema, **kwargs)
    except pl.exceptions.NoDataError:
        raise InputError(str(path), "the file is empty (no header line)") from None
    except UnicodeDecodeError:
        raise not_utf8(path) from None
    except pl.exceptions.ComputeError as e:
        if "utf-8" in str(e).lower():
            raise not_utf8(path) from None
        if "not properly escaped" in str(e):
            column = re.search(r"at column '([^']*)'", str(e))
            raise InputError(str(path), "a quoted field is not closed (is the file cut short?)",
                             field=column[1] if column else None) from None
        raise InputError(str(path), f"not a readable CSV: {str(e).splitlines()[0]}") from None
    return checked_end(path, frame, str(kwargs.get("separator", ",")).encode())


def checked_end(path: Path, frame: pl.DataFrame, separator: bytes = b",") -> pl.DataFrame:
    """``frame`` without the null rows of blank lines at the end of the CSV ``path``; raises
    :class:`InputError` when its final record has fewer fields than the header.

    Only the final record's trailing nulls are checked against the file's last bytes: an empty field is a
    separator there, a missing one is not. Costs one read of the file's last few KiB.
    """
    if frame.width < 2 or frame.height == 0:
        return frame
    with open(path, "rb") as fh:
        size = fh.seek(0, 2)
        fh.seek(max(0, size - 4096 - frame.width))
        tail = fh.read().rstrip(b"\r\n")
    at = frame.height - 1
    if tail.rsplit(b"\n", 1)[-1].strip(separator + b"\r"):  # the last line holds a value: all-null rows
        while at >= 0 and all(v is None for v in frame.row(at)):  # after it are blank lines
            at -= 1
        if at < 0:
            return frame.head(0)
    last = frame.row(at)
    filled = max((i for i, v in enumerate(last) if v is not None), default=-1)
    # fields in the record: those up to the last value, then one per trailing separator (an empty field)
    present = frame.width if filled == frame.width - 1 else (filled + 1 if filled >= 0 else 1) + (
        len(tail) - len(tail.rstrip(separator)))
    if present >= frame.width:
        return frame.head(at + 1)
    line = Path(path).read_bytes().rstrip(b"\r\n").count(b"\n") + 1
    raise InputError(str(path), f"the last record ends after {present} of {frame.width} fields "
                     "(is the file cut short?)", row=line, field=frame.columns[present])


def not_utf8(path: Path) -> InputError:
    """An InputError naming the line of the first byte that is not UTF-8."""
    data = Path(path).read_bytes()
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as e:
        line = data.count(b"\n", 0, e.start) + 1
        return InputError(str(path), f"not UTF-8 text (byte 0x{data[e.start]:02x} at offset {e.start})", row=line)
    return InputError(str(path), "not UTF-8 text")


def cast_checked(frame: pl.DataFrame, casts: dict[str, pl.DataType], file: Path | str,
                 row_offset: int = 2) -> pl.DataFrame:
    """Cast string columns; the first unparseable value raises naming row and field.

    Empty strings count as missing, not as errors. ``row_offset`` maps frame index to file line
    (2 for a CSV with a header line).
    """
    out = []
    for name, dtype in casts.items():
        col = pl.col(name)
        clean = pl.when(col.str.strip_chars() != "").then(col.str.strip_chars())
        cast = clean.cast(dtype, strict=False)
        bad = frame.select(pl.arg_where(clean.is_not_null() & cast.is_null()).first()).item()
        if bad is not None:
            raise InputError(str(file), f"cannot read {frame[name][bad]!r} as {dtype}",
                             row=bad + row_offset, field=name)
        out.append(cast.alias(name))
    return frame.with_columns(out)
