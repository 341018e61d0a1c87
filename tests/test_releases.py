"""Upstream versions only for upstream content; a file cut short is an error (mid-record) or a warning line."""

from __future__ import annotations

import subprocess
import sys
import warnings
from pathlib import Path

import polars as pl
import pytest

from ptmkg import KG, releases
from ptmkg.errors import InputError
from ptmkg.sources import fairjupyter
from ptmkg.sources.base import read_csv
from tests.conftest import shared_path

FAIR_TABLES = ["article", "articlemesh", "author", "cell_features", "journal", "notebook_features",
               "repositories", "repository_data"]


def fair_copy(tmp: Path, author: bytes | None = None) -> Path:
    """A FAIR Jupyter folder in ``tmp``: links to the shared tables, ``author.csv`` replaced by ``author``."""
    src = shared_path("data", "fairjupyter", "data")
    for name in FAIR_TABLES:
        (tmp / f"{name}.csv").symlink_to(src / f"{name}.csv")
    if author is not None:
        (tmp / "author.csv").unlink()
        (tmp / "author.csv").write_bytes(author)
    return tmp


def test_every_shared_release_file_is_known_by_its_blob_id() -> None:
    """The blob ids are those `git hash-object` prints for the shared files (as published)."""
    folders = {"fairjupyter": "fairjupyter/data", "counting-carbon": "counting-carbon",
               "ptlm-versioning": "ptlm-versioning", "esem24": "hf-slr-esem24",
               "hf-extraction": "hf-metadata-extraction", "ptmtorrent": "ptmtorrent"}
    for known in releases.KNOWN.values():
        folder = folders.get(known.source) or ("hf-carbon" if known.version.startswith("2023") else "hf-carbon-2026")
        file = shared_path("data", folder, known.name)
        git = subprocess.run(["git", "hash-object", str(file)], capture_output=True, text=True, check=True)
        assert releases.git_blob_id(file) == git.stdout.strip() == next(
            b for b, k in releases.KNOWN.items() if k == known)


def test_truncated_mid_record_is_one_error_naming_line_and_field(tmp_path: Path) -> None:
    """The measured hole: author.csv cut inside its last record (2 of 6 fields) no longer loads."""
    data = shared_path("data", "fairjupyter", "data", "author.csv").read_bytes()
    cut = data.index(b"\n13945,") + len(b"\n13945,Nas")
    folder = fair_copy(tmp_path, data[:cut])
    kg = KG.memory()
    with pytest.raises(InputError) as e:
        kg.ingest("fairjupyter", folder)
    line = data[:cut].count(b"\n") + 1
    assert (e.value.row, e.value.field) == (line, "given_names")
    assert str(e.value).startswith(f"{folder / 'author.csv'}, row {line}: field 'given_names': the last record "
                                   "ends after 2 of 6 fields")
    assert len(kg) == 0


def test_cut_at_a_line_boundary_loads_as_local_copy_with_one_warning(tmp_path: Path) -> None:
    data = shared_path("data", "fairjupyter", "data", "author.csv").read_bytes()
    cut = data.index(b"\n13945,") + 1
    rows = pl.read_csv(data[:cut], infer_schema=False).height  # records, not lines (quoted newlines)
    folder = fair_copy(tmp_path, data[:cut])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        snap = fairjupyter.read(folder).snapshot
    assert snap.version == "local copy"
    assert [str(w.message) for w in caught if w.category is releases.ShortInputWarning] == [
        f"fairjupyter: author.csv has {rows:,} rows, fewer than the 28,416 of release 68c3319; "
        "loaded as 'local copy' (cut short, or a sample?)"]


def test_cli_says_the_short_file_in_one_warning_line(tmp_path: Path) -> None:
    data = shared_path("data", "fairjupyter", "data", "author.csv").read_bytes()
    (tmp_path / "in").mkdir()
    folder = fair_copy(tmp_path / "in", data[:data.index(b"\n13945,") + 1])
    out = subprocess.run([sys.executable, "-m", "ptmkg.cli", "ingest", "fairjupyter", str(folder),
                          "--store", str(tmp_path / "store")], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    lines = [ln for ln in out.stderr.splitlines() if ln.startswith("ptmkg: warning:")]
    assert len(lines) == 1 and "author.csv has 13," in lines[0] and "28,416" in lines[0]
    info = subprocess.run([sys.executable, "-m", "ptmkg.cli", "info", "--store", str(tmp_path / "store"),
                           "--format", "csv"], capture_output=True, text=True, timeout=120)
    assert "fairjupyter,local copy," in info.stdout and "68c3319" not in info.stdout


def test_the_published_tables_keep_the_upstream_version() -> None:
    folder = shared_path("data", "fairjupyter")
    with warnings.catch_warnings():
        warnings.simplefilter("error", releases.ShortInputWarning)
        assert fairjupyter.read(folder).snapshot.version == "68c3319"


def test_one_changed_byte_is_a_local_copy(tmp_path: Path) -> None:
    """Same row count, one edited value: no warning, but no upstream claim either."""
    data = shared_path("data", "fairjupyter", "data", "author.csv").read_bytes()
    folder = fair_copy(tmp_path, data.replace(b"Camacho", b"Kamacho", 1))
    with warnings.catch_warnings():
        warnings.simplefilter("error", releases.ShortInputWarning)
        assert fairjupyter.read(folder).snapshot.version == "local copy"


@pytest.mark.parametrize("text, line, field", [
    (b"a,b,c,d\n1,2,3,4\n5,6\n", 3, "c"),
    (b"a,b,c,d\n1,2,3,4\n5,6,\n", 3, "d"),
    (b"a,b,c,d\r\n1,2,3,4\r\n5\r\n\r\n", 3, "b"),
])
def test_short_last_record(tmp_path: Path, text: bytes, line: int, field: str) -> None:
    (tmp_path / "t.csv").write_bytes(text)
    with pytest.raises(InputError) as e:
        read_csv(tmp_path / "t.csv")
    assert (e.value.row, e.value.field) == (line, field)


@pytest.mark.parametrize("text, rows", [(b"a,b\n1,2\n\n\n", 1), (b"a,b\r\n1,2\r\n\r\n", 1), (b"a,b\n\n", 0),
                                        (b"a,b\n1,2\n,\n", 2)])
def test_blank_lines_at_the_end_are_not_rows(tmp_path: Path, text: bytes, rows: int) -> None:
    (tmp_path / "t.csv").write_bytes(text)
    assert read_csv(tmp_path / "t.csv").height == rows


@pytest.mark.parametrize("text", [
    b"a,b,c,d\n1,2,3,4\n5,6,,\n",  # empty trailing fields are present
    b'a,b,c,d\n1,2,3,4\n5,6,"x\ny",""\n',  # a quoted multi-line field and a quoted empty one
    b"a,b,c,d\n1,2,,",  # no final newline
])
def test_complete_last_record(tmp_path: Path, text: bytes) -> None:
    (tmp_path / "t.csv").write_bytes(text)
    assert read_csv(tmp_path / "t.csv").height >= 1


def test_no_shared_csv_is_short() -> None:
    """Every shared CSV (model-card text with quoted newlines in hf-lineage and hf-carbon) passes the check."""
    files = sorted(shared_path("data").rglob("*.csv"))
    assert len(files) > 40
    for f in files:
        read_csv(f)


@pytest.mark.parametrize("source, folder, altered, release, local", [
    ("counting-carbon", "counting-carbon", "co2ml95models.csv", "co2ml@388c028", "local copy"),
    ("ptlm-versioning", "ptlm-versioning", "top_10_convention.csv", "wip-24-adekunle-lm-release@538e6eb", "local copy"),
    ("esem24", "hf-slr-esem24", "number_of_direct_descendant_models_per_download.csv",
     "ptm-quantify-esem-2024@f5ea2ca", "local copy"),
    ("hf-extraction", "hf-metadata-extraction", "filtered_models.json", "hf-metadata-extraction@d40c004", "local copy"),
    ("hf-carbon", "hf-carbon", "HFStreamlit.csv", "2023 (ESEM'23, ML-EnergyLabel@fb434f2)", "local copy (2023 layout)"),
    ("hf-carbon", "hf-carbon-2026", "modelos_co2_enrinchment_limpios.csv", "2026-04 (huggingface-mlco2-v2@42d3a3d)",
     "local copy (2026 layout)"),
    ("ptmtorrent", "ptmtorrent", "pytorchhub_models_metadata.json", "bc2f2d9+d4a9099", "local copy"),
])
def test_each_source_claims_its_release_only_for_the_release_files(
        tmp_path: Path, source: str, folder: str, altered: str, release: str, local: str) -> None:
    """The shared folder reads as the release; the same folder with one file's bytes changed (one more
    trailing newline: the same rows) reads as a local copy, without a short-file warning."""
    from ptmkg.ingest import get_ingestor

    src = shared_path("data", folder)
    assert get_ingestor(source).read(src).snapshot.version == release
    for f in src.iterdir():
        (tmp_path / f.name).symlink_to(f)
    (tmp_path / altered).unlink()
    (tmp_path / altered).write_bytes((src / altered).read_bytes() + b"\n")
    with warnings.catch_warnings():
        warnings.simplefilter("error", releases.ShortInputWarning)
        assert get_ingestor(source).read(tmp_path).snapshot.version == local
