"""Sensitivity indices by SALib, as tidy frames with the project's intervals.

* :func:`sobol_indices`: first-order (S1) and total (ST) Sobol indices with percentile
  bootstrap intervals (the spread of SALib's resamples), and second-order (S2) on request
  with SALib's half-width. Needs a ``saltelli`` design's values in design order.
* :func:`convergence`: the indices at N base points against those at N/2 (the first
  half of Saltelli's blocks is itself a Saltelli design of N/2), per input, and whether
  their intervals overlap (no check below N = 4).
* :func:`morris_indices`: elementary effects (mu, mu*, sigma) with mu*'s interval.

One row per input (S2: per pair) with columns ``input``, ``index``, ``value``, ``lo``,
``hi``; intervals at :data:`~aimarket.experiments.analysis.stats.LEVEL`.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd
from SALib.analyze import morris as morris_analyzer
from SALib.analyze import sobol as sobol_analyzer

from aimarket.experiments.analysis import stats
from aimarket.experiments.engine.designs import MORRIS_LEVELS
from aimarket.simulation.errors import ScenarioError

#: Bootstrap resamples of every index (SALib's default is 100).
RESAMPLES = 500
COLUMNS = ["input", "index", "value", "lo", "hi"]


def block(problem: dict[str, Any]) -> int:
    """Rows per base point of Saltelli's sample with second order: 2 d + 2."""
    return 2 * problem["num_vars"] + 2


def base_points(problem: dict[str, Any], y: np.ndarray) -> int:
    """N, the number of base points behind ``y``; a ScenarioError if ``y`` does not fit."""
    size = block(problem)
    if len(y) % size or not len(y):
        raise ScenarioError(
            f"{len(y)} values do not form a Saltelli design of {problem['num_vars']} inputs "
            f"(a multiple of {size} is needed)"
        )
    return len(y) // size


def sobol_indices(
    problem: dict[str, Any],
    y: np.ndarray,
    *,
    second_order: bool = False,
    level: float = stats.LEVEL,
    resamples: int = RESAMPLES,
    seed: int = 0,
) -> pd.DataFrame:
    """S1 and ST (and S2 if ``second_order``) of ``y``, values in Saltelli's order."""
    base_points(problem, y)
    y = np.asarray(y, dtype=float)
    if not np.all(np.isfinite(y)):
        raise ScenarioError("the outcome has non-finite values; Sobol indices need all of them")
    if np.var(y) == 0:
        raise ScenarioError("the outcome does not vary across the design: no indices to give")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        raw = sobol_analyzer.analyze(
            problem,
            y,
            calc_second_order=True,
            num_resamples=resamples,
            conf_level=level,
            keep_resamples=True,
            seed=seed + 1,  # SALib ignores a seed of 0 (unseeded): shift it
        )
    rows = []
    for k, name in enumerate(problem["names"]):
        for index in ("S1", "ST"):
            lo, hi = stats.spread(raw[f"{index}_conf_all"][:, k], level)
            rows.append((name, index, float(raw[index][k]), lo, hi))
    if second_order:
        names = problem["names"]
        for i in range(len(names)):
            for j in range(i + 1, len(names)):
                value = float(raw["S2"][i, j])
                rows.append((f"{names[i]} x {names[j]}", "S2", value,
                             *stats.around(value, raw["S2_conf"][i, j])))  # fmt: skip
    return pd.DataFrame(rows, columns=COLUMNS)


def convergence(
    problem: dict[str, Any], y: np.ndarray, level: float = stats.LEVEL, seed: int = 0
) -> pd.DataFrame:
    """S1 and ST at N and at N/2, per input, and whether their intervals overlap."""
    n = base_points(problem, y)
    if n < 4:  # no check: the columns are there, empty
        frame = sobol_indices(problem, y, level=level, seed=seed)
        frame[["value_half", "lo_half", "hi_half"]] = np.nan
        frame["agree"] = pd.NA
        frame.attrs.update(n=n, n_half=n // 2)
        return frame
    half = n // 2 * block(problem)
    full = sobol_indices(problem, y, level=level, seed=seed)
    part = sobol_indices(problem, np.asarray(y)[:half], level=level, seed=seed)
    merged = full.merge(part, on=["input", "index"], suffixes=("", "_half"))
    merged["agree"] = (merged["lo"] <= merged["hi_half"]) & (merged["lo_half"] <= merged["hi"])
    merged.attrs.update(n=n, n_half=n // 2)
    return merged


def morris_indices(
    problem: dict[str, Any],
    x: np.ndarray,
    y: np.ndarray,
    *,
    level: float = stats.LEVEL,
    resamples: int = RESAMPLES,
    seed: int = 0,
) -> pd.DataFrame:
    """mu, mu* (with its interval) and sigma of the elementary effects, per input."""
    y = np.asarray(y, dtype=float)
    d = problem["num_vars"]
    if len(y) % (d + 1) or not len(y):
        raise ScenarioError(
            f"{len(y)} values do not form Morris trajectories of {d} inputs "
            f"(a multiple of {d + 1} is needed)"
        )
    if not np.all(np.isfinite(y)):
        raise ScenarioError("the outcome has non-finite values; elementary effects need all")
    raw = morris_analyzer.analyze(
        problem,
        np.asarray(x, dtype=float),
        y,
        num_resamples=resamples,
        conf_level=level,
        num_levels=MORRIS_LEVELS,
        seed=seed + 1,
    )
    rows = []
    for k, name in enumerate(problem["names"]):
        mu_star = float(raw["mu_star"][k])
        rows.append((name, "mu_star", mu_star, *stats.around(mu_star, raw["mu_star_conf"][k])))
        rows.append((name, "mu", float(raw["mu"][k]), np.nan, np.nan))
        rows.append((name, "sigma", float(raw["sigma"][k]), np.nan, np.nan))
    return pd.DataFrame(rows, columns=COLUMNS)
