"""Comparing policies across a sweep: summary tables from a results folder.

:func:`compare` gives, for each policy, the mean of each outcome and its 95% interval
across design points and replicates (the 2.5th to 97.5th percentiles: the spread of
outcomes under uncertainty, not a confidence interval of the mean). :func:`paired`
gives each policy's difference from a reference policy, paired by (point, replicate):
both ran on the same seed, so the difference is free of seed noise.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from experiments.outcomes import OUTCOMES
from experiments.store import Results
from simulation.report import format_number

#: Outcomes of the default comparison, in this order, when the sweep names none.
DEFAULT_TABLE = (
    "platform_payoff",
    "closed_margin",
    "vc_funding",
    "entrants",
    "developer_surplus",
)


def _table_outcomes(results: Results, outcomes: Sequence[str] | None) -> list[str]:
    chosen = list(outcomes or results.manifest.get("table") or [])
    if not chosen:
        chosen = [o for o in DEFAULT_TABLE if o in results.runs.columns]
    if not chosen:
        chosen = results.outcomes[:5]
    return [o for o in chosen if o in results.runs.columns]


def compare(results: Results, outcomes: Sequence[str] | None = None) -> pd.DataFrame:
    """Policies as rows; for each outcome its mean, 2.5% and 97.5% quantiles; and n runs."""
    ok = results.ok
    cols = _table_outcomes(results, outcomes)
    order = [p for p in results.manifest.get("policies", []) if p in set(ok["policy"])]
    grouped = ok.groupby("policy", sort=False)[cols]
    mean = grouped.mean()
    lo = grouped.quantile(0.025)
    hi = grouped.quantile(0.975)
    table = pd.concat({"mean": mean, "lo95": lo, "hi95": hi}, axis=1).swaplevel(0, 1, axis=1)
    table = table.reindex(columns=pd.MultiIndex.from_product([cols, ["mean", "lo95", "hi95"]]))
    table.insert(0, "runs", ok.groupby("policy", sort=False).size())
    return table.loc[order]


def paired(
    results: Results, reference: str | None = None, outcomes: Sequence[str] | None = None
) -> pd.DataFrame:
    """Each policy minus ``reference`` on the same (point, replicate): mean difference,
    95% interval of the differences, and the share of pairs where the policy is higher."""
    ok = results.ok
    cols = _table_outcomes(results, outcomes)
    policies = [p for p in results.manifest.get("policies", []) if p in set(ok["policy"])]
    reference = reference or results.manifest.get("reference") or (policies or [None])[0]
    if reference not in policies:
        return pd.DataFrame()
    keyed = ok.set_index(["point", "replicate"])
    ref = keyed[keyed["policy"] == reference][cols]
    rows = {}
    for p in policies:
        if p == reference:
            continue
        diff = (keyed[keyed["policy"] == p][cols] - ref).dropna(how="all")
        row: dict[tuple[str, str], float] = {("pairs", ""): float(len(diff))}
        for c in cols:
            d = diff[c].dropna()
            row[(c, "mean")] = float(d.mean()) if len(d) else np.nan
            row[(c, "lo95")] = float(d.quantile(0.025)) if len(d) else np.nan
            row[(c, "hi95")] = float(d.quantile(0.975)) if len(d) else np.nan
            row[(c, "P(>0)")] = float((d > 0).mean()) if len(d) else np.nan
        rows[p] = row
    if not rows:
        return pd.DataFrame()
    frame = pd.DataFrame.from_dict(rows, orient="index")
    frame.columns = pd.MultiIndex.from_tuples(frame.columns)
    frame.attrs["reference"] = reference
    return frame


def _label(name: str) -> str:
    o = OUTCOMES.get(name)
    return f"{name} ({o.unit})" if o else name


def format_comparison(results: Results, outcomes: Sequence[str] | None = None) -> str:
    """The comparison as text: one line per policy, ``mean [lo, hi]`` per outcome."""
    table = compare(results, outcomes)
    if table.empty:
        return "no successful runs to compare"
    cols = _table_outcomes(results, outcomes)
    cells = pd.DataFrame(index=table.index)
    cells["runs"] = table["runs"].astype(int).astype(str)
    for c in cols:
        cells[_label(c)] = [
            f"{format_number(m)} [{format_number(lo)}, {format_number(hi)}]"
            for m, lo, hi in zip(
                table[(c, "mean")], table[(c, "lo95")], table[(c, "hi95")], strict=True
            )
        ]
    lines = [
        "Policy comparison: mean [middle 95% of runs] across design points and replicates",
        cells.rename_axis("policy").to_string(),
    ]
    diff = paired(results, outcomes=outcomes)
    if not diff.empty:
        ref = diff.attrs["reference"]
        d = pd.DataFrame(index=diff.index)
        d["pairs"] = diff[("pairs", "")].astype(int).astype(str)
        for c in cols:
            d[_label(c)] = [
                f"{format_number(m)} [{format_number(lo)}, {format_number(hi)}] {share:.0%}>0"
                for m, lo, hi, share in zip(
                    diff[(c, "mean")],
                    diff[(c, "lo95")],
                    diff[(c, "hi95")],
                    diff[(c, "P(>0)")],
                    strict=True,
                )
            ]
        lines += [
            "",
            f"Difference from '{ref}', paired on the same point and seed: "
            "mean [middle 95% of pairs], share of pairs above 0",
            d.rename_axis("policy").to_string(),
        ]
    return "\n".join(lines)
