"""Comparing policies across a sweep: the console's summary tables of a results folder.

:func:`compare` gives, for each policy and outcome, the mean and the **spread of runs**
(the 2.5th to 97.5th percentiles across design points and replicates: what to expect
under uncertainty, not a confidence interval). :func:`paired` gives each policy's
difference from a reference policy, paired by (point, replicate) (both ran on the same
seed), with the **95% confidence interval of the mean difference** (Student t) and the
share of pairs in which the policy is higher. Both are tidy frames built by
:mod:`aimarket.experiments.analysis.aggregate`; :func:`format_comparison` prints them in at most
:data:`WIDTH` columns, one number format per unit, every interval labelled.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence

import numpy as np
import pandas as pd

from aimarket.experiments.analysis import aggregate as agg
from aimarket.experiments.engine.outcomes import DEFAULT
from aimarket.experiments.engine.store import Results
from aimarket.simulation.report import format_value

#: Outcomes of the default comparison, in this order, when the sweep names none.
DEFAULT_TABLE = (
    "platform_payoff",
    "closed_margin",
    "vc_funding",
    "entrants",
    "developer_surplus",
)
#: Widest line the console tables print.
WIDTH = 100


def table_outcomes(results: Results, outcomes: Sequence[str] | None = None) -> list[str]:
    """The outcomes a comparison shows: those given, else the sweep's ``table``, else
    every outcome the sweep chose (when it named its ``outcomes``), else the
    :data:`DEFAULT_TABLE` outcomes present, else the first five; only those in the runs."""
    chosen = list(outcomes or results.manifest.get("table") or [])
    if not chosen and set(results.outcomes) != set(DEFAULT):  # the sweep named its own
        chosen = list(results.outcomes)
    if not chosen:
        chosen = [o for o in DEFAULT_TABLE if o in results.runs.columns]
    if not chosen:
        chosen = results.outcomes[:5]
    return [o for o in chosen if o in results.runs.columns]


def compare(results: Results, outcomes: Sequence[str] | None = None) -> pd.DataFrame:
    """One row per outcome and policy: runs (``n``), ``mean``, ``q_lo`` and ``q_hi`` (the
    2.5th and 97.5th percentiles of the runs), ``unit``."""
    cols = table_outcomes(results, outcomes)
    summary = agg.summarize_runs(results, cols)
    return summary[["outcome", "policy", "n", "mean", "q_lo", "q_hi", "unit"]]


def paired(
    results: Results, reference: str | None = None, outcomes: Sequence[str] | None = None
) -> pd.DataFrame:
    """One row per outcome and policy other than ``reference``: pairs, mean difference,
    95% t confidence interval of it (``lo``, ``hi``), share of pairs above 0."""
    cols = table_outcomes(results, outcomes)
    try:
        out = agg.paired_contrasts(results, reference=reference, outcomes=cols)
    except ValueError:  # the reference policy has no successful run
        return pd.DataFrame()
    return out[["outcome", "policy", "reference", "n_pairs", "mean_diff", "lo", "hi",
                "p_positive", "unit"]]  # fmt: skip


def _fit(lines: list[str]) -> list[str]:
    return [line if len(line) <= WIDTH else line[: WIDTH - 1] + "…" for line in lines]


def _block(rows: list[list[str]], header: list[str]) -> list[str]:
    """Columns aligned: the first two to the left, the numbers to the right."""
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    out = []
    for r in [header, *rows]:
        cells = [
            c.ljust(w) if i < 2 else c.rjust(w)
            for i, (c, w) in enumerate(zip(r, widths, strict=True))
        ]
        out.append("  ".join(cells).rstrip())
    return out


def format_comparison(results: Results, outcomes: Sequence[str] | None = None) -> str:
    """The comparison as text, one line per outcome and policy, at most WIDTH columns."""
    levels = compare(results, outcomes)
    if levels.empty:
        return "no successful runs to compare"
    undefined = False
    rows = []
    for outcome, group in levels.groupby("outcome", sort=False):
        first = f"{outcome} ({group['unit'].iloc[0]})" if group["unit"].iloc[0] else outcome
        for i, g in enumerate(group.itertuples()):
            undefined |= not np.isfinite(g.mean)
            u = g.unit
            rows.append([first if i == 0 else "", g.policy, str(g.n), format_value(g.mean, u),
                         f"[{format_value(g.q_lo, u)}, {format_value(g.q_hi, u)}]"])  # fmt: skip
    lines = [
        "Policy comparison: mean over runs, and the middle 95% of runs (2.5th-97.5th",
        "percentiles across design points and seeds: the spread, not a confidence interval)",
        "",
        *_block(rows, ["outcome", "policy", "runs", "mean", "middle 95% of runs"]),
    ]
    diff = paired(results, outcomes=outcomes)
    if not diff.empty:
        ref = diff["reference"].iloc[0]
        rows = []
        for outcome, group in diff.groupby("outcome", sort=False):
            unit = group["unit"].iloc[0]
            first = f"{outcome} ({unit})" if unit else outcome
            for i, g in enumerate(group.itertuples()):
                undefined |= not np.isfinite(g.mean_diff)
                share = "n/a" if not np.isfinite(g.p_positive) else f"{g.p_positive:.0%}"
                rows.append([first if i == 0 else "", g.policy, str(g.n_pairs),
                             format_value(g.mean_diff, unit, signed=True),
                             f"[{format_value(g.lo, unit, signed=True)}, "
                             f"{format_value(g.hi, unit, signed=True)}]", share])  # fmt: skip
        lines += [
            "",
            f"Difference from '{ref}', paired on the same design point and seed: mean",
            "difference, its 95% confidence interval (Student t), share of pairs above 0",
            "",
            *_block(rows, ["outcome", "policy", "pairs", "mean diff", "95% CI of mean", ">0"]),
        ]
    if undefined:
        lines += ["", "n/a: undefined in every run (e.g. a closed margin with no closed sales)"]
    return "\n".join(_fit([*lines, *identical_lines(results)]))


def identical_notes(results: Results) -> list[str]:
    """A sentence per pair of policies identical in every pair (none: an empty list)."""
    return [
        f"Note: '{b}' gave exactly the same value as '{a}' for every outcome in every pair "
        "(design point and seed): it made no difference here, and its lines in the figures "
        f"lie on those of '{a}' (drawn dashed over them)."
        for a, b in agg.identical_policies(results)
    ]


def identical_lines(results: Results) -> list[str]:
    """:func:`identical_notes` as console lines of at most :data:`WIDTH`."""
    return [line for note in identical_notes(results) for line in ["", *textwrap.wrap(note, WIDTH)]]
