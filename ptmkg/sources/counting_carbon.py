"""Luccioni & Hernández-García, "Counting Carbon" (2023): 95 published ML models with training energy and CO2eq.

``co2ml95models.csv`` (alexhernandezgarcia/co2ml @ 388c028, CC BY-NC-SA 4.0) names no model or
paper, only its row number; rows are keyed by that number. Retrieved date: February 2023, the month
of the paper's first arXiv version, which the data accompany.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from ptmkg import releases
from ptmkg.errors import InputError
from ptmkg.namespaces import SPDX_LICENSE
from ptmkg.snapshot import SnapshotInfo, content_hash
from ptmkg.sources.base import SourceData, cast_checked, read_csv, require_columns

FILE = "co2ml95models.csv"
INTENSITY = "Carbon intensity [g CO₂eq/kWh]"
NUMERIC = {
    "Year published": pl.Float64, INTENSITY: pl.Float64, "Number of GPUs": pl.Float64, "Number of TPUs": pl.Float64,
    "TDP": pl.Float64, "Training time [s]": pl.Float64, "Energy consumed [kWh]": pl.Float64,
    "CO₂eq emitted [kg]": pl.Float64, "Top-5 accuracy": pl.Float64, "Top-1 accuracy": pl.Float64,
    "BLEU score": pl.Float64, "F1 score": pl.Float64,
}
TEXT = ["Data set", "Task", "Local/Cloud", "Country", "Location", "Main energy source", "Source", "GPU model",
        "TPU model", "TDP Source"]
# Hugging Face pipeline tags for the paper's task names.
TASKS = {"Image Classification": "image-classification", "Object Detection": "object-detection",
         "Question Answering": "question-answering", "Named Entity Recognition": "token-classification",
         "Machine Translation": "translation"}
ISO3 = {"United States of America": "USA", "Canada": "CAN", "United Kingdom": "GBR", "Japan": "JPN",
        "South Korea": "KOR", "Singapore": "SGP", "Spain": "ESP", "United Arab Emirates": "ARE",
        "Russia": "RUS", "China": "CHN", "Australia": "AUS", "Israel": "ISR"}


def read(path: Path | None, *, retrieved: str | None = None) -> SourceData:
    """Read the folder (or the CSV itself) into one ``runs`` frame, one row per published model."""
    if path is None:
        raise InputError("counting-carbon", f"a folder or {FILE} path is required")
    path = Path(path)
    file = path if path.is_file() else path / FILE
    if not file.exists():
        raise InputError(str(path), f"expected {FILE}")
    raw = read_csv(file)
    require_columns(raw, ["", *NUMERIC, *TEXT], file)
    typed = cast_checked(raw, {"": pl.Int64, **NUMERIC}, file)
    for col in NUMERIC:
        bad = typed.select(pl.arg_where(~pl.col(col).is_finite()).first()).item()
        if bad is not None:
            raise InputError(str(file), f"not a finite number: {raw[col][bad]!r}", row=bad + 2, field=col)
    for col in ("Number of GPUs", "Number of TPUs"):
        bad = typed.select(pl.arg_where(pl.col(col) != pl.col(col).round()).first()).item()
        if bad is not None:
            raise InputError(str(file), f"not a whole number of accelerators: {raw[col][bad]!r}", row=bad + 2,
                             field=col)
    for col in ("Training time [s]", "Energy consumed [kWh]", "CO₂eq emitted [kg]", INTENSITY, "TDP"):
        bad = typed.select(pl.arg_where(pl.col(col) < 0).first()).item()
        if bad is not None:
            raise InputError(str(file), f"negative value {typed[col][bad]}", row=bad + 2, field=col)
    dup = typed.select(pl.arg_where(pl.col("").is_duplicated()).first()).item()
    if dup is not None:
        raise InputError(str(file), f"row number {typed[''][dup]} appears twice", row=dup + 2, field="")
    runs = typed.select(
        key=pl.col(""), dataset=pl.col("Data set").str.strip_chars(), task=pl.col("Task").str.strip_chars(),
        pipeline_task=pl.col("Task").str.strip_chars().replace_strict(TASKS, default=None),
        year=pl.col("Year published").cast(pl.Int64), setting=pl.col("Local/Cloud").str.strip_chars(),
        country_raw=pl.col("Country"), country=pl.col("Country").str.strip_chars().replace_strict(ISO3, default=None),
        location=pl.col("Location"), energy_source=pl.col("Main energy source"), intensity_source=pl.col("Source"),
        intensity_g_per_kwh=pl.col(INTENSITY),
        hardware=pl.coalesce("GPU model", "TPU model"),
        accelerators=pl.coalesce("Number of GPUs", "Number of TPUs").cast(pl.Int64),
        tdp_w=pl.col("TDP"), tdp_source=pl.col("TDP Source"), seconds=pl.col("Training time [s]"),
        kwh=pl.col("Energy consumed [kWh]"), kg=pl.col("CO₂eq emitted [kg]"),
        top5_accuracy=pl.col("Top-5 accuracy"), top1_accuracy=pl.col("Top-1 accuracy"),
        bleu=pl.col("BLEU score"), f1=pl.col("F1 score"),
    )
    info = SnapshotInfo(
        source="counting-carbon", version=releases.version("counting-carbon", [file], rows={file.name: raw.height}), retrieved=retrieved or "2023-02-01",
        source_url="https://github.com/alexhernandezgarcia/co2ml/tree/388c028",
        content_hash=content_hash([file]), licence=SPDX_LICENSE + "CC-BY-NC-SA-4.0", files=(file.name,),
    )
    return SourceData(info, {"runs": runs})
