"""Where ptmkg's files live: the default store, and the top-level ``queries/`` and ``ontology/`` folders.

A wheel or sdist install carries them inside the package as ``ptmkg/_bundled/<name>`` (see
``pyproject.toml``); a checkout or editable install reads them beside the package. A zipped
install (zipimport) has them extracted once into a temporary folder.
"""

from __future__ import annotations

import os
import tempfile
from functools import lru_cache
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path

from ptmkg.errors import PtmkgError

FOLDERS = ("queries", "ontology")


def default_store_path() -> Path:
    """``$PTMKG_STORE`` or ``~/.ptmkg/store``."""
    return Path(os.environ.get("PTMKG_STORE") or Path.home() / ".ptmkg" / "store")


def _extract(tree: Traversable, into: Path) -> None:
    into.mkdir(parents=True, exist_ok=True)
    for item in tree.iterdir():
        if item.is_dir():
            _extract(item, into / item.name)
        else:
            (into / item.name).write_bytes(item.read_bytes())


@lru_cache(maxsize=None)
def folder(name: str) -> Path:
    """The installed ``queries`` or ``ontology`` folder as a real directory."""
    if name not in FOLDERS:
        raise ValueError(f"unknown resource folder {name!r}; one of {FOLDERS}")
    bundled = files("ptmkg") / "_bundled" / name
    if bundled.is_dir():
        if isinstance(bundled, Path):
            return bundled
        target = Path(tempfile.mkdtemp(prefix=f"ptmkg-{name}-"))
        _extract(bundled, target)
        return target
    checkout = Path(__file__).resolve().parents[1] / name
    if checkout.is_dir():
        return checkout
    raise PtmkgError(f"this ptmkg installation has no {name}/ folder (looked in {bundled} and {checkout}); "
                     "reinstall it from a wheel or a full checkout")
