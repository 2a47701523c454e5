"""Sweep throughput: runs per minute with 1 and 2 workers, the runner's overhead, the
driver's CPU per run, and the Dask executor against the process pool.

    .venv/bin/python benchmarks/sweep_throughput.py [--quick] [--repeat N] [--no-dask]
        [--runs R] [--developers D] [--steps S]

A sweep of identical-size runs (default 120 runs of 120 months and 10,000 developers,
different seeds; ``--quick``: 12 runs) is executed by the runner with 1 worker (in the
driver's own process) and then a process pool of 2 workers, into a fresh results folder
each time. The same runs are also timed bare, in this process, with no runner: the
difference is the per-run overhead (process start-up, task dispatch, computing outcomes,
encoding and writing Parquet results), reported as a share of the bare run time.

Each line with a pool or a cluster also gives the **driver CPU per run**: the CPU time
(user + system, ``getrusage(RUSAGE_SELF)``) the driver process spent, divided by the runs.
With a pool of workers the driver only receives each run's series already encoded by
its worker and appends them to its batch's Parquet files (target: at most 10 ms a run);
with Dask the scheduler and the client live in the driver too. With 1 worker the runs
execute in the driver, so its CPU is the runs' and is not shown.

Then the same sweep runs on a Dask LocalCluster of 2 workers and on the process pool of
2 workers, alternating, ``--repeat`` times (default 2): the host is shared and noisy, so
the two are compared pair by pair.
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from pathlib import Path

DEVELOPERS = 10_000
STEPS = 120


def _sweep(runs: int, developers: int = DEVELOPERS, steps: int = STEPS):
    from aimarket.experiments import Sweep

    return Sweep(
        name="throughput",
        overrides={"developers.count": developers},
        replicates=runs,
        steps=steps,
        seed=11,
    )


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def timed_sweep(
    runs: int, executor: str, workers: int, developers: int = DEVELOPERS, steps: int = STEPS
) -> dict:
    """Run the benchmark sweep once; wall time (session, cluster start-up included) and
    the driver's CPU seconds per run."""
    from aimarket.experiments import run_sweep

    with tempfile.TemporaryDirectory() as tmp:
        cpu = _cpu()
        summary = run_sweep(
            _sweep(runs, developers, steps),
            Path(tmp) / "out",
            executor=executor,
            workers=workers,
            progress=False,
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


def measure_sweeps(
    quick: bool = False, runs: int | None = None, developers: int = DEVELOPERS, steps: int = STEPS
) -> list[dict]:
    """1 worker against a pool of 2, with the bare run time and the driver's CPU per run."""
    from aimarket import MarketModel, load_scenario

    runs = runs or (12 if quick else 120)
    # bare: the model alone, same sizes, serially in this process
    scenario = load_scenario("baseline", {"developers.count": developers})
    t = time.perf_counter()
    for k in range(runs):
        MarketModel(scenario, rng=k).run(steps)
    bare = (time.perf_counter() - t) / runs
    print(f"  {runs} runs of {developers:,} developers x {steps} months; bare run {bare:.3f} s")
    rows = []
    for workers in (1, 2):
        row = timed_sweep(runs, "process", workers, developers, steps)
        wall = row["wall_s"]
        per_run = wall * workers / runs  # worker-seconds spent per run
        row.update(developers=developers, bare_run_s=bare, overhead_share=(per_run - bare) / bare)
        rows.append(row)
        driver = (
            "runs in the driver"
            if workers == 1
            else f"driver CPU {row['driver_cpu_ms_per_run']:.1f} ms per run"
        )
        print(
            f"  {workers} worker(s): {runs} runs in {wall:.1f} s = {60 * runs / wall:.0f} "
            f"runs/min; overhead {100 * (per_run - bare) / bare:.1f}% of a run; {driver}",
            flush=True,
        )
    rows[1]["speedup_vs_1"] = rows[1]["runs_per_minute"] / rows[0]["runs_per_minute"]
    print(
        f"  2 workers give {rows[1]['speedup_vs_1']:.2f}x the runs per minute of 1 "
        f"(driver CPU {rows[1]['driver_cpu_ms_per_run']:.1f} ms per run; target <= 10)"
    )
    return rows


def compare_dask(
    quick: bool = False,
    repeat: int = 2,
    runs: int | None = None,
    developers: int = DEVELOPERS,
    steps: int = STEPS,
) -> list[dict]:
    """Dask LocalCluster against the process pool, 2 workers each, alternating."""
    runs = runs or (12 if quick else 120)
    rows, ratios = [], []
    for k in range(repeat):
        pair = {}
        for executor in ("dask", "process") if k % 2 else ("process", "dask"):
            row = timed_sweep(runs, executor, 2, developers, steps)
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


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="12 runs instead of 120")
    ap.add_argument("--runs", type=int, help="runs per sweep (overrides --quick)")
    ap.add_argument("--developers", type=int, default=DEVELOPERS)
    ap.add_argument("--steps", type=int, default=STEPS)
    ap.add_argument("--repeat", type=int, default=2, help="Dask/pool pairs")
    ap.add_argument("--no-dask", action="store_true")
    args = ap.parse_args()
    sizes = {"runs": args.runs, "developers": args.developers, "steps": args.steps}
    print("1 worker against a process pool of 2")
    measure_sweeps(quick=args.quick, **sizes)
    if not args.no_dask:
        print("Dask LocalCluster against the process pool, 2 workers each")
        compare_dask(quick=args.quick, repeat=args.repeat, **sizes)


if __name__ == "__main__":
    main()
