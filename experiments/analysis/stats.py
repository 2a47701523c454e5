"""The statistics behind every interval the project prints, on :mod:`scipy.stats`.

Console tables, sweep reports, figure bands, notebooks, ``experiments/meta_pairs.py`` and
the calibration report all take their intervals from here, so each is computed one way.
Three kinds appear, and the project's column names say which:

* ``lo``/``hi``, a **confidence interval of a mean**. By default Student t with n - 1
  degrees of freedom: mean +- t * sd / sqrt(n), where t is the (1 + level) / 2 quantile
  of the t distribution (:func:`t_interval`, and per group :func:`describe`). It shrinks
  as runs are added and answers "how well do we know the average?". Or, on request, a
  **bootstrap** (:func:`bootstrap_interval`): :func:`scipy.stats.bootstrap` with
  ``method="percentile"`` (the middle ``level`` share of the means of resamples drawn
  with replacement) rather than scipy's default BCa, so that the interval keeps the
  meaning the project has always given it; the generator is seeded, so it reproduces.
* A **paired contrast** (:func:`contrast`): differences of two policies (or scenarios)
  run on the same seed: the mean difference, its interval by either method, and the
  share of pairs in which the difference is above 0.
* ``q_lo``/``q_hi``, a **spread** (:func:`spread`): the (1 - level) / 2 and (1 + level) / 2
  percentiles of the values themselves (linear interpolation): what single runs do under
  the swept uncertainty, which more runs do not shrink.

* A **proportion** (:func:`proportion_interval`): Wilson's score interval of a share of
  successes (the coverage of the calibration's intervals over synthetic truths).
* **Sensitivity indices** (:mod:`aimarket.experiments.analysis.sensitivity`): first-order
  and total Sobol indices take the :func:`spread` of SALib's bootstrap resamples of the
  index (a percentile bootstrap interval); second-order Sobol indices and Morris'
  mu* come with SALib's bootstrap half-width (a normal approximation, ``z`` times the
  resamples' sd), made an interval by :func:`around`.

Every function drops non-finite values first and returns NaN where the quantity is
undefined (an interval of fewer than two values, the spread of none).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

#: Confidence level of every interval the project prints (and the share of runs a
#: spread covers).
LEVEL = 0.95
#: Interval methods for a mean: Student t, or a seeded percentile bootstrap.
METHODS = ("t", "bootstrap")
#: Bootstrap resamples unless told otherwise.
RESAMPLES = 2000

NAN_PAIR = (float("nan"), float("nan"))


def finite(values) -> np.ndarray:
    """The finite values of ``values`` as a float array."""
    x = np.asarray(values, dtype=float)
    return x[np.isfinite(x)]


def check_method(method: str) -> str:
    """``method`` if it is one of :data:`METHODS`; ValueError naming the choices if not."""
    if method not in METHODS:
        raise ValueError(f"method must be 't' or 'bootstrap', not {method!r}")
    return method


def t_critical(n, level: float = LEVEL):
    """The two-sided Student-t critical value for ``n`` values (n - 1 degrees of freedom):
    the (1 + level) / 2 quantile; NaN where n < 2. ``n`` may be a number or an array."""
    n = np.asarray(n, dtype=float)
    df = np.where(n >= 2, n - 1, np.nan)
    return stats.t.ppf(0.5 + level / 2, df)


def t_half_width(sd, n, level: float = LEVEL):
    """Half the width of the t interval of a mean: t_critical(n) * sd / sqrt(n)."""
    n = np.asarray(n, dtype=float)
    return t_critical(n, level) * (np.asarray(sd, dtype=float) / np.sqrt(n))


def t_interval(values, level: float = LEVEL) -> tuple[float, float]:
    """Student-t confidence interval of the mean of ``values`` (NaN if fewer than 2)."""
    x = finite(values)
    if len(x) < 2:
        return NAN_PAIR
    mean = x.mean()
    half = t_half_width(x.std(ddof=1), len(x), level)
    return (float(mean - half), float(mean + half))


def bootstrap_interval(
    values, level: float = LEVEL, resamples: int = RESAMPLES, seed: int = 0
) -> tuple[float, float]:
    """Bootstrap confidence interval of the mean of ``values`` (NaN if fewer than 2).

    :func:`scipy.stats.bootstrap` with ``method="percentile"`` (not scipy's default
    BCa): the (1 - level) / 2 and (1 + level) / 2 percentiles of the means of
    ``resamples`` resamples, drawn by a generator seeded with ``seed`` (reproducible).
    """
    x = finite(values)
    if len(x) < 2:
        return NAN_PAIR
    result = stats.bootstrap(
        (x,),
        np.mean,
        n_resamples=resamples,
        confidence_level=level,
        method="percentile",
        rng=np.random.default_rng(seed),
        vectorized=True,
    )
    ci = result.confidence_interval
    return (float(ci.low), float(ci.high))


def paired_resamples(n: int, resamples: int = RESAMPLES, seed: int = 0) -> np.ndarray:
    """Indices of ``resamples`` bootstrap resamples of ``n`` paired units (say, the seeds
    every strategy profile of a game ran on), drawn with replacement by a generator seeded
    with ``seed``: an array (resamples, n). Applying the same row to every profile keeps
    the pairing, as :func:`scipy.stats.bootstrap` does with ``paired=True``."""
    return np.random.default_rng(seed).integers(0, n, size=(int(resamples), int(n)))


def mean_interval(
    values, level: float = LEVEL, method: str = "t", resamples: int = RESAMPLES, seed: int = 0
) -> tuple[float, float]:
    """Confidence interval of the mean by ``method`` ("t" or "bootstrap")."""
    if check_method(method) == "t":
        return t_interval(values, level)
    return bootstrap_interval(values, level, resamples, seed)


def spread(values, level: float = LEVEL) -> tuple[float, float]:
    """The middle ``level`` share of the values: their (1 - level) / 2 and (1 + level) / 2
    percentiles (linear interpolation); NaN if there are none."""
    x = finite(values)
    if not len(x):
        return NAN_PAIR
    tail = (1 - level) / 2
    lo, hi = np.percentile(x, [100 * tail, 100 * (1 - tail)])
    return (float(lo), float(hi))


def around(center, half_width) -> tuple[float, float]:
    """The interval ``center`` +- ``half_width`` (NaN if either is not finite)."""
    c, h = float(center), float(half_width)
    if not (np.isfinite(c) and np.isfinite(h)):
        return NAN_PAIR
    return (c - abs(h), c + abs(h))


@dataclass(frozen=True)
class Contrast:
    """Paired differences summarized: how many, their mean and sd, an interval of the
    mean, and the shares of pairs above and below 0."""

    n: int
    mean: float
    sd: float
    lo: float
    hi: float
    p_positive: float
    p_negative: float


def contrast(
    diffs, level: float = LEVEL, method: str = "t", resamples: int = RESAMPLES, seed: int = 0
) -> Contrast:
    """The paired contrast of ``diffs`` (each a difference within one pair: the same design
    point and seed): mean difference with its confidence interval (``method`` "t" or
    "bootstrap", see :func:`mean_interval`) and the shares of pairs above and below 0."""
    d = finite(diffs)
    n = len(d)
    lo, hi = mean_interval(d, level, method, resamples, seed)
    return Contrast(
        n=n,
        mean=float(d.mean()) if n else float("nan"),
        sd=float(d.std(ddof=1)) if n > 1 else float("nan"),
        lo=lo,
        hi=hi,
        p_positive=float((d > 0).mean()) if n else float("nan"),
        p_negative=float((d < 0).mean()) if n else float("nan"),
    )


def describe(groups, level: float = LEVEL) -> pd.DataFrame:
    """Per group of a pandas ``groupby(...)[column]``: ``n``, ``mean``, ``sd``, ``se``, the
    t interval of the mean (``lo``, ``hi``) and the spread (``q_lo``, ``q_hi``), the same
    quantities as :func:`t_interval` and :func:`spread` give for one group."""
    tail = (1 - level) / 2
    out = groups.agg(["count", "mean", "std"])
    out.columns = ["n", "mean", "sd"]
    out["q_lo"] = groups.quantile(tail)
    out["q_hi"] = groups.quantile(1 - tail)
    n = out["n"].astype(float)
    out["se"] = out["sd"] / np.sqrt(n)
    half = t_half_width(out["sd"], n, level)
    out["lo"] = out["mean"] - half
    out["hi"] = out["mean"] + half
    out["n"] = out["n"].astype(int)
    return out[["n", "mean", "sd", "se", "lo", "hi", "q_lo", "q_hi"]]


def weighted_quantiles(values, weights, qs) -> np.ndarray:
    """Quantiles ``qs`` of weighted values (a weighted sample, e.g. an ABC population):
    for each q, the smallest value whose cumulative weight share reaches q."""
    x, w = np.asarray(values, dtype=float), np.asarray(weights, dtype=float)
    order = np.argsort(x)
    cum = np.cumsum(w[order]) / w.sum()
    idx = np.minimum(np.searchsorted(cum, np.asarray(qs, dtype=float)), len(x) - 1)
    return x[order][idx]


def weighted_median(values, weights) -> float:
    """The weighted median (:func:`weighted_quantiles` at one half)."""
    return float(weighted_quantiles(values, weights, [0.5])[0])


def sd(values) -> float:
    """The sample standard deviation (n - 1 degrees of freedom) of the finite values; NaN
    with fewer than two."""
    x = finite(values)
    return float(x.std(ddof=1)) if x.size > 1 else float("nan")


def at_share(values, q: float) -> float:
    """The ``q`` quantile of the finite values (linear interpolation); NaN for none."""
    x = finite(values)
    return float(np.percentile(x, 100 * q)) if x.size else float("nan")


def standard_error(values) -> float:
    """The standard error of the mean of the finite values, sd / sqrt(n) with n - 1
    degrees of freedom (:func:`scipy.stats.sem`); NaN with fewer than two."""
    x = finite(values)
    return float(stats.sem(x)) if x.size > 1 else float("nan")


def proportion_interval(successes: int, trials: int, level: float = 0.9) -> tuple[float, float]:
    """Wilson score interval of a proportion (:meth:`scipy.stats.binomtest`), at
    ``level`` (90% by default: the coverage tables of the calibration); NaN for no trials."""
    if trials < 1:
        return NAN_PAIR
    ci = stats.binomtest(int(successes), int(trials)).proportion_ci(level, method="wilson")
    return float(ci.low), float(ci.high)


def median(values) -> float:
    """The median of the finite values (NaN if there are none)."""
    x = finite(values)
    return float(np.median(x)) if x.size else float("nan")


# -- variance shares of replicated designs (sensitivity analysis) --------------------------
def within_share(values: pd.Series, level: str) -> float:
    """The share of the variance of ``values`` that lies within the groups of index
    ``level``: the mean within-group variance over the variance of all values (NaN with
    fewer than two values in every group, or no variance at all)."""
    groups = values.groupby(level=level)
    if len(values) < 2 or groups.size().max() < 2:
        return float("nan")
    total = values.var(ddof=1)
    return float(groups.var(ddof=1).mean() / total) if total > 0 else float("nan")


def residual_share(table: np.ndarray) -> float:
    """For a complete two-way table (rows: design points, columns: replicates on common
    seeds), the share of the row means' variance that is the two-way residual's
    (interaction) variance over the number of columns: the noise that stays in the row
    means once the column effect, common to every row, is set aside (NaN if undefined)."""
    x = np.asarray(table, dtype=float)
    rows, cols = x.shape if x.ndim == 2 else (0, 0)
    if rows < 2 or cols < 2:
        return float("nan")
    resid = x - x.mean(axis=1, keepdims=True) - x.mean(axis=0, keepdims=True) + x.mean()
    residual = float((resid**2).sum() / ((rows - 1) * (cols - 1)))
    means = float(x.mean(axis=1).var(ddof=1))
    return residual / cols / means if means > 0 else float("nan")


def ranks(values) -> np.ndarray:
    """The ranks of ``values`` (1..n; ties get their mean rank)."""
    return stats.rankdata(np.asarray(values, dtype=float))
