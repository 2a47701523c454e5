"""Write a sensitivity study's results into a document's generated block.

python -m aimarket.experiments.analysis.sensitivity DIR [--doc docs/sensitivity.md]
    [--contrast policy:open-closed] [--figures docs/figures]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from aimarket.experiments.analysis.sensitivity.data import open_folder
from aimarket.experiments.analysis.sensitivity.report import write_study
from aimarket.simulation.errors import EXIT_BAD_INPUT, ScenarioError


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m aimarket.experiments.analysis.sensitivity")
    parser.add_argument("dir", help="results folder of the study")
    parser.add_argument("--doc", default="docs/sensitivity.md")
    parser.add_argument("--contrast", default="policy:open-closed")
    parser.add_argument("--figures", default="docs/figures")
    args = parser.parse_args(argv)
    doc, figures = Path(args.doc), Path(args.figures)
    try:
        link = str(Path("figures") if figures.parent == doc.parent else figures.resolve())
        print(write_study(open_folder(args.dir), doc, args.contrast, figures, link))
    except ScenarioError as exc:
        print(f"{parser.prog}: error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
