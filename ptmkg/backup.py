"""Backups of an on-disk store (Oxigraph's ``Store.backup``) and restoring one, never in place.

A backup is a store folder of its own (on the same file system its immutable files are hard links, so it
is cheap); it opens like any store. Restoring copies it next to the store, checks the copy opens and holds
what the backup holds, then swaps it in with renames: the store folder is at every moment either the old
store or the restored one, and the old one is kept aside (``<store>.before-restore-<time>``), not deleted.
"""

from __future__ import annotations

import gc
import shutil
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pyoxigraph as ox

from ptmkg.errors import PtmkgError
from ptmkg.store import GraphStore


@dataclass(frozen=True)
class BackupResult:
    """What a backup or restore wrote: where, how many quads and snapshots, and where the old store went."""

    path: Path
    quads: int
    snapshots: int
    kept: Path | None = None
    copied: bool = False  # a backup copied through a reader's view (the store was held by another process)


def _counts(path: Path) -> tuple[int, int]:
    store = GraphStore(path, read_only=True)
    try:
        return len(store), store.snapshots().height
    finally:
        del store
        gc.collect()  # release the store's files before they are moved


def backup(store: Path, target: Path) -> BackupResult:
    """Back up the store at ``store`` into the new folder ``target``.

    Oxigraph's backup (hard links, near-instant) needs the store open for writing, so that what is still
    only in the write-ahead log gets flushed (a read-only checkpoint misses the latest catalog records).
    When another process holds the store (a notebook's KG), the backup is a copy of what a reader sees:
    every quad dumped and bulk-loaded into the new store (slower, same content). Either way the backup is
    reopened and must hold the store's quads and snapshots.
    """
    target = Path(target)
    if target.exists():
        raise PtmkgError(f"backup folder {target} already exists; choose a new folder")
    if not target.resolve().parent.is_dir():
        raise PtmkgError(f"cannot back up into {target}: the folder {target.resolve().parent} does not exist")
    if not (Path(store) / "CURRENT").exists():
        raise PtmkgError(f"no store at {store}; nothing to back up (pass --store DIR)")
    try:
        source = GraphStore(store)
        copy = False
    except PtmkgError as e:
        if "in use by another process" not in str(e):
            raise
        source, copy = GraphStore(store, read_only=True), True
    try:
        expected = len(source), source.snapshots().height
        if copy:
            with tempfile.TemporaryDirectory(prefix="ptmkg-") as tmp:
                dump = Path(tmp) / "store.nq"
                source.oxigraph.dump(str(dump), format=ox.RdfFormat.N_QUADS)
                ox.Store(str(target)).bulk_load(path=str(dump), format=ox.RdfFormat.N_QUADS)
        else:
            source.oxigraph.backup(str(target))
    except OSError as e:
        shutil.rmtree(target, ignore_errors=True)
        raise PtmkgError(f"cannot back up {store} into {target}: {e}") from None
    finally:
        del source
        gc.collect()
    quads, snapshots = _counts(target)
    if (quads, snapshots) != expected:
        raise PtmkgError(f"the backup {target} holds {quads:,} quads and {snapshots} snapshots, "
                         f"not {expected[0]:,} and {expected[1]}; it is incomplete")
    return BackupResult(target, quads, snapshots, copied=copy)


def restore(source: Path, store: Path, *, replace: bool = False) -> BackupResult:
    """Restore the backup folder ``source`` as the store at ``store``.

    An existing non-empty store is replaced only with ``replace``; it is then kept aside, renamed.
    """
    source, store = Path(source), Path(store)
    if not (source / "CURRENT").exists():
        raise PtmkgError(f"{source} is not a ptmkg store backup (no CURRENT file)")
    quads, snapshots = _counts(source)
    occupied = store.exists() and any(store.iterdir())
    if occupied and not replace:
        raise PtmkgError(f"the store {store} is not empty; pass --replace to restore over it "
                         "(the current store is kept aside, renamed)")
    if occupied:
        _counts(store)  # one clear line if it is not a store
        GraphStore(store)  # raises "in use by another process" while anyone holds it
        gc.collect()
    staging = store.with_name(store.name + ".restoring")
    shutil.rmtree(staging, ignore_errors=True)  # what an interrupted restore left
    shutil.copytree(source, staging)
    if _counts(staging) != (quads, snapshots):
        shutil.rmtree(staging)
        raise PtmkgError(f"the copy of {source} does not hold what the backup holds; nothing was restored")
    kept = None
    if occupied:
        kept = store.with_name(f"{store.name}.before-restore-{datetime.now(UTC).strftime('%Y%m%dT%H%M%S')}")
        store.rename(kept)
    elif store.exists():
        store.rmdir()
    staging.rename(store)
    return BackupResult(store, quads, snapshots, kept)
