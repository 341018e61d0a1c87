"""The notebooks: committed without outputs, with a python3 kernelspec, and each runs top to bottom."""

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
BOOKS = sorted(NOTEBOOKS.glob("*.ipynb"))


def test_there_are_notebooks():
    assert {p.stem for p in BOOKS} >= {"01-quickstart", "02-claims", "03-energy", "04-lineage-and-licences"}


@pytest.mark.parametrize("path", BOOKS, ids=[p.stem for p in BOOKS])
def test_committed_clean(path):
    nb = nbformat.read(path, as_version=4)
    assert nb.metadata["kernelspec"]["name"] == "python3"
    assert nb.cells[0].cell_type == "markdown" and "What this answers" in nb.cells[0].source
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(c.outputs == [] and c.execution_count is None for c in code), "strip outputs before committing"


@pytest.mark.parametrize("path", BOOKS, ids=[p.stem for p in BOOKS])
def test_runs_top_to_bottom(path):
    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=900, kernel_name="python3",
                   resources={"metadata": {"path": str(NOTEBOOKS)}}).execute()
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert not errors
    assert any(o.output_type in ("display_data", "execute_result") for c in nb.cells if c.cell_type == "code"
               for o in c.outputs)
