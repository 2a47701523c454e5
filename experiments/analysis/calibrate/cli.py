"""The calibration's command line: fit, write the calibrated values and the report.

    python -m aimarket.experiments.analysis.calibrate                # fit (~5 min), report
    python -m aimarket.experiments.analysis.calibrate --report-only  # evaluate the baseline
    python -m aimarket.experiments.analysis.calibrate --quick --report /tmp/c.md \\
        --toml /tmp/calibrated.toml                                 # a tiny fit elsewhere
"""

from __future__ import annotations

import argparse
import shlex
import sys
from collections.abc import Sequence
from pathlib import Path

from aimarket.experiments.analysis import targets as tg
from aimarket.experiments.analysis.calibrate.measures import evaluate, summary
from aimarket.experiments.analysis.calibrate.report import render
from aimarket.experiments.analysis.calibrate.search import fit
from aimarket.experiments.analysis.calibrate.values import (
    CALIBRATED,
    read_calibrated,
    write_calibrated,
)

#: The committed report (in a source checkout: the repository's docs/).
REPORT = Path(__file__).resolve().parents[3] / "docs" / "calibration.md"
PROG = "python -m aimarket.experiments.analysis.calibrate"


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog=PROG,
        description="Fit baseline parameters to end-2024 stylized facts; write the report.",
    )
    p.add_argument("--report-only", action="store_true", help="evaluate the current "
                   "baseline against the targets and write the report; no fit")  # fmt: skip
    p.add_argument("--quick", action="store_true", help="a tiny fit (tests: seconds)")
    p.add_argument("--report", type=Path, default=REPORT, help="report path (markdown)")
    p.add_argument("--toml", type=Path, default=CALIBRATED,
                   help="calibrated values read and, after a fit, written (default: the "
                   "model's simulation/data/calibrated.toml)")  # fmt: skip
    p.add_argument("--developers", type=int, default=2000, help="developers in the fit")
    p.add_argument("--seeds", type=int, default=3, help="common random seeds in the fit")
    p.add_argument("--maxiter", type=int, default=25, help="DE generations")
    p.add_argument("--popsize", type=int, default=5, help="DE population per parameter")
    p.add_argument("--workers", type=int, default=2, help="processes for the fit")
    p.add_argument("--replicates", type=int, default=10, help="report replicates")
    p.add_argument("--report-developers", type=int, default=0,
                   help="developers in report runs (0: the baseline's count)")  # fmt: skip
    return p


def _toml_name(path: Path) -> str:
    """The values file as the report names it: repository-relative for the model's own."""
    return "simulation/data/calibrated.toml" if path.resolve() == CALIBRATED else str(path)


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if args.quick:
        args.developers, args.seeds, args.maxiter, args.popsize = 200, 1, 1, 2
        args.workers, args.replicates = 1, 2
        args.report_developers = args.report_developers or 200
    command = f"{PROG} {shlex.join(list(sys.argv[1:] if argv is None else argv))}".strip()
    before = read_calibrated(args.toml)
    fitted, overrides = None, {}
    evaluated = "the current baseline defaults (no overrides)"
    if not args.report_only:
        fitted = fit(developers=args.developers, n_seeds=args.seeds, maxiter=args.maxiter,
                     popsize=args.popsize, workers=args.workers)  # fmt: skip
        write_calibrated(args.toml, fitted.values, [
            f"Last fit: loss {fitted.loss_fit:.4f} (before the fit: {fitted.loss_start:.4f})."
        ])  # fmt: skip
        overrides = dict(fitted.values)
        evaluated = f"baseline defaults with the fitted values (written to `{args.toml.name}`)"
        print(f"fit: loss {fitted.loss_start:.4f} -> {fitted.loss_fit:.4f} in "
              f"{fitted.seconds:.0f} s; wrote {args.toml}")  # fmt: skip
    developers = args.report_developers or None
    ev = evaluate(overrides, args.replicates, developers)
    plain = evaluate(overrides, args.replicates, developers, "baseline")
    text = render(ev, command=command, evaluated=evaluated, overrides=overrides, fitted=fitted,
                  before=before, plain=plain, toml=_toml_name(args.toml))  # fmt: skip
    args.report.parent.mkdir(parents=True, exist_ok=True)
    args.report.write_text(text)
    s = summary(ev)
    for t in tg.TARGETS:
        r = s.loc[t.key]
        print(f"{t.key:24s} {r['mean']:10.4g}  [{t.band()}]  {'hit' if r['hit'] else 'MISS'}")
    print(f"wrote {args.report} ({ev.seconds:.0f} s of evaluation)")
    return 0
