"""PeaTMOSS SQLite database (PurdueDualityLab/PeaTMOSS-Demos, ``PeaTMOSS.sql``): PTMs and the GitHub
repositories that reuse them.

Required tables (columns as in the published schema): ``model(id, context_id, model_hub_id, sha,
repo_url, downloads, likes)``, ``model_hub(id, name, url)``, ``reuse_repository(id, owner, name, url)``,
``model_to_reuse_repository(model_id, reuse_repository_id)``. Optional name tables with their
``model_to_<x>(model_id, <x>_id)`` junctions: ``paper``, ``license``, ``dataset``, ``architecture``,
``author``, ``library`` (each ``(id, name)``). ``context_id`` is the model's id on its hub
(``owner/name`` on Hugging Face). Values are read as text and cast, so a wrongly typed cell names its
table row (1-based, in ``id`` order) and ``table.column``.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import polars as pl

from ptmkg.errors import InputError
from ptmkg.snapshot import SnapshotInfo, content_hash
from ptmkg.sources.base import SourceData, cast_checked

SOURCE_URL = "https://github.com/PurdueDualityLab/PeaTMOSS-Demos"
REQUIRED: dict[str, dict[str, pl.DataType]] = {
    "model": {"id": pl.Int64, "context_id": pl.String, "model_hub_id": pl.Int64, "sha": pl.String,
              "repo_url": pl.String, "downloads": pl.Int64, "likes": pl.Int64},
    "model_hub": {"id": pl.Int64, "name": pl.String, "url": pl.String},
    "reuse_repository": {"id": pl.Int64, "owner": pl.String, "name": pl.String, "url": pl.String},
    "model_to_reuse_repository": {"model_id": pl.Int64, "reuse_repository_id": pl.Int64},
}
URLS = {"model": "repo_url", "reuse_repository": "url"}  # read as IRIs
NAMED = ["paper", "license", "dataset", "architecture", "author", "library"]


def _tables(con: sqlite3.Connection) -> set[str]:
    return {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'view')")}


def _read(con: sqlite3.Connection, file: Path, table: str, columns: dict[str, pl.DataType]) -> pl.DataFrame:
    present = {r[1] for r in con.execute(f'PRAGMA table_info("{table}")')}
    for col in columns:
        if col not in present:
            raise InputError(str(file), f"missing column (found: {', '.join(sorted(present))})", field=f"{table}.{col}")
    order = "id" if "id" in columns else ", ".join(columns)
    select = ", ".join(f'CAST("{c}" AS TEXT)' for c in columns)
    rows = con.execute(f'SELECT {select} FROM "{table}" ORDER BY {order}').fetchall()
    frame = pl.DataFrame(rows, schema={c: pl.String for c in columns}, orient="row")
    casts = {c: t for c, t in columns.items() if t != pl.String}
    try:
        return cast_checked(frame, casts, file, row_offset=1)
    except InputError as e:
        raise InputError(e.file, e.message, row=e.row, field=f"{table}.{e.field}") from None


def _urls(frame: pl.DataFrame, col: str, file: Path, table: str) -> pl.DataFrame:
    """URLs read as IRIs: blank is missing; anything but an absolute http(s) URL names its row."""
    url = pl.col(col).str.strip_chars()
    bad = frame.select(pl.arg_where((url != "") & ~url.str.contains(r"^https?://\S+$")).first()).item()
    if bad is not None:
        raise InputError(str(file), f"not an http(s) URL: {frame[col][bad][:60]!r}", row=bad + 1, field=f"{table}.{col}")
    return frame.with_columns(pl.when(url != "").then(url).alias(col))


def read(path: Path | None, **options: object) -> SourceData:
    """Read a PeaTMOSS database into ``models``, ``repositories``, ``uses`` and one frame per name table.

    Options: ``version`` (default: the file name), ``retrieved`` (default: the day the file was written).
    """
    if path is None or not path.is_file():
        raise InputError(str(path or "peatmoss"), "give the PeaTMOSS SQLite database file")
    try:
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        tables = _tables(con)
    except sqlite3.DatabaseError as e:
        raise InputError(str(path), f"not a SQLite database ({e})") from None
    except UnicodeDecodeError as e:
        raise InputError(str(path), f"a table name is not UTF-8 text ({e.reason} at byte {e.start})") from None
    try:
        for table in REQUIRED:
            if table not in tables:
                raise InputError(str(path), "missing table", field=table)
        t = {name: _read(con, path, name, cols) for name, cols in REQUIRED.items()}
        named = {x: _read(con, path, x, {"id": pl.Int64, "name": pl.String})
                 .join(_read(con, path, f"model_to_{x}", {"model_id": pl.Int64, f"{x}_id": pl.Int64}),
                       left_on="id", right_on=f"{x}_id").select("model_id", "name")
                 for x in NAMED if x in tables and f"model_to_{x}" in tables}
    except sqlite3.DatabaseError as e:
        raise InputError(str(path), f"unreadable SQLite database ({e})") from None
    except UnicodeDecodeError as e:
        raise InputError(str(path), f"a name or value is not UTF-8 text ({e.reason} at byte {e.start})") from None
    finally:
        con.close()
    for table, col in URLS.items():
        t[table] = _urls(t[table], col, path, table)
    models = t["model"].join(t["model_hub"].select(pl.col("id").alias("model_hub_id"), pl.col("name").alias("hub_name")),
                             on="model_hub_id", how="left")
    uses = t["model_to_reuse_repository"].rename({"reuse_repository_id": "repository_id"})
    written = datetime.fromtimestamp(path.stat().st_mtime, UTC).date().isoformat()
    snapshot = SnapshotInfo(source="peatmoss", version=str(options.get("version") or path.name),
                            retrieved=str(options.get("retrieved") or written), source_url=SOURCE_URL,
                            content_hash=content_hash([path]), files=(path.name,))
    return SourceData(snapshot, {"models": models, "repositories": t["reuse_repository"], "uses": uses, **named})
