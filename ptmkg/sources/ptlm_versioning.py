"""Ajibode et al., semantic versioning of PTLM releases on Hugging Face (SAILResearch/wip-24-adekunle-lm-release @ 538e6eb).

Frames: ``models`` (52,227 PTLMs: owner, id, pipeline, variant type), ``card_sample`` (models drawn
for the model-card check), ``data_sample`` (training-data disclosure, hand-checked), ``pairs``
(major/minor version pairs with labelled changes), ``weight_files`` (changes per weight file),
``extensions`` and ``naming`` (published aggregate tables). The file order of a pair's two models is
kept as ``from``/``to``; it is not always chronological in the source.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from ptmkg import releases
from ptmkg.errors import InputError
from ptmkg.mapping.identity import hub_id
from ptmkg.snapshot import SnapshotInfo, content_hash
from ptmkg.sources.base import SourceData, cast_checked, read_csv, require_columns

FILES = {
    "models": "all_NLP_with_quantization.csv", "card_sample": "model_card_empty_or_not.csv",
    "data_sample": "dataset_sample.csv", "major": "major_combined_changes.csv",
    "minor": "minor_combined_changes.csv", "weight_files": "model_weight_file_changed.csv",
    "extensions": "file_extension_and_frequencies.csv", "naming": "top_10_convention.csv",
}
YES_NO = {"yes": True, "no": False}


def _ids(frame: pl.DataFrame, column: str, file: Path) -> pl.DataFrame:
    """Add ``<column>_key`` (canonical Hub id); an unparseable id raises naming its row."""
    key = f"{column}_key"
    frame = frame.with_columns(hub_id(column).alias(key))
    bad = frame.select(pl.arg_where(pl.col(key).is_null()).first()).item()
    if bad is not None:
        line = int(frame["_line"][bad]) if "_line" in frame.columns else bad + 2
        raise InputError(str(file), f"not a Hugging Face model id: {frame[column][bad]!r}", row=line, field=column)
    return frame


def _yes_no(frame: pl.DataFrame, column: str, file: Path) -> pl.Expr:
    low = frame[column].str.strip_chars().str.to_lowercase()
    bad = frame.select(pl.arg_where(low.is_not_null() & ~low.is_in(list(YES_NO))).first()).item()
    if bad is not None:
        raise InputError(str(file), f"expected Yes or No, found {frame[column][bad]!r}", row=bad + 2, field=column)
    return pl.col(column).str.strip_chars().str.to_lowercase().replace_strict(YES_NO, default=None)


def _labels(column: str, aspect: str) -> pl.Expr:
    """Comma/newline separated change labels as a list of ``<aspect>:<label>``."""
    parts = pl.col(column).str.split(",").list.eval(pl.element().str.replace_all(r"\s+", " ").str.strip_chars())
    parts = parts.list.eval(pl.element().filter(pl.element() != ""))
    return parts.list.eval(pl.lit(aspect + ":") + pl.element())


def _pairs(path: Path, kind: str, weights_col: str) -> pl.DataFrame:
    file = path / FILES[kind]
    raw = read_csv(file)
    require_columns(raw, ["main_model_name", "to_compare", weights_col, "card_changed", "modelcard", "readme",
                          "configfile"], file)
    # the minor table ends with label-only rows that name no pair: skipped
    raw = raw.with_row_index("_line", offset=2).filter(
        pl.col("main_model_name").is_not_null() | pl.col("to_compare").is_not_null())
    raw = _ids(_ids(raw, "main_model_name", file), "to_compare", file)
    changed = {"different": True, "1": True, "same": False, "0": False}
    flags = []
    for col in (weights_col, "card_changed"):
        low = raw[col].str.strip_chars().str.to_lowercase()
        bad = raw.select(pl.arg_where(~low.is_in(list(changed))).first()).item()
        if bad is not None:
            raise InputError(str(file), f"expected Different/1 or Same/0, found {raw[col][bad]!r}",
                             row=int(raw["_line"][bad]), field=col)
        flags.append(low.replace_strict(changed, return_dtype=pl.Boolean))
    return raw.select(
        from_id="main_model_name", from_key="main_model_name_key", to_id="to_compare", to_key="to_compare_key",
        change_type=pl.lit(kind), weights_changed=flags[0], card_changed=flags[1],
        labels=pl.concat_list(_labels("modelcard", "modelcard"), _labels("readme", "readme"),
                              _labels("configfile", "config")),
    )


def read(path: Path | None, *, retrieved: str | None = None) -> SourceData:
    """Read the study's folder (all eight CSV files are required)."""
    if path is None or not Path(path).is_dir():
        raise InputError(str(path or "ptlm-versioning"), "the ptlm-versioning folder is required")
    path = Path(path)
    for name in FILES.values():
        if not (path / name).exists():
            raise InputError(str(path / name), "file missing from the ptlm-versioning folder")

    f = path / FILES["models"]
    models = read_csv(f)
    rows = {f.name: models.height}
    require_columns(models, ["owner", "model_name", "pipeline", "variants"], f)
    models = _ids(models, "model_name", f).unique("model_name_key", keep="first", maintain_order=True)
    models = models.select(model_id="model_name", model_key="model_name_key", owner="owner",
                           pipeline="pipeline", variant="variants")

    f = path / FILES["card_sample"]
    card = read_csv(f)
    require_columns(card, ["model_name"], f)
    card = _ids(card, "model_name", f).select(model_id="model_name", model_key="model_name_key").unique("model_key")

    f = path / FILES["data_sample"]
    data = read_csv(f)
    rows[f.name] = data.height
    require_columns(data, ["Model Name", "library_name", "Dataset", "Link_ava"], f)
    data = data.filter(pl.col("Model Name").is_not_null())
    data = _ids(data, "Model Name", f).select(
        model_id="Model Name", model_key="Model Name_key", library="library_name",
        discloses=_yes_no(data, "Dataset", f), linked=_yes_no(data, "Link_ava", f)).unique("model_key")

    pairs = pl.concat([_pairs(path, "major", "major_largefile"), _pairs(path, "minor", "largefile_changed")])

    f = path / FILES["weight_files"]
    wf = read_csv(f)
    rows[f.name] = wf.height
    require_columns(wf, ["owner", "model_name", "file_changed", "changed_frequency"], f)
    wf = cast_checked(wf, {"changed_frequency": pl.Int64}, f)
    wf = _ids(wf.with_columns(model_id=pl.concat_str(["owner", "model_name"], separator="/")), "model_id", f)
    wf = wf.select("model_id", model_key="model_id_key", path="file_changed", changes="changed_frequency")

    f = path / FILES["extensions"]
    ext = read_csv(f)
    require_columns(ext, ["file_extension", "changed_frequency", "model_name", "owner"], f)
    ext = cast_checked(ext, {"changed_frequency": pl.Int64, "model_name": pl.Int64, "owner": pl.Int64}, f).select(
        category="file_extension", changes="changed_frequency", models="model_name", owners="owner")

    f = path / FILES["naming"]
    naming = read_csv(f)
    require_columns(naming, ["naming_conv", "owner", "selected_model"], f)
    naming = cast_checked(naming, {"owner": pl.Int64, "selected_model": pl.Int64}, f).select(
        category="naming_conv", owners="owner", models="selected_model")

    info = SnapshotInfo(
        source="ptlm-versioning", version=releases.version(
            "ptlm-versioning", [path / n for n in FILES.values()], rows=rows), retrieved=retrieved or "2024-09-01",
        source_url="https://github.com/SAILResearch/wip-24-adekunle-lm-release/tree/538e6eb",
        content_hash=content_hash([path / n for n in FILES.values()]), licence=None,
        files=tuple(sorted(FILES.values())),
    )
    return SourceData(info, {"models": models, "card_sample": card, "data_sample": data, "pairs": pairs,
                             "weight_files": wf, "extensions": ext, "naming": naming})
