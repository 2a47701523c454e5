"""What the facts pin down: each parameter's posterior against its prior, and the
quantities' distributions over draws x seeds against their bands.

A parameter's **width ratio** is the width of its posterior's middle 90% over the width of
its prior's middle 90% (on a log scale for log-uniform priors). Below :data:`IDENTIFIED`
the facts pin it down; above :data:`UNIDENTIFIED` they say little about it (the posterior
is nearly the prior), and every answer is reported across its draws for that reason.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from aimarket.experiments.analysis import stats
from aimarket.experiments.analysis import targets as tg
from aimarket.experiments.analysis.calibrate import abc, answers, problem

IDENTIFIED = 0.5
UNIDENTIFIED = 0.8
_TAIL = (1 - answers.LEVEL) / 2


def verdict(ratio: float) -> str:
    if ratio < IDENTIFIED:
        return "identified"
    return "not identified" if ratio > UNIDENTIFIED else "weakly identified"


def parameters(inference: abc.Inference) -> pd.DataFrame:
    """One row per calibrated parameter: prior range, posterior median and 90% interval,
    width ratio and verdict."""
    rows = []
    for u in problem.records():
        x = inference.population[u.name].to_numpy(dtype=float)
        lo, hi = stats.weighted_quantiles(x, inference.weights, (_TAIL, 1 - _TAIL))
        f = np.log if u.log_scale else (lambda v: v)
        prior_width = (1 - 2 * _TAIL) * (f(u.hi) - f(u.lo))
        ratio = float((f(hi) - f(lo)) / prior_width)
        rows.append(dict(name=u.name, unit=u.unit, prior=f"{u.lo:g} to {u.hi:g}"
                         + (" (log)" if u.log_scale else ""),
                         median=stats.weighted_median(x, inference.weights), lo=float(lo),
                         hi=float(hi), ratio=ratio, verdict=verdict(ratio),
                         source=u.source))  # fmt: skip
    return pd.DataFrame(rows).set_index("name")


def quantities(
    runs: pd.DataFrame,
    at_median: pd.DataFrame,
    targets: Sequence[tg.Target] = tg.TARGETS,
    prior_runs: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Per target: the posterior predictive 90% interval over draws x seeds (``runs``:
    parameter and seed uncertainty both), the share of those runs in the band and of
    ``prior_runs`` (draws from the prior x seeds), the mean over seeds at the posterior
    median (``at_median``) and whether that mean hits the band."""
    rows = []
    for t in targets:
        lo, hi = stats.spread(runs[t.key], answers.LEVEL)
        mean = float(np.mean(stats.finite(at_median[t.key])))
        prior = float("nan") if prior_runs is None else in_band(prior_runs, t)
        rows.append(dict(key=t.key, band=t.band, name=t.name, sf=t.sf, figure=t.figure,
                         range=t.band_text(), unit=t.unit, lo=lo, hi=hi, mean=mean,
                         in_band=in_band(runs, t), in_band_prior=prior,
                         hit=t.hit(mean), how=t.how))  # fmt: skip
    return pd.DataFrame(rows).set_index("key")


def in_band(runs: pd.DataFrame, target: tg.Target) -> float:
    """The share of ``runs`` whose value of ``target`` lies in its band."""
    return float(np.mean([target.hit(v) for v in runs[target.key]]))


def bands_per_run(runs: pd.DataFrame, targets: Sequence[tg.Target] = tg.TARGETS) -> float:
    """The mean number of bands a single run hits (a band: all its quantities)."""
    if not len(runs):
        return float("nan")
    rows = runs.to_dict(orient="records")
    return float(np.mean([sum(tg.band_hits(r, targets).values()) for r in rows]))


def joint_in_band(runs: pd.DataFrame, targets: Sequence[tg.Target] = tg.TARGETS) -> float:
    """The share of ``runs`` inside every band at once."""
    hits = np.ones(len(runs), dtype=bool)
    for t in targets:
        hits &= np.array([t.hit(v) for v in runs[t.key]], dtype=bool)
    return float(hits.mean()) if len(runs) else float("nan")


def bands_hit(table: pd.DataFrame) -> dict[str, bool]:
    """Per band: every one of its quantities' means hits."""
    return tg.band_hits(table["mean"].to_dict(), [tg.by_key(k) for k in table.index])


def limits(values: Mapping[str, float]) -> list[str]:
    """Calibrated values outside their record's range (acceptance: none)."""
    out = []
    for u in problem.records():
        v = float(values[u.name])
        if not u.lo <= v <= u.hi:
            out.append(f"{u.name} = {v:g} outside {u.lo:g} to {u.hi:g}")
    return out
