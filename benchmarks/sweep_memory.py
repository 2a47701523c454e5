"""Memory of a 2,000-run sweep: driver and worker resident set sizes stay flat.

    .venv/bin/python benchmarks/sweep_memory.py [--runs 2000] [--workers 2] [--out DIR]

Runs a sweep of short runs on a local process pool and samples the resident memory
(RSS) of the driver and of each worker process while it runs. It prints RSS once the
sweep is warm (10% of runs done) and at the end, and the peak; flat means the end is
within a few MB of the warm figure however many runs the sweep has.
"""

from __future__ import annotations

import argparse
import contextlib
import shutil
import tempfile
import threading
import time
from pathlib import Path

import psutil

from aimarket.experiments import Sweep, load, run_sweep


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=2000)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--executor", default="process")
    ap.add_argument("--out", help="results folder (default: a temporary folder)")
    args = ap.parse_args()

    replicates = 2
    policies = {
        "closed": {"vendors.meta.policy": "closed"},
        "open": {"vendors.meta.policy": "open"},
    }
    n = max(1, args.runs // (replicates * len(policies)))
    sweep = Sweep(
        name="memory_benchmark",
        overrides={"developers.count": 200},
        policies=policies,
        uncertainties={"innovation.imitation_speed": (0.0, 0.2), "entry.rate": (0.1, 1.0)},
        design="lhs",
        n=n,
        replicates=replicates,
        steps=12,
        seed=99,
    )
    out = Path(args.out) if args.out else Path(tempfile.mkdtemp(prefix="sweep-memory-"))
    if out.exists():
        shutil.rmtree(out)

    me = psutil.Process()
    samples: list[tuple[float, int, float, list[float]]] = []
    stop = threading.Event()

    def done_runs() -> int:
        parts = list((out / "runs").glob("part-*.parquet")) if (out / "runs").is_dir() else []
        import pyarrow.parquet as pq

        return sum(pq.read_metadata(p).num_rows for p in parts)

    def sample() -> None:
        while not stop.is_set():
            workers = [c for c in me.children(recursive=True) if c.is_running()]
            rss = []
            for c in workers:
                with contextlib.suppress(psutil.Error):
                    rss.append(c.memory_info().rss / 2**20)
            try:
                done = done_runs()
            except OSError:
                done = samples[-1][1] if samples else 0
            samples.append((time.perf_counter(), done, me.memory_info().rss / 2**20, rss))
            stop.wait(0.5)

    thread = threading.Thread(target=sample, daemon=True)
    t0 = time.perf_counter()
    thread.start()
    summary = run_sweep(sweep, out, executor=args.executor, workers=args.workers, progress=True)
    stop.set()
    thread.join()
    elapsed = time.perf_counter() - t0
    total = summary.ok + summary.failed
    warm = next((s for s in samples if s[1] >= total * 0.1 and s[3]), samples[0])
    # The pool's helper process (the resource tracker) is listed too, at ~13 MB.
    busy = max(len(s[3]) for s in samples)  # workers plus the pool's helper process
    last = next((s for s in reversed(samples) if len(s[3]) == busy), samples[-1])

    def fmt(s):
        w = ", ".join(f"{x:.0f}" for x in s[3]) or "-"
        return f"driver {s[2]:.0f} MB, workers [{w}] MB (after {s[1]} runs)"

    print(f"\n{total} runs ({summary.failed} failed) in {elapsed:.1f} s, {args.executor} x "
          f"{args.workers}")  # fmt: skip
    print(f"warm : {fmt(warm)}")
    print(f"end  : {fmt(last)}")
    peak_driver = max(s[2] for s in samples)
    peak_worker = max((max(s[3]) for s in samples if s[3]), default=0.0)
    print(f"peak : driver {peak_driver:.0f} MB, worker {peak_worker:.0f} MB")
    print(f"growth warm->end: driver {last[2] - warm[2]:+.1f} MB, workers "
          + ", ".join(f"{b - a:+.1f}" for a, b in zip(warm[3], last[3], strict=False))
          + " MB")  # fmt: skip
    print(f"results: {len(load(out).runs)} rows in {out}")


if __name__ == "__main__":
    main()
