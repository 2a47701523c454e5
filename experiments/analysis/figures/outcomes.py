"""Sweep figures of final outcomes: every run by policy, paired contrasts against the
reference policy, and an outcome's response to one swept parameter."""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np

from aimarket.experiments.analysis import aggregate as agg
from aimarket.experiments.analysis.figures.common import (
    axis_label,
    grid,
    money_scale,
    own_axes,
    parameter_label,
    policies_of,
    policy_colors,
    title_label,
)
from aimarket.experiments.engine.store import Results
from aimarket.simulation.plots import STYLE


def plot_outcomes(
    results: Results, outcomes: Sequence[str] | None = None, ncols: int = 3, seed: int = 0
):
    """Final outcomes by policy: every run as a dot, a box of their spread, and the mean
    with its 95% CI (black)."""
    outcomes = list(outcomes or results.manifest.get("table") or results.outcomes[:6])
    runs = results.ok
    policies = policies_of(results, runs)
    colors = policy_colors(policies)
    summary = agg.summarize_runs(results, outcomes)
    rng = np.random.default_rng(seed)
    with plt.rc_context(STYLE):
        fig, axes = grid(len(outcomes), ncols, width=4.0, height=3.4)
        for ax, name in zip(axes, outcomes, strict=True):
            scale, unit = money_scale(agg.unit(name), runs[name])
            data = [runs.loc[runs["policy"] == p, name].to_numpy() / scale for p in policies]
            box = ax.boxplot(
                data, positions=range(len(policies)), widths=0.55, showfliers=False,
                patch_artist=True, medianprops={"color": "#333333"},
            )  # fmt: skip
            for patch, p in zip(box["boxes"], policies, strict=True):
                patch.set(facecolor=colors[p], alpha=0.18, edgecolor=colors[p])
            for i, (p, values) in enumerate(zip(policies, data, strict=True)):
                jitter = rng.uniform(-0.18, 0.18, len(values))
                ax.scatter(i + jitter, values, s=9, color=colors[p], alpha=0.6, lw=0)
                row = summary[(summary["policy"] == p) & (summary["outcome"] == name)]
                if len(row):
                    m, lo, hi = (row[c].iloc[0] / scale for c in ("mean", "lo", "hi"))
                    ax.errorbar(
                        i, m, yerr=[[m - lo], [hi - m]], fmt="D", color="black", ms=4,
                        capsize=3, lw=1.2, zorder=5,
                    )  # fmt: skip
            ax.set_xticks(range(len(policies)))
            ax.set_xticklabels([p.replace("_", "_\n") for p in policies], fontsize=8.5)
            ax.set_title(title_label(name), fontsize=10.5)
            ax.set_ylabel(unit)
            ax.grid(axis="x", visible=False)
        fig.suptitle(
            "Outcomes by release policy: runs (dots), spread (box), mean and 95% CI (black)",
            fontsize=12,
        )
    return fig


def plot_contrasts(
    results: Results,
    outcomes: Sequence[str] | None = None,
    reference: str | None = None,
    ncols: int = 3,
    method: str = "t",
):
    """Paired contrasts: each policy minus the reference on the same point and seed,
    the mean difference with its 95% confidence interval, one panel per outcome."""
    outcomes = list(outcomes or results.manifest.get("table") or results.outcomes[:6])
    table = agg.paired_contrasts(results, reference, outcomes, method=method)
    reference = table.attrs.get("reference", reference)
    policies = [p for p in policies_of(results, results.ok) if p in set(table["policy"])]
    colors = policy_colors(policies)
    with plt.rc_context(STYLE):
        fig, axes = grid(len(outcomes), ncols, width=4.0, height=0.55 * len(policies) + 1.6)
        for ax, name in zip(axes, outcomes, strict=True):
            t = table[table["outcome"] == name].set_index("policy").reindex(policies)
            scale, unit = money_scale(agg.unit(name), t[["lo", "hi", "mean_diff"]].to_numpy())
            y = np.arange(len(policies))[::-1]
            for yi, p in zip(y, policies, strict=True):
                m, lo, hi = t.loc[p, ["mean_diff", "lo", "hi"]] / scale
                ax.errorbar(
                    m, yi, xerr=[[m - lo], [hi - m]], fmt="o", color=colors[p], ms=6,
                    capsize=4, lw=2,
                )  # fmt: skip
            ax.axvline(0, color="black", lw=0.9)
            ax.set_yticks(y)
            ax.set_yticklabels(policies, fontsize=9)
            ax.set_ylim(y.min() - 0.6, y.max() + 0.6)
            ax.set_title(title_label(name), fontsize=10.5)
            ax.set_xlabel(f"difference ({unit})" if unit else "difference")
            ax.grid(axis="y", visible=False)
        interval = "t" if method == "t" else "bootstrap"
        fig.suptitle(
            f"Paired contrasts: policy minus '{reference}' on the same point and seed "
            f"(mean, 95% {interval} CI)",
            fontsize=12,
        )
    return fig


def plot_response(
    results: Results, outcome: str, parameter: str, policies: Sequence[str] | None = None, ax=None
):
    """An outcome against one swept parameter: the mean per policy and parameter value
    with its 95% confidence interval across replicates (a what-if curve)."""
    summary = agg.summarize_runs(results, [outcome], by=("policy", parameter))
    policies = list(policies or policies_of(results, summary))
    colors = policy_colors(policies)
    scale, unit = money_scale(agg.unit(outcome), summary["mean"])
    with plt.rc_context(STYLE):
        fig, ax = own_axes(ax)
        for p in policies:
            s = summary[summary["policy"] == p].sort_values(parameter)
            x = s[parameter].astype(float)
            ax.plot(x, s["mean"] / scale, "o-", color=colors[p], lw=2, ms=5, label=p)
            ax.fill_between(x, s["lo"] / scale, s["hi"] / scale, color=colors[p], alpha=0.18, lw=0)
        ax.set_xlabel(parameter_label(results, parameter))
        ax.set_ylabel(axis_label(outcome, unit))
        ax.set_title(f"{title_label(outcome)} as {parameter.replace('_', ' ')} varies")
        ax.legend(loc="best", title="mean and 95% CI over replicates", title_fontsize=8)
    return fig
