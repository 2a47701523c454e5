"""aimarket benchmarks: speed and memory of the engine, against reference points.

    .venv/bin/python benchmarks/bench.py [--quick] [--csv benchmarks/results.csv]

Measures, on this machine:

1. wall time per step and per 120-step run, and peak memory: the calibrated baseline
   (entrants and all) at 10,000 to 1,000,000 developers, and markets with a fixed 10 or
   20 models (entry off) at 1,000 to 1,000,000 developers (each size in its own
   subprocess, so peak resident memory is that run's alone);
2. the cost of one step of the calibrated baseline at month 1 and at month 240, when
   entrants have released many more models and withdrawn many of them (each copy of
   the model at the month before does the same step; the adoption phase, where the
   developers choose, is also timed on its own);
3. the model's developer-choice step against a bare numpy reference kernel of the same
   rule (one uniform draw per developer, inverse CDF over float32 utilities in
   preallocated buffers), in the same process, at 100,000 developers and 20 models;
4. the same choice rule written the naive Mesa way (one agent object per developer,
   activated with ``shuffle_do``) at 10,000 developers;
5. sweep throughput with 1 and 2 workers, and the per-run overhead of the runner
   (see ``benchmarks/sweep_throughput.py``).

Targets live in ``docs/performance.md``, never in tests.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent

STEPS = 120


# -- scenarios with a fixed number of models ---------------------------------------------


def fixed_market(developers: int, models: int):
    """The baseline market with entry switched off and closed labs added until ``models``
    models are on offer (so the product count is fixed for the whole run)."""
    from aimarket import load_scenario

    base = load_scenario("baseline")
    data = base.to_dict()
    data["mechanisms"]["venture"] = False
    data["developers"]["count"] = developers
    offered = 6  # baseline: 4 closed APIs (mistral is open_lagged: 2 models) + meta open
    k = 0
    while offered < models:
        k += 1
        data["vendors"][f"lab{k}"] = {
            "capability": 0.3 + 0.05 * k,
            "cash": 1e6,
            "opex": 2.0,
            "cloud": "aws",
        }
        offered += 1
    return type(base).from_dict(data)


# -- 1. whole runs, one subprocess per size ---------------------------------------------------


def run_size(developers: int, models: int, steps: int) -> dict:
    """Child-process body: build, run, measure."""
    import resource

    from aimarket import MarketModel, load_scenario

    rss_start = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    if models:
        scenario = fixed_market(developers, models)
    else:  # the calibrated baseline as users run it, entrants and all
        scenario = load_scenario("baseline", {"developers.count": developers})
    t0 = time.perf_counter()
    model = MarketModel(scenario, rng=1)
    t1 = time.perf_counter()
    model.run(steps)
    t2 = time.perf_counter()
    model.market_frame()
    model.vendor_frame()
    t3 = time.perf_counter()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "developers": developers,
        "models": int(model.products.n),
        "steps": steps,
        "setup_s": t1 - t0,
        "run_s": t2 - t1,
        "per_step_ms": 1000 * (t2 - t1) / steps,
        "run_120_s": (t2 - t1) * STEPS / steps,
        "frames_s": t3 - t2,
        "peak_rss_mib": peak,
        "rss_after_import_mib": rss_start,
    }


def in_subprocess(call: str):
    """Evaluate ``call`` (a call of a function of this module) in a fresh interpreter on
    one thread; returns its result, sent back as JSON. It runs in this folder, so
    ``import bench`` finds this module (``-c`` puts the working folder on the path)."""
    code = f"import json, bench; print(json.dumps(bench.{call}))"
    env = {**os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True, cwd=HERE
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def measure_sizes(sizes, model_counts, steps) -> list[dict]:
    rows = []
    for models in model_counts:
        for n in sizes:
            row = in_subprocess(f"run_size({n}, {models}, {steps})")
            rows.append(row)
            label = "baseline" if not models else f"{row['models']:>2} models"
            print(
                f"  {n:>9,} developers, {label}: "
                f"{row['per_step_ms']:8.2f} ms/step, {row['run_120_s']:7.2f} s/120 steps, "
                f"peak RSS {row['peak_rss_mib']:7.0f} MiB",
                flush=True,
            )
    return rows


# -- 2. one step early and late in a long run ------------------------------------------------


def step_at_months(developers: int, months=(1, 240), reps: int = 15) -> list[dict]:
    """Child-process body: wall time of month ``m`` of the calibrated baseline, for each
    m in ``months``. The model is run to month m - 1 and copied ``reps`` times; every
    copy does the same step (same state, same random streams), timed whole and in its
    adoption phase. Reports the median and the best of the copies."""
    import copy

    from aimarket import MarketModel, load_scenario

    model = MarketModel(load_scenario("baseline", {"developers.count": developers}), rng=1)
    rows = []
    for month in months:
        model.run(month - 1 - model.steps)
        step_s, choice_s = [], []
        for _ in range(reps):
            twin = copy.deepcopy(model)
            adoption = twin.adoption

            def timed_adoption(adoption=adoption, times=choice_s):
                t = time.perf_counter()
                adoption()
                times.append(time.perf_counter() - t)

            twin.adoption = timed_adoption
            t = time.perf_counter()
            twin.step()
            step_s.append(time.perf_counter() - t)
        p = twin.products
        rows.append(
            {
                "developers": developers,
                "month": month,
                "released": int(p.n),
                "on_offer": int(p.available[: p.n].sum()),
                "step_ms": 1000 * float(np.median(step_s)),
                "step_ms_best": 1000 * min(step_s),
                "adoption_ms": 1000 * float(np.median(choice_s)),
                "adoption_ms_best": 1000 * min(choice_s),
            }
        )
    return rows


def measure_months(sizes) -> list[dict]:
    rows = []
    for n in sizes:
        for row in in_subprocess(f"step_at_months({n})"):
            rows.append(row)
            print(
                f"  {n:>9,} developers, month {row['month']:>3} ({row['released']} models "
                f"released, {row['on_offer']} on offer): {row['step_ms']:7.2f} ms/step "
                f"(best {row['step_ms_best']:.2f}), adoption {row['adoption_ms']:6.2f} ms",
                flush=True,
            )
    return rows


# -- 3. the choice step against a bare numpy kernel ------------------------------------------


class ReferenceChoice:
    """The same logit rule as bare numpy: per developer, utilities of every model
    (segment mean utility minus switching cost away from the current model), then one
    uniform draw and an inverse-CDF search, all in preallocated float32 buffers."""

    def __init__(self, segment, v, v0, switching):
        n = len(segment)
        j = v.shape[1]
        self.segment = segment
        self.table = np.concatenate([v0[:, None], v], axis=1).astype(np.float32)
        self.switching = switching.astype(np.float32)
        self.util = np.empty((n, j + 1), dtype=np.float32)
        self.uniform = np.empty(n, dtype=np.float32)
        self.rows = np.arange(n)

    def choose(self, rng, current):
        u = self.util
        np.take(self.table, self.segment, axis=0, out=u)
        # a switching cost on every model except the current one and the outside option
        k = self.switching[self.segment]
        u[:, 1:] -= k[:, None]
        has = current >= 0
        u[self.rows[has], current[has] + 1] += k[has]
        u -= u.max(axis=1, keepdims=True)
        np.exp(u, out=u)
        np.cumsum(u, axis=1, out=u)
        rng.random(out=self.uniform, dtype=np.float32)
        self.uniform *= u[:, -1]
        return (u < self.uniform[:, None]).sum(axis=1) - 1


def measure_choice(developers: int = 100_000, models: int = 20, reps: int = 30) -> dict:
    from aimarket import MarketModel

    scenario = fixed_market(developers, models)
    segs = {name: {"reconsider_rate": 1.0} for name in scenario.developers.segments}
    scenario = scenario.with_overrides(
        {f"developers.segments.{s}.reconsider_rate": 1.0 for s in segs}
    )
    model = MarketModel(scenario, rng=2).run(3)
    dev = model.developers
    v = model.mean_utilities()
    ref = ReferenceChoice(dev.segment, v, dev.outside_utilities(), dev.switch)
    rng = np.random.default_rng(3)
    current = dev.choice.copy()

    def best_of(fn):
        times = []
        for _ in range(reps):
            t = time.perf_counter()
            fn()
            times.append(time.perf_counter() - t)
        return min(times)

    t_model = best_of(lambda: dev.choose(v))
    t_ref = best_of(lambda: ref.choose(rng, current))
    return {
        "developers": developers,
        "models": int(model.products.n),
        "model_choice_ms": 1000 * t_model,
        "reference_kernel_ms": 1000 * t_ref,
        "ratio": t_model / t_ref,
    }


# -- 4. the naive Mesa way ------------------------------------------------------------------


def measure_naive_mesa(developers: int = 10_000, models: int = 20, steps: int = 3) -> dict:
    """One Mesa agent per developer, each computing its logit choice with numpy."""
    import mesa

    from aimarket import MarketModel

    scenario = fixed_market(developers, models)
    scenario = scenario.with_overrides(
        {f"developers.segments.{s}.reconsider_rate": 1.0 for s in scenario.developers.segments}
    )
    model = MarketModel(scenario, rng=2).run(3)
    dev = model.developers
    v = model.mean_utilities()
    v0 = dev.outside_utilities()
    switching = dev.switch

    class NaiveDeveloper(mesa.Agent):
        def __init__(self, m, segment, current):
            super().__init__(m)
            self.segment = int(segment)
            self.current = int(current)

        def step(self):
            util = np.concatenate([[v0[self.segment]], v[self.segment]])
            move = np.ones(util.size, dtype=bool)
            move[0] = False
            if self.current >= 0:
                move[self.current + 1] = False
                util = util - switching[self.segment] * move
            p = np.exp(util - util.max())
            cdf = np.cumsum(p / p.sum())
            self.current = int(np.searchsorted(cdf, self.model.rng.random())) - 1

    naive = mesa.Model(rng=5)
    for s, c in zip(dev.segment, dev.choice, strict=True):
        NaiveDeveloper(naive, s, c)
    crowd = naive.agents_by_type[NaiveDeveloper]
    t_naive = []
    for _ in range(steps):
        t = time.perf_counter()
        crowd.shuffle_do("step")
        t_naive.append(time.perf_counter() - t)
    t_model = []
    for _ in range(10):
        t = time.perf_counter()
        dev.choose(v)
        t_model.append(time.perf_counter() - t)
    return {
        "developers": developers,
        "models": int(model.products.n),
        "naive_mesa_ms": 1000 * min(t_naive),
        "model_choice_ms": 1000 * min(t_model),
        "speedup": min(t_naive) / min(t_model),
    }


# -- main -------------------------------------------------------------------------------------


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="skip 1M developers, fewer steps")
    parser.add_argument("--csv", default=str(HERE / "results.csv"), help="CSV output path")
    args = parser.parse_args(argv)

    sizes = [1_000, 10_000, 100_000] + ([] if args.quick else [1_000_000])
    steps = 24 if args.quick else STEPS
    print(
        f"aimarket benchmarks on {platform.processor() or platform.machine()}, "
        f"{os.cpu_count()} cores, Python {platform.python_version()}"
    )
    print("1. whole runs (each in its own process)")
    # the baseline, entrants and all
    runs = measure_sizes([10_000, 100_000] + ([] if args.quick else [1_000_000]), [0], steps)
    runs += measure_sizes(sizes, [10, 20], steps)
    print("2. one step at month 1 and at month 240 (baseline)")
    months = measure_months([10_000, 100_000] + ([] if args.quick else [1_000_000]))
    print("3. choice step vs bare numpy reference kernel")
    choice_row = measure_choice()
    print(
        f"  model {choice_row['model_choice_ms']:.2f} ms, reference "
        f"{choice_row['reference_kernel_ms']:.2f} ms, ratio {choice_row['ratio']:.2f}"
    )
    print("4. naive Mesa (one agent per developer)")
    naive = measure_naive_mesa()
    print(
        f"  naive {naive['naive_mesa_ms']:.0f} ms/step, model {naive['model_choice_ms']:.2f} "
        f"ms/step: {naive['speedup']:.0f}x faster"
    )
    rows = [{"benchmark": "run", **r} for r in runs]
    rows += [{"benchmark": "step_by_month", **r} for r in months]
    rows.append({"benchmark": "choice_vs_reference", **choice_row})
    rows.append({"benchmark": "naive_mesa", **naive})
    try:
        from sweep_throughput import measure_sweeps
    except ImportError:
        pass
    else:
        print("5. sweep throughput")
        for r in measure_sweeps(quick=args.quick):
            rows.append({"benchmark": "sweep", **r})
    fields = sorted({k for r in rows for k in r}, key=lambda k: (k != "benchmark", k))
    Path(args.csv).parent.mkdir(parents=True, exist_ok=True)
    with open(args.csv, "w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)
    print(f"wrote {args.csv}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
