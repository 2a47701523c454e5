"""Aggregating sweep results: replicate summaries, paired contrasts, tidy frames.

Everything here takes a :class:`~aimarket.experiments.engine.store.Results`
(``aimarket.experiments.load(DIR)``)
or one of its frames and returns **long-format** (tidy) pandas frames: one row per
group and outcome (or metric and step), ready for ``groupby``, ``pivot`` or seaborn.

Two kinds of interval appear, and the column names say which:

* ``lo``/``hi``: a 95% **confidence interval of the mean** (Student t with n - 1
  degrees of freedom: mean +- t * sd / sqrt(n)). It shrinks as replicates are added and
  answers "how well do we know the average?".
* ``q_lo``/``q_hi``: the 2.5th and 97.5th **percentiles** of the values: the spread of
  outcomes across design points and seeds, which does not shrink with more runs
  (the interval :func:`aimarket.experiments.analysis.console.compare` prints).

Paired contrasts (:func:`paired_contrasts`) difference each policy against a reference
policy on the same design point and replicate. These ran on the same seed (common
random numbers), so the difference is free of seed noise; its interval is a t interval
(or, with ``method="bootstrap"``, a percentile bootstrap) of the **mean paired
difference**.

>>> from aimarket.experiments import load
>>> from aimarket.experiments.analysis.aggregate import (
...     summarize_runs, paired_contrasts, summarize_series)
>>> results = load("results/open_vs_closed")
>>> summarize_runs(results)                        # policy x outcome: mean, sd, CI, spread
>>> paired_contrasts(results, reference="closed")  # policy - closed, with 95% CI
>>> summarize_series(results, ["closed_price"])    # policy x step: mean and bands
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats

from aimarket.experiments.engine.outcomes import OUTCOMES
from aimarket.experiments.engine.store import RUN_COLUMNS, Results
from aimarket.simulation import metrics

#: The keys pairing runs of different policies: same design point, same replicate (seed).
PAIR_KEYS = ("point", "replicate")
LEVEL = 0.95


def unit(name: str) -> str:
    """The unit of an outcome or market metric ('' if unknown)."""
    if name in OUTCOMES:
        return OUTCOMES[name].unit
    return metrics.unit(name)


# -- inputs ------------------------------------------------------------------------------
def _runs(source: Results | pd.DataFrame) -> pd.DataFrame:
    """The successful runs of a Results, or a runs-like frame as given (ok rows only)."""
    frame = source.runs if isinstance(source, Results) else source
    if "status" in frame.columns:
        frame = frame[frame["status"] == "ok"]
    return frame


def _policy_order(source: Results | pd.DataFrame, present: Sequence[str]) -> list[str]:
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


# -- intervals ---------------------------------------------------------------------------
def t_interval(values, level: float = LEVEL) -> tuple[float, float]:
    """Student-t confidence interval of the mean of ``values`` (NaN if fewer than 2)."""
    x = np.asarray(values, dtype=float)
    x = x[np.isfinite(x)]
    n = len(x)
    if n < 2:
        return (np.nan, np.nan)
    mean = x.mean()
    half = stats.t.ppf(0.5 + level / 2, n - 1) * x.std(ddof=1) / np.sqrt(n)
    return (float(mean - half), float(mean + half))


def bootstrap_interval(
    values, level: float = LEVEL, resamples: int = 2000, seed: int = 0
) -> tuple[float, float]:
    """Percentile-bootstrap confidence interval of the mean (seeded, so reproducible)."""
    x = np.asarray(values, dtype=float)
    x = x[np.isfinite(x)]
    if len(x) < 2:
        return (np.nan, np.nan)
    rng = np.random.default_rng(seed)
    means = x[rng.integers(0, len(x), size=(resamples, len(x)))].mean(axis=1)
    tail = (1 - level) / 2
    lo, hi = np.quantile(means, [tail, 1 - tail])
    return (float(lo), float(hi))


def _describe(groups, level: float) -> pd.DataFrame:
    """n, mean, sd, se, t-CI (lo, hi) and percentile spread (q_lo, q_hi) per group."""
    tail = (1 - level) / 2
    out = groups.agg(["count", "mean", "std"])
    out.columns = ["n", "mean", "sd"]
    out["q_lo"] = groups.quantile(tail)
    out["q_hi"] = groups.quantile(1 - tail)
    n = out["n"].astype(float)
    out["se"] = out["sd"] / np.sqrt(n)
    crit = pd.Series(np.nan, index=out.index)
    ok = n >= 2
    crit[ok] = stats.t.ppf(0.5 + level / 2, n[ok] - 1)
    out["lo"] = out["mean"] - crit * out["se"]
    out["hi"] = out["mean"] + crit * out["se"]
    out["n"] = out["n"].astype(int)
    return out[["n", "mean", "sd", "se", "lo", "hi", "q_lo", "q_hi"]]


# -- tidy frames -------------------------------------------------------------------------
def tidy_runs(
    source: Results | pd.DataFrame, outcomes: Sequence[str] | None = None
) -> pd.DataFrame:
    """Successful runs in long format: one row per run and outcome.

    Columns: run_id (if present), policy, point, replicate, the swept parameters,
    ``outcome``, ``value`` and ``unit``.
    """
    runs = _runs(source)
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
    out = _describe(long.groupby(keys, sort=False)["value"], level).reset_index()
    out["unit"] = out["outcome"].map(unit)
    if "policy" in by:
        order = _policy_order(source, out["policy"].unique())
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
        stats = _describe(frame.groupby(keys, sort=False, observed=True)[metric], level)
        parts.append(stats.assign(metric=metric).set_index("metric", append=True))
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


# -- paired contrasts --------------------------------------------------------------------
def _pairs(runs: pd.DataFrame, policy: str, reference: str, cols: list[str], keys: list[str]):
    sides = []
    for p in (policy, reference):
        side = runs[runs["policy"] == p].set_index(keys)[cols]
        if not side.index.is_unique:
            dup = side.index[side.index.duplicated()][0]
            raise ValueError(f"policy {p!r} has more than one run at {keys} = {dup!r}")
        sides.append(side)
    return sides[0].sub(sides[1]).dropna(how="all")


def paired_differences(
    source: Results | pd.DataFrame,
    reference: str | None = None,
    outcomes: Sequence[str] | None = None,
    policies: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Per-pair differences, long format: one row per (policy, point, replicate, outcome).

    ``diff`` is the policy's outcome minus the reference policy's outcome on the same
    design point and replicate (the same seed). The swept parameters of the point are
    kept, so differences can be plotted over them (see ``figures.plot_phase``).
    """
    runs = _runs(source)
    cols = list(outcomes or outcome_columns(source))
    present = _policy_order(source, runs["policy"].unique())
    reference = _reference(source, reference, present)
    chosen = [p for p in (policies or present) if p != reference and p in present]
    keys = list(PAIR_KEYS)
    frames = []
    for p in chosen:
        diff = _pairs(runs[["policy", *keys, *cols]], p, reference, cols, keys)
        long = diff.reset_index().melt(id_vars=keys, var_name="outcome", value_name="diff")
        long.insert(0, "reference", reference)
        long.insert(0, "policy", p)
        frames.append(long)
    if not frames:
        return pd.DataFrame(columns=["policy", "reference", *keys, "outcome", "diff"])
    out = pd.concat(frames, ignore_index=True).dropna(subset=["diff"])
    params = parameters(source, exclude=cols)
    if params:
        points = runs.drop_duplicates("point").set_index("point")[params]
        out = out.join(points, on="point")
    return out.reset_index(drop=True)


def _reference(source, reference: str | None, present: Sequence[str]) -> str:
    if reference is None and isinstance(source, Results):
        reference = source.manifest.get("reference")
    reference = reference or (present[0] if present else None)
    if reference not in present:
        raise ValueError(
            f"reference policy {reference!r} has no successful runs; "
            f"policies present: {', '.join(present) or 'none'}"
        )
    return reference


def paired_contrasts(
    source: Results | pd.DataFrame,
    reference: str | None = None,
    outcomes: Sequence[str] | None = None,
    policies: Sequence[str] | None = None,
    by: Sequence[str] = (),
    level: float = LEVEL,
    method: str = "t",
    resamples: int = 2000,
    seed: int = 0,
) -> pd.DataFrame:
    """Each policy minus ``reference``, paired on (point, replicate): the mean difference
    and a confidence interval of it.

    ``source``: a Results or a runs-like frame (columns policy, point, replicate and the
    outcomes; rows whose ``status`` is not ``ok`` are dropped). ``reference`` defaults to
    the sweep's declared reference, else the first policy. ``by``: extra grouping keys
    (e.g. a swept parameter, or ``"point"`` for one contrast per design point).

    ``method="t"`` (default): Student t interval of the mean paired difference
    (mean +- t_{n-1} * sd / sqrt(n)). ``method="bootstrap"``: percentile bootstrap of
    the mean with ``resamples`` draws from a generator seeded by ``seed``.

    One row per policy (and ``by`` group) and outcome: ``policy``, ``reference``,
    ``outcome``, ``n_pairs``, ``mean_diff``, ``sd_diff``, ``lo``, ``hi``, ``p_positive``
    (share of pairs where the policy is higher), ``reference_mean`` and ``unit``.
    """
    if method not in ("t", "bootstrap"):
        raise ValueError(f"method must be 't' or 'bootstrap', not {method!r}")
    diffs = paired_differences(source, reference, outcomes, policies)
    runs = _runs(source)
    ref = diffs["reference"].iloc[0] if len(diffs) else reference
    keys = ["policy", *by, "outcome"]
    rows = []
    for key, group in diffs.groupby(keys, sort=False):
        d = group["diff"].to_numpy(dtype=float)
        d = d[np.isfinite(d)]
        if method == "t":
            lo, hi = t_interval(d, level)
        else:
            lo, hi = bootstrap_interval(d, level, resamples, seed)
        row = dict(zip(keys, key if isinstance(key, tuple) else (key,), strict=True))
        row.update(
            reference=ref,
            n_pairs=len(d),
            mean_diff=float(d.mean()) if len(d) else np.nan,
            sd_diff=float(d.std(ddof=1)) if len(d) > 1 else np.nan,
            lo=lo,
            hi=hi,
            p_positive=float((d > 0).mean()) if len(d) else np.nan,
        )
        rows.append(row)
    cols = ["policy", "reference", *by, "outcome", "n_pairs", "mean_diff", "sd_diff"]
    cols += ["lo", "hi", "p_positive", "reference_mean", "unit"]
    if not rows:
        return pd.DataFrame(columns=cols)
    out = pd.DataFrame(rows)
    ref_runs = runs[runs["policy"] == ref]
    ref_means = ref_runs[list(out["outcome"].unique())].mean()
    out["reference_mean"] = out["outcome"].map(ref_means)
    out["unit"] = out["outcome"].map(unit)
    out.attrs.update(reference=ref, level=level, method=method)
    return out[cols]


def contrast_series(
    results: Results,
    metrics: Sequence[str],
    reference: str | None = None,
    policies: Sequence[str] | None = None,
    level: float = LEVEL,
) -> pd.DataFrame:
    """Paired differences of market time series, per step: policy minus reference on
    the same (point, replicate), with the t confidence interval of the mean difference.

    One row per policy, metric and step; columns as :func:`summarize_series`.
    """
    market = results.series("market", columns=["date", *metrics])
    metrics = [m for m in metrics if m in market.columns]
    present = _policy_order(results, market["policy"].unique())
    reference = _reference(results, reference, present)
    keys = [*PAIR_KEYS, "step"]
    keyed = market.set_index(keys)
    base = keyed[keyed["policy"] == reference][metrics]
    frames = []
    for p in policies or present:
        if p == reference or p not in present:
            continue
        diff = (keyed[keyed["policy"] == p][metrics] - base).dropna(how="all").reset_index()
        diff["policy"] = p
        frames.append(diff)
    if not frames:
        return pd.DataFrame()
    diffs = pd.concat(frames, ignore_index=True)
    if "date" in market.columns:
        diffs = diffs.merge(market.drop_duplicates("step")[["step", "date"]], on="step")
    out = summarize_series(diffs, metrics, by=("policy",), level=level, table="market")
    out["reference"] = reference
    return out


# -- phase diagrams and shares -----------------------------------------------------------
def _bins(values: pd.Series, bins: int) -> pd.Series:
    """Grid values as they are; continuous (sampled) values in ``bins`` equal-width bins,
    labelled by their midpoints."""
    unique = np.sort(values.dropna().unique())
    if len(unique) <= bins:
        return values
    edges = np.linspace(unique[0], unique[-1], bins + 1)
    mids = (edges[:-1] + edges[1:]) / 2
    idx = np.clip(np.searchsorted(edges, values, side="right") - 1, 0, bins - 1)
    return pd.Series(mids[idx], index=values.index)


def phase_table(
    source: Results | pd.DataFrame,
    outcome: str,
    x: str,
    y: str,
    policy: str | None = None,
    reference: str | None = None,
    bins: int | None = None,
) -> pd.DataFrame:
    """Long-format table for a phase diagram over two swept parameters ``x`` and ``y``.

    With ``reference``: the mean paired difference ``policy - reference`` of ``outcome``
    in each cell; without: the mean of ``outcome`` under ``policy`` (all policies if
    None). Sampled parameters are cut into ``bins`` equal-width bins per axis (default:
    about two design points per cell, between 3 and 8 bins); grid values are kept.
    Columns: ``x``, ``y``, ``value``, ``n`` (runs or pairs in the cell), ``n_points``.
    """
    if reference is not None:
        frame = paired_differences(source, reference, [outcome], [policy] if policy else None)
        frame = frame.rename(columns={"diff": "value"})
    else:
        frame = _runs(source)
        if policy is not None:
            frame = frame[frame["policy"] == policy]
        frame = frame.rename(columns={outcome: "value"})
    for col in (x, y):
        if col not in frame.columns:
            raise ValueError(f"{col!r} is not a swept parameter of these results")
    if bins is None:
        n_points = frame["point"].nunique() if "point" in frame.columns else len(frame)
        bins = int(np.clip(np.floor(np.sqrt(n_points / 2)), 3, 8))
    cells = pd.DataFrame(
        {
            x: _bins(frame[x].astype(float), bins),
            y: _bins(frame[y].astype(float), bins),
            "value": frame["value"].astype(float),
            "point": frame["point"] if "point" in frame.columns else np.arange(len(frame)),
        }
    )
    out = cells.groupby([x, y]).agg(
        value=("value", "mean"), n=("value", "size"), n_points=("point", "nunique")
    )
    return out.reset_index()


def vendor_group(name: str) -> str:
    """Pool funded entrants (``entrant1``, ``entrant2``, ...) into one 'entrants' group."""
    return "entrants" if str(name).startswith("entrant") else str(name)


#: Share of tokens (or developers) on models whose vendor has exited: its open weights
#: stay in use (orphaned) but it has no row in the vendor table any more.
EXITED = "exited vendors' weights"


def share_series(
    results: Results | pd.DataFrame,
    value: str = "token_share",
    group=vendor_group,
    market: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Mean market share per policy, step and vendor group across runs (tidy).

    Vendors absent from a run at a step count as 0. The share on exited vendors'
    (orphaned) open weights, which have no vendor row, comes from the market table's
    ``orphaned_token_share`` / ``orphaned_developer_share`` and is reported as the group
    :data:`EXITED`, so the groups of a policy sum to 1 once developers buy. ``results``:
    a Results, or a vendors frame together with its ``market`` frame.
    Columns: policy, step, date, ``group``, ``share``.
    """
    orphaned = f"orphaned_{value}"
    if isinstance(results, Results):  # batch by batch: memory flat in the number of runs
        batches = results.series_batches({"vendors": [value], "market": ["date", orphaned]})
        pairs = ((b["vendors"], b["market"]) for b in batches)
    elif market is None:
        raise ValueError("share_series needs the market table (orphaned shares) with a frame")
    else:
        pairs = iter([(results, market)])
    # A group's mean share is its share summed over runs (0 where absent) over the runs.
    shares, runs, dates = [], [], {}
    for vendors, batch_market in pairs:
        names = vendors["vendor"]
        groups = names.map({v: group(v) for v in names.unique()}).rename("group")
        shares.append(vendors.groupby(["policy", "step", groups])[value].sum())
        by_step = batch_market.groupby(["policy", "step"])
        exited = by_step[orphaned].sum().to_frame(value).assign(group=EXITED)
        shares.append(exited.set_index("group", append=True)[value])
        runs.append(by_step.size())
        if "date" in batch_market.columns:
            dates.update(batch_market.drop_duplicates("step").set_index("step")["date"])
    if not runs:
        return pd.DataFrame(columns=["policy", "step", "group", "share"])
    total = pd.concat(shares).groupby(level=["policy", "step", "group"]).sum()
    n = pd.concat(runs).groupby(level=["policy", "step"]).sum()
    out = total.unstack("group", fill_value=0.0).div(n, axis=0).stack().rename("share")
    out = out.reset_index()
    if dates:
        out["date"] = out["step"].map(dates)
    return out[["policy", "step", *(["date"] if "date" in out else []), "group", "share"]]
