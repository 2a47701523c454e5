"""``aimarket optimize SPEC``: a policy search from the command line.

    aimarket optimize SPEC [--out DIR] [--workers N] [--executor KIND] [--quick]
                           [--budget N] [--optimizer-seed S] [--force] [--format csv|parquet]

Runs (or resumes: the same command again) the search into ``DIR`` (default
``results/NAME[-quick]``), prints the best candidate or the Pareto set, and writes the
tidy tables and figures into ``DIR/analysis``. Bad input exits 2 in one line before any
run; Ctrl-C keeps every finished evaluation (exit 130).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def add_optimize_command(sub) -> None:
    """Register ``optimize`` on the ``aimarket`` subparsers."""
    p = sub.add_parser("optimize", help="policy search: the best levers on common seeds")
    p.add_argument("spec", help="optimize spec (.toml)")
    p.add_argument("--out", help="results folder (default: results/<name>[-quick])")
    p.add_argument("--workers", type=int, help="parallel workers (default: all cores)")
    p.add_argument("--executor", default="process", help="serial, process (default) or dask")
    p.add_argument("--quick", action="store_true", help="the spec's quick variant")
    p.add_argument("--budget", type=int, help="evaluations (a larger one goes on from a stop)")
    p.add_argument("--optimizer-seed", type=int, help="seed of the optimiser")
    p.add_argument("--force", action="store_true", help="move another search's folder aside")
    p.add_argument("--format", default="csv", choices=("csv", "parquet"), help="default csv")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.set_defaults(func=cmd_optimize)


def cmd_optimize(args: argparse.Namespace) -> int:
    from aimarket.experiments.engine.executors import check_executor, describe
    from aimarket.experiments.strategy.optimize import optimize
    from aimarket.experiments.strategy.search_checks import check_spec
    from aimarket.experiments.strategy.search_figures import write_outputs
    from aimarket.experiments.strategy.search_spec import load_optimize_spec
    from aimarket.simulation.files import writable_folder

    spec = load_optimize_spec(args.spec).variant(
        quick=args.quick, budget=args.budget, optimizer_seed=args.optimizer_seed
    )
    problem = check_spec(spec)  # everything refused here, before the folder is touched
    check_executor(args.executor, args.workers)
    out = writable_folder(args.out or Path("results") / (spec.name + ("-quick" * args.quick)))
    levers = ", ".join(lv.name for lv in problem.levers)
    print(
        f"aimarket: optimize '{spec.name}': {problem.sampler} over {levers}; "
        f"{spec.budget} evaluations x {spec.seeds} common seeds "
        f"({describe(args.executor, args.workers)}) -> {out}"
    )
    options = {"executor": args.executor, "workers": args.workers, "force": args.force}
    result = optimize(spec, out, progress=not args.no_progress, argv=sys.argv, **options)
    if result.interrupted:
        done = int((result.evaluations.get("state") == "ok").sum()) if len(result.runs) else 0
        print(
            f"aimarket optimize: interrupted: {done} evaluations kept in {out}; "
            "run the same command to resume",
            file=sys.stderr,
        )
        return result.exit_code
    print(summary(result))
    paths = write_outputs(result, out / "analysis", args.format)
    print("wrote " + ", ".join(str(p) for p in paths))
    if result.failed:
        print(f"{result.failed} evaluations had failed runs; see {out}/evals", file=sys.stderr)
    return result.exit_code


def summary(result) -> str:
    """The best candidate (one objective) or the Pareto set, with seed bands."""
    problem = result.problem
    best = result.best
    what = "best candidate" if len(problem.objectives) == 1 else "Pareto set"
    lines = [f"{what} of {len(result.evaluations)} evaluations (mean [95% seed band]):"]
    for _, row in best.iterrows():
        levers = ", ".join(f"{lv.name} = {row[lv.name]}" for lv in problem.levers)
        values = "; ".join(
            f"{n} {row[n]:.4g} [{row[f'{n}_lo']:.4g}, {row[f'{n}_hi']:.4g}]" for n in problem.names
        )
        lines.append(f"  #{int(row['evaluation'])}: {levers}: {values}")
    return "\n".join(lines)
