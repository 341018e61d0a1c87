"""Systematic-review coding sheets: one CSV row per publication, as in literature studies of artefact
sharing and energy use (e.g. Hort et al. on code language models).

Column contract (header names exact; every column required except ``title``; blank = not coded):

=================  ==========================================================================
``key``            the review's own id of the publication (unique, non-blank)
``title``          optional title
``doi``            DOI, bare or as ``doi:``/``https://doi.org/`` (printable ASCII)
``arxiv``          arXiv id or abs/pdf URL (version suffix dropped)
``year``           publication year, 1900–2100
``venue``          venue name as coded (journal, conference, ``arXiv``)
``task``           task studied, as coded (e.g. ``code generation``)
``shares_code``    yes/no (also true/false, y/n, 1/0; case-insensitive)
``code_url``       link to the shared code (``http(s)://``)
``shares_model``   yes/no
``model_url``      link to the shared model weights
``shares_data``    yes/no
``data_url``       link to the shared data
``hardware``       hardware as reported (free text, e.g. ``8x NVIDIA V100 32GB``)
``accelerator_count``  number of GPUs/TPUs used for training (integer ≥ 0)
``training_hours``     reported training wall-clock time in hours (number ≥ 0)
=================  ==========================================================================

Each bad value raises :class:`InputError` naming the file, the line and the column; so does a sheet
without rows.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import polars as pl

from ptmkg.errors import InputError
from ptmkg.mapping.identity import arxiv_id, doi
from ptmkg.snapshot import SnapshotInfo, content_hash
from ptmkg.sources.base import SourceData, cast_checked, read_csv, require_columns

REQUIRED = ["key", "doi", "arxiv", "year", "venue", "task", "shares_code", "code_url", "shares_model", "model_url",
            "shares_data", "data_url", "hardware", "accelerator_count", "training_hours"]
KINDS = ["code", "model", "data"]
TRUE, FALSE = ["yes", "y", "true", "1"], ["no", "n", "false", "0"]
URL = r"^https?://[\x21-\x7e]+$"


def _fail_first(frame: pl.DataFrame, bad: pl.Expr, column: str, file: Path, message: str) -> None:
    """Raise naming the first row where ``bad`` holds."""
    idx = frame.select(pl.arg_where(bad).first()).item()
    if idx is not None:
        raise InputError(str(file), f"{message}: {frame[column][idx]!r}", row=idx + 2, field=column)


def _checked(frame: pl.DataFrame, file: Path) -> pl.DataFrame:
    """Validate and type every column of the sheet."""
    frame = frame.with_columns(pl.col(c).str.strip_chars().replace("", None) for c in frame.columns)
    _fail_first(frame, pl.col("key").is_null(), "key", file, "blank publication key")
    _fail_first(frame, ~pl.col("key").is_first_distinct(), "key", file, "duplicate publication key")
    _fail_first(frame, pl.col("doi").is_not_null() & (doi("doi").is_null()
                                                      | ~pl.col("doi").str.contains(r"^[\x21-\x7e]+$")),
                "doi", file, "not a DOI")
    _fail_first(frame, pl.col("arxiv").is_not_null() & arxiv_id("arxiv").is_null(), "arxiv", file, "not an arXiv id")
    for kind in KINDS:
        flag, url = f"shares_{kind}", f"{kind}_url"
        low = pl.col(flag).str.to_lowercase()
        _fail_first(frame, low.is_not_null() & ~low.is_in(TRUE + FALSE), flag, file, "not yes/no")
        _fail_first(frame, pl.col(url).is_not_null() & ~pl.col(url).str.contains(URL), url, file, "not an http(s) URL")
        frame = frame.with_columns(pl.when(low.is_in(TRUE)).then(True).when(low.is_in(FALSE)).then(False).alias(flag))
    frame = cast_checked(frame, {"year": pl.Int64, "accelerator_count": pl.Int64, "training_hours": pl.Float64}, file)
    _fail_first(frame, ~pl.col("year").is_between(1900, 2100), "year", file, "year out of range")
    _fail_first(frame, pl.col("accelerator_count") < 0, "accelerator_count", file, "negative count")
    _fail_first(frame, ~pl.col("training_hours").is_finite() | (pl.col("training_hours") < 0),
                "training_hours", file, "not a non-negative number of hours")
    return frame.with_columns(doi("doi").alias("doi"), arxiv_id("arxiv").alias("arxiv"))


def read(path: Path | None, **options: object) -> SourceData:
    """Read one coding sheet into a ``publications`` frame.

    Options: ``version`` (default: the file name), ``retrieved`` (default: the day the file was written),
    ``source_url`` (default: the file's URI).
    """
    if path is None or not path.is_file():
        raise InputError(str(path or "literature"), "give the coding sheet CSV file")
    try:
        frame = read_csv(path)
    except pl.exceptions.PolarsError as e:
        raise InputError(str(path), f"not a readable CSV: {str(e).splitlines()[0] if str(e) else type(e).__name__}") from None
    require_columns(frame, REQUIRED, path)
    if frame.height == 0:
        raise InputError(str(path), "no publication rows")
    if "title" not in frame.columns:
        frame = frame.with_columns(pl.lit(None, pl.String).alias("title"))
    publications = _checked(frame.select(["title", *REQUIRED]), path)
    written = datetime.fromtimestamp(path.stat().st_mtime, UTC).date().isoformat()
    snapshot = SnapshotInfo(source="literature", version=str(options.get("version") or path.name),
                            retrieved=str(options.get("retrieved") or written),
                            source_url=str(options.get("source_url") or path.resolve().as_uri()),
                            content_hash=content_hash([path]), files=(path.name,))
    return SourceData(snapshot, {"publications": publications})
