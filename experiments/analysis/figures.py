"""Figures of a sweep: time series with interval bands, policy comparisons, paired
contrasts, phase diagrams over two swept parameters, market shares and the frontier.

Every function takes a :class:`~aimarket.experiments.engine.store.Results`
(``aimarket.experiments.load(DIR)``)
and returns a matplotlib figure. Each release policy has one colour everywhere
(:data:`aimarket.simulation.plots.POLICY_COLORS`); closed is red and open is blue, so the
diverging colour scale of a phase diagram reads the same way (blue: open does better).

>>> from experiments import load
>>> from experiments import figures
>>> results = load("results/open_vs_closed")
>>> figures.plot_series(results, "closed_price", log=True)
>>> figures.plot_phase(results, "platform_payoff", "complement_strength",
...                    "community_improvement", policy="open", reference="closed")
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path

import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.colors import TwoSlopeNorm
from matplotlib.patches import Rectangle

from aimarket.experiments.analysis import aggregate as agg
from aimarket.experiments.engine.outcomes import OUTCOMES
from aimarket.experiments.engine.store import Results
from aimarket.simulation import metrics
from aimarket.simulation.plots import CLOSED_COLOR, OPEN_COLOR, POLICY_COLORS, STYLE
from aimarket.simulation.report import format_number

#: Colours for policies not in POLICY_COLORS (custom lever names), in order of use.
_EXTRA_COLORS = ("#ff7f0e", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf")
#: Vendor colours in share charts: none of them is a policy colour.
VENDOR_COLORS = {
    "openai": "#7f7f7f",
    "anthropic": "#ff7f0e",
    "google": "#bcbd22",
    "meta": "#17becf",
    "mistral": "#8c564b",
    "entrants": "#e377c2",
    agg.EXITED: "#d0d0d0",
}
_VENDOR_EXTRA = ("#393b79", "#8c6d31", "#843c39", "#7b4173", "#5254a3", "#637939")


# -- helpers -----------------------------------------------------------------------------
def policy_colors(policies: Sequence[str]) -> dict[str, str]:
    """A colour per policy: the fixed POLICY_COLORS, then extra colours for other names."""
    extra = iter(_EXTRA_COLORS * 4)
    return {p: POLICY_COLORS.get(p) or next(extra) for p in policies}


def label(name: str) -> str:
    if name in OUTCOMES:
        return OUTCOMES[name].label
    found = metrics.label(name)
    return found if found != name else name.replace("_", " ")


def title_label(name: str) -> str:
    """The label with its first letter in capitals (keeps 'VC', 'API', 'HHI')."""
    text = label(name)
    return text[:1].upper() + text[1:]


def money_scale(unit: str, values) -> tuple[float, str]:
    """Show $M amounts in $B when they are large: (divisor, unit)."""
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v)]
    if unit.startswith("$M") and len(v) and np.abs(v).max() >= 1e4:
        return 1000.0, "$B" + unit[2:]
    return 1.0, unit


def axis_label(name: str, unit: str) -> str:
    return f"{label(name)} ({unit})" if unit else label(name)


def parameter_label(results: Results | None, name: str) -> str:
    """A swept parameter with what its value means (set, x baseline, shift)."""
    spec = {}
    if results is not None:
        for u in results.manifest.get("spec", {}).get("uncertainties", []):
            if u.get("name") == name:
                spec = u
    mode = spec.get("mode", "set")
    text = name.replace("_", " ")
    if mode == "scale":
        return f"{text} (x baseline)"
    if mode == "shift":
        return f"{text} (shift from baseline)"
    paths = spec.get("paths") or []
    if len(paths) == 1 and paths[0] != name:
        return f"{text} ({paths[0]})"
    return text


def _policies(results: Results, frame: pd.DataFrame) -> list[str]:
    present = list(frame["policy"].unique())
    declared = results.manifest.get("policies", [])
    return [p for p in declared if p in present] + [p for p in present if p not in declared]


def _legend_below(fig, handles, labels, ncol: int | None = None) -> None:
    """One legend for the whole figure, below the panels, never over the data."""
    fig.legend(handles, labels, loc="outside lower center", ncol=ncol or len(labels))


def _grid(n: int, ncols: int, width: float = 4.3, height: float = 3.2):
    ncols = min(ncols, n)
    nrows = math.ceil(n / ncols)
    fig, axes = plt.subplots(
        nrows, ncols, figsize=(width * ncols, height * nrows), squeeze=False, layout="constrained"
    )
    flat = axes.ravel()
    for ax in flat[n:]:
        ax.set_visible(False)
    return fig, flat[:n]


def _dates(ax) -> None:
    locator = mdates.AutoDateLocator(minticks=4, maxticks=8)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))


def _x(frame: pd.DataFrame):
    return frame["date"] if "date" in frame.columns else frame["step"]


# -- time series -------------------------------------------------------------------------
def _draw_series(ax, summary: pd.DataFrame, policies, colors, band: str, scale: float):
    lo, hi = ("lo", "hi") if band == "ci" else ("q_lo", "q_hi")
    for p in policies:
        s = summary[summary["policy"] == p]
        if s.empty:
            continue
        x = _x(s)
        ax.plot(x, s["mean"] / scale, color=colors[p], lw=2, label=p)
        if band != "none":
            ax.fill_between(x, s[lo] / scale, s[hi] / scale, color=colors[p], alpha=0.18, lw=0)
    if "date" in summary.columns:
        _dates(ax)
    else:
        ax.set_xlabel("month")


def _band_note(band: str, level: float = agg.LEVEL) -> str:
    if band == "ci":
        return f"bands: {level:.0%} CI of the mean"
    if band == "spread":
        return f"bands: {(1 - level) / 2:.1%}-{(1 + level) / 2:.1%} percentiles of runs"
    return ""


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
    policies = list(policies or _policies(results, summary))
    colors = policy_colors(policies)
    scale, unit = money_scale(agg.unit(metric), summary["mean"])
    with plt.rc_context(STYLE):
        if ax is None:
            fig, ax = plt.subplots(layout="constrained")
        fig = ax.figure
        _draw_series(ax, summary, policies, colors, band, scale)
        if log:
            ax.set_yscale("log")
        ax.set_ylabel(axis_label(metric, unit) + (", log scale" if log else ""))
        ax.set_title(title or f"{title_label(metric)} by release policy")
        ax.legend(loc="best", title=_band_note(band), title_fontsize=8)
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
    policies = _policies(results, summary)
    colors = policy_colors(policies)
    with plt.rc_context(STYLE):
        fig, axes = _grid(len(metrics), ncols, width=5.0, height=3.3)
        for ax, metric in zip(axes, metrics, strict=True):
            s = summary[summary["metric"] == metric]
            scale, unit = money_scale(agg.unit(metric), s["mean"])
            _draw_series(ax, s, policies, colors, band, scale)
            if metric in log:
                ax.set_yscale("log")
            ax.set_title(title_label(metric))
            ax.set_ylabel(unit + (", log" if metric in log else ""))
        handles, labels = axes[0].get_legend_handles_labels()
        _legend_below(fig, handles, [*labels])
        fig.suptitle(
            (title or "Market over time, mean across runs") + f" ({_band_note(band)})",
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
    policies = _policies(results, summary)
    colors = policy_colors(policies)
    scale, unit = money_scale(agg.unit(metric), summary["mean"])
    with plt.rc_context(STYLE):
        if ax is None:
            fig, ax = plt.subplots(layout="constrained")
        fig = ax.figure
        _draw_series(ax, summary, policies, colors, "ci", scale)
        ax.axhline(0, color="black", lw=0.8)
        ax.set_ylabel(f"difference from {reference} ({unit})" if unit else "difference")
        ax.set_title(title or f"{title_label(metric)}: policy minus {reference}")
        ax.legend(loc="best", title=_band_note("ci") + ", paired", title_fontsize=8)
    return fig


# -- outcomes ----------------------------------------------------------------------------
def plot_outcomes(
    results: Results, outcomes: Sequence[str] | None = None, ncols: int = 3, seed: int = 0
):
    """Final outcomes by policy: every run as a dot, a box of their spread, and the mean
    with its 95% CI (black)."""
    outcomes = list(outcomes or results.manifest.get("table") or results.outcomes[:6])
    runs = results.ok
    policies = _policies(results, runs)
    colors = policy_colors(policies)
    summary = agg.summarize_runs(results, outcomes)
    rng = np.random.default_rng(seed)
    with plt.rc_context(STYLE):
        fig, axes = _grid(len(outcomes), ncols, width=4.0, height=3.4)
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
    policies = [p for p in _policies(results, results.ok) if p in set(table["policy"])]
    colors = policy_colors(policies)
    with plt.rc_context(STYLE):
        fig, axes = _grid(len(outcomes), ncols, width=4.0, height=0.55 * len(policies) + 1.6)
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
    policies = list(policies or _policies(results, summary))
    colors = policy_colors(policies)
    scale, unit = money_scale(agg.unit(outcome), summary["mean"])
    with plt.rc_context(STYLE):
        if ax is None:
            fig, ax = plt.subplots(layout="constrained")
        fig = ax.figure
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


# -- phase diagram -----------------------------------------------------------------------
def plot_phase(
    results: Results,
    outcome: str,
    x: str,
    y: str,
    policy: str | None = "open",
    reference: str | None = "closed",
    bins: int | None = None,
    ax=None,
    title: str | None = None,
):
    """Heatmap of an outcome over two swept parameters (a phase diagram).

    With ``reference``: the mean paired difference ``policy - reference`` per cell on a
    diverging scale centred at 0 (blue: the policy does better; red: worse); without:
    the mean outcome under ``policy``. Each cell is annotated with its value and the
    number of design points in it; empty cells stay blank.
    """
    table = agg.phase_table(results, outcome, x, y, policy, reference, bins)
    grid = table.pivot(index=y, columns=x, values="value")
    count = table.pivot(index=y, columns=x, values="n_points")
    scale, unit = money_scale(agg.unit(outcome), table["value"])
    values = grid.to_numpy(dtype=float) / scale
    with plt.rc_context(STYLE):
        if ax is None:
            fig, ax = plt.subplots(figsize=(7.2, 5.4), layout="constrained")
        fig = ax.figure
        finite = values[np.isfinite(values)]
        if reference is not None:
            vmax = float(np.abs(finite).max()) if len(finite) else 1.0
            vmax = vmax or 1.0
            norm, cmap = TwoSlopeNorm(0.0, -vmax, vmax), "RdBu"
        else:
            norm, cmap = None, "viridis"
        image = ax.imshow(
            np.ma.masked_invalid(values), origin="lower", aspect="auto", cmap=cmap, norm=norm
        )
        ax.grid(False)
        for (i, j), v in np.ndenumerate(values):
            if np.isfinite(v):
                dark = norm is not None and abs(norm(v) - 0.5) > 0.3
                k = int(count.iloc[i, j])
                ax.text(
                    j, i, f"{format_number(v, missing='')}\n({k} point{'s' if k != 1 else ''})",
                    ha="center",
                    va="center", fontsize=8, color="white" if dark else "#222222",
                )  # fmt: skip
            else:
                ax.add_patch(
                    Rectangle((j - 0.5, i - 0.5), 1, 1, fill=False, hatch="///", lw=0,
                              edgecolor="#c8c8c8")
                )  # fmt: skip
                ax.text(j, i, "no runs", ha="center", va="center", fontsize=8, color="#666666")
        ax.set_xticks(range(grid.shape[1]))
        ax.set_xticklabels([format_number(v, missing="") for v in grid.columns])
        ax.set_yticks(range(grid.shape[0]))
        ax.set_yticklabels([format_number(v, missing="") for v in grid.index])
        ax.set_xlabel(parameter_label(results, x))
        ax.set_ylabel(parameter_label(results, y))
        what = f"{policy} minus {reference}" if reference else (policy or "all policies")
        bar = fig.colorbar(image, ax=ax, shrink=0.9)
        bar.set_label(f"{label(outcome)}, {what} ({unit})")
        ax.set_title(
            title or f"Where does '{policy}' pay? {title_label(outcome)}, {what}"
            if reference
            else title or f"{title_label(outcome)} under {what}"
        )
    return fig


def vendor_colors(groups: Sequence[str]) -> dict[str, str]:
    extra = iter(_VENDOR_EXTRA * 4)
    return {g: VENDOR_COLORS.get(g) or next(extra) for g in groups}


def plot_shares(results: Results, value: str = "token_share", ncols: int = 2):
    """Market shares by vendor over time, one stacked area chart per policy (mean across
    runs; funded entrants pooled). Vendor colours are fixed across panels."""
    shares = agg.share_series(results, value)
    policies = _policies(results, shares)
    order = shares.groupby("group")["share"].mean().sort_values(ascending=False).index.tolist()
    top = [g for g in ("entrants", agg.EXITED) if g in order]  # pooled groups on top
    order = [g for g in order if g not in top] + top
    colors = vendor_colors(order)
    what = "tokens" if value == "token_share" else "developers"
    with plt.rc_context(STYLE):
        fig, axes = _grid(len(policies), ncols, width=5.0, height=3.2)
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
                _dates(ax)
        handles, labels = axes[0].get_legend_handles_labels()
        _legend_below(fig, handles, labels)
        fig.suptitle(f"Market shares by vendor (mean across runs, share of {what})")
    return fig


def plot_frontier(results: Results, band: str = "ci"):
    """Capability frontier over time: best closed model (left) and best open model
    (right) per platform policy, mean across runs with a band."""
    summary = agg.summarize_series(results, ["closed_frontier", "open_frontier"])
    policies = _policies(results, summary)
    colors = policy_colors(policies)
    with plt.rc_context(STYLE):
        fig, axes = plt.subplots(1, 2, figsize=(11, 4.0), sharey=True, layout="constrained")
        for ax, metric, color, name in zip(
            axes,
            ("closed_frontier", "open_frontier"),
            (CLOSED_COLOR, OPEN_COLOR),
            ("Best closed model", "Best open-weights model"),
            strict=True,
        ):
            _draw_series(ax, summary[summary["metric"] == metric], policies, colors, band, 1.0)
            ax.set_title(name, color=color)
        axes[0].set_ylabel("capability (frontier-years)")
        handles, labels = axes[0].get_legend_handles_labels()
        _legend_below(fig, handles, labels)
        fig.suptitle(f"Capability frontier by platform policy ({_band_note(band)})", fontsize=12)
    return fig


def save(fig, path: Path) -> Path:
    """Save a figure as PNG (tight, at the STYLE resolution) and close it."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=STYLE["savefig.dpi"], bbox_inches="tight")
    plt.close(fig)
    return path
