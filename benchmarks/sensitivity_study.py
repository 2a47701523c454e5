"""Sensitivity study throughput and analysis memory (issue target: a Sobol study of 12
uncertainties at N = 256, paired over two policies, 13,312 runs of 10,000 developers and
120 months, in at most 30 minutes on 2 cores; analysis memory flat in the runs).

    .venv/bin/python benchmarks/sensitivity_study.py [--runs K] [--workers 2]
        [--no-analysis] [--no-throughput]

1. **Throughput**: the first ``K`` runs (default 256) of that very study
   (``experiments/sensitivity_open.py`` with N = 256: its scenario, 10,000 developers,
   120 months, its outcomes) run by the sweep runner on a process pool into a scratch
   folder. The estimate is measured, not modelled: the steady rate (from the first run's
   start to the last run's end, taken from the runs table) times the 13,312 runs, plus
   the session's own start-up and close and the time to plan the whole study, each as
   measured once. The driver's CPU per run is printed too.
2. **Analysis memory**: a 12-input function model swept by Saltelli designs of growing N
   (in-process serial executor), then ``sensitivity(...)`` on each folder with its
   Python heap peak (tracemalloc) and time: the cost of the analysis alone, per run.

Prints one line per measurement; figures go to ``docs/performance.md``.
"""

from __future__ import annotations

import argparse
import dataclasses
import tempfile
import time
import tracemalloc
from pathlib import Path

import numpy as np

from aimarket.experiments import Sweep, load, run_sweep
from aimarket.experiments.analysis.sensitivity import sensitivity
from aimarket.experiments.sensitivity_open import sweep as study

TARGET_RUNS = 256 * (2 * 12 + 2) * 2  # 13,312: N = 256, 12 inputs, two policies
TARGET_MINUTES = 30


def twelve(**x):
    """A 12-input test function with interactions (the analysis does not care what)."""
    v = np.array([x[f"x{k}"] for k in range(12)])
    return float(np.sum(np.sin(v) * np.arange(1, 13)) + v[0] * v[1] + v[2] ** 2 * v[3])


def throughput(runs: int, workers: int) -> None:
    sweep = dataclasses.replace(study, n=256, replicates=1, name="sensitivity_bench")
    t0 = time.perf_counter()
    plan = sweep.plan()  # the whole study's plan, as its sweep command builds it first
    planning = time.perf_counter() - t0
    assert len(plan) == TARGET_RUNS, len(plan)
    with tempfile.TemporaryDirectory() as tmp:
        # the first `runs` runs of the plan: the design's first points, both policies
        part = dataclasses.replace(sweep, design=plan.points.iloc[: runs // 2].copy())
        cpu = time.process_time()
        t0 = time.perf_counter()
        summary = run_sweep(part, Path(tmp) / "s", workers=workers, progress=False)
        wall = time.perf_counter() - t0
        cpu = time.process_time() - cpu
        done = load(Path(tmp) / "s").ok
    starts = (done["started"] - done["started"].min()).dt.total_seconds()
    span = float((starts + done["elapsed_s"]).max())
    per_run = span / len(done)  # steady: the runs' own span, start-up excluded
    fixed = max(0.0, wall - span)  # the session's start-up and close, paid once
    total = (per_run * TARGET_RUNS + fixed + planning) / 60
    mean_run = done["elapsed_s"].mean()
    print(
        f"throughput: {len(done)} runs of 10,000 developers x 120 months ({summary.ran} ran) in "
        f"{wall:.0f} s on {workers} workers: {mean_run:.3f} s a run in a worker, "
        f"{per_run:.3f} s a run of wall time at the steady rate, {fixed:.1f} s of start-up "
        f"and close, {planning:.1f} s to plan the whole study; driver CPU "
        f"{1000 * cpu / summary.ran:.1f} ms a run (start-up included)"
    )
    print(
        f"estimate of the 13,312-run study on {workers} workers: {total:.0f} min (target "
        f"{TARGET_MINUTES} min: {'met' if total <= TARGET_MINUTES else 'NOT met'})"
    )


def analysis_memory(sizes=(64, 256, 1024)) -> None:
    unit = {f"x{k}": (0.0, 1.0) for k in range(12)}
    for n in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            sweep = Sweep(name="mem", model=twelve, design="saltelli", n=n,
                          uncertainties=unit, outcomes=[], series=())  # fmt: skip
            run_sweep(sweep, Path(tmp) / "m", executor="serial", progress=False)
            tracemalloc.start()
            t0 = time.perf_counter()
            table = sensitivity(Path(tmp) / "m", "twelve")
            took = time.perf_counter() - t0
            _, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
        runs = table.attrs["points"]
        print(f"analysis: N = {n}, {runs:,} runs: {took:.1f} s, Python heap peak "
              f"{peak / 2**20:.1f} MiB ({peak / runs / 1024:.2f} KiB a run)")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=256, help="runs of the study to time")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--no-throughput", action="store_true")
    parser.add_argument("--no-analysis", action="store_true", help="skip the analysis memory")
    args = parser.parse_args()
    if not args.no_analysis:
        analysis_memory()
    if not args.no_throughput:
        throughput(args.runs, args.workers)


if __name__ == "__main__":
    main()
