"""Both notebooks run top to bottom through the public API, and ship with their outputs."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT

nbformat = pytest.importorskip("nbformat", reason="needs the notebook extra")
nbclient = pytest.importorskip("nbclient", reason="needs the notebook extra")

NOTEBOOKS = REPO_ROOT / "notebooks"
# notebook -> number of charts it must draw
CHARTS = {"explore.ipynb": 5, "draft-proposal.ipynb": 0}


def images(notebook: object) -> int:
    return sum(
        "image/png" in output.get("data", {})
        for cell in notebook.cells  # type: ignore[attr-defined]
        for output in cell.get("outputs", [])
    )


@pytest.mark.parametrize("name", sorted(CHARTS))
def test_notebook_executes_cleanly(name: str, tmp_path: Path) -> None:
    copy = tmp_path / name
    shutil.copy(NOTEBOOKS / name, copy)
    notebook = nbformat.read(copy, as_version=4)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            cell.outputs = []  # what is checked below is what this run drew
    client = nbclient.NotebookClient(
        notebook,
        timeout=120,
        kernel_name="python3",
        resources={"metadata": {"path": str(tmp_path)}},
    )
    client.execute()  # raises CellExecutionError, with the cell and traceback, on any error
    assert images(notebook) >= CHARTS[name]
    rich = [
        o for c in notebook.cells for o in c.get("outputs", []) if "text/html" in o.get("data", {})
    ]
    assert rich, "search/similar results should display as HTML tables"


@pytest.mark.parametrize("name", sorted(CHARTS))
def test_notebook_is_committed_with_outputs(name: str) -> None:
    notebook = nbformat.read(NOTEBOOKS / name, as_version=4)
    code_cells = [c for c in notebook.cells if c.cell_type == "code"]
    assert all(c.execution_count for c in code_cells), "run the notebook before committing it"
    assert images(notebook) >= CHARTS[name]
    errors = [o for c in code_cells for o in c.outputs if o.output_type == "error"]
    assert not errors
