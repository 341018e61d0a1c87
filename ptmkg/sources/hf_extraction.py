"""HF model-card metadata extraction (PurdueDualityLab/hf-metadata-extraction @ d40c004).

``groundTruth.json`` holds hand-labelled metadata for 50 models, ``500ModelResult.json`` an automatic
(LLM) extraction for 500 (124 of which are error messages instead of records), and
``filtered_models.json`` the download counts of the 1,461 candidate models. Frames: ``records``
(model, method, error), ``fields`` (model, method, field, value: one row per list element, empty
fields with a null value) and ``downloads``. Only the short metadata fields in :data:`FIELDS` are
read; prose fields (limitations, demo, input/output format) and nested ones (hyper-parameters,
evaluation) are not. The retrieval date is approximate (the repository's data date is not recorded).
"""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl

from ptmkg import releases
from ptmkg.errors import InputError
from ptmkg.mapping.identity import hub_id
from ptmkg.snapshot import SnapshotInfo, content_hash
from ptmkg.sources.base import SourceData

HAND, EXTRACTED, DOWNLOADS = "groundTruth.json", "500ModelResult.json", "filtered_models.json"
FIELDS = ["model_type", "model_tasks", "frameworks", "datasets", "license", "github", "paper", "upstream_model",
          "parameter_count", "hardware"]


def _load(file: Path) -> dict:
    """A JSON object keyed by model id; syntax and encoding errors name the line."""
    try:
        data = json.loads(file.read_bytes().decode("utf-8"))
    except UnicodeDecodeError as e:
        raise InputError(str(file), f"not UTF-8 text ({e.reason} at byte {e.start})") from None
    except json.JSONDecodeError as e:
        raise InputError(str(file), f"malformed JSON: {e.msg} (column {e.colno})", row=e.lineno) from None
    if not isinstance(data, dict):
        raise InputError(str(file), f"expected an object keyed by model id, found a JSON {type(data).__name__}")
    return data


def _values(file: Path, model: str, field: str, value: object) -> list[str | None]:
    if value is None or value == "":
        return [None]
    if isinstance(value, (str, int, float)) and not isinstance(value, bool):
        return [str(value)]
    if isinstance(value, list) and all(isinstance(v, (str, int, float)) for v in value):
        return [str(v) for v in value] or [None]
    raise InputError(str(file), f"model {model!r}: expected text or a list of text, found {value!r}"[:200],
                     field=field)


def _records(file: Path, method: str) -> tuple[pl.DataFrame, pl.DataFrame]:
    data = _load(file)
    records, fields = [], []
    for model, record in data.items():
        if isinstance(record, str):
            records.append((model, method, record))
            continue
        if not isinstance(record, dict):
            raise InputError(str(file), f"model {model!r}: expected an object or an error message", field=model)
        records.append((model, method, None))
        fields += [(model, method, f, v) for f in FIELDS if f in record
                   for v in _values(file, model, f, record[f])]
    return (pl.DataFrame(records, schema={c: pl.String for c in ("model_id", "method", "error")}, orient="row"),
            pl.DataFrame(fields, schema={c: pl.String for c in ("model_id", "method", "field", "value")},
                         orient="row"))


def read(path: Path | None, *, retrieved: str = "2023-09-01") -> SourceData:
    """Read the study's folder (the three JSON files are required)."""
    if path is None or not Path(path).is_dir():
        raise InputError(str(path or "hf-metadata-extraction"), "the hf-metadata-extraction folder is required")
    path = Path(path)
    for name in (HAND, EXTRACTED, DOWNLOADS):
        if not (path / name).exists():
            raise InputError(str(path / name), "file missing from the hf-metadata-extraction folder")
    hand = _records(path / HAND, "HandLabelled")
    auto = _records(path / EXTRACTED, "Extracted")
    counts = _load(path / DOWNLOADS)
    bad = next(((m, v) for m, v in counts.items() if not isinstance(v, int) or isinstance(v, bool) or v < 0), None)
    if bad:
        raise InputError(str(path / DOWNLOADS), f"not a download count: {bad[1]!r}", field=bad[0])
    downloads = pl.DataFrame({"model_id": list(counts), "downloads": list(counts.values())},
                             schema={"model_id": pl.String, "downloads": pl.Int64})
    for name, frame in ((HAND, hand[0]), (EXTRACTED, auto[0]), (DOWNLOADS, downloads)):
        bad_id = frame.filter(hub_id("model_id").is_null())
        if bad_id.height:
            raise InputError(str(path / name), "not a Hugging Face model id", field=bad_id["model_id"][0])
    info = SnapshotInfo(
        source="hf-extraction", version=releases.version(
            "hf-extraction", [path / HAND, path / EXTRACTED, path / DOWNLOADS],
            rows={HAND: hand[0].height, EXTRACTED: auto[0].height, DOWNLOADS: downloads.height}), retrieved=retrieved,
        source_url="https://github.com/PurdueDualityLab/hf-metadata-extraction/tree/d40c004",
        content_hash=content_hash([path / HAND, path / EXTRACTED, path / DOWNLOADS]), licence=None,
        files=(EXTRACTED, DOWNLOADS, HAND),
    )
    return SourceData(info, {"records": pl.concat([hand[0], auto[0]]), "fields": pl.concat([hand[1], auto[1]]),
                             "downloads": downloads})
