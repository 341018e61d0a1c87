"""Known upstream release files, by git blob id: a snapshot claims an upstream version only for upstream content.

The shared data folders hold files as their authors published them, so each file's git blob id (what
``git hash-object`` prints) is the blob id of the release. A source's snapshot records the release's
version only when *every* file it read is a known release file of that source; otherwise the version
is ``local copy`` (with what the source knows, e.g. the layout), and a file that is shorter than its
release's published row count is said in one warning line (:class:`ShortInputWarning`): it loads, as a
local copy, because a deliberate sample and a cut file look the same.
"""

from __future__ import annotations

import hashlib
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path


class ShortInputWarning(UserWarning):
    """An input file holds fewer rows than the release it is named after (cut short, or a sample)."""


@dataclass(frozen=True)
class ReleaseFile:
    """One published file: its source, name, the version a snapshot of it records, commit date, row count."""

    source: str
    name: str
    version: str
    date: str | None = None
    rows: int | None = None


def _files(source: str, version: str, date: str | None, files: dict[str, tuple[str, int | None]]) -> dict[str, ReleaseFile]:
    return {blob: ReleaseFile(source, name, version, date, rows) for name, (blob, rows) in files.items()}


# Row counts are the ones published with the data (../shared/README.md's table; counted data rows,
# JSON records or table rows). Blob ids from `git hash-object` on the files as published.
KNOWN: dict[str, ReleaseFile] = {
    **_files("fairjupyter", "68c3319", None, {  # fusion-jena/fairjupyter @ 68c3319
        "article.csv": ("72f00cdcd3023abcf2efddf9343ee2d857a6c0eb", 3467),
        "articlemesh.csv": ("99db0f4aba8d3fb53dca97c65bbc3b88d95a18e6", 26203),
        "author.csv": ("f1c820f207de69867090149a363c9ceb10871142", 28416),
        "cell_features.csv": ("ee057136d85d3fafe7c5d4552640077b32e0cb53", None),
        "journal.csv": ("a4b7b32209d888f07cba4b8ddacc9c6c1d3af244", 740),
        "notebook_features.csv": ("1a905246d3450cdf2fe4b79bd9a3f49cbaeef3a8", None),
        "repositories.csv": ("1828509e0c23968d90633917add2b4d7635a3ef1", 5240),
        "repository_data.csv": ("68374de9c54a35c9963eb94fef3e7590892542f1", None),
    }),
    **_files("counting-carbon", "co2ml@388c028", None, {
        "co2ml95models.csv": ("f670f6d354f445ab5f7993faa33101ab0eeee82b", 95)}),
    **_files("ptlm-versioning", "wip-24-adekunle-lm-release@538e6eb", None, {
        "all_NLP_with_quantization.csv": ("e011e402ba6f7c8c4e48ed74147261459b6769d2", 52227),
        "dataset_sample.csv": ("2e60e5a622ee7b89aafc3a87f108db0bd19507f1", 382),
        "file_extension_and_frequencies.csv": ("92cddcaab9d43159a845aecc8963ccd0ff99b0f3", None),
        "major_combined_changes.csv": ("efd2985ff1d412532df88aeab66e6374914639dd", None),
        "minor_combined_changes.csv": ("2b62e1bf660bd5fe1a7f5730a29278d0cf4699dc", None),
        "model_card_empty_or_not.csv": ("5d926e732e9613fd3fc7e8db8c8f3098da361442", None),
        "model_weight_file_changed.csv": ("22d717a3cf2cd1925c1f2631a641294109e9230e", 30784),
        "top_10_convention.csv": ("c13d8d4e4e76ec2401661e89f5fdecc5d9375cb8", None),
    }),
    **_files("esem24", "ptm-quantify-esem-2024@f5ea2ca", None, {
        "PeaTMOSS_ANCIENT.db": ("f992064f44db976635d8249e3d644e2e3dc8b972", 10406),
        "number_of_direct_descendant_models_per_download.csv": ("a260e28b61e6f5ce34eed5c8b0d8d4c1b275f27b", 3471),
    }),
    **_files("hf-extraction", "hf-metadata-extraction@d40c004", None, {
        "groundTruth.json": ("d5cc8f3f227b42282c92b34908891c0d4e4b98e1", 50),
        "500ModelResult.json": ("c860b4be19c01301812af21f374fb16f1c4da4f3", 500),
        "filtered_models.json": ("80e002fd92a271c54bfcff1549dee8c95d030208", 1461),
    }),
    **_files("hf-carbon", "2023 (ESEM'23, ML-EnergyLabel@fb434f2)", None, {
        "HFStreamlit.csv": ("26ddee253507dc1c2a41c205e1e545b3e9122796", 1417)}),
    **_files("hf-carbon", "2026-04 (huggingface-mlco2-v2@42d3a3d)", None, {
        "modelos_co2_enrinchment_limpios.csv": ("6a1168e225843f0dcce3c841baf3811919146509", 2514)}),
    # PTMTorrent: each file is dated by the commit that holds it (its snapshot's retrieval date).
    **_files("ptmtorrent", "d4a9099", "2023-01-25", {
        "onnxmodelzoo_ptmtorrent.json": ("d24d4f58c544e080def8b9d8a24a5cd592858d30", 186)}),
    **_files("ptmtorrent", "bc2f2d9", "2023-01-25", {
        "pytorchhub_models_metadata.json": ("228b4d0cac5d4aed72123303d8f494d497e60a5d", 49)}),
}
LOCAL = "local copy"


def git_blob_id(file: Path) -> str:
    """The file's git blob id (what ``git hash-object`` prints)."""
    h = hashlib.sha1(b"blob %d\0" % Path(file).stat().st_size)
    with open(file, "rb") as fh:
        while chunk := fh.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


def upstream(source: str, files: Sequence[Path]) -> list[ReleaseFile] | None:
    """The release files ``files`` are (same order), when every one is a known release file of ``source``
    under its published name; else None."""
    known = [KNOWN.get(git_blob_id(f)) for f in files]
    if any(k is None or k.source != source or k.name != Path(f).name for k, f in zip(known, files)):
        return None
    return known  # type: ignore[return-value]


def short_files(source: str, rows: dict[str, int]) -> list[str]:
    """One sentence per file (by name) holding fewer rows than ``source``'s release file of that name."""
    published = {k.name: k for k in KNOWN.values() if k.source == source and k.rows is not None}
    return [f"{name} has {n:,} rows, fewer than the {published[name].rows:,} of release "
            f"{published[name].version}" for name, n in rows.items()
            if name in published and n < published[name].rows]


def version(source: str, files: Sequence[Path], *, rows: dict[str, int] | None = None,
            local: str | None = None) -> str:
    """The version a snapshot of ``files`` records: the release's when every file matches one, else
    ``local copy`` (``local copy (<local>)``).

    ``rows``: the rows (records) read per file name; for a local copy, each file shorter than its
    release is said in one :class:`ShortInputWarning` line.
    """
    matched = upstream(source, files)
    if matched:
        return "+".join(sorted({m.version for m in matched}))
    for line in short_files(source, rows or {}):
        warnings.warn(ShortInputWarning(f"{source}: {line}; loaded as '{LOCAL}' (cut short, or a sample?)"),
                      stacklevel=2)
    return f"{LOCAL} ({local})" if local else LOCAL
