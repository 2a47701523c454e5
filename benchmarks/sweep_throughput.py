"""Sweep throughput: runs per minute with 1 and 2 workers, the runner's overhead, and the
Dask executor against the process pool.

    .venv/bin/python benchmarks/sweep_throughput.py [--quick] [--repeat N] [--no-dask]

A sweep of identical-size runs (120 months, 10,000 developers, different seeds) is
executed by the runner with a process pool of 1 and then 2 workers, into a fresh
results folder each time. The same runs are also timed bare, in this process, with no
runner: the difference is the per-run overhead (process start-up, task dispatch,
computing outcomes, writing Parquet results), reported as a share of the bare run time.

Then the same sweep runs on a Dask LocalCluster of 2 workers and on the process pool of
2 workers, alternating, ``--repeat`` times (default 2): the host is shared and noisy, so
the two are compared pair by pair. Each line also gives the CPU time the driver process
spent per run (with Dask, the scheduler and client live in it).
"""

from __future__ import annotations

import resource
import sys
import tempfile
import time
from pathlib import Path

DEVELOPERS = 10_000


def _sweep(runs: int):
    from aimarket.experiments import Sweep

    return Sweep(
        name="throughput",
        overrides={"developers.count": DEVELOPERS},
        replicates=runs,
        steps=120,
        seed=11,
    )


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def timed_sweep(runs: int, executor: str, workers: int) -> dict:
    """Run the benchmark sweep once; wall time (session, cluster start-up included) and
    the driver's CPU seconds per run."""
    from aimarket.experiments import run_sweep

    with tempfile.TemporaryDirectory() as tmp:
        cpu = _cpu()
        summary = run_sweep(
            _sweep(runs), Path(tmp) / "out", executor=executor, workers=workers, progress=False
        )
        cpu = _cpu() - cpu
    assert summary.failed == 0, summary.text()
    return {
        "executor": executor,
        "workers": workers,
        "runs": runs,
        "wall_s": summary.elapsed,
        "runs_per_minute": 60 * runs / summary.elapsed,
        "driver_cpu_ms_per_run": 1000 * cpu / runs,
    }


def measure_sweeps(quick: bool = False) -> list[dict]:
    from aimarket import MarketModel, load_scenario

    runs = 12 if quick else 120
    # bare: the model alone, same sizes, serially in this process
    scenario = load_scenario("baseline", {"developers.count": DEVELOPERS})
    t = time.perf_counter()
    for k in range(runs):
        MarketModel(scenario, rng=k).run(120)
    bare = (time.perf_counter() - t) / runs
    rows = []
    for workers in (1, 2):
        row = timed_sweep(runs, "process", workers)
        wall = row["wall_s"]
        per_run = wall * workers / runs  # worker-seconds spent per run
        row.update(developers=DEVELOPERS, bare_run_s=bare, overhead_share=(per_run - bare) / bare)
        rows.append(row)
        print(
            f"  {workers} worker(s): {runs} runs in {wall:.1f} s = "
            f"{60 * runs / wall:.0f} runs/min; bare run {bare:.2f} s, "
            f"overhead {100 * (per_run - bare) / bare:.1f}% of a run",
            flush=True,
        )
    rows[1]["speedup_vs_1"] = rows[1]["runs_per_minute"] / rows[0]["runs_per_minute"]
    print(f"  2 workers give {rows[1]['speedup_vs_1']:.2f}x the runs per minute of 1")
    return rows


def compare_dask(quick: bool = False, repeat: int = 2) -> list[dict]:
    """Dask LocalCluster against the process pool, 2 workers each, alternating."""
    runs = 12 if quick else 120
    rows, ratios = [], []
    for k in range(repeat):
        pair = {}
        for executor in ("dask", "process") if k % 2 else ("process", "dask"):
            row = timed_sweep(runs, executor, 2)
            pair[executor] = row
            rows.append(row)
            print(
                f"  {executor:>7} x 2: {runs} runs in {row['wall_s']:.1f} s = "
                f"{row['runs_per_minute']:.0f} runs/min; driver CPU "
                f"{row['driver_cpu_ms_per_run']:.1f} ms per run",
                flush=True,
            )
        ratios.append(pair["dask"]["wall_s"] / pair["process"]["wall_s"])
        print(f"  Dask wall time / process pool wall time: {ratios[-1]:.2f}", flush=True)
    print(f"  Dask / process pool over {repeat} pair(s): {min(ratios):.2f}-{max(ratios):.2f}")
    return rows


if __name__ == "__main__":
    args = sys.argv[1:]
    quick = "--quick" in args
    repeat = int(args[args.index("--repeat") + 1]) if "--repeat" in args else 2
    measure_sweeps(quick=quick)
    if "--no-dask" not in args:
        compare_dask(quick=quick, repeat=repeat)
