"""Execute every notebook in quick mode and save it with its outputs (``make notebooks``).

    .venv/bin/python notebooks/execute.py [NAME ...]

Each notebook runs top to bottom with ``AIMARKET_QUICK=1`` (the size CI runs), in a
scratch folder so that nothing it writes lands in the repository, and is saved in place
with its outputs, so that a reader sees what each cell shows without running it. CI
re-executes the notebooks (tests/test_notebooks.py) and checks that they run, not that
their outputs match.
"""

from __future__ import annotations

import os
import re
import sys
import tempfile
from pathlib import Path

import nbclient
import nbformat

HERE = Path(__file__).resolve().parent


def execute(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    with tempfile.TemporaryDirectory() as scratch:
        os.environ["AIMARKET_QUICK"] = "1"
        client = nbclient.NotebookClient(
            nb, timeout=900, kernel_name="python3", resources={"metadata": {"path": scratch}}
        )
        client.execute(cwd=scratch)
        text = nbformat.writes(nb)
        # a scratch path printed by a cell says nothing to a reader (and is not theirs)
        text = re.sub(r"/tmp/tmp[\w.-]+", ".", text.replace(scratch, "."))
    path.write_text(text, encoding="utf-8")
    print(f"executed {path.name}")


def main(names: list[str]) -> None:
    paths = [HERE / f"{n.removesuffix('.ipynb')}.ipynb" for n in names] or sorted(
        HERE.glob("*.ipynb")
    )
    for path in paths:
        execute(path)


if __name__ == "__main__":
    main(sys.argv[1:])
