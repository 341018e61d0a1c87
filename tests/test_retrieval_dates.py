"""Retrieval dates come from the data, never from the clock: re-reading the same files on another day
gives the same snapshot record."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest

import ptmkg
from tests.conftest import ROOT, shared_path

READ = """
import json, sys
from pathlib import Path
from ptmkg.ingest import get_ingestor
snap = get_ingestor(sys.argv[1]).read(Path(sys.argv[2]) if sys.argv[2] else None).snapshot
print(json.dumps([snap.source, snap.version, snap.retrieved, snap.content_hash, snap.graph]))
"""


def _read_on(day: str, source: str, path: str) -> list[str]:
    if shutil.which("faketime") is None:
        pytest.skip("faketime is not installed (apt-get install faketime; .ci/run does)")
    done = subprocess.run(["faketime", day, sys.executable, "-c", READ, source, path], capture_output=True,
                          text=True, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.splitlines()[-1])


def test_ptmtorrent_is_dated_by_its_release_on_any_day():
    folder = str(shared_path("data", "ptmtorrent"))
    first, later = _read_on("2027-03-01", "ptmtorrent", folder), _read_on("2031-11-30", "ptmtorrent", folder)
    assert first == later
    # the shared files are PTMTorrent's blobs of commits d4a9099 (ONNX zoo) and bc2f2d9 (PyTorch Hub),
    # both committed 2023-01-25 (SoftwareSystemsLaboratory/PTMTorrent history)
    assert first[1:3] == ["bc2f2d9+d4a9099", "2023-01-25"]


def test_shipped_query_collection_is_dated_by_the_release_on_any_day():
    first, later = _read_on("2027-03-01", "queries", ""), _read_on("2031-11-30", "queries", "")
    assert first == later and first[2] == ptmkg.__released__


def test_ptmtorrent_date_ignores_file_times_and_other_content_claims_no_release(tmp_path):
    from ptmkg.sources import ptmtorrent

    folder = shared_path("data", "ptmtorrent")
    for f in folder.glob("*.json"):
        shutil.copy(f, tmp_path / f.name)
        os.utime(tmp_path / f.name, (978_307_200, 978_307_200))  # 2001-01-01
    assert ptmtorrent.read(tmp_path).snapshot == ptmtorrent.read(folder).snapshot
    onnx = tmp_path / "onnxmodelzoo_ptmtorrent.json"
    onnx.write_text(json.dumps(json.loads(onnx.read_text())[:10]))
    os.utime(onnx, (978_307_200, 978_307_200))
    snap = ptmtorrent.read(tmp_path).snapshot
    assert (snap.version, snap.retrieved) == ("local copy", "2001-01-01")
