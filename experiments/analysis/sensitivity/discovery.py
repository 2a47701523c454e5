"""Scenario discovery: the boxes of uncertainty space where an outcome crosses a threshold,
found by PRIM (the Patient Rule Induction Method, Friedman and Fisher 1999) as EMA
Workbench implements it (the ``ema`` extra).

PRIM starts from the whole space and peels off thin slices (``peel_alpha`` of the points
at a time) from the side that most raises the share of cases inside the box, tracing a
*peeling trajectory*: each box's *coverage* (the share of all cases it holds) against
its *density* (the share of its points that are cases), down to boxes of 5% of the
points. :func:`choose` picks the box of highest coverage whose density reaches
``min_density`` (ties: the denser one), or the densest box if none does. Each
restricted limit has a quasi-p value: a one-sided binomial test of whether the
restriction raises the density, the chance that a limit this good appears by accident.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from aimarket.simulation.errors import ScenarioError

#: PRIM's defaults here: peel 5% at a time, and the chosen box should be 80% cases.
PEEL_ALPHA = 0.05
MIN_DENSITY = 0.8


@dataclass
class Boxes:
    """A PRIM run: the peeling trajectory and the chosen box."""

    trajectory: pd.DataFrame  # box, coverage, density, mass, restricted
    box: pd.DataFrame  # input, lo, hi, range_lo, range_hi, qp_lo, qp_hi, restricted
    chosen: int
    cases: int
    points: int


def _prim_module():
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            from ema_workbench.analysis import prim  # optional extra (ema)
    except ImportError:
        raise ScenarioError(
            "scenario discovery needs EMA Workbench's PRIM: pip install 'aimarket[ema]'"
        ) from None
    return prim


def prim_boxes(
    x: pd.DataFrame,
    cases: np.ndarray,
    *,
    min_density: float = MIN_DENSITY,
    peel_alpha: float = PEEL_ALPHA,
    bounds: dict[str, tuple[float, float]] | None = None,
) -> Boxes:
    """PRIM on inputs ``x`` (one column per uncertainty) and the boolean ``cases``;
    ``bounds``: each input's range as reported (default: the range of its values)."""
    cases = np.asarray(cases, dtype=bool)
    if not 0 < min_density <= 1:
        raise ScenarioError(f"min density {min_density} must be in (0, 1]")
    if cases.sum() == 0:
        raise ScenarioError("no design point crosses the threshold: nothing to discover")
    if cases.all():
        raise ScenarioError("every design point crosses the threshold: nothing to separate")
    prim = _prim_module()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        # cases are y >= threshold, and find_box keeps its peeled box only if its density
        # reaches the threshold: a tiny one keeps the whole trajectory (see choose)
        finder = prim.Prim(
            x.reset_index(drop=True).astype(float), cases, threshold=1e-9, peel_alpha=peel_alpha
        )
        found = finder.find_box()
    trajectory = found.peeling_trajectory.rename(columns={"id": "box", "res_dim": "restricted"})
    trajectory = trajectory[["box", "coverage", "density", "mass", "restricted"]].copy()
    chosen = choose(trajectory, min_density)
    box = _limits(found, chosen, x, bounds or {})
    return Boxes(trajectory, box, chosen, int(cases.sum()), len(cases))


def choose(trajectory: pd.DataFrame, min_density: float) -> int:
    """The box of highest coverage with density >= ``min_density`` (ties: denser); the
    densest box if none reaches it."""
    dense = trajectory[trajectory["density"] >= min_density]
    if dense.empty:
        return int(trajectory.loc[trajectory["density"].idxmax(), "box"])
    best = dense.sort_values(["coverage", "density"], ascending=[False, False]).iloc[0]
    return int(best["box"])


def _limits(found, chosen: int, x: pd.DataFrame, bounds: dict) -> pd.DataFrame:
    """The chosen box's limits per input, its full range, and each restricted side's
    quasi-p value."""
    lims = found.box_lims[chosen]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _, table = found.inspect(chosen, style="data")[0]
    qp = {row: tuple(table.iloc[k, 2:4]) for k, row in enumerate(table.index)}
    rows = []
    for name in x.columns:
        lo, hi = float(lims.loc[0, name]), float(lims.loc[1, name])
        range_lo, range_hi = bounds.get(name, (float(x[name].min()), float(x[name].max())))
        qp_lo, qp_hi = qp.get(name, (np.nan, np.nan))
        lo = lo if np.isfinite(qp_lo) else range_lo  # an unrestricted side: the whole range
        hi = hi if np.isfinite(qp_hi) else range_hi
        rows.append({
            "input": name, "lo": lo, "hi": hi, "range_lo": range_lo, "range_hi": range_hi,
            "qp_lo": float(qp_lo), "qp_hi": float(qp_hi), "restricted": name in qp,
        })  # fmt: skip
    return pd.DataFrame(rows)
