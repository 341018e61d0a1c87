"""Shared fixtures: where ../shared lies, and small stores."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
SHARED_DATA = SHARED / "data"


def shared_path(*parts: str) -> Path:
    """A path under ../shared, or skip the test when it is absent."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"../shared/{'/'.join(parts)} is not present (tests read shared data where it lies)")
    return path


@pytest.fixture
def memory_kg():
    from ptmkg import KG

    return KG.memory()


@pytest.fixture(scope="module")
def built_store(tmp_path_factory) -> Path:
    """An on-disk store made by ``ptmkg build`` (starter snapshots and the query collection), one per module."""
    from ptmkg.cli import main

    path = tmp_path_factory.mktemp("built") / "store"
    assert main(["build", "--store", str(path)]) == 0
    return path


@pytest.fixture(scope="session")
def shared_store(tmp_path_factory) -> Path:
    """An on-disk store holding every shared source (``ptmkg ingest all ../shared/data``), once per run;
    closed again, so servers and read-only opens can use it. Skips when ../shared is absent."""
    from ptmkg.cli import main

    data = shared_path("data")
    path = tmp_path_factory.mktemp("shared") / "store"
    assert main(["ingest", "all", str(data), "--store", str(path)]) == 0
    return path
