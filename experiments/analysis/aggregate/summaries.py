"""Replicate summaries: the successful runs of a sweep, and their outcomes and time
series aggregated per group (policy, design point, ...) with the intervals of
:mod:`aimarket.experiments.analysis.stats`, as long-format (tidy) frames."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from aimarket.experiments.analysis.stats import LEVEL, describe
from aimarket.experiments.engine.outcomes import OUTCOMES
from aimarket.experiments.engine.store import RUN_COLUMNS, Results
from aimarket.simulation import metrics

#: The keys pairing runs of different policies: same design point, same replicate (seed).
PAIR_KEYS = ("point", "replicate")


def unit(name: str) -> str:
    """The unit of an outcome or market metric ('' if unknown)."""
    if name in OUTCOMES:
        return OUTCOMES[name].unit
    return metrics.unit(name)


# -- inputs ------------------------------------------------------------------------------
def ok_runs(source: Results | pd.DataFrame) -> pd.DataFrame:
    """The successful runs of a Results, or a runs-like frame as given (ok rows only)."""
    frame = source.runs if isinstance(source, Results) else source
    if "status" in frame.columns:
        frame = frame[frame["status"] == "ok"]
    return frame


def policy_order(source: Results | pd.DataFrame, present: Sequence[str]) -> list[str]:
    """``present`` policies in the sweep's declared order, then any others as found."""
    present = list(dict.fromkeys(present))
    declared = source.manifest.get("policies", []) if isinstance(source, Results) else []
    return [p for p in declared if p in present] + [p for p in present if p not in declared]


def outcome_columns(source: Results | pd.DataFrame) -> list[str]:
    """The outcome columns of a runs table: a Results' declared outcomes, else a frame's
    numeric columns that are not run keys (so give ``outcomes`` explicitly if a plain
    frame also holds parameters)."""
    if isinstance(source, Results):
        return source.outcomes
    skip = {*RUN_COLUMNS, *PAIR_KEYS}
    return [c for c in source.columns if c not in skip and pd.api.types.is_numeric_dtype(source[c])]


def parameters(source: Results | pd.DataFrame, exclude: Sequence[str] = ()) -> list[str]:
    """The swept parameters (uncertainties) of a results folder; for a plain runs frame,
    the columns other than run keys and ``exclude`` that are constant within each design
    point."""
    if isinstance(source, Results):
        return [p for p in source.parameters if p in source.runs.columns]
    if "point" not in source.columns or source.empty:
        return []
    skip = {*RUN_COLUMNS, *PAIR_KEYS, *exclude}
    candidates = [c for c in source.columns if c not in skip]
    varies = source.groupby("point")[candidates].nunique(dropna=False).max()
    return [c for c in candidates if varies[c] <= 1]


# -- tidy frames -------------------------------------------------------------------------
def tidy_runs(
    source: Results | pd.DataFrame, outcomes: Sequence[str] | None = None
) -> pd.DataFrame:
    """Successful runs in long format: one row per run and outcome.

    Columns: run_id (if present), policy, point, replicate, the swept parameters,
    ``outcome``, ``value`` and ``unit``.
    """
    runs = ok_runs(source)
    outcomes = list(outcomes or outcome_columns(source))
    ids = [c for c in ("run_id", "policy", "point", "replicate") if c in runs.columns]
    ids += [p for p in parameters(source, exclude=outcomes) if p in runs.columns]
    long = runs.melt(id_vars=ids, value_vars=outcomes, var_name="outcome", value_name="value")
    long["unit"] = long["outcome"].map(unit)
    return long.reset_index(drop=True)


def summarize_runs(
    source: Results | pd.DataFrame,
    outcomes: Sequence[str] | None = None,
    by: Sequence[str] = ("policy",),
    level: float = LEVEL,
) -> pd.DataFrame:
    """Run outcomes aggregated over replicates (and design points unless in ``by``).

    One row per group and outcome: ``n``, ``mean``, ``sd``, ``se``, t confidence
    interval of the mean (``lo``, ``hi``) and percentile spread (``q_lo``, ``q_hi``).
    ``by=("policy", "point")`` aggregates over replicates only, one row per design point.
    """
    long = tidy_runs(source, outcomes)
    keys = [*by, "outcome"]
    out = describe(long.groupby(keys, sort=False)["value"], level).reset_index()
    out["unit"] = out["outcome"].map(unit)
    if "policy" in by:
        order = policy_order(source, out["policy"].unique())
        out["policy"] = pd.Categorical(out["policy"], order, ordered=True)
        out = out.sort_values("policy", kind="stable")  # outcomes stay in the order given
        out["policy"] = out["policy"].astype(str)
    return out.reset_index(drop=True)


def summarize_series(
    source: Results | pd.DataFrame,
    metrics: Sequence[str],
    by: Sequence[str] = ("policy",),
    level: float = LEVEL,
    table: str = "market",
) -> pd.DataFrame:
    """Time series aggregated over runs, per step: one row per group, metric and step.

    ``source`` is a Results (its ``market`` table, or ``table="vendors"``) or a time
    series frame with ``step`` and the ``by`` columns. Columns: the ``by`` keys,
    ``metric``, ``step``, ``date`` (if present), then ``n``, ``mean``, ``sd``, ``se``,
    ``lo``, ``hi`` (t CI of the mean) and ``q_lo``, ``q_hi`` (percentile spread).
    """
    keys = [*by, "step"]
    if isinstance(source, Results):
        frame, dates = _narrow_series(source, table, keys, metrics)
    else:
        frame = source
        dates = frame.drop_duplicates("step").set_index("step")["date"] if "date" in frame else {}
    metrics = [m for m in metrics if m in frame.columns]
    parts = []
    for metric in metrics:  # one metric at a time: no long copy of every value
        described = describe(frame.groupby(keys, sort=False, observed=True)[metric], level)
        parts.append(described.assign(metric=metric).set_index("metric", append=True))
    if not parts:
        return pd.DataFrame(columns=[*by, "metric", "step", "n", "mean", "unit"])
    out = pd.concat(parts).reset_index()
    out = out[[*by, "metric", "step", *[c for c in out.columns if c not in (*keys, "metric")]]]
    for key in by:  # categories (from the narrow read) back to plain values
        out[key] = (
            out[key].astype(object) if isinstance(out[key].dtype, pd.CategoricalDtype) else out[key]
        )
    if len(dates):
        out.insert(out.columns.get_loc("step") + 1, "date", out["step"].map(dates))
    out["unit"] = out["metric"].map(unit)
    return out.sort_values([*by, "metric", "step"], kind="stable").reset_index(drop=True)


def _narrow_series(results: Results, table: str, keys: list[str], metrics: Sequence[str]):
    """Only ``keys`` and ``metrics`` of a series table, read batch by batch (keys as
    categories), and the date of each step: memory grows with the values kept, not with
    the run keys and columns a full read would bring."""
    frames, dates = [], {}
    runs = results.ok
    categories = {k: runs[k].unique() for k in keys if k != "step" and k in runs.columns}
    for batch in results.series_batches({table: ["date", *keys, *metrics]}):
        frame = batch[table]
        if "date" in frame.columns:
            dates.update(frame.drop_duplicates("step").set_index("step")["date"])
        kept = frame[[c for c in (*keys, *metrics) if c in frame.columns]].copy()
        for key, values in categories.items():  # the same categories in every batch
            kept[key] = pd.Categorical(kept[key], categories=values)
        frames.append(kept)
    if not frames:
        return pd.DataFrame(columns=[*keys, *metrics]), {}
    return pd.concat(frames, ignore_index=True), pd.Series(dates)
