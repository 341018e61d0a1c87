"""Small valid inputs of every ingestible source, built from the shared files' first rows (or by hand).

Each builder returns ``{relative path: bytes}``: written into a temporary folder per fuzz case, never
into the repository. The shared files are read where they lie; a source whose files are absent is skipped.
"""

from __future__ import annotations

import io
import json
import sqlite3
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import polars as pl

from tests.conftest import SHARED_DATA

Files = dict[str, bytes]


@dataclass(frozen=True)
class Case:
    """An ingestible source's small valid input: files, and the path given to ``ingest`` (relative)."""

    source: str
    files: Files
    target: str = "."  # the path handed to ingest, relative to the case folder
    options: tuple[tuple[str, str], ...] = ()


def _csv_head(path: Path, n: int, where: Callable[[pl.DataFrame], pl.DataFrame] | None = None) -> bytes:
    frame = pl.read_csv(path, infer_schema=False)
    frame = where(frame) if where else frame
    return frame.head(n).write_csv().encode()


def _json_head(path: Path, n: int) -> bytes:
    data = json.loads(path.read_text(encoding="utf-8"))
    data = data[:n] if isinstance(data, list) else dict(list(data.items())[:n])
    return json.dumps(data, indent=1).encode()


def _sqlite(script: str) -> bytes:
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "x.db"
        con = sqlite3.connect(db)
        con.executescript(script)
        con.commit()
        con.close()
        return db.read_bytes()


def _need(*parts: str) -> Path:
    path = SHARED_DATA.joinpath(*parts)
    if not path.exists():
        raise FileNotFoundError(path)
    return path


def counting_carbon() -> Case:
    return Case("counting-carbon", {"co2ml95models.csv": _csv_head(_need("counting-carbon", "co2ml95models.csv"), 8)})


def ptlm_versioning() -> Case:
    folder = _need("ptlm-versioning")
    return Case("ptlm-versioning", {p.name: _csv_head(p, 6) for p in sorted(folder.glob("*.csv"))})


def hf_carbon_2023() -> Case:
    return Case("hf-carbon", {"HFStreamlit.csv": _csv_head(_need("hf-carbon", "HFStreamlit.csv"), 6)})


def hf_carbon_2026() -> Case:
    file = "modelos_co2_enrinchment_limpios.csv"
    return Case("hf-carbon", {file: _csv_head(_need("hf-carbon-2026", file), 8)})


def esem24() -> Case:
    db = _need("hf-slr-esem24", "PeaTMOSS_ANCIENT.db")
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as con:
        rows = con.execute("SELECT modelId, downloads_last_month FROM PeaTMOSS_ANCIENT ORDER BY rowid LIMIT 8").fetchall()
    values = ", ".join(f"({json.dumps(m)}, {'NULL' if d is None else d})" for m, d in rows)
    csv = "number_of_direct_descendant_models_per_download.csv"
    return Case("esem24", {
        "PeaTMOSS_ANCIENT.db": _sqlite("CREATE TABLE PeaTMOSS_ANCIENT (modelId TEXT, downloads_last_month INTEGER);"
                                       f"INSERT INTO PeaTMOSS_ANCIENT VALUES {values};"),
        csv: _csv_head(_need("hf-slr-esem24", csv), 8)})


def hf_extraction() -> Case:
    folder = _need("hf-metadata-extraction")
    return Case("hf-extraction", {n: _json_head(folder / n, 4)
                                  for n in ("groundTruth.json", "500ModelResult.json", "filtered_models.json")})


def fairjupyter() -> Case:
    folder = _need("fairjupyter", "data")
    repos = pl.read_csv(folder / "repositories.csv", infer_schema=False).head(3)
    ids = set(repos["id"].to_list())
    articles = set(repos["article_id"].to_list())

    def by(col: str, keep: set[str]) -> Callable[[pl.DataFrame], pl.DataFrame]:
        return lambda f: f.filter(pl.col(col).is_in(list(keep)))

    return Case("fairjupyter", {
        "article.csv": _csv_head(folder / "article.csv", 5, by("id", articles)),
        "articlemesh.csv": _csv_head(folder / "articlemesh.csv", 6, by("article_id", articles)),
        "author.csv": _csv_head(folder / "author.csv", 6, by("article_id", articles)),
        "cell_features.csv": _csv_head(folder / "cell_features.csv", 8, by("repository_id", ids)),
        "journal.csv": _csv_head(folder / "journal.csv", 4),
        "notebook_features.csv": _csv_head(folder / "notebook_features.csv", 6, by("repository_id", ids)),
        "repositories.csv": repos.write_csv().encode(),
        "repository_data.csv": _csv_head(folder / "repository_data.csv", 5, by("repository_id", ids)),
    })


def ptmtorrent() -> Case:
    folder = _need("ptmtorrent")
    return Case("ptmtorrent", {n: _json_head(folder / n, 4)
                               for n in ("onnxmodelzoo_ptmtorrent.json", "pytorchhub_models_metadata.json")})


def hf_tree() -> Case:
    name = "ControlNet-v1-1_20250422_220003.csv"
    return Case("hf", {name: _csv_head(_need("hf-lineage", name), 4)})


def hf_jsonl() -> Case:
    """JSON Lines records: the family tree's ModelInfo JSON, one per line."""
    frame = pl.read_csv(_need("hf-lineage", "ControlNet_20250422_220003.csv"), infer_schema=False).head(4)
    lines = []
    for meta, card in zip(frame["metadata"], frame["card"]):
        record = json.loads(meta)
        record["card"] = card
        lines.append(json.dumps(record))
    return Case("hf", {"models_20250422_220003.jsonl": ("\n".join(lines) + "\n").encode()})


def peatmoss() -> Case:
    from tests.test_source_peatmoss import ROWS, SCHEMA

    return Case("peatmoss", {"PeaTMOSS.db": _sqlite(SCHEMA + ROWS)}, target="PeaTMOSS.db",
                options=(("retrieved", "2023-10-01"),))


def literature() -> Case:
    from tests.test_source_literature import SHEET

    return Case("literature", {"sheet.csv": SHEET.encode()}, target="sheet.csv", options=(("retrieved", "2024-01-15"),))


BUILDERS: dict[str, Callable[[], Case]] = {
    "counting-carbon": counting_carbon, "ptlm-versioning": ptlm_versioning, "hf-carbon-2023": hf_carbon_2023,
    "hf-carbon-2026": hf_carbon_2026, "esem24": esem24, "hf-extraction": hf_extraction,
    "fairjupyter": fairjupyter, "ptmtorrent": ptmtorrent, "hf-tree": hf_tree, "hf-jsonl": hf_jsonl,
    "peatmoss": peatmoss, "literature": literature,
}


@cache
def case(name: str) -> Case | None:
    """The named case, or None when its shared files are absent."""
    try:
        return BUILDERS[name]()
    except FileNotFoundError:
        return None


def write_case(c: Case, folder: Path, files: Files | None = None) -> Path:
    """Write the case's files (or ``files``) under ``folder``; the path to ingest."""
    for rel, data in (files if files is not None else c.files).items():
        (folder / rel).write_bytes(data)
    return folder / c.target


def csv_frame(data: bytes) -> pl.DataFrame:
    return pl.read_csv(io.BytesIO(data), infer_schema=False)
