"""Every notebook runs top to bottom in quick mode (AIMARKET_QUICK=1), in a scratch folder.

The notebooks find the repository from the installed package, so they must not depend on
the working directory. They are committed with the outputs of a quick run
(``make notebooks``), so a reader sees what each cell shows; CI re-executes them and
checks that they run, not that the outputs match.
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
MIN_FIGURES = {"04_timeline": 1, "07_strategy": 2}


def test_there_are_notebooks():
    names = [p.name for p in NOTEBOOKS]
    assert len(names) >= 3, names


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_is_committed_with_its_outputs_and_no_machine_paths(path):
    nb = json.loads(path.read_text())
    text = path.read_text()
    code = [cell for cell in nb["cells"] if cell["cell_type"] == "code"]
    assert any(cell.get("outputs") for cell in code), f"{path.name}: run `make notebooks`"
    errors = [o for c in code for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert not errors, f"{path.name} was committed with an error in its outputs"
    assert str(REPO) not in text
    for machine in ("/home/", "/work/", "/tmp/"):
        assert machine not in text, (path.name, machine)


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
