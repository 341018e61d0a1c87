"""Maintainer script: derive the shipped starter snapshot from the shared data.

    python -m ptmkg.starter_build ../shared/data ptmkg/data/starter/

Two files: Hub model records from the family-tree CSVs (``hf-lineage``) and carbon reports from
the 2026 re-extraction (``hf-carbon-2026``, see :func:`build_carbon`).

Keeps FACTS ONLY: ids, numbers, dates, licences, tags, file names, lineage, and card facts
(length, canonical section names, YAML key names), never card text or other free text. Picks a
deterministic (seeded) sample across family trees that covers every lineage relation, every
licence, every weight-file format, papers, and every model reporting co2_eq_emissions, plus
all ancestors of the models picked so lineage paths reach their roots.
"""

from __future__ import annotations

import gzip
import json
import random
import sys
from pathlib import Path

import polars as pl
import yaml

from ptmkg.mapping.modelcard import card_sections
from ptmkg.sources import hf_carbon
from ptmkg.sources.huggingface import file_date, parse_records, read_file

SEED = 20250422
TARGET = 450           # models in the starter (before ancestors are added)
PER_LIST = 12          # typed child ids kept per model and relation (adapters/quantized/merges)
DATASET = "https://github.com/hamidahoderinwale/model_metadata_analyses/tree/b06b86e/v2_datasets/"
FILE_NAME = "hf_models.jsonl.gz"
CARBON_FILE = "carbon_reports.csv.gz"
META_KEYS = ("id", "author", "sha", "created_at", "last_modified", "private", "gated", "disabled", "downloads",
             "likes", "library_name", "pipeline_tag", "tags", "usedStorage")
CARD_KEYS = ("license", "license_name", "license_link", "base_model", "base_model_relation", "datasets",
             "co2_eq_emissions", "language", "library_name", "pipeline_tag")


def _pick(frames: dict[str, pl.DataFrame], raw: pl.DataFrame) -> list[str]:
    """Lower-cased ids of the models to keep (deterministic)."""
    rng = random.Random(SEED)
    models = frames["models"].filter(pl.col("author").is_not_null()).with_columns(
        pl.col("id").str.to_lowercase().alias("key"))
    family = raw.select(pl.col("id").str.to_lowercase().alias("key"), "file").unique("key", keep="first")
    must: set[str] = set(models.filter(pl.col("depth") == 0)["key"])
    must |= set(frames["emissions"]["id"].str.to_lowercase())
    for frame, col in [(models, "licence_raw"), (frames["files"], "format")]:
        firsts = frame.drop_nulls(col).sort("id").unique(col, keep="first")
        must |= set(firsts["id"].str.to_lowercase())
    for col in ("adapters", "quantized", "merges"):
        must |= set(raw.filter(pl.col(col).list.len() > 0)["id"].str.to_lowercase().sort()[:3])
    papers = sorted(set(frames["papers"]["id"].str.to_lowercase()))
    must |= set(rng.sample(papers, min(40, len(papers))))
    # Fill up per family (round robin over files, so small families are kept whole).
    pools = {f: sorted(set(g["key"]) - must) for (f,), g in family.join(models.select("key"), on="key")
             .group_by("file")}
    for f in sorted(pools):
        rng.shuffle(pools[f])
    chosen = set(must)
    while len(chosen) < TARGET and any(pools.values()):
        for f in sorted(pools):
            if pools[f] and len(chosen) < TARGET:
                chosen.add(pools[f].pop())
    return sorted(_with_ancestors(chosen, frames["lineage"]))


def _with_ancestors(chosen: set[str], lineage: pl.DataFrame) -> set[str]:
    parents = lineage.select(pl.col("child").str.to_lowercase(), pl.col("parent").str.to_lowercase())
    out = set(chosen)
    while True:
        more = set(parents.filter(pl.col("child").is_in(list(out)))["parent"]) - out
        if not more:
            return out
        out |= more


def _record(meta: dict, row: dict, sections: list[str]) -> dict:
    """The facts-only record of one model (ModelInfo field names)."""
    rec = {k: meta.get(k) for k in META_KEYS if meta.get(k) is not None}
    cfg = meta.get("config") or {}
    if cfg.get("model_type") or cfg.get("architectures"):
        rec["config"] = {"model_type": cfg.get("model_type"), "architectures": cfg.get("architectures")}
    if meta.get("safetensors"):
        rec["safetensors"] = meta["safetensors"]
    rec["siblings"] = [{"rfilename": f} for f in row["files"]]
    card_data = yaml.safe_load(meta.get("card_data") or "") or {}
    rec["card_data"] = {k: card_data[k] for k in CARD_KEYS if k in card_data}
    rec["card_fields"] = [str(k) for k in card_data]
    if row["card_known"]:
        rec["card_length"] = len(row["card"] or "")
        rec["card_sections"] = sections
    if row["depth"] is not None:
        rec["depth"] = int(row["depth"])
    for col in ("adapters", "quantized", "merges"):
        ids = sorted(row[col] or [])
        if ids:
            rec[col] = sorted(random.Random(f"{SEED}:{rec['id']}:{col}").sample(ids, min(PER_LIST, len(ids))))
    rec["_source"] = f"https://huggingface.co/api/models/{rec['id']}"
    rec["_via"] = DATASET + Path(row["file"]).name
    rec["_retrieved"] = file_date(Path(row["file"])).isoformat()
    return json.loads(json.dumps(rec, default=str))


def build(shared: Path, out_dir: Path) -> Path:
    """Write ``out_dir/hf_models.jsonl.gz`` from the family-tree CSVs in ``shared``; returns its path."""
    files = sorted(shared.glob("*.csv"))
    raw = pl.concat([read_file(f) for f in files], how="diagonal_relaxed")
    frames = parse_records(raw)
    keep = set(_pick(frames, raw.with_columns(_record_id(raw))))
    rows = raw.with_columns(_record_id(raw)).with_columns(pl.col("id").str.to_lowercase().alias("key")) \
        .filter(pl.col("key").is_in(list(keep)) & pl.col("metadata").is_not_null() & (pl.col("metadata") != "N/A")) \
        .sort(["key", "file"]).unique("key", keep="last", maintain_order=True)
    names = frames["files"].with_columns(pl.col("id").str.to_lowercase().alias("key")) \
        .group_by("key").agg(pl.col("path").sort().alias("files"))
    rows = rows.join(names, on="key", how="left").with_columns(pl.col("files").fill_null([]))
    sections = card_sections(rows.filter(pl.col("card").is_not_null()), "key", "card") \
        .group_by("key").agg(pl.col("section").sort())
    rows = rows.join(sections, on="key", how="left").sort("key")
    records = [_record(json.loads(r["metadata"]), r, r["section"] or []) for r in rows.iter_rows(named=True)]
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / FILE_NAME
    body = "".join(json.dumps(r, ensure_ascii=False, sort_keys=True) + "\n" for r in records).encode()
    with open(path, "wb") as fh, gzip.GzipFile(filename="", mode="wb", fileobj=fh, mtime=0, compresslevel=9) as gz:
        gz.write(body)
    return path


def build_carbon(folder: Path, out_dir: Path, n: int = 400, seed: int = 0) -> Path:
    """Write ``out_dir/carbon_reports.csv.gz``: facts of ``n`` models from the 2026 carbon re-extraction.

    Every model that names its hardware is kept (up to ``n``), the rest is a seeded sample; each row
    carries its Hub page (``_source``), the data set it came through (``_via``) and ``_retrieved``.
    """
    data = hf_carbon.read(folder)
    runs = data.frames["runs"].drop("hours_raw")
    named = runs.filter(pl.col("hardware").is_not_null()).sort("model_key").head(n)
    rest = runs.filter(pl.col("hardware").is_null()).sort("model_key")
    rest = rest.sample(min(n - named.height, rest.height), seed=seed, shuffle=False) if named.height < n else rest.head(0)
    rows = pl.concat([named, rest]).sort("model_key").with_columns(
        pl.lit("https://huggingface.co/") + pl.col("model_id"),
        pl.lit(data.snapshot.source_url).alias("_via"),
        pl.lit(data.snapshot.retrieved).alias("_retrieved"),
    ).rename({"literal": "_source"})
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / CARBON_FILE
    with open(path, "wb") as fh, gzip.GzipFile(filename="", mode="wb", fileobj=fh, mtime=0, compresslevel=9) as gz:
        rows.write_csv(gz)
    return path


def _record_id(raw: pl.DataFrame) -> pl.Expr:
    """The record id column (metadata id, else the model_id column without its URL prefix)."""
    return pl.coalesce(pl.col("metadata").str.json_path_match("$.id"),
                       pl.col("model_id").str.replace(r"^https?://huggingface\.co/", "")).alias("id")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: python -m ptmkg.starter_build <shared data folder> <output folder>")
    shared_data, out = Path(sys.argv[1]), Path(sys.argv[2])
    for written in (build(shared_data / "hf-lineage", out), build_carbon(shared_data / "hf-carbon-2026", out)):
        print(f"{written}: {written.stat().st_size:,} bytes")
