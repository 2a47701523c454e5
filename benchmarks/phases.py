"""Where a month's time goes: the time of each phase of the step, by market size.

    .venv/bin/python benchmarks/phases.py [--developers 10000 100000 1000000]
        [--repeat 5] [--write docs/performance.md]

For each size, ``--repeat`` fresh processes (one thread each) run the calibrated baseline
for 120 months (``MarketModel(load_scenario("baseline", {"developers.count": N}),
rng=k).run(120)``) with a timer around each phase of ``MarketModel.PHASES``; each phase's
time per month is the median over the processes. Also printed: the whole run's median
wall time (construction included, frames excluded) and the cost model, a fixed cost per
month plus a cost per developer-month fitted by least squares over the sizes.

``--write FILE`` replaces the table between the ``<!-- phase-table -->`` and
``<!-- /phase-table -->`` markers of FILE (``docs/performance.md``).
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import statistics
import subprocess
import sys
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
STEPS = 120
START, END = "<!-- phase-table -->", "<!-- /phase-table -->"

TIMED = """
import json, resource, time
from collections import Counter
from aimarket import MarketModel, load_scenario
from aimarket.simulation.mechanics import kernels
spent = Counter()
MarketModel(load_scenario("baseline", {{"developers.count": 1000}}), rng=0).run(3)  # warm-up
start = time.perf_counter()
model = MarketModel(load_scenario("baseline", {{"developers.count": {n}}}), rng={seed})

def timed(name, call):
    def run():
        t = time.perf_counter()
        call()
        spent[name] += time.perf_counter() - t
    return run

for phase in model.PHASES:
    setattr(model, phase.method, timed(phase.name, getattr(model, phase.method)))
model.run({steps})
wall = time.perf_counter() - start
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({{"wall": wall, "rss": rss, "phases": spent, "kernels": kernels.backend()}}))
"""

#: One thread for every numeric library: runs are one per core.
THREADS = {k: "1" for k in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")}


def one_run(n: int, seed: int) -> dict:
    code = TIMED.format(n=n, seed=seed, steps=STEPS)
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, **THREADS},
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def measure(n: int, repeat: int) -> dict:
    runs = [one_run(n, seed) for seed in range(repeat)]
    names = list(runs[0]["phases"])
    per_month = {p: statistics.median(r["phases"][p] for r in runs) / STEPS for p in names}
    return {
        "developers": n,
        "wall": statistics.median(r["wall"] for r in runs),
        "rss": max(r["rss"] for r in runs),
        "phases": per_month,
        "kernels": runs[0]["kernels"],
    }


def cost_model(results: list[dict]) -> tuple[float, float]:
    """Fixed ms per month and ns per developer-month, least squares over the sizes."""
    n = np.array([r["developers"] for r in results], dtype=float)
    ms = np.array([r["wall"] / STEPS * 1e3 for r in results])
    if len(n) < 2:
        return float(ms[0]), float("nan")
    slope, fixed = np.polyfit(n, ms, 1)
    return float(fixed), float(slope * 1e6)


def table(results: list[dict], repeat: int) -> str:
    names = list(results[0]["phases"])
    head = "| phase | " + " | ".join(f"{r['developers']:,} devs" for r in results) + " |"
    lines = [head, "|---|" + "---|" * len(results)]
    for p in names:
        cells = " | ".join(f"{r['phases'][p] * 1e3:.3f}" for r in results)
        lines.append(f"| {p} | {cells} |")
    total = " | ".join(f"**{sum(r['phases'].values()) * 1e3:.2f}**" for r in results)
    lines.append(f"| all phases | {total} |")
    run = " | ".join(f"{r['wall']:.3f} s" for r in results)
    lines.append(f"| whole 120-month run | {run} |")
    rss = " | ".join(f"{r['rss']:.0f} MiB" for r in results)
    lines.append(f"| peak RSS | {rss} |")
    fixed, per_dev = cost_model(results)
    when = datetime.date.today().isoformat()
    return "\n".join(
        [
            f"Milliseconds per month (median of {repeat} runs in fresh processes, "
            f"`{results[0]['kernels']}` kernels, {platform.python_version()}, "
            f"measured {when} by `benchmarks/phases.py`):",
            "",
            *lines,
            "",
            f"Cost model fitted over these sizes: about **{fixed:.2f} ms per month fixed plus "
            f"{per_dev:.0f} ns per developer-month**.",
        ]
    )


def write(path: Path, text: str) -> None:
    doc = path.read_text(encoding="utf-8")
    if START not in doc or END not in doc:
        raise SystemExit(f"{path}: no {START} ... {END} markers to write between")
    head, rest = doc.split(START, 1)
    _, tail = rest.split(END, 1)
    path.write_text(f"{head}{START}\n{text}\n{END}{tail}", encoding="utf-8")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--developers", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--write", type=Path, help="replace the phase table in this file")
    args = parser.parse_args(argv)
    results = []
    for n in args.developers:
        results.append(measure(n, args.repeat))
        print(f"{n:>9,} developers: {results[-1]['wall']:.3f} s a run", file=sys.stderr)
    text = table(results, args.repeat)
    print(text)
    if args.write:
        write(args.write, text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
