"""Every notebook runs top to bottom in quick mode (AIMARKET_QUICK=1), in a scratch folder.

The notebooks find the repository from the installed package, so they must not depend on
the working directory, and they are committed without outputs.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

NOTEBOOKS = sorted((REPO / "notebooks").glob("*.ipynb"))
#: Figures a notebook must draw (default 3); the timeline's point is one combined figure.
MIN_FIGURES = {"04_timeline": 1}


def test_there_are_notebooks():
    names = [p.name for p in NOTEBOOKS]
    assert len(names) >= 3, names


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_is_committed_clean(path):
    nb = json.loads(path.read_text())
    text = path.read_text()
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            assert cell.get("outputs", []) == [], f"{path.name} has outputs"
            assert cell.get("execution_count") is None
    assert str(REPO) not in text
    assert "/home/" not in text and "/work/" not in text and "C:\\\\" not in text


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_first_cells_hold_no_plumbing(path):
    """A notebook opens on its imports: no backend switching (the figures' module keeps
    a kernel's inline backend) and no search for the repository."""
    nb = json.loads(path.read_text())
    first = "".join(next(c for c in nb["cells"] if c["cell_type"] == "code")["source"])
    for plumbing in ("%matplotlib", "matplotlib.use", "ROOT", "__file__", "sys.path"):
        assert plumbing not in first, f"{path.name}: {plumbing}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs_top_to_bottom(path, tmp_path, monkeypatch):
    monkeypatch.setenv("AIMARKET_QUICK", "1")
    monkeypatch.chdir(tmp_path)
    nb = nbformat.read(path, as_version=4)
    client = nbclient.NotebookClient(
        nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    )
    client.execute()
    errors = [
        out
        for cell in nb.cells
        if cell.cell_type == "code"
        for out in cell.get("outputs", [])
        if out.get("output_type") == "error"
    ]
    assert not errors
    warnings = [
        out.get("text", "")
        for cell in nb.cells
        if cell.cell_type == "code"
        for out in cell.get("outputs", [])
        if out.get("name") == "stderr" and "IProgress not found" in out.get("text", "")
    ]
    assert not warnings, "install the notebooks extra (ipywidgets): " + warnings[0]
    images = sum(
        "image/png" in out.get("data", {})
        for cell in nb.cells
        if cell.cell_type == "code"
        for out in cell.get("outputs", [])
    )
    expected = MIN_FIGURES.get(path.stem, 3)
    assert images >= expected, f"{path.name} drew {images} figures"
