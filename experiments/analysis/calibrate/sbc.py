"""Simulation-based calibration of the inference (Talts et al. 2018): does it find a truth?

    python -m aimarket.experiments.analysis.calibrate.sbc --truths 50

Each synthetic truth is a parameter set drawn from the prior. Its targets are simulated
(the calibration's simulator, on seeds of its own), the bands are moved to them (a band
keeps its width around its published figure: shifted for a linear quantity, scaled for
a log-scale one), and the inference runs on them at a reduced budget. A parameter's 50%
and 90% posterior intervals should cover the truth in about 50% and 90% of the truths;
a coarse threshold makes the posterior wider, so coverage above the nominal level means
a cautious inference, below it an overconfident one.

Results are appended truth by truth to ``simulation/data/sbc.csv`` (a killed run resumes
at the next truth); ``docs/calibration.md`` shows the coverage table from it.
"""

from __future__ import annotations

import argparse
import math
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd

from aimarket.experiments.analysis import stats
from aimarket.experiments.analysis import targets as tg
from aimarket.experiments.analysis.calibrate import abc, problem
from aimarket.experiments.analysis.tables import markdown_table
from aimarket.simulation.files import atomic_write_bytes
from aimarket.simulation.scenarios import DATA
from aimarket.simulation.uncertainties import UNCERTAINTIES

SBC = DATA / "sbc.csv"
ROOT = 20240901
#: The reduced budget of one truth's inference: fixed generations (not minutes), so the
#: result does not depend on how loaded the machine is.
REDUCED = abc.Budget(population=100, generations=5, minutes=30.0, developers=1000,
                     replicates=1, max_moves=4, min_acceptance=0.0)  # fmt: skip
LEVELS = (0.5, 0.9)


def truth(i: int) -> np.ndarray:
    """Synthetic truth ``i`` on the unit cube (uniform: a draw from the prior)."""
    return np.random.default_rng([ROOT, i]).random(len(problem.records()))


def synthetic_targets(observed: dict[str, float]) -> list[tg.Target]:
    """The targets with each band moved to the simulated value (dropped when undefined)."""
    out = []
    for t in tg.TARGETS:
        y = observed.get(t.key, math.nan)
        if not math.isfinite(y) or (t.log and y <= 0):
            continue
        if t.log:
            k = y / t.value
            out.append(replace(t, value=y, lo=t.lo * k, hi=t.hi * k))
        else:
            out.append(replace(t, value=y, lo=y + t.lo - t.value, hi=y + t.hi - t.value))
    return out


def one(i: int, store: Path, budget: abc.Budget) -> list[dict]:
    """Run truth ``i``: one row per parameter with its coverage at each level."""
    u = truth(i)
    values = abc.to_values(u[None, :]).iloc[0].to_dict()
    sim = problem.Simulator(developers=budget.developers, root=ROOT + 7919 * i,
                            replicates=budget.replicates)  # fmt: skip
    targets = synthetic_targets(sim(values))
    fit = abc.infer(store / f"truth-{i:03d}", targets, budget, log=lambda *_: None)
    cube = abc.to_cube(fit.population)
    rows = []
    for j, rec in enumerate(problem.records()):
        row = {"truth": i, "parameter": rec.name, "value": float(values[rec.name]),
               "generations": len(fit.generations), "targets": len(targets)}  # fmt: skip
        for level in LEVELS:
            lo, hi = stats.weighted_quantiles(cube[:, j], fit.weights,
                                              ((1 - level) / 2, (1 + level) / 2))  # fmt: skip
            row[f"covered_{int(level * 100)}"] = bool(lo <= u[j] <= hi)
            row[f"width_{int(level * 100)}"] = float(hi - lo)
        rows.append(row)
    return rows


def coverage(frame: pd.DataFrame) -> pd.DataFrame:
    """Per parameter: the share of truths each interval covers, with a 90% Wilson
    interval (scipy), and the mean width of the 90% interval on the unit scale."""
    rows = []
    for name, g in frame.groupby("parameter", sort=True):
        row = {"parameter": name, "truths": len(g)}
        for level in LEVELS:
            k = int(g[f"covered_{int(level * 100)}"].sum())
            lo, hi = stats.proportion_interval(k, len(g))
            row[f"{int(level * 100)}%"] = k / len(g)
            row[f"{int(level * 100)}% interval"] = f"{lo:.2f}-{hi:.2f}"
        row["90% width / prior"] = float(g["width_90"].mean())
        rows.append(row)
    return pd.DataFrame(rows)


def table(path: Path = SBC) -> str:
    """The committed coverage table (Markdown), or a line saying it has not been run."""
    if not path.exists():
        return "Not run yet: `python -m aimarket.experiments.analysis.calibrate.sbc`."
    frame = pd.read_csv(path)
    c = coverage(frame)
    shown = c.assign(**{k: c[k].map(lambda x: f"{x:.0%}") for k in ("50%", "90%")})
    shown["90% width / prior"] = c["90% width / prior"].map(lambda x: f"{x:.2f}")
    shown["parameter"] = "`" + shown["parameter"] + "`"
    pairs = zip(c["parameter"], c["90%"], strict=True)
    shown["verdict"] = [_verdict(name, share) for name, share in pairs]
    n = frame["truth"].nunique()
    return (
        f"{n} synthetic truths drawn from the prior, each fitted at a reduced budget "
        f"(population {REDUCED.population}, {REDUCED.generations} generations of at most "
        f"{REDUCED.max_moves} moves, one run of {REDUCED.developers:,} developers per "
        "particle): a coarse threshold, so wide intervals; nominal coverage 50% and 90%."
        + _since(set(c["parameter"]))
        + "\n\n"
        + markdown_table(shown)
        + _pending(c)
    )


def _pending(c: pd.DataFrame) -> str:
    """A sentence naming the calibrated parameters that under-cover but are not demoted."""
    calibrated = {u.name for u in problem.records()}
    names = [n for n, share in zip(c["parameter"], c["90%"], strict=True)
             if share < 0.75 and n in calibrated]  # fmt: skip
    if not names:
        return ""
    return (
        f"\n\nStill calibrated though they under-cover: {', '.join(f'`{n}`' for n in names)}. "
        "Demoting a parameter changes the calibrated set, so it waits for the next refit "
        "(and a new run of this check on the set that refit calibrates)."
    )


def _verdict(name: str, share: float) -> str:
    """Covers, under-covers, or was demoted to an assumption for under-covering."""
    if share >= 0.75:
        return "covers"
    if name in UNCERTAINTIES and UNCERTAINTIES[name].demoted:
        return "**under-covers**: demoted to an assumption"
    return "**under-covers**"


def _since(run: set[str]) -> str:
    """A sentence naming how the calibrated set changed since the run (empty if not)."""
    now = {u.name for u in problem.records()}
    added, dropped = sorted(now - run), sorted(run - now)
    if not added and not dropped:
        return ""
    parts = []
    if added:
        parts.append("calibrated since, not in this run: " + ", ".join(f"`{n}`" for n in added))
    if dropped:
        parts.append("no longer calibrated: " + ", ".join(f"`{n}`" for n in dropped))
    return (
        " The run is of an earlier calibrated set (" + "; ".join(parts) + "); a new run "
        "starts after moving `simulation/data/sbc.csv` aside."
    )


#: The coverage table's place in docs/calibration.md (sbc rewrites it when it finishes).
BEGIN, END = "<!-- sbc:begin -->", "<!-- sbc:end -->"
DOC = Path(__file__).resolve().parents[3] / "docs" / "calibration.md"


def block(path: Path = SBC) -> str:
    """The coverage table between its markers."""
    return f"{BEGIN}\n{table(path)}\n{END}"


def write_block(doc: Path = DOC, path: Path = SBC) -> bool:
    """Replace the coverage table in ``doc`` (False when the document has no markers)."""
    if not doc.is_file():
        return False
    text = doc.read_text(encoding="utf-8")
    if BEGIN not in text or END not in text:
        return False
    head, rest = text.split(BEGIN, 1)
    tail = rest.split(END, 1)[1]
    atomic_write_bytes(doc, (head + block(path) + tail).encode())
    return True


def main(argv=None) -> int:
    p = argparse.ArgumentParser(
        prog="python -m aimarket.experiments.analysis.calibrate.sbc",
        description="Simulation-based calibration of the inference.",
    )
    p.add_argument("--truths", type=int, default=50, help="synthetic truths (at least 1)")
    p.add_argument("--workers", type=int, default=2, help="processes")
    p.add_argument("--store", type=Path, default=Path("results/sbc"), help="inference stores")
    args = p.parse_args(argv)
    if args.truths < 1 or args.workers < 1:
        p.error("--truths and --workers must be at least 1")
    budget = replace(REDUCED, workers=args.workers)
    done = pd.read_csv(SBC) if SBC.exists() else pd.DataFrame(columns=["truth"])
    if not done.empty and set(done["parameter"]) != {u.name for u in problem.records()}:
        p.exit(2, f"error: {SBC} holds a run of another calibrated set; move it aside to "
                  "start a new one (it cannot be resumed)\n")  # fmt: skip
    t0 = time.perf_counter()
    for i in range(args.truths):
        if i in set(done["truth"]):
            continue
        rows = pd.DataFrame(one(i, args.store, budget))
        done = rows if done.empty else pd.concat([done, rows], ignore_index=True)
        atomic_write_bytes(SBC, done.to_csv(index=False).encode())
        elapsed = (time.perf_counter() - t0) / 60
        print(f"truth {i + 1}/{args.truths}: {elapsed:.1f} min", flush=True)
    print(coverage(done).to_string(index=False))
    if write_block():
        print(f"wrote the coverage table into {DOC}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
