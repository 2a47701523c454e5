"""Sweep figures over time: market metrics per policy with interval bands, paired
differences over time, and the capability frontier."""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import pandas as pd

from aimarket.experiments.analysis import aggregate as agg
from aimarket.experiments.analysis.figures.common import (
    axis_label,
    band_note,
    date_axis,
    grid,
    legend_below,
    money_scale,
    own_axes,
    policies_of,
    policy_lines,
    title_label,
    x_values,
)
from aimarket.experiments.engine.store import Results
from aimarket.simulation.plots import CLOSED_COLOR, OPEN_COLOR, STYLE


def draw_series(ax, summary: pd.DataFrame, lines: dict[str, dict], band: str, scale: float):
    """The mean per policy over time, with a band: "ci" (lo, hi), "spread" (q_lo, q_hi)
    or "none". ``lines``: each policy's line properties (:func:`policy_lines`), in order."""
    lo, hi = ("lo", "hi") if band == "ci" else ("q_lo", "q_hi")
    for p, style in lines.items():
        s = summary[summary["policy"] == p]
        if s.empty:
            continue
        x = x_values(s)
        ax.plot(x, s["mean"] / scale, lw=2, **style)
        if band != "none":
            ax.fill_between(x, s[lo] / scale, s[hi] / scale, color=style["color"], alpha=0.18,
                            lw=0)  # fmt: skip
    if "date" in summary.columns:
        date_axis(ax)
    else:
        ax.set_xlabel("month")


def plot_series(
    results: Results,
    metric: str,
    band: str = "ci",
    log: bool = False,
    policies: Sequence[str] | None = None,
    title: str | None = None,
    ax=None,
):
    """One market metric over time: the mean across runs per policy, with a band.

    ``band="ci"``: 95% t confidence interval of the mean across runs; ``"spread"``:
    2.5-97.5 percentiles of the runs (outcome uncertainty); ``"none"``.
    """
    summary = agg.summarize_series(results, [metric])
    policies = list(policies or policies_of(results, summary))
    lines = policy_lines(policies, results)
    scale, unit = money_scale(agg.unit(metric), summary["mean"])
    with plt.rc_context(STYLE):
        fig, ax = own_axes(ax)
        draw_series(ax, summary, lines, band, scale)
        if log:
            ax.set_yscale("log")
        ax.set_ylabel(axis_label(metric, unit) + (", log scale" if log else ""))
        ax.set_title(title or f"{title_label(metric)} by release policy")
        ax.legend(loc="best", title=band_note(band), title_fontsize=8)
    return fig


def plot_series_panel(
    results: Results,
    metrics: Sequence[str],
    band: str = "ci",
    log: Sequence[str] = ("closed_price", "open_price", "fixed_capability_price"),
    ncols: int = 2,
    title: str | None = None,
):
    """Several market metrics over time, one panel each, one legend above them."""
    summary = agg.summarize_series(results, metrics)
    lines = policy_lines(policies_of(results, summary), results)
    with plt.rc_context(STYLE):
        fig, axes = grid(len(metrics), ncols, width=5.0, height=3.3)
        for ax, metric in zip(axes, metrics, strict=True):
            s = summary[summary["metric"] == metric]
            scale, unit = money_scale(agg.unit(metric), s["mean"])
            draw_series(ax, s, lines, band, scale)
            if metric in log:
                ax.set_yscale("log")
            ax.set_title(title_label(metric))
            ax.set_ylabel(unit + (", log" if metric in log else ""))
        handles, labels = axes[0].get_legend_handles_labels()
        legend_below(fig, handles, [*labels])
        fig.suptitle(
            (title or "Market over time, mean across runs") + f" ({band_note(band)})",
            fontsize=12,
        )
    return fig


def plot_contrast_series(
    results: Results, metric: str, reference: str | None = None, ax=None, title: str | None = None
):
    """Paired difference of a metric over time: each policy minus the reference on the
    same design point and seed, with the 95% CI of the mean difference."""
    summary = agg.contrast_series(results, [metric], reference)
    reference = summary["reference"].iloc[0]
    lines = policy_lines(policies_of(results, summary), results)
    scale, unit = money_scale(agg.unit(metric), summary["mean"])
    with plt.rc_context(STYLE):
        fig, ax = own_axes(ax)
        draw_series(ax, summary, lines, "ci", scale)
        ax.axhline(0, color="black", lw=0.8)
        ax.set_ylabel(f"difference from {reference} ({unit})" if unit else "difference")
        ax.set_title(title or f"{title_label(metric)}: policy minus {reference}")
        ax.legend(loc="best", title=band_note("ci") + ", paired", title_fontsize=8)
    return fig


def plot_frontier(results: Results, band: str = "ci"):
    """Capability frontier over time: best closed model (left) and best open model
    (right) per platform policy, mean across runs with a band."""
    summary = agg.summarize_series(results, ["closed_frontier", "open_frontier"])
    lines = policy_lines(policies_of(results, summary), results)
    with plt.rc_context(STYLE):
        fig, axes = plt.subplots(1, 2, figsize=(11, 4.0), sharey=True, layout="constrained")
        for ax, metric, color, name in zip(
            axes,
            ("closed_frontier", "open_frontier"),
            (CLOSED_COLOR, OPEN_COLOR),
            ("Best closed model", "Best open-weights model"),
            strict=True,
        ):
            draw_series(ax, summary[summary["metric"] == metric], lines, band, 1.0)
            ax.set_title(name, color=color)
        axes[0].set_ylabel("capability (frontier-years)")
        handles, labels = axes[0].get_legend_handles_labels()
        legend_below(fig, handles, labels)
        fig.suptitle(f"Capability frontier by platform policy ({band_note(band)})", fontsize=12)
    return fig
