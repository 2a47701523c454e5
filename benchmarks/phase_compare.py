"""Time per phase per month, this tree against an earlier commit, runs interleaved.

    .venv/bin/python benchmarks/phase_compare.py [--commit 4c63a84] [--repeat 5]
        [--developers 10000] [--scenario baseline]

Each run is one ``MarketModel(load_scenario(scenario, {"developers.count": N}), rng=k)``
stepped 120 months in a fresh process, each phase of ``MarketModel.PHASES`` timed on the
thread's CPU clock (``time.thread_time``: time the process waits for a busy core is not
counted), and, inside funding and innovation, the newcomer valuation
(``funding.expected_gross_profit``, whose price solve is pricing's: row ``newcomer``,
and the three phases together with and without it). Runs alternate this
tree and the commit (exported with ``git archive``, imported ahead of the editable
install by PYTHONPATH); the table gives each one's
median ms per month and the median of the paired ratios (this / then). Targets live in
docs/performance.md, never in tests.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

TIMED = """
import json, time
from collections import defaultdict
from aimarket import MarketModel, load_scenario
from aimarket.simulation import funding
import aimarket
clock, acc = time.thread_time, defaultdict(float)
valued = funding.expected_gross_profit
def timed(*args):
    start = clock(); out = valued(*args); acc["newcomer"] += clock() - start
    return out
funding.expected_gross_profit = timed
model = MarketModel(load_scenario({scenario!r}, {{"developers.count": {n}}}), rng={seed})
for _ in range(120):
    model.steps += 1  # as Mesa's step does, before the phases
    for phase in model.PHASES:
        start = clock(); getattr(model, phase.method)(); acc[phase.name] += clock() - start
acc["step"] = sum(acc[p.name] for p in model.PHASES)
acc["fund+inn+settle"] = acc["funding"] + acc["innovation"] + acc["settlement"]
acc["same - newcomer"] = acc["fund+inn+settle"] - acc.pop("newcomer")
acc["newcomer"] = acc["fund+inn+settle"] - acc["same - newcomer"]
ms = {{k: 1e3 * v / 120 for k, v in acc.items()}}
print(json.dumps({{"ms": ms, "from": aimarket.__file__}}))
"""


def export(commit: str, into: Path) -> str:
    """The commit's files under ``into`` (its ``aimarket`` folder links to its parts)."""
    archive = into / "tree.tar"
    subprocess.run(
        ["git", "-C", str(REPO), "archive", "--format=tar", "-o", str(archive), commit],
        check=True,
    )
    with tarfile.open(archive) as tar:
        tar.extractall(into / "src", filter="data")
    return str(into / "src")


def run(tree: str, scenario: str, n: int, seed: int) -> dict:
    env = {**os.environ, "PYTHONPATH": tree} if tree else dict(os.environ)
    out = subprocess.run(
        [sys.executable, "-c", TIMED.format(scenario=scenario, n=n, seed=seed)],
        capture_output=True, text=True, check=True, cwd="/", env=env,
    )  # fmt: skip
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert (tree or str(REPO)) in result["from"], result["from"]
    return result["ms"]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--commit", default="4c63a84")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--developers", type=int, default=10_000)
    parser.add_argument("--scenario", default="baseline")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        old_tree = export(args.commit, Path(tmp))
        pairs = []
        for k in range(args.repeat):
            now = run("", args.scenario, args.developers, k + 1)
            then = run(old_tree, args.scenario, args.developers, k + 1)
            pairs.append((now, then))
    print(f"{args.scenario}, {args.developers:,} developers, this tree vs {args.commit}: "
          f"ms per month (thread CPU time), median of {args.repeat} interleaved runs")  # fmt: skip
    print(f"{'phase':>12} {'this':>7} {'then':>7} {'ratio':>6}")
    for name in pairs[0][0]:
        now = [a[name] for a, _ in pairs]
        then = [b[name] for _, b in pairs]
        ratio = statistics.median(a / b for a, b in zip(now, then, strict=True) if b > 0)
        row = f"{name:>12} {statistics.median(now):>7.3f} {statistics.median(then):>7.3f}"
        print(f"{row} {ratio:>6.2f}")


if __name__ == "__main__":
    main()
