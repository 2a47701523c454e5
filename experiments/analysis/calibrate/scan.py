"""What the facts can move: a one-at-a-time scan of every uncertain parameter.

    python -m aimarket.experiments.analysis.calibrate.scan --seeds 8 --write

Each uncertainty record is set, alone, to five points across its prior (10%, 30%, 50%,
70% and 90% of its range, on a log scale for a log-scale record), the others kept at the
``timeline``'s values **without the calibration** (``firms.toml`` and the records'
defaults, :func:`uncalibrated`): the scan decides what is calibrated, so it must not
stand on a previous fit's point (one where, say, funds never invest makes every venture
record look inert). Each point runs the calibration's simulation (24 months,
:data:`DEVELOPERS` developers) on the same seeds, and its distance to the facts is the
calibration's (:class:`~aimarket.experiments.analysis.calibrate.problem.Distance`).

A parameter **moves the fit** when the difference between its points of highest and
lowest mean distance exceeds :data:`Z` standard errors of that difference over the common
seeds (the seeds are paired, so the error is of the seed-by-seed differences; picking the
extreme pair out of ten inflates it a little, which the margin of three allows for). The
parameters that move it are calibrated; the others are assumptions with ranges, varied
by the sensitivity study. The committed scan is ``simulation/data/scan.csv``; a test
checks that the records marked ``calibrated`` are exactly those it says move the fit.
"""

from __future__ import annotations

import argparse
import math
import tempfile
import tomllib
from pathlib import Path

import numpy as np
import pandas as pd

from aimarket.experiments.analysis import stats
from aimarket.experiments.analysis import targets as tg
from aimarket.experiments.analysis.calibrate import ensemble, problem
from aimarket.experiments.analysis.tables import markdown_table
from aimarket.simulation.files import atomic_write_bytes
from aimarket.simulation.model import MarketModel
from aimarket.simulation.scenarios import DATA, load_scenario
from aimarket.simulation.uncertainties import UNCERTAINTIES, UncertainParameter

POINTS = (0.1, 0.3, 0.5, 0.7, 0.9)
DEVELOPERS = 2000
Z = 3.0
ROOT = 20240601
#: The committed scan.
SCAN = DATA / "scan.csv"


def point_value(rec: UncertainParameter, q: float) -> float:
    """The value at share ``q`` of a record's range (log scale for a log-scale record)."""
    if rec.log_scale:
        return float(math.exp(math.log(rec.lo) + q * math.log(rec.hi / rec.lo)))
    return float(rec.lo + q * (rec.hi - rec.lo))


def uncalibrated(folder: Path) -> Path:
    """Write into ``folder`` the calibration's scenario (``timeline``) with the chain
    below it rebased from ``calibrated.toml`` onto ``firms.toml``; return its path."""
    scenarios = DATA / "scenarios"
    names = [problem.SCENARIO]
    while True:  # the chain of built-in scenarios down to the calibrated values
        base = tomllib.loads((scenarios / f"{names[-1]}.toml").read_text())["base"]
        if base.endswith("calibrated.toml"):
            break
        names.append(base)
    below = str(DATA / "firms.toml")
    for name in reversed(names):
        text = (scenarios / f"{name}.toml").read_text()
        lines = [f'base = "{below}"' if line.startswith("base =") else line
                 for line in text.splitlines()]  # fmt: skip
        below = str(folder / f"{name}.toml")
        Path(below).write_text("\n".join(lines) + "\n")
    return Path(below)


class ScanJob:
    """The distance of one (record, point, seed) run."""

    def __init__(self, developers: int, scenario: Path):
        self.developers = developers
        self.scenario = str(scenario)

    def __call__(self, job: tuple[str, float, int]) -> dict:
        name, q, seed = job
        rec = UNCERTAINTIES[name]
        value = point_value(rec, q)
        patch = {**{p: value for p in rec.paths}, "developers.count": self.developers}
        model = MarketModel(load_scenario(self.scenario, patch),
                            rng=np.random.SeedSequence(ROOT + seed))  # fmt: skip
        quantities = tg.measure_all(tg.Frames.of(model.run(problem.MONTHS)))
        d = problem.Distance(tg.TARGETS)(quantities)
        return {"parameter": name, "point": q, "value": value, "seed": seed, "distance": d}


def run(seeds: int, developers: int = DEVELOPERS, workers: int = 2) -> pd.DataFrame:
    """Every record x point x seed: one row with its distance."""
    names = sorted(u.name for u in UNCERTAINTIES)
    jobs = [(n, q, s) for n in names for q in POINTS for s in range(seeds)]
    with tempfile.TemporaryDirectory(prefix="aimarket-scan-") as folder:
        job = ScanJob(developers, uncalibrated(Path(folder)))
        return ensemble.frame(ensemble.run_all(job, jobs, workers, "scan"))


def verdicts(runs: pd.DataFrame) -> pd.DataFrame:
    """One row per parameter: the mean distance at its lowest and highest points, their
    paired difference over the seeds, its standard error and whether it moves the fit."""
    rows = []
    for name, g in runs.groupby("parameter", sort=True):
        wide = g.pivot(index="seed", columns="point", values="distance")
        means = wide.mean()
        hi, lo = means.idxmax(), means.idxmin()
        diff = (wide[hi] - wide[lo]).to_numpy()
        se = stats.standard_error(diff) if len(diff) > 1 else math.inf
        effect = float(diff.mean())
        z = effect / se if se > 0 else (math.inf if effect > 0 else 0.0)
        rows.append({"parameter": name, "lowest": float(means[lo]),
                     "highest": float(means[hi]), "effect": effect, "se": se, "z": z,
                     "moves": bool(z > Z)})  # fmt: skip
    return pd.DataFrame(rows)


def movers(path: Path = SCAN) -> set[str]:
    """The parameters the committed scan says move the fit."""
    v = verdicts(pd.read_csv(path))
    return set(v.loc[v["moves"], "parameter"])


def inert(path: Path = SCAN) -> list[str]:
    """The parameters whose runs the committed scan found identical at every point (a
    difference of exactly zero on every seed): they do not act within the fit's window."""
    v = verdicts(pd.read_csv(path))
    return sorted(v.loc[(v["effect"] == 0) & (v["se"] == 0), "parameter"])


def _verdict(name: str, moves: bool) -> str:
    if not moves:
        return "assumption (sensitivity set)"
    if UNCERTAINTIES[name].demoted:
        return "**demoted** to an assumption (see below)"
    return "calibrated"


def table(path: Path = SCAN) -> str:
    """The committed scan as a Markdown table (for ``docs/calibration.md``)."""
    runs = pd.read_csv(path)
    v = verdicts(runs).sort_values("z", ascending=False)
    shown = pd.DataFrame({
        "parameter": "`" + v["parameter"] + "`",
        "mean distance, best point": v["lowest"].map(lambda x: f"{x:.3f}"),
        "mean distance, worst point": v["highest"].map(lambda x: f"{x:.3f}"),
        "difference / its seed SE": v["z"].map(lambda x: f"{x:.1f}"),
        "verdict": [_verdict(n, m) for n, m in zip(v["parameter"], v["moves"], strict=True)],
    })  # fmt: skip
    seeds = runs["seed"].nunique()
    return (
        f"{len(v)} parameters x {len(POINTS)} points x {seeds} common seeds at "
        f"{DEVELOPERS:,} developers; a parameter is calibrated when the difference exceeds "
        f"{Z:g} of its standard errors.\n\n" + markdown_table(shown)
    )


def main(argv=None) -> int:
    p = argparse.ArgumentParser(
        prog="python -m aimarket.experiments.analysis.calibrate.scan",
        description="One-at-a-time scan of the fit's distance.",
    )
    p.add_argument("--seeds", type=int, default=8, help="common seeds per point (at least 2)")
    p.add_argument("--workers", type=int, default=2, help="processes")
    p.add_argument("--write", action="store_true", help=f"write {SCAN.name} into the data")
    args = p.parse_args(argv)
    if args.seeds < 2 or args.workers < 1:
        p.error("--seeds must be at least 2 and --workers at least 1")
    runs = run(args.seeds, workers=args.workers)
    v = verdicts(runs)
    print(v.sort_values("z", ascending=False).to_string(index=False))
    if args.write:
        atomic_write_bytes(SCAN, runs.to_csv(index=False, float_format="%.6g").encode())
        print(f"wrote {SCAN}: {int(v['moves'].sum())} of {len(v)} parameters move the fit")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
