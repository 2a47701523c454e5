"""Sensitivity indices by SALib, as tidy frames with the project's intervals.

* :func:`sobol_indices`: first-order (S1) and total (ST) Sobol indices with percentile
  bootstrap intervals (the spread of SALib's resamples), and second-order (S2) on request
  with SALib's half-width. Needs a ``saltelli`` design's values in design order.
* :func:`convergence`: the indices at N base points against those at N/2 (the first
  half of Saltelli's blocks is itself a Saltelli design of N/2), per input, whether their
  intervals overlap, and whether each index is converged (:data:`RANGE`,
  :data:`MAX_HALF_WIDTH`, :data:`MAX_SHIFT`; never below N = 4, which has no N/2 check).
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
#: A Sobol index is converged when its estimate lies in RANGE (an index is a share of
#: variance: beyond it the estimate is noise), its interval's half-width is at most
#: MAX_HALF_WIDTH, and it moves at most MAX_SHIFT between N/2 and N base points.
RANGE = (-0.05, 1.05)
MAX_HALF_WIDTH = 0.1
MAX_SHIFT = 0.05
#: The verdict when any S1 or ST is not converged.
NOT_CONVERGED = "not converged: too few samples, increase n"
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
    """S1 and ST at N and at N/2, per input: whether their intervals overlap (``agree``),
    the interval's ``half_width``, the ``shift`` from N/2 to N, and ``converged``."""
    n = base_points(problem, y)
    if n < 4:  # no N/2 to compare with: the columns are there, empty, and not converged
        merged = sobol_indices(problem, y, level=level, seed=seed)
        merged[["value_half", "lo_half", "hi_half"]] = np.nan
        merged["agree"] = pd.NA
    else:
        half = n // 2 * block(problem)
        full = sobol_indices(problem, y, level=level, seed=seed)
        part = sobol_indices(problem, np.asarray(y)[:half], level=level, seed=seed)
        merged = full.merge(part, on=["input", "index"], suffixes=("", "_half"))
        merged["agree"] = (merged["lo"] <= merged["hi_half"]) & (merged["lo_half"] <= merged["hi"])
    merged.attrs.update(n=n, n_half=n // 2)
    return judge(merged)


def judge(frame: pd.DataFrame) -> pd.DataFrame:
    """Add each index's ``half_width``, its ``shift`` from N/2 (``value_half``) and
    whether it is ``converged``; a NaN (no N/2, no interval) is never converged."""
    frame["half_width"] = (frame["hi"] - frame["lo"]) / 2
    frame["shift"] = (frame["value"] - frame["value_half"]).abs()
    frame["converged"] = (
        frame["value"].between(*RANGE)
        & (frame["half_width"] <= MAX_HALF_WIDTH)
        & (frame["shift"] <= MAX_SHIFT)
    )
    return frame


def verdict(frame: pd.DataFrame) -> str:
    """``converged``, or :data:`NOT_CONVERGED` and why, for the S1 and ST rows of a
    :func:`convergence` frame (or a table holding its columns)."""
    first = frame[frame["index"].isin(["S1", "ST"])]
    n = frame.attrs.get("n", 0)
    if first["converged"].astype(bool).all():
        return "converged"
    lo, hi = RANGE
    counts = [
        (~first["value"].between(lo, hi), f"outside [{lo}, {hi}]"),
        (~(first["half_width"] <= MAX_HALF_WIDTH), f"with a half-width over {MAX_HALF_WIDTH}"),
        (first["shift"] > MAX_SHIFT, f"moving more than {MAX_SHIFT} from N = {n // 2}"),
    ]
    why = [f"{int(mask.sum())} {text}" for mask, text in counts if mask.any()]
    if first["shift"].isna().all():
        why.append("no N/2 check below N = 4")
    return f"{NOT_CONVERGED} (N = {n}, {len(first)} indices: {'; '.join(why)})"


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
