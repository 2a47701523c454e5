"""Figures of one run: prices, market shares, capability frontiers, money; events marked.

Every function takes tidy frames (``model.market_frame()``, ``model.vendor_frame()``)
and the run's events, draws on a new or given axis, and returns the figure. Colours are
fixed per release policy and per open/closed so that every figure agrees.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from pathlib import Path

import matplotlib

if "inline" not in os.environ.get("MPLBACKEND", ""):  # a notebook kernel keeps its own
    matplotlib.use("Agg")  # files, not windows
import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import pandas as pd

from aimarket.simulation.policies import POLICIES

#: One colour per release policy, used by every figure (runs and sweeps): each policy's
#: record declares its own (:mod:`aimarket.simulation.policies`).
POLICY_COLORS = {policy.name: policy.color for policy in POLICIES}
#: Closed and open models in price and capability figures.
CLOSED_COLOR, OPEN_COLOR, REFERENCE_COLOR = "#c0392b", "#1f77b4", "#555555"

STYLE = {
    "figure.figsize": (8.5, 4.6),
    "figure.dpi": 110,
    "savefig.dpi": 130,
    "savefig.bbox": "tight",
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.titlesize": 12,
    "axes.labelsize": 10.5,
    "legend.fontsize": 9,
    "legend.frameon": False,
}

Event = tuple[int, str, str]


def events_frame(events: Iterable[Event], start: str) -> pd.DataFrame:
    """Events as a frame with their calendar date (step 1 is ``start``)."""
    rows = [
        {
            "step": s,
            "who": who,
            "what": what,
            "date": (pd.Period(start, "M") + s - 1).to_timestamp(),
        }
        for s, who, what in events
    ]
    return pd.DataFrame(rows, columns=["step", "who", "what", "date"])


def notable(events: Iterable[Event]) -> list[Event]:
    """Events worth a line on a time axis: shocks, pivots, leaks (not routine entries)."""
    routine = ("entered", "exited")
    return [e for e in events if e[2] not in routine]


def mark_events(ax, events: Iterable[Event], start: str, max_labels: int = 8) -> None:
    """Dashed vertical lines at each notable event, labelled along the top."""
    frame = events_frame(notable(events), start).head(max_labels)
    for k, row in enumerate(frame.itertuples()):
        ax.axvline(row.date, color="#444444", lw=0.9, ls="--", alpha=0.7)
        ax.annotate(
            f"{row.who}: {row.what}",
            xy=(row.date, 1.0),
            xycoords=("data", "axes fraction"),
            xytext=(3, -4 - 11 * (k % 3)),
            textcoords="offset points",
            fontsize=7.5,
            va="top",
            color="#333333",
        )


def format_dates(ax) -> None:
    """Concise calendar dates on the x axis."""
    ax.xaxis.set_major_locator(mdates.AutoDateLocator(minticks=4, maxticks=9))
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(ax.xaxis.get_major_locator()))


def _figure(ax):
    if ax is None:
        with plt.rc_context(STYLE):
            fig, ax = plt.subplots()
        return fig, ax
    return ax.figure, ax


def plot_prices(market: pd.DataFrame, events: Sequence[Event] = (), start: str = "", ax=None):
    """Closed API price, open hosting price and the price of the reference capability."""
    with plt.rc_context(STYLE):
        fig, ax = _figure(ax)
        ax.plot(
            market["date"],
            market["closed_price"],
            color=CLOSED_COLOR,
            lw=2,
            label="closed API (mean)",
        )
        ax.plot(
            market["date"],
            market["open_price"],
            color=OPEN_COLOR,
            lw=2,
            label="open weights hosted (mean)",
        )
        ax.plot(
            market["date"],
            market["fixed_capability_price"],
            color=REFERENCE_COLOR,
            lw=1.5,
            ls=":",
            label="cheapest model at reference capability",
        )
        ax.set_yscale("log")
        ax.set_ylabel("price ($ per million tokens, log scale)")
        ax.set_title("Token prices")
        ax.legend(loc="lower left")
        format_dates(ax)
        if events and start:
            mark_events(ax, events, start)
        return fig


def plot_frontier(market: pd.DataFrame, events: Sequence[Event] = (), start: str = "", ax=None):
    """Best closed and best open capability, and the gap between them."""
    with plt.rc_context(STYLE):
        fig, ax = _figure(ax)
        ax.plot(
            market["date"],
            market["closed_frontier"],
            color=CLOSED_COLOR,
            lw=2,
            label="closed frontier",
        )
        ax.plot(
            market["date"], market["open_frontier"], color=OPEN_COLOR, lw=2, label="open frontier"
        )
        ax.fill_between(
            market["date"],
            market["open_frontier"],
            market["closed_frontier"],
            color=CLOSED_COLOR,
            alpha=0.08,
            label="gap",
        )
        ax.set_ylabel("capability (frontier-years)")
        ax.set_title("Capability frontier: closed versus open models")
        ax.legend(loc="lower right")
        format_dates(ax)
        if events and start:
            mark_events(ax, events, start)
        return fig


def plot_shares(vendors: pd.DataFrame, top: int = 6, ax=None):
    """Stacked token shares by vendor; the smallest are pooled as 'others', but the
    platform vendor(s) are always shown, however small."""
    with plt.rc_context(STYLE):
        fig, ax = _figure(ax)
        wide = vendors.pivot_table(
            index="date", columns="vendor", values="token_share", aggfunc="sum"
        )
        wide = wide.fillna(0.0)
        order = wide.mean().sort_values(ascending=False).index
        platforms = set(vendors.loc[vendors["business_model"] == "platform", "vendor"])
        keep = [v for k, v in enumerate(order) if k < top or v in platforms]
        shown = wide[keep].copy()
        if len(order) > len(keep):
            shown["others"] = wide[[v for v in order if v not in keep]].sum(axis=1)
        colors = plt.get_cmap("tab10").colors
        ax.stackplot(
            shown.index, shown.T.to_numpy(), labels=shown.columns, colors=colors, alpha=0.85
        )
        ax.set_ylim(0, 1)
        ax.set_ylabel("share of tokens")
        ax.set_title("Market shares by vendor (tokens)")
        ax.legend(loc="center left", bbox_to_anchor=(1.01, 0.5))
        format_dates(ax)
        return fig


def plot_money(market: pd.DataFrame, events: Sequence[Event] = (), start: str = ""):
    """Who gains: the platform's payoff and VC funding (left), developers' surplus (right)."""
    with plt.rc_context(STYLE):
        fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2))
        left.plot(
            market["date"],
            market["platform_payoff"] / 1000,
            lw=2,
            color=POLICY_COLORS["open"],
            label="platform: cumulative payoff",
        )
        left.plot(
            market["date"],
            market["vc_funding"].cumsum() / 1000,
            lw=2,
            color="#ff7f0e",
            label="VCs: cumulative funding",
        )
        left.axhline(0, color="black", lw=0.8)
        left.set_ylabel("$ billion")
        left.set_title("Platform payoff and venture funding")
        left.legend(loc="lower left")
        right.plot(market["date"], market["developer_surplus"] / 1000, lw=2, color="#2ca02c")
        right.set_ylabel("$ billion per month")
        right.set_title("Developer surplus (logit log-sum)")
        for ax in (left, right):
            format_dates(ax)
            if events and start:
                mark_events(ax, events, start, max_labels=4)
        fig.tight_layout()
        return fig


def run_figures(
    market: pd.DataFrame, vendors: pd.DataFrame, events: Sequence[Event], start: str, out: Path
) -> list[Path]:
    """Write the four figures of one run as PNG files in ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    figures = {
        "prices.png": plot_prices(market, events, start),
        "frontier.png": plot_frontier(market, events, start),
        "shares.png": plot_shares(vendors),
        "payoffs.png": plot_money(market, events, start),
    }
    paths = []
    for name, fig in figures.items():
        fig.savefig(out / name, dpi=STYLE["savefig.dpi"], bbox_inches="tight")
        plt.close(fig)
        paths.append(out / name)
    return paths
