"""How fast the command line answers ``--help``: wall time of ``aimarket --help``,
``aimarket run --help`` and ``aimarket sweep --help``, each a fresh process.

    .venv/bin/python benchmarks/cli_startup.py [--repeat 7]

Prints the median and the fastest of ``--repeat`` runs per command. The target (at most
0.5 s on a quiet machine, issue 25) is in ``docs/performance.md``; the package loads its
exports lazily (``aimarket.lazy``) and the command modules import the model, numpy and
pandas only inside the commands, so ``--help`` loads none of them.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

COMMANDS = (["--help"], ["run", "--help"], ["sweep", "--help"], ["report", "--help"])


def entry_point() -> list[str]:
    """The ``aimarket`` script next to this interpreter, else ``python -m aimarket``."""
    script = Path(sys.executable).with_name("aimarket")
    if script.exists():
        return [str(script)]
    found = shutil.which("aimarket")
    return [found] if found else [sys.executable, "-m", "aimarket"]


def timed(argv: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    command = entry_point()
    for extra in COMMANDS:
        times = [timed([*command, *extra]) for _ in range(args.repeat)]
        label = " ".join(["aimarket", *extra])
        print(f"{label:<24} median {statistics.median(times):.3f} s, fastest {min(times):.3f} s")


if __name__ == "__main__":
    main()
