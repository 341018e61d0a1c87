"""ESEM'24 "What do we know about Hugging Face?" (PurdueDualityLab/ptm-quantify-esem-2024 @ f5ea2ca).

``PeaTMOSS_ANCIENT.db`` (SQLite, table ``PeaTMOSS_ANCIENT(modelId, downloads_last_month)``) is a
~June 2022 capture of the Hub's monthly download counts → frame ``downloads`` (models without a
count are kept, with a null). ``number_of_direct_descendant_models_per_download.csv`` pairs the
downloads of an unnamed parent model with its number of direct descendants → frame ``descendants``.
Errors in the database name the table row (SQLite rowid).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import polars as pl

from ptmkg import releases
from ptmkg.errors import InputError
from ptmkg.mapping.identity import hub_id
from ptmkg.snapshot import SnapshotInfo, content_hash
from ptmkg.sources.base import SourceData, cast_checked, read_csv, require_columns

DB = "PeaTMOSS_ANCIENT.db"
TABLE = "PeaTMOSS_ANCIENT"
DESCENDANTS = "number_of_direct_descendant_models_per_download.csv"
OBSERVED = "2022-06-01T00:00:00Z"  # month precision: "~June 2022"


def _query(file: Path, sql: str) -> list[tuple]:
    try:
        with sqlite3.connect(f"file:{file}?mode=ro", uri=True) as con:
            return con.execute(sql).fetchall()
    except sqlite3.DatabaseError as e:
        raise InputError(str(file), f"not a readable SQLite database ({e})") from None
    except UnicodeDecodeError as e:
        raise InputError(str(file), f"a name or value is not UTF-8 text ({e.reason} at byte {e.start})") from None


def _read_db(file: Path) -> pl.DataFrame:
    """The table as (row, modelId, downloads), checked in SQL and read with the stdlib sqlite3."""
    cols = [r[1] for r in _query(file, f"PRAGMA table_info({TABLE})")]
    if not cols:
        raise InputError(str(file), f"no table {TABLE}")
    for col in ("modelId", "downloads_last_month"):
        if col not in cols:
            raise InputError(str(file), f"missing column (found: {', '.join(cols)})", field=col)
    bad = _query(file, f"""SELECT rowid, downloads_last_month FROM {TABLE} WHERE downloads_last_month IS NOT NULL
        AND (typeof(downloads_last_month) NOT IN ('real', 'integer') OR downloads_last_month < 0
             OR downloads_last_month != CAST(downloads_last_month AS INTEGER)) ORDER BY rowid LIMIT 1""")
    if bad:
        raise InputError(str(file), f"not a download count: {bad[0][1]!r}", row=bad[0][0], field="downloads_last_month")
    rows = _query(file, f"SELECT rowid, CAST(modelId AS TEXT), CAST(downloads_last_month AS INTEGER) FROM {TABLE}")
    return pl.DataFrame(rows, schema={"row": pl.Int64, "model_id": pl.String, "downloads": pl.Int64}, orient="row")


def read(path: Path | None, *, retrieved: str | None = None) -> SourceData:
    """Read the study's folder (both files are required)."""
    if path is None or not Path(path).is_dir():
        raise InputError(str(path or "hf-slr-esem24"), "the hf-slr-esem24 folder is required")
    path = Path(path)
    db, csv = path / DB, path / DESCENDANTS
    for f in (db, csv):
        if not f.exists():
            raise InputError(str(f), "file missing from the hf-slr-esem24 folder")
    # three 2022 ids hold characters today's Hub rejects (e.g. ','); they are kept as owner/name, lower-cased
    legacy = pl.col("model_id").str.strip_chars()
    legacy = pl.when(legacy.str.contains(r"^[^\s/]+/[^\s/]+$")).then(legacy.str.to_lowercase())
    downloads = _read_db(db)
    downloads_read = downloads.height
    downloads = downloads.with_columns(model_key=pl.coalesce(hub_id("model_id"), legacy))
    bad = downloads.select(pl.arg_where(pl.col("model_key").is_null()).first()).item()
    if bad is not None:
        raise InputError(str(db), f"not a Hugging Face model id: {downloads['model_id'][bad]!r}",
                         row=int(downloads["row"][bad]), field="modelId")
    downloads = downloads.unique("model_key", keep="first", maintain_order=True)

    desc = read_csv(csv)
    require_columns(desc, ["downloads", "count"], csv)
    desc = cast_checked(desc, {"downloads": pl.Int64, "count": pl.Int64}, csv).with_row_index("row", offset=2)

    info = SnapshotInfo(
        source="esem24", version=releases.version("esem24", [db, csv], rows={DB: downloads_read, DESCENDANTS: desc.height}), retrieved=retrieved or "2024-06-01",
        source_url="https://github.com/PurdueDualityLab/ptm-quantify-esem-2024/tree/f5ea2ca",
        content_hash=content_hash([db, csv]), licence=None, files=(DB, DESCENDANTS),
    )
    return SourceData(info, {"downloads": downloads, "descendants": desc})
