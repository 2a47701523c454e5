"""A policy search's tidy tables: ``runs`` (one row per candidate and seed) and
``evaluations`` (one row per candidate: each objective's mean over the common seeds, its
standard deviation and 95% seed band, and whether it is the best candidate or on the
Pareto front of the means)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from aimarket.experiments.analysis import stats

if TYPE_CHECKING:
    from aimarket.experiments.strategy.search_spec import Problem


def runs_frame(problem: Problem, records: list[dict[str, Any]]) -> pd.DataFrame:
    """One row per evaluation and seed (replicate r: the same seed for every candidate);
    a failed evaluation is one row with state ``failed`` and no objective values."""
    levers = [lever.name for lever in problem.levers]
    rows = []
    for rec in records:
        head = {"evaluation": rec["index"], **rec["params"]}
        values = rec["values"]
        if values is None or values.isna().any().any():
            rows.append({**head, "replicate": -1, "state": "failed"})
            continue
        for rep, row in values.iterrows():
            rows.append({**head, "replicate": int(rep), "state": "ok", **row.to_dict()})
    columns = ["evaluation", *levers, "replicate", "state", *problem.names]
    return pd.DataFrame(rows, columns=columns)


def evaluation_frame(problem: Problem, runs: pd.DataFrame) -> pd.DataFrame:
    """One row per evaluation: levers, seeds, and per objective ``NAME`` (mean),
    ``NAME_sd``, ``NAME_lo`` and ``NAME_hi`` (the 95% t band of the mean); ``best``
    (one objective) and ``pareto`` (not dominated, by means, among successful ones)."""
    levers = [lever.name for lever in problem.levers]
    rows = []
    for index, group in runs.groupby("evaluation", sort=True):
        row: dict[str, Any] = {"evaluation": index, **group.iloc[0][levers].to_dict()}
        ok = group[group["state"] == "ok"]
        row["state"] = "ok" if len(ok) else "failed"
        row["seeds"] = len(ok)
        for name in problem.names:
            if len(ok):
                row[name], row[f"{name}_lo"], row[f"{name}_hi"] = band(ok[name].to_numpy())
                row[f"{name}_sd"] = stats.sd(ok[name].to_numpy())
            else:
                row[name] = row[f"{name}_lo"] = row[f"{name}_hi"] = row[f"{name}_sd"] = np.nan
        rows.append(row)
    frame = pd.DataFrame(rows)
    if frame.empty:
        return frame
    signs = np.array([1.0 if o.direction == "maximize" else -1.0 for o in problem.objectives])
    scores = frame[problem.names].to_numpy(dtype=float) * signs  # larger is better
    good = frame["state"].eq("ok").to_numpy()
    frame["pareto"] = good & _not_dominated(scores, good)
    frame["best"] = False
    if good.any() and len(problem.objectives) == 1:
        first = np.flatnonzero(good)[np.argmax(scores[good, 0])]  # the first of ties
        frame.loc[frame.index[first], "best"] = True
    return frame


def _not_dominated(scores: np.ndarray, good: np.ndarray) -> np.ndarray:
    """Rows no other good row dominates (at least as good in all, better in one)."""
    keep = np.zeros(len(scores), dtype=bool)
    rows = scores[good]
    for i in np.flatnonzero(good):
        dominated = np.any(np.all(rows >= scores[i], axis=1) & np.any(rows > scores[i], axis=1))
        keep[i] = not dominated
    return keep


def band(values: np.ndarray, level: float = 0.95) -> tuple[float, float, float]:
    """Mean of ``values`` (one per seed) and its ``level`` t interval (NaN for one seed)."""
    values = np.asarray(values, dtype=float)
    lo, hi = stats.t_interval(values, level)
    return float(values.mean()), lo, hi
