"""Market shares by vendor group over time, mean across runs: the exited vendors' open
weights (still in use, with no vendor row) counted as a group of their own."""

from __future__ import annotations

import pandas as pd

from aimarket.experiments.engine.store import Results


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
