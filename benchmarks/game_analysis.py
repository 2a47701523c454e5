"""The whole analysis of a 3-player, 4-strategy empirical game: run, payoffs, equilibria.

    .venv/bin/python benchmarks/game_analysis.py [--quick] [--workers 2] [--out DIR]

Issue 24's target: 64 profiles x 20 paired seeds at 10,000 developers and 120 months
(1,280 runs) analysed in at most 15 minutes on 2 cores. ``--quick`` runs the same game
at 2 seeds, 300 developers and 24 months (128 runs) to check the machinery and measure
the analysis alone; the full-size figure (8.2 minutes on the refitted defaults of
2026-12-07) is in docs/performance.md. Prints the wall time of the runs, of the
analysis (reading the payoffs, equilibria, bootstrap, mixed equilibria) and of the
report (tables, figure).
"""

from __future__ import annotations

import argparse
import contextlib
import shutil
import tempfile
import time
from pathlib import Path

from aimarket.experiments.strategy.game import load_game_results
from aimarket.experiments.strategy.report import write_game_report
from aimarket.experiments.strategy.spec import Game

PLAYERS = {
    "meta": {"strategies": {
        "open": {"policy": "open"},
        "closed": {"policy": "closed"},
        "otc24": {"policy": "open_then_closed", "switch_step": 24},
        "otc60": {"policy": "open_then_closed", "switch_step": 60},
    }},
    "openai": {"strategies": {
        "closed": {"policy": "closed"},
        "open": {"policy": "open"},
        "lag6": {"policy": "open_lagged", "open_lag": 6},
        "lag18": {"policy": "open_lagged", "open_lag": 18},
    }},
    "mistral": {"strategies": {
        "lag12": {"policy": "open_lagged", "open_lag": 12},
        "lag3": {"policy": "open_lagged", "open_lag": 3},
        "closed": {"policy": "closed"},
        "open": {"policy": "open"},
    }},
}  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="2 seeds, 300 developers, 24 months")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--out", help="results folder (default: a temporary folder)")
    args = ap.parse_args()
    size = {"seeds": 2, "developers": 300, "steps": 24} if args.quick else {
        "seeds": 20, "developers": 10_000, "steps": 120}  # fmt: skip
    game = Game(name="bench_game", players=PLAYERS, seed=24, **size)
    with contextlib.ExitStack() as stack:
        if args.out:
            out = Path(args.out)
        else:
            tmp = tempfile.mkdtemp(prefix="aimarket-game-")
            stack.callback(shutil.rmtree, tmp, ignore_errors=True)
            out = Path(tmp) / "game"
        plan = game.plan()
        print(f"{len(plan.profiles)} profiles x {size['seeds']} seeds = {len(plan.sweep_plan)} "
              f"runs of {size['steps']} months, {size['developers']:,} developers, "
              f"{args.workers} workers")  # fmt: skip
        start = time.perf_counter()
        summary, _ = game.run(out, workers=args.workers, progress=False, resamples=1)
        runs = time.perf_counter() - start
        start = time.perf_counter()
        results = load_game_results(out)
        analysis = time.perf_counter() - start
        start = time.perf_counter()
        write_game_report(results)
        results.export(out / "tables")
        report = time.perf_counter() - start
    total = runs + analysis + report
    print(f"runs {runs:.1f} s ({runs / max(summary.ran, 1):.3f} s a run), analysis "
          f"{analysis:.1f} s, report {report:.1f} s, total {total / 60:.2f} min "
          f"(target at full size: 15 min)")  # fmt: skip


if __name__ == "__main__":
    main()
