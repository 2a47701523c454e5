"""The engine's commands of the ``aimarket`` command line (see :mod:`aimarket.cli`).

aimarket scenarios                      list built-in scenarios
aimarket run [--scenario NAME|FILE] [--set PATH=VALUE ...] [--steps N] [--seed S]
             [--developers N] [--out DIR]
"""

from __future__ import annotations

import argparse
import time

from aimarket.simulation.errors import ScenarioError
from aimarket.simulation.files import replace_folder, run_folder
from aimarket.simulation.merging import parse_assignments


def cmd_scenarios(args: argparse.Namespace) -> int:
    from aimarket.simulation.scenarios import builtin_names, describe

    names = builtin_names()
    width = max(len(n) for n in names)
    for name in names:
        print(f"{name:<{width}}  {describe(name)}")
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    from aimarket.simulation.mechanics.calendar import MAX_STEPS
    from aimarket.simulation.scenarios import load_scenario

    overrides = parse_assignments(args.set)
    if args.developers is not None:
        overrides["developers.count"] = args.developers
    if args.seed < 0:
        raise ScenarioError(f"--seed = {args.seed} must be an integer >= 0")
    scenario = load_scenario(args.scenario, overrides)
    steps = args.steps if args.steps is not None else scenario.steps
    if not 1 <= steps <= MAX_STEPS:
        raise ScenarioError(f"--steps = {steps} is out of range: allowed [1, {MAX_STEPS}]")
    out, lock = run_folder(args.out) if args.out else (None, None)
    try:
        return _run(args, scenario, steps, out)
    finally:
        if lock is not None:
            lock.release()


def _run(args: argparse.Namespace, scenario, steps: int, out) -> int:
    from aimarket.simulation.model import MarketModel
    from aimarket.simulation.report import summary_table, write_run

    print(
        f"aimarket: scenario '{scenario.name}', {steps} months from {scenario.market.start}, "
        f"{scenario.developers.count:,} developers, seed {args.seed}"
    )
    started = time.perf_counter()
    model = MarketModel(scenario, rng=args.seed)
    model.run(steps, progress=not args.quiet)
    elapsed = time.perf_counter() - started
    print(summary_table(model))
    print(f"ran {steps} months in {elapsed:.2f} s")
    if out is not None:
        replace_folder(out, lambda tmp: write_run(model, tmp, args.seed, not args.no_plots))
        report = out / "report.md"
        print(f"wrote {report if report.exists() else out}")
    return 0


def add_commands(sub) -> None:
    """Register ``scenarios`` and ``run`` on the ``aimarket`` subparsers."""
    p = sub.add_parser("scenarios", help="list built-in scenarios")
    p.set_defaults(func=cmd_scenarios)

    p = sub.add_parser("run", help="run one simulation and write its metrics")
    p.add_argument("--scenario", default="baseline", help="built-in name or TOML file")
    p.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="PATH=VALUE",
        help="override a parameter, e.g. vendors.meta.policy=closed (repeatable)",
    )
    p.add_argument("--steps", type=int, help="months to simulate (default: the scenario's)")
    p.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    p.add_argument("--developers", type=int, help="shorthand for --set developers.count=N")
    p.add_argument("--out", help="folder for metrics (Parquet) and the resolved scenario")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.add_argument("--no-plots", action="store_true", help="skip report.md and its figures")
    p.set_defaults(func=cmd_run)
