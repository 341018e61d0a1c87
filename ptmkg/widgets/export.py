"""Export a result DataFrame: write CSV/Parquet to a path, or build an HTML download link."""

from __future__ import annotations

import base64
import html
import io
from pathlib import Path

import polars as pl

FORMATS = {"csv": "text/csv", "parquet": "application/vnd.apache.parquet"}
MAX_LINK_BYTES = 20_000_000


def to_bytes(df: pl.DataFrame, fmt: str) -> bytes:
    """``df`` serialised as ``csv`` or ``parquet``."""
    if fmt not in FORMATS:
        raise ValueError(f"export as {' or '.join(FORMATS)}, not '{fmt}'")
    buf = io.BytesIO()
    df.write_csv(buf) if fmt == "csv" else df.write_parquet(buf)
    return buf.getvalue()


def write(df: pl.DataFrame, path: str | Path) -> Path:
    """Write ``df`` to ``path``; the suffix (.csv or .parquet) picks the format. Returns the path."""
    path = Path(path).expanduser()
    fmt = path.suffix.lstrip(".")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(to_bytes(df, fmt))
    return path


def download_link(df: pl.DataFrame, fmt: str, stem: str) -> str:
    """An HTML ``<a download>`` link carrying ``df`` as a data URI (or a note when too large for one)."""
    data = to_bytes(df, fmt)
    if len(data) > MAX_LINK_BYTES:
        return f"<i>{len(data):,} bytes: too large for a download link; write it to a path instead.</i>"
    name = html.escape(f"{stem}.{fmt}")
    uri = f"data:{FORMATS[fmt]};base64,{base64.b64encode(data).decode()}"
    return f'<a download="{name}" href="{uri}">⬇ {name}</a> ({len(data):,} bytes)'
