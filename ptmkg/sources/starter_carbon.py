"""The carbon part of the starter snapshot: reported training emissions of Hub models (facts only).

Derived by ``python -m ptmkg.starter_build`` from the April 2026 re-extraction of Hub
``co2_eq_emissions`` reports (jufegare000/huggingface-mlco2-v2 @ 42d3a3d): model id, grams CO2eq,
emissions source, training type, location, hardware and provider labels, downloads, likes, licence,
task and library; no card text. Each row names its Hub page (``_source``), the data set it came
through (``_via``) and its retrieval date (``_retrieved``). Mapped like ``hf-carbon`` (2026 edition),
so its models and runs are the same nodes as in the full data set.
"""

from __future__ import annotations

from importlib.resources import as_file, files
from pathlib import Path

import polars as pl

from ptmkg.snapshot import SnapshotInfo, content_hash
from ptmkg.sources.base import SourceData, cast_checked, read_csv, require_columns
from ptmkg.sources.hf_carbon import COLUMNS, URL_2026

FILE = "carbon_reports.csv.gz"
PROVENANCE = ["_source", "_via", "_retrieved"]


def default_path() -> Path:
    """Where the shipped file lies inside the installed package."""
    with as_file(files("ptmkg.data.starter") / FILE) as path:
        return Path(path)


def read(path: Path | None = None, **_: object) -> SourceData:
    """Read the shipped carbon reports (or a file of the same shape at ``path``)."""
    path = Path(path) if path is not None else default_path()
    columns = [c for c in COLUMNS if c != "hours_raw"]
    frame = read_csv(path)
    require_columns(frame, columns + PROVENANCE, path)
    special = (pl.String, pl.Boolean, pl.Datetime("us", "UTC"))
    typed = {c: t for c, t in COLUMNS.items() if c in columns and t not in special}
    frame = cast_checked(frame, typed, path)
    flags = {c: pl.col(c).replace_strict({"true": True, "false": False}, default=None, return_dtype=pl.Boolean)
             for c, t in COLUMNS.items() if t == pl.Boolean}
    runs = frame.with_columns(
        **flags,
        created_at=pl.col("created_at").str.to_datetime(time_zone="UTC", strict=False),
        hours_raw=pl.lit(None, pl.String),
    )
    retrieved = frame["_retrieved"].max()
    version = f"{retrieved} (huggingface-mlco2-v2@42d3a3d, {runs.height} models)"
    info = SnapshotInfo(source="starter-carbon", version=version, retrieved=retrieved, source_url=URL_2026,
                        content_hash=content_hash([path]), files=(path.name,))
    return SourceData(info, {"runs": runs.select(list(COLUMNS)), "edition": pl.DataFrame({"edition": ["2026"]})})
