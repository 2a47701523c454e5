"""Market shares by vendor over time: one stacked area chart per release policy."""

from __future__ import annotations

import matplotlib.pyplot as plt

from aimarket.experiments.analysis import aggregate as agg
from aimarket.experiments.analysis.figures.common import (
    date_axis,
    grid,
    legend_below,
    policies_of,
    policy_colors,
    vendor_colors,
)
from aimarket.experiments.engine.store import Results
from aimarket.simulation.plots import STYLE


def plot_shares(results: Results, value: str = "token_share", ncols: int = 2):
    """Market shares by vendor over time, one stacked area chart per policy (mean across
    runs; funded entrants pooled). Vendor colours are fixed across panels."""
    shares = agg.share_series(results, value)
    policies = policies_of(results, shares)
    order = shares.groupby("group")["share"].mean().sort_values(ascending=False).index.tolist()
    top = [g for g in ("entrants", agg.EXITED) if g in order]  # pooled groups on top
    order = [g for g in order if g not in top] + top
    colors = vendor_colors(order)
    what = "tokens" if value == "token_share" else "developers"
    with plt.rc_context(STYLE):
        fig, axes = grid(len(policies), ncols, width=5.0, height=3.2)
        for ax, p in zip(axes, policies, strict=True):
            wide = shares[shares["policy"] == p].pivot(
                index="date" if "date" in shares else "step", columns="group", values="share"
            )
            wide = wide.reindex(columns=order, fill_value=0.0).fillna(0.0)
            ax.stackplot(
                wide.index, wide.T.to_numpy(), labels=order,
                colors=[colors[g] for g in order], alpha=0.9,
            )  # fmt: skip
            ax.set_ylim(0, 1)
            ax.set_title(f"platform policy: {p}", color=policy_colors([p])[p], fontsize=11)
            ax.set_ylabel(f"share of {what}")
            if "date" in shares:
                date_axis(ax)
        handles, labels = axes[0].get_legend_handles_labels()
        legend_below(fig, handles, labels)
        fig.suptitle(f"Market shares by vendor (mean across runs, share of {what})")
    return fig
