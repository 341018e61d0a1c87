"""The starter snapshot shipped with ptmkg: Hub model facts (no card text), read with the ``hf`` reader.

It was derived by ``python -m ptmkg.starter_build`` from the "Anatomy of a ML ecosystem" family
trees (hamidahoderinwale/model_metadata_analyses @ b06b86e), whose records are Hugging Face Hub
``ModelInfo`` responses retrieved in April 2025; each record names its Hub API URL (``_source``),
the dataset file it came through (``_via``) and its retrieval date (``_retrieved``).
"""

from __future__ import annotations

from importlib.resources import as_file, files
from pathlib import Path

from ptmkg.sources.base import SourceData
from ptmkg.sources.huggingface import from_raw, read_file

DATASET_URL = "https://github.com/hamidahoderinwale/model_metadata_analyses"


def default_path() -> Path:
    """Where the shipped snapshot file lies inside the installed package."""
    with as_file(files("ptmkg.data.starter") / "hf_models.jsonl.gz") as path:
        return Path(path)


def read(path: Path | None = None, **options: object) -> SourceData:
    """Read the shipped starter snapshot (or a file of the same shape at ``path``)."""
    path = Path(path) if path is not None else default_path()
    return from_raw(read_file(path), [path], source_url=DATASET_URL, source="starter")
