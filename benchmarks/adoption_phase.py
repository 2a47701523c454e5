"""The adoption phase (phase 5) and the whole run, this tree against a commit.

    .venv/bin/python benchmarks/adoption_phase.py [--commit 4c63a84] [--repeat 5]
        [--developers 10000 100000 1000000] [--footprint]

Each run is ``MarketModel(load_scenario("baseline", {"developers.count": N}), rng=k)
.run(120)`` in a fresh process (construction included, imports and frames excluded),
alternating this tree and the commit (exported as ``benchmarks/compare_commit.py`` does),
so that a busy moment of the machine hits both alike. Prints per N the medians of the
adoption phase's milliseconds a month and of the whole run, their ratios, and the peak
resident memory (``getrusage``) of each. Each process first runs a 2-month model of 100
developers, untimed: numba's start-up (its import and the kernels loaded from its cache,
about a second) is a cost of the process, not of the run. ``--footprint`` prints numba's
own memory: the resident set after importing aimarket, after ``import numba``, and after
a small run (kernels compiled or loaded from the cache), against the numpy backend.
Targets live in docs/performance.md, never in tests.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from compare_commit import REPO, export

TIMED = """
import json, resource, time
import aimarket
from aimarket import MarketModel, load_scenario
# numba's start-up (import, kernels loaded from its cache) is paid here, untimed
MarketModel(load_scenario("baseline", {{"developers.count": 100}}), rng=0).run(2)
start = time.perf_counter()
model = MarketModel(load_scenario("baseline", {{"developers.count": {n}}}), rng={seed})
phase, spent = model.adoption, [0.0]
def adoption():
    t = time.perf_counter()
    phase()
    spent[0] += time.perf_counter() - t
model.adoption = adoption
model.run(120)
wall = time.perf_counter() - start
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({{"wall": wall, "adoption": spent[0] / 120, "rss": rss,
                  "from": aimarket.__file__}}))
"""

FOOTPRINT = """
import json, sys
def rss():
    with open("/proc/self/status") as fh:
        line = next(x for x in fh if x.startswith("VmRSS"))
    return int(line.split()[1]) / 1024
from aimarket import MarketModel, load_scenario
from aimarket.simulation.mechanics import kernels
out = {"aimarket": rss()}
if kernels.backend() == "numba":
    import numba
    out["import numba"] = rss()
MarketModel(load_scenario("baseline", {"developers.count": 1000}), rng=1).run(2)
out["a 2-month run"] = rss()
out["numba imported"] = "numba" in sys.modules
print(json.dumps(out))
"""


def child(code: str, tree: str) -> dict:
    env = {**os.environ, "PYTHONPATH": tree} if tree else dict(os.environ)
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd="/", env=env
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def compare(old_tree: str, n: int, repeat: int) -> None:
    runs: dict[str, list[dict]] = {"this": [], "then": []}
    for k in range(repeat):
        for name, tree in (("this", ""), ("then", old_tree)):
            run = child(TIMED.format(n=n, seed=k + 1), tree)
            assert (old_tree if tree else str(REPO)) in run["from"], run["from"]
            runs[name].append(run)

    def median(name: str, key: str) -> float:
        return statistics.median(r[key] for r in runs[name])

    a, b = 1000 * median("this", "adoption"), 1000 * median("then", "adoption")
    w, v = median("this", "wall"), median("then", "wall")
    ra, rb = (max(r["rss"] for r in runs[x]) for x in ("this", "then"))
    print(
        f"{n:>10,} {a:>9.2f} {b:>9.2f} {a / b:>6.2f} {w:>8.2f} {v:>8.2f} {w / v:>6.2f}"
        f" {ra:>7.0f} {rb:>7.0f}",
        flush=True,
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--commit", default="4c63a84")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--developers", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--footprint", action="store_true", help="numba's memory, then exit")
    args = parser.parse_args(argv)
    if args.footprint:
        for name in ("numpy", "numba"):
            os.environ["AIMARKET_KERNELS"] = name
            print(f"AIMARKET_KERNELS={name}, resident MiB after:", child(FOOTPRINT, ""))
        return
    with tempfile.TemporaryDirectory() as tmp:
        old_tree = str(export(args.commit, Path(tmp)))
        print(f"this tree vs {args.commit}: medians of {args.repeat} runs of 120 months")
        print(
            f"{'developers':>10} {'adopt ms':>9} {'then ms':>9} {'ratio':>6}"
            f" {'run s':>8} {'then s':>8} {'ratio':>6} {'RSS MiB':>7} {'then':>7}"
        )
        for n in args.developers:
            compare(old_tree, n, args.repeat)


if __name__ == "__main__":
    main()
