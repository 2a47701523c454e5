"""Replicate summaries: the successful runs of a sweep, and their outcomes and time
series aggregated per group (policy, design point, ...) with the intervals of
:mod:`aimarket.experiments.analysis.stats`, as long-format (tidy) frames."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
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


#: Rows of a time series described at once by :func:`summarize_series` (whole steps at a
#: time), so that its memory does not grow with the number of runs beyond the values kept.
CHUNK_ROWS = 200_000


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
    A Results is read batch by batch and only its values are kept (in single precision
    where that is exact, as the store keeps them); each metric is then described a few
    steps at a time.
    """
    keys = [*by, "step"]
    if isinstance(source, Results):
        frames, dates, dtypes = _narrow_series(source, table, keys, metrics)
    else:
        frames, dtypes = [source], {}
        dates = source.drop_duplicates("step").set_index("step")["date"] if "date" in source else {}
    metrics = [m for m in metrics if m in frames[0].columns]
    parts = []
    for metric in metrics:  # one metric at a time: no long copy of every value
        for chunk in _step_chunks(frames, keys, metric, dtypes):
            described = describe(chunk.groupby(keys, sort=False, observed=True)[metric], level)
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


def _step_chunks(frames: list[pd.DataFrame], keys: list[str], metric: str, dtypes: dict):
    """The ``keys`` and ``metric`` of the frames' rows, whole steps at a time (about
    :data:`CHUNK_ROWS` rows each), in the frames' row order, with their dtypes restored.
    A group (keys and step) is in one chunk, with its values in the same order."""
    steps = np.unique(np.concatenate([f["step"].to_numpy() for f in frames]))
    rows = sum(len(f) for f in frames)
    per = max(1, CHUNK_ROWS * len(steps) // max(rows, 1))
    for i in range(0, max(len(steps), 1), per):
        if len(steps):
            lo, hi = steps[i], steps[min(i + per, len(steps)) - 1]
            parts = [f.loc[f["step"].between(lo, hi), [*keys, metric]] for f in frames]
        else:
            parts = [f[[*keys, metric]] for f in frames]
        chunk = pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]
        for col, dtype in dtypes.items():
            if col in chunk.columns and chunk[col].dtype != dtype:
                chunk[col] = chunk[col].astype(dtype)
        yield chunk


def _narrow_series(results: Results, table: str, keys: list[str], metrics: Sequence[str]):
    """Only ``keys`` and ``metrics`` of a series table, read batch by batch and kept small
    (keys as categories, steps as small integers, metrics in single precision where that
    is exact), the date of each step, and the dtypes to restore: memory grows with the
    values kept, at a few bytes each, not with the run keys and columns a full read would
    bring."""
    frames, dates, dtypes = [], {}, {}
    runs = results.ok
    categories = {k: runs[k].unique() for k in keys if k != "step" and k in runs.columns}
    for batch in results.series_batches({table: ["date", *keys, *metrics]}):
        frame = batch[table]
        if "date" in frame.columns:
            dates.update(frame.drop_duplicates("step").set_index("step")["date"])
        kept = frame[[c for c in (*keys, *metrics) if c in frame.columns]].copy()
        for key, values in categories.items():  # the same categories in every batch
            kept[key] = pd.Categorical(kept[key], categories=values)
        for col in kept.columns:
            small = _smaller(kept[col])
            if small is not None:
                dtypes.setdefault(col, kept[col].dtype)
                kept[col] = small
        frames.append(kept)
    if not frames:
        return [pd.DataFrame(columns=[*keys, *metrics])], {}, {}
    return frames, pd.Series(dates), dtypes


def _smaller(column: pd.Series) -> np.ndarray | None:
    """The column in fewer bytes holding exactly the same values (None if there is none):
    steps as 16-bit integers, floats in single precision where that is exact."""
    values = column.to_numpy()
    if values.dtype == np.int64 and (values.size == 0 or abs(values).max() < 2**15):
        return values.astype(np.int16)
    if values.dtype == np.float64:
        single = values.astype(np.float32)
        with np.errstate(over="ignore", invalid="ignore"):
            if np.array_equal(single.astype(np.float64), values, equal_nan=True):
                return single
    return None
