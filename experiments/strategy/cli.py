"""``aimarket game SPEC``: run an empirical game (resumable), analyse it, write its tables,
figure and report section.

    aimarket game SPEC [--out DIR] [--workers N] [--executor ...] [--replicates SEEDS]
                       [--steps N] [--seed S] [--set PATH=VALUE] [--quick] [--force]
                       [--max-runs N] [--format csv|parquet] [--no-progress] [--no-table]

The whole game is checked before any run (one line, exit 2): players, strategies,
payoff metrics, the design and its size against the run limit.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys

from aimarket.experiments.engine.commands import default_out, interrupted
from aimarket.experiments.engine.executors import check_executor, describe
from aimarket.experiments.strategy.game import run_game
from aimarket.experiments.strategy.report import summary_lines, write_game_report
from aimarket.experiments.strategy.spec import load_game
from aimarket.simulation.files import writable_folder
from aimarket.simulation.merging import parse_assignments


def run_command(args: argparse.Namespace, prog: str = "aimarket") -> int:
    """The ``game`` command: check, run, analyse, write; its exit code."""
    spec = load_game(args.spec)
    game = spec.variant(
        quick=args.quick, seeds=args.replicates, steps=args.steps, seed=args.seed,
        max_runs=args.max_runs,
    )  # fmt: skip
    if args.set:
        game = dataclasses.replace(
            game, overrides={**game.overrides, **parse_assignments(args.set)}
        )
    plan = game.plan()  # every check, before the results folder is touched
    check_executor(args.executor, args.workers)
    out = writable_folder(
        args.out or default_out(spec.name, args.quick, args.replicates, args.steps, args.seed)
    )
    runs = plan.sweep_plan
    print(
        f"aimarket: game '{game.name}': {len(plan.players)} players, {len(plan.profiles)} "
        f"profiles x {game.seeds} paired seeds"
        + (f" x {len(runs.points)} scenarios" if len(runs.points) > 1 else "")
        + f" = {len(runs)} runs of {runs.steps} months "
        f"({describe(args.executor, args.workers)}) -> {out}"
    )
    summary, results = run_game(
        plan, out, executor=args.executor, workers=args.workers, force=args.force,
        progress=not args.no_progress, argv=sys.argv,
    )  # fmt: skip
    if summary.interrupted:
        return interrupted(summary, args, out, len(runs), prog)
    if results is not None:
        paths = results.export(out / "tables", args.format)
        report = write_game_report(results)
        if not args.no_table:
            print("\n".join(summary_lines(results)))
        print(f"wrote {report} and {len(paths)} tables in {out / 'tables'}")
    stream = sys.stderr if summary.exit_code else sys.stdout
    print(summary.text(), file=stream)
    return summary.exit_code
