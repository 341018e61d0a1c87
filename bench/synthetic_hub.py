"""Synthetic Hub-like model records (ModelInfo-shaped JSON Lines) for scale benchmarks.

Heavy-tailed downloads (log-normal) and likes, lineage trees grown by preferential attachment
with the Hub's relation mix, licences, arXiv tags and weight files. Built column-wise with numpy
and polars; deterministic for a given seed.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import polars as pl

LICENCES = ["apache-2.0", "mit", "llama2", "cc-by-nc-4.0", "openrail", "other", "gemma", "cc-by-4.0", None]
LICENCE_P = [0.30, 0.18, 0.08, 0.06, 0.05, 0.08, 0.03, 0.04, 0.18]
RELATIONS = ["finetune", "adapter", "quantized", "merge"]
RELATION_P = [0.55, 0.25, 0.15, 0.05]
TASKS = ["text-generation", "text-classification", "image-classification", "automatic-speech-recognition",
         "text-to-image", "feature-extraction", "token-classification", None]
FILES = ["model.safetensors", "pytorch_model.bin", "model.gguf", "model.onnx", "tf_model.h5"]


def generate(n: int, seed: int = 0, root_share: float = 0.05) -> pl.DataFrame:
    """``n`` records as a frame with one JSON string column ``json`` (one ModelInfo per row)."""
    rng = np.random.default_rng(seed)
    idx = np.arange(n)
    is_root = (rng.random(n) < root_share) | (idx == 0)
    # Preferential attachment: a child picks a parent among earlier models, biased to popular ones.
    weights = rng.pareto(1.2, n) + 1.0
    parent = np.full(n, -1)
    child_idx = idx[~is_root]
    cum = np.cumsum(weights)
    draws = rng.random(child_idx.size) * cum[child_idx - 1]
    parent[child_idx] = np.searchsorted(cum, draws)
    parent[child_idx] = np.minimum(parent[child_idx], child_idx - 1)
    relation = rng.choice(RELATIONS, n, p=RELATION_P)
    frame = pl.DataFrame({
        "i": idx,
        "parent": parent,
        "relation": relation,
        "downloads": np.floor(rng.lognormal(3.0, 2.5, n)).astype(np.int64),
        "likes": np.floor(rng.lognormal(0.0, 1.5, n)).astype(np.int64),
        "licence": rng.choice([x or "" for x in LICENCES], n, p=LICENCE_P),
        "task": rng.choice([x or "" for x in TASKS], n),
        "arxiv": np.where(rng.random(n) < 0.2, rng.integers(0, 5000, n), -1),
        "file": rng.choice(FILES, n, p=[0.55, 0.3, 0.08, 0.04, 0.03]),
        "day": rng.integers(0, 1500, n),
        "params": np.floor(rng.lognormal(18.0, 2.0, n)).astype(np.int64),
    })
    frame = frame.with_columns(pl.col("licence", "task").replace("", None))
    mid = pl.concat_str([pl.lit("org"), (pl.col("i") % 997).cast(pl.String), pl.lit("/model-"), pl.col("i").cast(pl.String)])
    frame = frame.with_columns(id=mid)
    frame = frame.join(frame.select(pl.col("i").alias("parent"), pl.col("id").alias("parent_id")), on="parent", how="left")
    created = (pl.datetime(2021, 1, 1) + pl.duration(days=pl.col("day"))).dt.strftime("%Y-%m-%dT%H:%M:%S.000Z")
    tags = pl.concat_list([
        pl.lit(["transformers"]),
        pl.when(pl.col("licence").is_not_null()).then(pl.concat_list([pl.lit("license:") + pl.col("licence")])).otherwise(pl.lit([], dtype=pl.List(pl.String))),
        pl.when(pl.col("arxiv") >= 0).then(pl.concat_list([pl.lit("arxiv:2301.") + pl.col("arxiv").cast(pl.String).str.zfill(5)])).otherwise(pl.lit([], dtype=pl.List(pl.String))),
        pl.when(pl.col("parent_id").is_not_null()).then(pl.concat_list([
            pl.lit("base_model:") + pl.col("parent_id"),
            pl.lit("base_model:") + pl.col("relation") + pl.lit(":") + pl.col("parent_id")])).otherwise(pl.lit([], dtype=pl.List(pl.String))),
    ])
    record = pl.struct(
        id=pl.col("id"), modelId=pl.col("id"), author=pl.col("id").str.split("/").list.first(),
        createdAt=created, lastModified=created, downloads=pl.col("downloads"), likes=pl.col("likes"),
        library_name=pl.lit("transformers"), pipeline_tag=pl.col("task"), tags=tags,
        siblings=pl.concat_list([pl.struct(rfilename=pl.lit("README.md")), pl.struct(rfilename=pl.col("file"))]),
        safetensors=pl.struct(total=pl.col("params")),
    )
    return frame.select(json=record.struct.json_encode())


def write(n: int, out: Path, seed: int = 0) -> Path:
    """Write ``n`` synthetic records as JSON Lines to ``out``."""
    generate(n, seed).write_csv(out, include_header=False, quote_style="never")
    return out


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("n", type=int)
    ap.add_argument("out", type=Path)
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args()
    print(write(a.n, a.out, a.seed))
