"""This tree against an earlier commit, side by side in one benchmark run.

    .venv/bin/python benchmarks/compare_commit.py [--commit ec6fa75] [--repeat 7]
        [--developers 10000 100000 1000000]

Times ``MarketModel(load_scenario("baseline", {"developers.count": N}), rng=k).run(120)``
(construction included, imports and frames excluded) for each N, in a fresh process per
run, alternating this tree and the commit so that a busy moment of the machine hits both
alike; prints the median of ``--repeat`` runs of each and their ratio, and each run's
peak resident memory. The commit's code is exported with ``git archive`` into a
temporary folder and imported from there (PYTHONPATH puts it ahead of the editable
install; each run checks which copy it imported).
Targets live in docs/performance.md, never in tests.
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
#: The package's parts and the folders that hold them (pyproject's package-dir).
PARTS = ("agents", "dashboard", "experiments", "simulation")

TIMED = """
import json, resource, time
from aimarket import MarketModel, load_scenario
import aimarket
start = time.perf_counter()
MarketModel(load_scenario("baseline", {{"developers.count": {n}}}), rng={seed}).run(120)
wall = time.perf_counter() - start
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({{"wall": wall, "rss": rss, "from": aimarket.__file__}}))
"""


def export(commit: str, into: Path) -> Path:
    """The commit's files under ``into``, laid out as the installed package."""
    archive = into / "tree.tar"
    subprocess.run(
        ["git", "-C", str(REPO), "archive", "--format=tar", "-o", str(archive), commit],
        check=True,
    )
    src = into / "src"
    with tarfile.open(archive) as tar:
        tar.extractall(src, filter="data")
    package = into / "pkg" / "aimarket"
    package.mkdir(parents=True)
    for item in (src / "aimarket").iterdir():
        (package / item.name).symlink_to(item)
    for part in PARTS:  # (since 7890787 the package links them itself)
        if (src / part).is_dir() and not (package / part).exists():
            (package / part).symlink_to(src / part)
    return into / "pkg"


def timed(tree: str, n: int, seed: int) -> dict:
    """One timed run in a fresh process: of this tree, or (``tree``) of the exported
    commit, which PYTHONPATH puts ahead of the editable install."""
    env = {**os.environ, "PYTHONPATH": tree} if tree else dict(os.environ)
    out = subprocess.run(
        [sys.executable, "-c", TIMED.format(n=n, seed=seed)],
        capture_output=True, text=True, check=True, cwd="/", env=env,
    )  # fmt: skip
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--commit", default="ec6fa75")
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--developers", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        old_tree = str(export(args.commit, Path(tmp)))
        print(f"this tree vs {args.commit}: median of {args.repeat} runs of 120 months")
        print(f"{'developers':>10} {'this (s)':>9} {'then (s)':>9} {'ratio':>6} {'RSS MiB':>8}")
        for n in args.developers:
            now, then, rss = [], [], []
            for k in range(args.repeat):
                new = timed("", n, k + 1)
                assert str(REPO) in new["from"], new["from"]
                old = timed(old_tree, n, k + 1)
                assert old_tree in old["from"], old["from"]
                now.append(new["wall"])
                then.append(old["wall"])
                rss.append(new["rss"])
            a, b = statistics.median(now), statistics.median(then)
            print(f"{n:>10,} {a:>9.3f} {b:>9.3f} {a / b:>6.2f} {max(rss):>8.0f}", flush=True)


if __name__ == "__main__":
    main()
