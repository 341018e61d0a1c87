"""The wheel carries everything ptmkg reads at run time, and finds it from a wheel, a checkout or a zip."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
SETUPTOOLS = PYPROJECT["tool"]["setuptools"]


def _tree_packages() -> set[str]:
    return {".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "ptmkg").rglob("__init__.py")}


def test_every_package_of_the_tree_is_declared():
    declared = set(SETUPTOOLS["packages"])
    bundled = {name for name in declared if name.startswith("ptmkg._bundled.")}
    assert declared - bundled == _tree_packages(), "pyproject's [tool.setuptools] packages list is out of date"
    assert {SETUPTOOLS["package-dir"][name] for name in bundled} == {"queries", "ontology"}


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out, tree = tmp_path_factory.mktemp("dist"), tmp_path_factory.mktemp("tree") / "ptmkg"
    # built from a copy: setuptools keeps a build/ folder in the tree, whose stale files would enter the wheel
    shutil.copytree(ROOT, tree, ignore=shutil.ignore_patterns(".git", "build", "*.egg-info", "__pycache__", "dist"))
    done = subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(out), str(tree)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"cannot build the wheel here: {done.stderr.strip().splitlines()[-1:]}")
    return next(out.glob("ptmkg-*.whl"))


def test_wheel_carries_queries_ontology_and_data(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for folder in ("queries", "ontology"):
        files = [p for p in (ROOT / folder).rglob("*") if p.is_file() and p.suffix in {".rq", ".yaml", ".md", ".ttl"}]
        assert files
        missing = [str(p.relative_to(ROOT)) for p in files
                   if f"ptmkg/_bundled/{p.relative_to(ROOT).as_posix()}" not in names]
        assert not missing, f"not in the wheel: {missing[:5]}"
    data = [p for p in (ROOT / "ptmkg").rglob("*")
            if p.is_file() and p.suffix not in {".py", ".pyc"} and "__pycache__" not in p.parts]
    missing = [p.relative_to(ROOT).as_posix() for p in data if p.relative_to(ROOT).as_posix() not in names]
    assert data and not missing, f"package files not in the wheel: {missing[:5]}"


def test_resources_are_found_inside_a_zipped_install(wheel, tmp_path):
    """zipimport: the wheel itself on sys.path; the folders are extracted once, whole."""
    from ptmkg.queries import catalogue

    code = ("import ptmkg\nfrom ptmkg import resources, queries\n"
            "q = resources.folder('queries'); o = resources.folder('ontology')\n"
            "print(ptmkg.__file__.startswith(%r), q.is_dir(), (o / 'shapes.ttl').is_file(),"
            " len(queries.catalogue()), q.is_relative_to(%r))\n" % (str(wheel), str(ROOT)))
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path,
                          env={"PYTHONPATH": str(wheel), "PATH": "/usr/bin:/bin"})
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["True", "True", "True", str(len(catalogue())), "False"]


def test_checkout_finds_the_top_level_folders():
    from ptmkg import resources

    assert resources.folder("queries") == ROOT / "queries"
    assert resources.folder("ontology") == ROOT / "ontology"
    with pytest.raises(ValueError, match="unknown resource folder"):
        resources.folder("notebooks")
