"""Hugging Face carbon-emission reports: Castaño et al. ESEM'23 (2023) and its April 2026 re-extraction.

Both inputs are dated snapshots of one source and are read into the same frame ``runs``
(one row per model reporting ``co2_eq_emissions``, in grams):

- 2023 (``hf-carbon/``, GAISSA-UPC/ML-EnergyLabel): ``HFStreamlit.csv`` — the study's final table.
  Its ``modelId`` holds the repository name only; the owner is recovered where the model card
  names ``<owner>/<name>`` (the card text itself is read for that and then dropped).
- 2026 (``hf-carbon-2026/``, jufegare000/huggingface-mlco2-v2): ``modelos_co2_enrinchment_limpios.csv``
  with full ``owner/name`` ids.

Retrieved dates: 2023-04-05 is the newest ``lastModified`` in the 2023 table (extraction can be no
earlier); 2026-04-01 stands for "April 2026", the re-extraction's stated month.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from ptmkg import releases
from ptmkg.errors import InputError
from ptmkg.snapshot import SnapshotInfo, content_hash
from ptmkg.sources.base import SourceData, cast_checked, read_csv, require_columns

FILE_2023 = "HFStreamlit.csv"
FILE_2026 = "modelos_co2_enrinchment_limpios.csv"
URL_2023 = "https://github.com/GAISSA-UPC/ML-EnergyLabel/tree/fb434f2"
URL_2026 = "https://github.com/jufegare000/huggingface-mlco2-v2/tree/42d3a3d"
MISSING = ["not specified", "unknown", "none", "n/a", "na", "[]", "nan", ""]
METRICS = ["accuracy", "loss", "f1", "rouge1", "rougeL"]

COLUMNS = {
    "model_id": pl.String, "model_key": pl.String, "owner_recovered": pl.Boolean, "emissions_g": pl.Float64,
    "emissions_source": pl.String, "training_type": pl.String, "location": pl.String, "hardware": pl.String,
    "cloud_provider": pl.String, "hours_raw": pl.String, "hours": pl.Float64, **{m: pl.Float64 for m in METRICS},
    "size_bytes": pl.Float64, "downloads": pl.Int64, "likes": pl.Int64, "licence_raw": pl.String,
    "created_at": pl.Datetime("us", "UTC"), "autotrain": pl.Boolean, "pipeline_task": pl.String,
    "library": pl.String,
}


def _clean(name: str) -> pl.Expr:
    """Free text without markdown bullets; 'Not Specified' and the like become null."""
    e = pl.col(name).str.replace(r"^\s*\*\*\s*", "").str.strip_chars()
    return pl.when(~e.str.to_lowercase().is_in(MISSING)).then(e)


def _bool(frame: pl.DataFrame, name: str, file: Path) -> pl.Expr:
    lowered = frame[name].str.strip_chars().str.to_lowercase()
    known = {"true": True, "1": True, "false": False, "0": False}
    bad = frame.select(pl.arg_where(lowered.is_not_null() & ~lowered.is_in(list(known))).first()).item()
    if bad is not None:
        raise InputError(str(file), f"cannot read {frame[name][bad]!r} as a boolean", row=bad + 2, field=name)
    return pl.col(name).str.strip_chars().str.to_lowercase().replace_strict(known, default=None)


def _datetime(frame: pl.DataFrame, name: str, file: Path) -> pl.Series:
    """ISO dates or date-times (UTC offset optional) as UTC datetimes; the first bad value raises."""
    text = frame[name].str.strip_chars().str.replace(r"(\+00:00|Z)$", "").str.replace("T", " ", literal=True)
    text = pl.select(pl.when(text.str.len_chars() > 0).then(text)).to_series()
    parsed = pl.coalesce(text.str.to_datetime("%Y-%m-%d %H:%M:%S", strict=False, time_unit="us"),
                         text.str.to_datetime("%Y-%m-%d", strict=False, time_unit="us"))
    parsed = pl.select(parsed).to_series()
    bad = pl.select(pl.arg_where(text.is_not_null() & parsed.is_null()).first()).item()
    if bad is not None:
        raise InputError(str(file), f"cannot read {frame[name][bad]!r} as a date", row=bad + 2, field=name)
    return parsed.dt.replace_time_zone("UTC").alias(name)


def _recover_owner(frame: pl.DataFrame) -> pl.DataFrame:
    """``owner/name`` for 2023 rows whose card mentions the repository with its owner."""
    pairs = (
        frame.select(pl.int_range(pl.len()).alias("_i"), "modelId",
                     pl.col("modelcard_text").str.extract_all(r"[\w.\-]+/[\w.\-]+").alias("_p"))
        .explode("_p")
        .filter(pl.col("_p").str.split("/").list.get(1).str.to_lowercase() == pl.col("modelId").str.to_lowercase())
        .group_by("_i").agg(pl.col("_p").first())
    )
    joined = frame.with_row_index("_i").with_columns(pl.col("_i").cast(pl.Int64))
    joined = joined.join(pairs.with_columns(pl.col("_i").cast(pl.Int64)), on="_i", how="left")
    return joined.with_columns(model_id=pl.coalesce("_p", "modelId"), owner_recovered=pl.col("_p").is_not_null())


def _read_2023(file: Path) -> pl.DataFrame:
    raw = read_csv(file)
    require_columns(raw, ["modelId", "co2_eq_emissions", "source", "training_type", "geographical_location",
                          "hardware_used", *METRICS, "size", "auto", "downloads", "likes", "created_at",
                          "modelcard_text", "hours_used", "cloud_provider", "license", "library_name"], file)
    typed = cast_checked(raw, {"co2_eq_emissions": pl.Float64, "size": pl.Float64, "downloads": pl.Float64,
                               "likes": pl.Float64, **{m: pl.Float64 for m in METRICS}}, file)
    typed = _finite(typed, raw, ["co2_eq_emissions", "size"], file)
    for col in ("downloads", "likes"):  # written as floats ("12.0") in this table, read as counts
        count = pl.col(col)
        bad = typed.select(pl.arg_where(~count.is_finite() | (count != count.round()) | (count.abs() >= 2**63))
                           .first()).item()
        if bad is not None:
            raise InputError(str(file), f"not a whole count: {raw[col][bad]!r}", row=bad + 2, field=col)
    typed = _recover_owner(typed.with_columns(created_at=_datetime(raw, "created_at", file)))
    hours_raw = _clean("hours_used")
    return typed.select(
        "model_id", "owner_recovered", emissions_g="co2_eq_emissions", emissions_source=_clean("source"),
        training_type=_clean("training_type"), location=_clean("geographical_location"),
        hardware=_clean("hardware_used"), cloud_provider=_clean("cloud_provider"), hours_raw=hours_raw,
        hours=hours_raw.str.extract(r"^([\d.]+)\s*(?:hours?|h)?\s*(?:\(.*\))?$", 1).cast(pl.Float64, strict=False),
        **{m: m for m in METRICS}, size_bytes="size", downloads=pl.col("downloads").cast(pl.Int64),
        likes=pl.col("likes").cast(pl.Int64),
        licence_raw=pl.col("license").str.extract(r"^\[\s*'([^']+)'", 1), created_at="created_at",
        autotrain=_bool(raw, "auto", file), pipeline_task=pl.lit(None, pl.String),
        library=pl.col("library_name").str.extract(r"^\[\s*'([^']+)'", 1),
    )


def _finite(typed: pl.DataFrame, raw: pl.DataFrame, cols: list[str], file: Path) -> pl.DataFrame:
    """``typed``, unless a number in ``cols`` is infinite or NaN (then its row and field are named)."""
    for col in cols:
        bad = typed.select(pl.arg_where(~pl.col(col).is_finite()).first()).item()
        if bad is not None:
            raise InputError(str(file), f"not a finite number: {raw[col][bad]!r}", row=bad + 2, field=col)
    return typed


def _read_2026(file: Path) -> pl.DataFrame:
    raw = read_csv(file)
    require_columns(raw, ["model_id", "downloads", "likes", "pipeline_tag", "library_name", "license",
                          "co2_emissions_grams", "source", "training_type", "geographical_location",
                          "hardware_used", *METRICS, "is_autotrain", "model_size_mb", "created_at"], file)
    typed = cast_checked(raw, {"co2_emissions_grams": pl.Float64, "model_size_mb": pl.Float64,
                               "downloads": pl.Int64, "likes": pl.Int64, **{m: pl.Float64 for m in METRICS}}, file)
    typed = _finite(typed, raw, ["co2_emissions_grams", "model_size_mb"], file)
    return typed.with_columns(created_at=_datetime(raw, "created_at", file)).select(
        "model_id", owner_recovered=pl.lit(False), emissions_g="co2_emissions_grams",
        emissions_source=_clean("source"), training_type=_clean("training_type"),
        location=_clean("geographical_location"), hardware=_clean("hardware_used"),
        cloud_provider=pl.lit(None, pl.String), hours_raw=pl.lit(None, pl.String), hours=pl.lit(None, pl.Float64),
        **{m: m for m in METRICS}, size_bytes=pl.col("model_size_mb") * 1e6, downloads="downloads",
        likes="likes", licence_raw=_clean("license"), created_at="created_at",
        autotrain=_bool(raw, "is_autotrain", file), pipeline_task=_clean("pipeline_tag"),
        library=_clean("library_name"),
    )


def _check_ids(frame: pl.DataFrame, file: Path, field: str) -> pl.DataFrame:
    from ptmkg.mapping.identity import hub_id

    frame = frame.with_columns(model_key=hub_id("model_id"))
    bad = frame.select(pl.arg_where(pl.col("model_key").is_null()).first()).item()
    if bad is not None:
        raise InputError(str(file), f"not a Hugging Face model id: {frame['model_id'][bad]!r}", row=bad + 2,
                         field=field)
    bad = frame.select(pl.arg_where(pl.col("emissions_g") < 0).first()).item()
    if bad is not None:
        raise InputError(str(file), f"negative emissions {frame['emissions_g'][bad]}", row=bad + 2, field="co2")
    return frame


def read(path: Path | None, *, retrieved: str | None = None) -> SourceData:
    """Read one snapshot: the 2023 folder (or ``HFStreamlit.csv``) or the 2026 folder (or its CSV).

    Duplicate rows of one model are collapsed to the first (the 2023 table lists a few twice).
    """
    if path is None:
        raise InputError("hf-carbon", "a folder or CSV path is required (see ../shared/data/hf-carbon*)")
    path = Path(path)
    candidates = [path] if path.is_file() else [path / FILE_2023, path / FILE_2026]
    file = next((c for c in candidates if c.exists() and c.name in (FILE_2023, FILE_2026)), None)
    if file is None:
        raise InputError(str(path), f"expected {FILE_2023} (2023) or {FILE_2026} (2026)")
    is_2023 = file.name == FILE_2023
    frame = _read_2023(file) if is_2023 else _read_2026(file)
    frame = _check_ids(frame, file, "modelId" if is_2023 else "model_id")
    rows = frame.height
    frame = frame.unique("model_key", keep="first", maintain_order=True).select(
        [pl.col(c).cast(t) for c, t in COLUMNS.items()])
    info = SnapshotInfo(
        source="hf-carbon",
        version=releases.version("hf-carbon", [file], rows={file.name: rows},
                                 local="2023 layout" if is_2023 else "2026 layout"),
        retrieved=retrieved or ("2023-04-05" if is_2023 else "2026-04-01"),
        source_url=URL_2023 if is_2023 else URL_2026,
        content_hash=content_hash([file]),
        licence=None,
        files=(file.name,),
    )
    return SourceData(info, {"runs": frame, "edition": pl.DataFrame({"edition": ["2023" if is_2023 else "2026"]})})
