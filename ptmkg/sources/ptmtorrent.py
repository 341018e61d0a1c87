"""PTMTorrent model packages (SoftwareSystemsLaboratory/PTMTorrent): ONNX Model Zoo, PyTorch Hub, ….

Reads JSON arrays in two shapes, from one file or every ``*.json`` (except ``*.schema.json``) of a folder:

* the PTMTorrent uniform schema: ``id``, ``ModelHub{ModelHubName, ModelHubURL, …}``, ``ModelName``,
  ``ModelOwner``, ``ModelURL``, ``ModelOwnerURL``, ``LatestGitCommitSHA`` (required) and optional
  ``ModelPaperDOIs``, ``Datasets[{DatasetName, DatasetURL, DatasetPaperDOI, …}]``, ``ModelTask``,
  ``ModelArchitecture``;
* the PyTorch Hub listing: ``id``, ``ModelName``, ``ModelAuthor``, ``GitHubURL``, ``ColabURL``. A PyTorch
  Hub model is identified by its hub page, whose slug is the Colab notebook's name
  (``pytorch_vision_hardnet`` → owner ``pytorch``, name ``vision_hardnet``).

Model keys are ``<hub>/<owner>/<name>`` with hub ``onnx``, ``pytorchhub`` or ``hf`` (VOCAB.md), owner
and name lower-cased; ONNX Model Zoo names are slugged (``MobileNet v2-7`` → ``mobilenet-v2-7``).
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path

import polars as pl

from ptmkg import releases
from ptmkg.errors import InputError
from ptmkg.mapping.identity import hub_id, slug
from ptmkg.snapshot import SnapshotInfo, content_hash
from ptmkg.sources.base import SourceData

SOURCE_URL = "https://github.com/SoftwareSystemsLaboratory/PTMTorrent"
LICENCE = "http://spdx.org/licenses/BSD-3-Clause"
UNIFORM_REQUIRED = ["id", "ModelHub", "ModelName", "ModelOwner", "ModelURL", "ModelOwnerURL", "LatestGitCommitSHA"]
LISTING_REQUIRED = ["id", "ModelName", "ModelAuthor", "GitHubURL", "ColabURL"]
MODEL_COLUMNS = {"file": pl.String, "record": pl.Int64, "hub": pl.String, "key": pl.String, "name": pl.String,
                 "owner": pl.String, "author": pl.String, "model_url": pl.String, "code_url": pl.String,
                 "commit": pl.String, "task": pl.String, "architecture": pl.String, "dois": pl.List(pl.String)}
TEXT_KEYS = ["ModelName", "ModelOwner", "ModelURL", "ModelOwnerURL", "LatestGitCommitSHA", "ModelTask",
             "ModelArchitecture", "ModelAuthor", "GitHubURL", "ColabURL"]
DATASET_KEYS = ["DatasetName", "DatasetURL", "DatasetPaperDOI"]
DATASET_COLUMNS = {"key": pl.String, "dataset": pl.String, "dataset_url": pl.String, "dataset_doi": pl.String}


def _files(path: Path | None) -> list[Path]:
    if path is None:
        raise InputError("ptmtorrent", "give a PTMTorrent JSON file or a folder of them")
    if path.is_file():
        return [path]
    files = sorted(p for p in path.glob("*.json") if not p.name.endswith(".schema.json"))
    if not files:
        raise InputError(str(path), "no PTMTorrent *.json files")
    return files


def _load(file: Path) -> pl.DataFrame:
    try:
        records = json.loads(file.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise InputError(str(file), f"not JSON: {e}") from None
    if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
        raise InputError(str(file), "expected a JSON array of objects")
    uniform = any("ModelHub" in r for r in records)
    required = UNIFORM_REQUIRED if uniform else LISTING_REQUIRED
    checked = []
    for i, rec in enumerate(records, start=1):
        for key in required:
            value = rec.get(key)
            if value is None or (key == "ModelHub" and not isinstance(value, dict)):
                raise InputError(str(file), "missing or null", row=i, field=key)
        checked.append(_checked(file, i, rec, ["ModelURL"] if uniform else ["GitHubURL"]))
    frame = pl.DataFrame(checked, infer_schema_length=None, strict=False)
    frame = frame.with_columns(pl.lit(file.name).alias("file"), pl.int_range(1, pl.len() + 1).alias("record"))
    return _uniform(frame) if uniform else _listing(frame)


def _typed(file: Path, row: int, field: str, value: object, kind: type, what: str) -> object:
    if value is not None and not isinstance(value, kind):
        raise InputError(str(file), f"expected {what}, found {json.dumps(value)[:60]}", row=row, field=field)
    return value


def _url(file: Path, row: int, field: str, value: str | None) -> str | None:
    """A URL read as an IRI: blank is missing, anything but an absolute http(s) URL is an error."""
    if value is None or not value.strip():
        return None
    if not re.fullmatch(r"https?://\S+", value.strip()):
        raise InputError(str(file), f"not an http(s) URL: {value[:60]!r}", row=row, field=field)
    return value


def _checked(file: Path, row: int, rec: dict, urls: list[str]) -> dict:
    """The record's fields that are read, each of the type it must have (the first wrong one raises);
    ``urls``: the fields read as IRIs."""
    out = {k: _typed(file, row, k, rec.get(k), str, "text") for k in TEXT_KEYS}
    for k in urls:
        out[k] = _url(file, row, k, out[k])
    hub = rec.get("ModelHub")
    if hub is not None:
        out["ModelHub"] = {"ModelHubName": _typed(file, row, "ModelHub.ModelHubName", hub.get("ModelHubName"),
                                                  str, "text")}
    dois = _typed(file, row, "ModelPaperDOIs", rec.get("ModelPaperDOIs"), list, "a list of DOIs")
    out["ModelPaperDOIs"] = [_typed(file, row, "ModelPaperDOIs", d, str, "a DOI") for d in dois or []]
    datasets = _typed(file, row, "Datasets", rec.get("Datasets"), list, "a list of datasets")
    out["Datasets"] = [{k: _typed(file, row, f"Datasets.{k}", _typed(file, row, "Datasets", d, dict, "a dataset")
                                  .get(k), str, "text") for k in DATASET_KEYS} for d in datasets or []]
    for d in out["Datasets"]:
        d["DatasetURL"] = _url(file, row, "Datasets.DatasetURL", d["DatasetURL"])
    return out


def _text(frame: pl.DataFrame, col: str) -> pl.Expr:
    return pl.col(col).cast(pl.String).str.strip_chars() if col in frame.columns else pl.lit(None, pl.String)


def _uniform(f: pl.DataFrame) -> pl.DataFrame:
    hub_name = pl.col("ModelHub").struct.field("ModelHubName").str.to_lowercase()
    hub = (pl.when(hub_name.str.contains("onnx")).then(pl.lit("onnx"))
           .when(hub_name.str.contains("pytorch")).then(pl.lit("pytorchhub"))
           .when(hub_name.str.contains("hugging")).then(pl.lit("hf"))
           .otherwise(slug(hub_name)))
    owner = pl.col("ModelOwner").str.strip_chars().str.to_lowercase()
    key = (pl.when(hub == "hf").then(hub_id(pl.concat_str([pl.col("ModelOwner"), pl.lit("/"), pl.col("ModelName")])))
           .otherwise(pl.concat_str([owner, pl.lit("/"), slug("ModelName")])))
    dois = (pl.col("ModelPaperDOIs").cast(pl.List(pl.String)) if "ModelPaperDOIs" in f.columns
            else pl.lit(None, pl.List(pl.String)))
    return f.select(
        "file", "record", hub.alias("hub"), key.alias("key"), _text(f, "ModelName").alias("name"),
        owner.alias("owner"), _text(f, "ModelOwner").alias("author"), _text(f, "ModelURL").alias("model_url"),
        pl.lit(None, pl.String).alias("code_url"), _text(f, "LatestGitCommitSHA").alias("commit"),
        _text(f, "ModelTask").alias("task"), _text(f, "ModelArchitecture").alias("architecture"), dois.alias("dois"),
        *([pl.col("Datasets")] if "Datasets" in f.columns else []))


def _listing(f: pl.DataFrame) -> pl.DataFrame:
    page = pl.col("ColabURL").str.extract(r"/([^/]+)\.ipynb$", 1).str.to_lowercase()
    bad = f.select(pl.arg_where(page.is_null() | ~page.str.contains("_")).first()).item()
    if bad is not None:
        raise InputError(f["file"][0], f"no PyTorch Hub page name in {f['ColabURL'][bad]!r}",
                         row=bad + 1, field="ColabURL")
    owner = page.str.extract(r"^([^_]+)_", 1)
    return f.select(
        "file", "record", pl.lit("pytorchhub").alias("hub"),
        pl.concat_str([owner, pl.lit("/"), page.str.replace(r"^[^_]+_", "")]).alias("key"),
        _text(f, "ModelName").alias("name"), owner.alias("owner"), _text(f, "ModelAuthor").alias("author"),
        pl.concat_str([pl.lit("https://pytorch.org/hub/"), page]).alias("model_url"),
        _text(f, "GitHubURL").alias("code_url"), *(pl.lit(None, pl.String).alias(c) for c in ["commit", "task", "architecture"]),
        pl.lit(None, pl.List(pl.String)).alias("dois"))


def _datasets(frame: pl.DataFrame) -> pl.DataFrame:
    if "Datasets" not in frame.columns or frame["Datasets"].dtype == pl.List(pl.Null):
        return pl.DataFrame(schema=DATASET_COLUMNS)
    d = frame.select("key", pl.col("Datasets").alias("d")).explode("d").drop_nulls("d").unnest("d")
    return d.select("key", *(_text(d, src).alias(dst) for src, dst in
                             [("DatasetName", "dataset"), ("DatasetURL", "dataset_url"),
                              ("DatasetPaperDOI", "dataset_doi")]))


def read(path: Path | None, **options: object) -> SourceData:
    """Read PTMTorrent JSON into ``models`` (one row per record) and ``datasets`` frames.

    Options: ``version`` and ``retrieved``. Defaults: for released files (known by content, see
    :mod:`ptmkg.releases`), the PTMTorrent commits that hold them and the newest commit's date; for other
    content, version ``local copy`` and the day the newest input file was written.
    """
    files = _files(path)
    frames = [_load(f) for f in files]
    models = pl.concat([f.select(pl.col(c).cast(t) for c, t in MODEL_COLUMNS.items()) for f in frames])
    datasets = pl.concat([_datasets(f) for f in frames])
    version = releases.version("ptmtorrent", files, rows={f.name: fr.height for f, fr in zip(files, frames)})
    known = releases.upstream("ptmtorrent", files)
    written = (max(k.date for k in known) if known
               else datetime.fromtimestamp(max(f.stat().st_mtime for f in files), UTC).date().isoformat())
    snapshot = SnapshotInfo(source="ptmtorrent", version=str(options.get("version") or version),
                            retrieved=str(options.get("retrieved") or written), source_url=SOURCE_URL,
                            content_hash=content_hash(files), licence=LICENCE, files=tuple(f.name for f in files))
    return SourceData(snapshot, {"models": models, "datasets": datasets})
