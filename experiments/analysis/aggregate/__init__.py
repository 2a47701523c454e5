"""Aggregating sweep results: replicate summaries, paired contrasts, shares, tidy frames.

Everything here takes a :class:`~aimarket.experiments.engine.store.Results`
(``aimarket.experiments.load(DIR)``) or one of its frames and returns **long-format**
(tidy) pandas frames: one row per group and outcome (or metric and step), ready for
``groupby``, ``pivot`` or seaborn. The functions live in three modules, all importable
from here: :mod:`.summaries` (runs and time series aggregated per group),
:mod:`.contrasts` (paired contrasts, and phase-diagram cells) and :mod:`.shares` (market
shares by vendor group).

Every interval comes from :mod:`aimarket.experiments.analysis.stats`; two kinds appear,
and the column names say which:

* ``lo``/``hi``: a 95% **confidence interval of the mean** (Student t with n - 1
  degrees of freedom: mean +- t * sd / sqrt(n)). It shrinks as replicates are added and
  answers "how well do we know the average?".
* ``q_lo``/``q_hi``: the 2.5th and 97.5th **percentiles** of the values: the spread of
  outcomes across design points and seeds, which does not shrink with more runs
  (the interval :func:`aimarket.experiments.analysis.console.compare` prints).

Paired contrasts (:func:`paired_contrasts`) difference each policy against a reference
policy on the same design point and replicate. These ran on the same seed (common
random numbers), so the difference is free of seed noise; its interval is a t interval
(or, with ``method="bootstrap"``, a seeded percentile bootstrap by
``scipy.stats.bootstrap``) of the **mean paired difference**.

>>> from aimarket.experiments import load
>>> from aimarket.experiments.analysis.aggregate import (
...     summarize_runs, paired_contrasts, summarize_series)
>>> results = load("results/open_vs_closed")
>>> summarize_runs(results)                        # policy x outcome: mean, sd, CI, spread
>>> paired_contrasts(results, reference="closed")  # policy - closed, with 95% CI
>>> summarize_series(results, ["closed_price"])    # policy x step: mean and bands
"""

from aimarket.experiments.analysis.aggregate.contrasts import (
    contrast_series,
    identical_policies,
    paired_contrasts,
    paired_differences,
    phase_table,
    reference_policy,
)
from aimarket.experiments.analysis.aggregate.shares import EXITED, share_series, vendor_group
from aimarket.experiments.analysis.aggregate.summaries import (
    PAIR_KEYS,
    ok_runs,
    outcome_columns,
    parameters,
    policy_order,
    summarize_runs,
    summarize_series,
    tidy_runs,
    unit,
)
from aimarket.experiments.analysis.stats import LEVEL, bootstrap_interval, t_interval

__all__ = [
    "EXITED",
    "LEVEL",
    "PAIR_KEYS",
    "bootstrap_interval",
    "contrast_series",
    "identical_policies",
    "ok_runs",
    "outcome_columns",
    "paired_contrasts",
    "paired_differences",
    "parameters",
    "phase_table",
    "policy_order",
    "reference_policy",
    "share_series",
    "summarize_runs",
    "summarize_series",
    "t_interval",
    "tidy_runs",
    "unit",
    "vendor_group",
]
