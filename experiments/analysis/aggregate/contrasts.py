"""Paired contrasts: each policy minus a reference policy on the same design point and
replicate (the same seed: common random numbers), per outcome, per month, and per cell
of a phase diagram over two swept parameters. Intervals come from
:mod:`aimarket.experiments.analysis.stats`."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from aimarket.experiments.analysis import stats
from aimarket.experiments.analysis.aggregate.summaries import (
    PAIR_KEYS,
    ok_runs,
    outcome_columns,
    parameters,
    policy_order,
    summarize_series,
    unit,
)
from aimarket.experiments.engine.store import Results


def _pairs(runs: pd.DataFrame, policy: str, reference: str, cols: list[str], keys: list[str]):
    sides = []
    for p in (policy, reference):
        side = runs[runs["policy"] == p].set_index(keys)[cols]
        if not side.index.is_unique:
            dup = side.index[side.index.duplicated()][0]
            raise ValueError(f"policy {p!r} has more than one run at {keys} = {dup!r}")
        sides.append(side)
    return sides[0].sub(sides[1]).dropna(how="all")


def reference_policy(source, reference: str | None, present: Sequence[str]) -> str:
    """The reference policy: as given, else the sweep's declared one, else the first
    present; ValueError if it has no successful run."""
    if reference is None and isinstance(source, Results):
        reference = source.manifest.get("reference")
    reference = reference or (present[0] if present else None)
    if reference not in present:
        raise ValueError(
            f"reference policy {reference!r} has no successful runs; "
            f"policies present: {', '.join(present) or 'none'}"
        )
    return reference


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
    runs = ok_runs(source)
    cols = list(outcomes or outcome_columns(source))
    present = policy_order(source, runs["policy"].unique())
    reference = reference_policy(source, reference, present)
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


def paired_contrasts(
    source: Results | pd.DataFrame,
    reference: str | None = None,
    outcomes: Sequence[str] | None = None,
    policies: Sequence[str] | None = None,
    by: Sequence[str] = (),
    level: float = stats.LEVEL,
    method: str = "t",
    resamples: int = stats.RESAMPLES,
    seed: int = 0,
) -> pd.DataFrame:
    """Each policy minus ``reference``, paired on (point, replicate): the mean difference
    and a confidence interval of it (:func:`aimarket.experiments.analysis.stats.contrast`).

    ``source``: a Results or a runs-like frame (columns policy, point, replicate and the
    outcomes; rows whose ``status`` is not ``ok`` are dropped). ``reference`` defaults to
    the sweep's declared reference, else the first policy. ``by``: extra grouping keys
    (e.g. a swept parameter, or ``"point"`` for one contrast per design point).

    ``method="t"`` (default): Student t interval of the mean paired difference
    (mean +- t_{n-1} * sd / sqrt(n)). ``method="bootstrap"``: percentile bootstrap of
    the mean (``scipy.stats.bootstrap``, ``method="percentile"``) with ``resamples``
    resamples from a generator seeded by ``seed``.

    One row per policy (and ``by`` group) and outcome: ``policy``, ``reference``,
    ``outcome``, ``n_pairs``, ``mean_diff``, ``sd_diff``, ``lo``, ``hi``, ``p_positive``
    (share of pairs where the policy is higher), ``reference_mean`` and ``unit``.
    """
    stats.check_method(method)
    diffs = paired_differences(source, reference, outcomes, policies)
    ref = diffs["reference"].iloc[0] if len(diffs) else reference
    keys = ["policy", *by, "outcome"]
    cols = ["policy", "reference", *by, "outcome", "n_pairs", "mean_diff", "sd_diff"]
    cols += ["lo", "hi", "p_positive", "reference_mean", "unit"]
    rows = []
    for key, group in diffs.groupby(keys, sort=False):
        c = stats.contrast(group["diff"], level, method, resamples, seed)
        rows.append(
            {
                **dict(zip(keys, key if isinstance(key, tuple) else (key,), strict=True)),
                "reference": ref,
                "n_pairs": c.n,
                "mean_diff": c.mean,
                "sd_diff": c.sd,
                "lo": c.lo,
                "hi": c.hi,
                "p_positive": c.p_positive,
            }
        )
    if not rows:
        return pd.DataFrame(columns=cols)
    out = pd.DataFrame(rows)
    runs = ok_runs(source)
    ref_means = runs.loc[runs["policy"] == ref, list(out["outcome"].unique())].mean()
    out["reference_mean"] = out["outcome"].map(ref_means)
    out["unit"] = out["outcome"].map(unit)
    out.attrs.update(reference=ref, level=level, method=method)
    return out[cols]


def contrast_series(
    results: Results,
    metrics: Sequence[str],
    reference: str | None = None,
    policies: Sequence[str] | None = None,
    level: float = stats.LEVEL,
) -> pd.DataFrame:
    """Paired differences of market time series, per step: policy minus reference on
    the same (point, replicate), with the t confidence interval of the mean difference.

    One row per policy, metric and step; columns as :func:`summarize_series`.
    """
    market = results.series("market", columns=["date", *metrics])
    metrics = [m for m in metrics if m in market.columns]
    present = policy_order(results, market["policy"].unique())
    reference = reference_policy(results, reference, present)
    keyed = market.set_index([*PAIR_KEYS, "step"])
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


# -- phase diagrams ----------------------------------------------------------------------
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
        frame = ok_runs(source)
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


def identical_policies(source: Results | pd.DataFrame) -> list[tuple[str, str]]:
    """Pairs of policies whose runs agree in every outcome on every design point and
    replicate (the same pairs run, each value equal to the last bit; NaN equal to NaN):
    a lever that never acted there, say a pivot that never fired. Their figures'
    lines coincide, and reports say so."""
    runs = ok_runs(source)
    cols = [c for c in outcome_columns(source) if c in runs.columns]
    keys = list(PAIR_KEYS)
    if not cols or runs.empty:
        return []
    present = policy_order(source, runs["policy"].unique())
    wide = {
        p: runs.loc[runs["policy"] == p, [*keys, *cols]].set_index(keys).sort_index()
        for p in present
    }
    return [
        (a, b)
        for i, a in enumerate(present)
        for b in present[i + 1 :]
        if wide[a].index.equals(wide[b].index) and wide[a].equals(wide[b])
    ]
