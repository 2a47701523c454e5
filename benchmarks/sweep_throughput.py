"""Sweep throughput: runs per minute with 1 and 2 workers, and the runner's overhead.

    .venv/bin/python benchmarks/sweep_throughput.py [--quick]

A sweep of identical-size runs (120 months, 10,000 developers, different seeds) is
executed by the runner with a process pool of 1 and then 2 workers, into a fresh
results folder each time. The same runs are also timed bare, in this process, with no
runner: the difference is the per-run overhead (process start-up, task dispatch,
computing outcomes, writing Parquet results), reported as a share of the bare run time.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def measure_sweeps(quick: bool = False) -> list[dict]:
    from aimarket import MarketModel, load_scenario
    from aimarket.experiments import Sweep, run_sweep

    runs = 12 if quick else 120
    developers = 10_000
    sweep = Sweep(
        name="throughput",
        overrides={"developers.count": developers},
        replicates=runs,
        steps=120,
        seed=11,
    )
    # bare: the model alone, same sizes, serially in this process
    scenario = load_scenario("baseline", {"developers.count": developers})
    t = time.perf_counter()
    for k in range(runs):
        MarketModel(scenario, rng=k).run(120)
    bare = (time.perf_counter() - t) / runs
    rows = []
    for workers in (1, 2):
        with tempfile.TemporaryDirectory() as tmp:
            summary = run_sweep(sweep, Path(tmp) / "out", workers=workers, progress=False)
            assert summary.failed == 0
            wall = summary.elapsed
        per_run = wall * workers / runs  # worker-seconds spent per run
        rows.append(
            {
                "workers": workers,
                "runs": runs,
                "developers": developers,
                "wall_s": wall,
                "runs_per_minute": 60 * runs / wall,
                "bare_run_s": bare,
                "overhead_share": (per_run - bare) / bare,
            }
        )
        print(
            f"  {workers} worker(s): {runs} runs in {wall:.1f} s = "
            f"{60 * runs / wall:.0f} runs/min; bare run {bare:.2f} s, "
            f"overhead {100 * (per_run - bare) / bare:.1f}% of a run",
            flush=True,
        )
    rows[1]["speedup_vs_1"] = rows[1]["runs_per_minute"] / rows[0]["runs_per_minute"]
    print(f"  2 workers give {rows[1]['speedup_vs_1']:.2f}x the runs per minute of 1")
    return rows


if __name__ == "__main__":
    measure_sweeps(quick="--quick" in sys.argv)
