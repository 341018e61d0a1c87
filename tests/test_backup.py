"""Backups (`ptmkg backup` / `ptmkg restore`) and export round trips: the same quads and the same catalog.

Measured while writing this: a checkpoint taken through a read-only open misses what is still only in
the write-ahead log (a fresh store's catalog record: 5,324 of 5,342 quads, 0 snapshots), so `backup`
opens for writing, and copies through a reader's view only when another process holds the store.
"""

from __future__ import annotations

import contextlib
import gc
import io
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pyoxigraph as ox
import pytest

from ptmkg import KG, cli
from ptmkg.store import FORMATS
from tests.conftest import shared_path
from tests.test_source_literature import write


def quads(path: Path) -> set[str]:
    kg = KG(path, read_only=True)
    out = {str(q) for q in kg.oxigraph}
    del kg
    gc.collect()
    return out


def catalog(path: Path) -> list[tuple]:
    kg = KG(path, read_only=True)
    rows = sorted(kg.snapshots().rows())
    del kg
    gc.collect()
    return rows


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli.main(list(argv))
    return code, out.getvalue(), err.getvalue()


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store with three snapshots (counting-carbon, PTMTorrent, a literature sheet)."""
    tmp = tmp_path_factory.mktemp("backup")
    path = tmp / "store"
    kg = KG(path)
    kg.ingest("counting-carbon", shared_path("data", "counting-carbon"))
    kg.ingest("ptmtorrent", shared_path("data", "ptmtorrent"))
    kg.ingest("literature", write(tmp), retrieved="2024-01-15")
    del kg
    gc.collect()
    return path


def test_backup_and_restore_give_the_same_quads_and_catalog(store: Path, tmp_path: Path) -> None:
    code, out, _ = run("backup", str(tmp_path / "bk"), "--store", str(store))
    n = len(quads(store))
    assert code == 0 and out.strip() == f"backed up {n:,} quads (3 snapshots) to {tmp_path / 'bk'}"
    code, out, _ = run("restore", str(tmp_path / "bk"), "--store", str(tmp_path / "restored"))
    assert code == 0 and out.startswith(f"restored {n:,} quads (3 snapshots)")
    assert quads(tmp_path / "restored") == quads(store)
    assert catalog(tmp_path / "restored") == catalog(store)
    assert len(catalog(store)) == 3


def test_restore_never_overwrites_without_replace_and_keeps_the_old_store(store: Path, tmp_path: Path) -> None:
    assert run("backup", str(tmp_path / "bk"), "--store", str(store))[0] == 0
    other = tmp_path / "other"
    kg = KG(other)
    kg.ingest("literature", write(tmp_path), retrieved="2024-01-15")
    del kg
    gc.collect()
    before = quads(other)
    code, _, err = run("restore", str(tmp_path / "bk"), "--store", str(other))
    assert code == 2 and err.count("\n") == 1 and "pass --replace" in err
    assert quads(other) == before
    code, out, _ = run("restore", str(tmp_path / "bk"), "--store", str(other), "--replace")
    assert code == 0
    kept = [p for p in tmp_path.iterdir() if p.name.startswith("other.before-restore-")]
    assert len(kept) == 1 and str(kept[0]) in out
    assert quads(kept[0]) == before and quads(other) == quads(store)


def test_backup_mistakes_are_one_line(store: Path, tmp_path: Path) -> None:
    (tmp_path / "taken").mkdir()
    for argv, says in [(("backup", str(tmp_path / "taken"), "--store", str(store)), "already exists"),
                       (("backup", str(tmp_path / "no" / "bk"), "--store", str(store)), "does not exist"),
                       (("backup", str(tmp_path / "bk"), "--store", str(tmp_path / "nostore")), "no store at"),
                       (("restore", str(tmp_path / "taken"), "--store", str(tmp_path / "r")), "not a ptmkg store backup")]:
        code, _, err = run(*argv)
        assert code == 2 and err.count("\n") == 1 and says in err, err


def test_backup_while_a_notebook_holds_the_store(store: Path, tmp_path: Path) -> None:
    """Another process holds the store open for writing (a notebook's KG): the backup still works."""
    copy = tmp_path / "held"
    shutil.copytree(store, copy)
    holder = subprocess.Popen([sys.executable, "-c", "import sys, time; from ptmkg import KG; kg = KG(sys.argv[1]); "
                               "print('open', flush=True); time.sleep(60)", str(copy)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "open"
        time.sleep(0.5)
        code, out, err = run("backup", str(tmp_path / "bk"), "--store", str(copy))
        assert code == 0 and "(copied: another process holds the store)" in out, err
    finally:
        holder.kill()
        holder.wait()
    assert quads(tmp_path / "bk") == quads(store)


@pytest.mark.parametrize("fmt", ["nquads", "trig"])
def test_export_into_a_new_store_round_trips(store: Path, tmp_path: Path, fmt: str) -> None:
    out = tmp_path / f"all.{fmt}"
    assert run("export", "--format", fmt, "--out", str(out), "--store", str(store))[0] == 0
    new = ox.Store(str(tmp_path / "new"))
    new.bulk_load(path=str(out), format=FORMATS[fmt])
    del new
    gc.collect()
    assert quads(tmp_path / "new") == quads(store)
    assert catalog(tmp_path / "new") == catalog(store)
