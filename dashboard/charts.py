"""The dashboard's charts, drawn with matplotlib from the runs' metric frames.

Each chart takes a :class:`~aimarket.dashboard.runs.DashboardModel` and returns a new
``matplotlib.figure.Figure`` (no pyplot: nothing to close, nothing kept): one column per
run, so compare mode shows the platform open and closed side by side on the same axes.
Shocks are marked on the time axis in the month they fire
(:func:`aimarket.simulation.plots.mark_events`). :data:`CHARTS` lists them in the order
the page shows them; :func:`render` draws one as SVG bytes, as the server does.
"""

from __future__ import annotations

import io
from collections.abc import Callable

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib import ticker
from matplotlib.figure import Figure

from aimarket.dashboard.runs import DashboardModel, Run
from aimarket.simulation import plots

#: Width and height of one run's panel (inches) and pixels per inch on the page.
PANEL = (5.6, 3.3)
DPI = 72
EMPTY = "press Step or Play to run a month"
#: The parts of the platform's cumulative payoff, $B, in the payoff chart.
PARTS = {
    "complement revenue": "#2ca02c",
    "R&D cost": "#d62728",
    "API revenue less serving, AI and fixed costs": "#9467bd",
}


def _grid(model: DashboardModel, panels: int = 1) -> tuple[Figure, np.ndarray]:
    """A figure of one row: ``panels`` axes per run, sharing the y axis."""
    cols = len(model.runs) * panels
    with plt.rc_context(plots.STYLE):
        fig = Figure(figsize=(PANEL[0] * cols, PANEL[1]), dpi=DPI, layout="none")
        axes = fig.subplots(1, cols, squeeze=False, sharey=True)[0]
        fig.subplots_adjust(left=0.09 / cols, right=1 - 0.03 / cols, bottom=0.1, top=0.9)
    return fig, axes


def _empty(ax, title: str) -> None:
    ax.set_title(title)
    ax.text(0.5, 0.5, EMPTY, ha="center", va="center", transform=ax.transAxes, color="#777777")


def _each(model: DashboardModel, title: str, draw: Callable[[Run, object], None], panels=1):
    """A chart: ``draw(run, axes)`` on each run's ``panels`` axes, titled by run."""
    fig, axes = _grid(model, panels)
    with plt.rc_context(plots.STYLE):
        for k, run in enumerate(model.runs):
            own = axes[k * panels : (k + 1) * panels]
            if run.model.steps == 0:
                for ax in own:
                    _empty(ax, title)
                continue
            draw(run, own)
            if len(model.runs) > 1:
                own[0].set_title(f"{own[0].get_title()}: {run.label}")
    return fig


def _events(model: DashboardModel, run: Run, ax, labels: int = 4) -> None:
    plots.mark_events(ax, run.model.events, model.scenario.market.start, max_labels=labels)


def draw_prices(model: DashboardModel) -> Figure:
    """Closed API prices and open hosting prices ($/Mtok, log scale)."""

    def draw(run: Run, axes) -> None:
        market = model.frames(run).market
        plots.plot_prices(market, ax=axes[0])
        # plain tick labels: the default 10^n labels are parsed as mathtext each render
        axes[0].yaxis.set_major_formatter(ticker.FuncFormatter(lambda v, _: f"{v:g}"))
        axes[0].yaxis.set_minor_formatter(ticker.NullFormatter())
        _events(model, run, axes[0])

    return _each(model, "Token prices", draw)


def draw_shares(model: DashboardModel) -> Figure:
    """Token share by vendor (left) and the open share of each segment's tokens (right)."""

    def draw(run: Run, axes) -> None:
        frames = model.frames(run)
        plots.plot_shares(frames.vendors, ax=axes[0])
        axes[0].legend(loc="lower left", fontsize=7)
        wide = frames.segments.pivot_table(
            index="date", columns="segment", values="open_token_share"
        )
        for segment in wide.columns:
            axes[1].plot(wide.index, wide[segment], lw=2, label=segment)
        axes[1].set_ylim(0, 1)
        axes[1].set_ylabel("open share of tokens")
        axes[1].set_title("Open versus closed, by segment")
        axes[1].legend(loc="upper left", fontsize=7)
        plots.format_dates(axes[1])
        _events(model, run, axes[1])

    return _each(model, "Market shares by vendor (tokens)", draw, panels=2)


def draw_frontier(model: DashboardModel) -> Figure:
    """Best open and closed capability, and the lag of open behind closed."""

    def draw(run: Run, axes) -> None:
        market = model.frames(run).market
        plots.plot_frontier(market, ax=axes[0])
        axes[0].plot(market["date"], market["capability_gap"], color="#555555", lw=1.5,
                     ls="--", label="lag: closed - open")  # fmt: skip
        axes[0].legend(loc="upper left")
        _events(model, run, axes[0])

    return _each(model, "Capability frontier", draw)


def draw_funding(model: DashboardModel) -> Figure:
    """VC funding ($B a month, line) and entries and exits (count, bars)."""

    def draw(run: Run, axes) -> None:
        market = model.frames(run).market
        ax = axes[0]
        ax.plot(market["date"], market["vc_funding"] / 1000, color="#ff7f0e", lw=2,
                label="VC funding")  # fmt: skip
        ax.set_ylabel("$ billion per month")
        ax.set_title("Venture funding, entries and exits")
        counts = ax.twinx()
        width = pd.Timedelta(days=12)
        counts.bar(market["date"] - width / 2, market["entries"], width=width,
                   color="#1f77b4", alpha=0.6, label="entries")  # fmt: skip
        counts.bar(market["date"] + width / 2, market["exits"], width=width,
                   color="#7f7f7f", alpha=0.6, label="exits")  # fmt: skip
        counts.set_ylabel("vendors per month")
        counts.grid(False)
        lines, labels = ax.get_legend_handles_labels()
        more, names = counts.get_legend_handles_labels()
        ax.legend(lines + more, labels + names, loc="upper left")
        plots.format_dates(ax)
        _events(model, run, ax)

    return _each(model, "Venture funding, entries and exits", draw)


def payoff_parts(model: DashboardModel, run: Run) -> pd.DataFrame:
    """The platform's cumulative payoff and its parts by date ($M): complement revenue,
    R&D cost (negative) and the rest (API revenue less serving, AI and fixed costs),
    summed over platform vendors from the vendor frame."""
    frames = model.frames(run)
    vendors = frames.vendors[frames.vendors["business_model"] == "platform"]
    flows = vendors.groupby("date")[["complement_revenue", "rd_spend"]].sum()
    payoff = frames.market.set_index("date")["platform_payoff"]
    flows = flows.reindex(payoff.index, fill_value=0.0).cumsum()
    parts = pd.DataFrame({"payoff": payoff})
    parts["complement revenue"] = flows["complement_revenue"]
    parts["R&D cost"] = -flows["rd_spend"]
    rest = parts["payoff"] - parts["complement revenue"] - parts["R&D cost"]
    parts["API revenue less serving, AI and fixed costs"] = rest
    return parts


def _draw_parts(ax, parts: pd.DataFrame, total: str) -> None:
    for name, color in PARTS.items():
        ax.plot(parts.index, parts[name] / 1000, color=color, lw=1.5, label=name)
    ax.plot(parts.index, parts["payoff"] / 1000, color="black", lw=2.5, label=total)
    ax.axhline(0, color="black", lw=0.8)
    ax.set_ylabel("$ billion, cumulative")
    plots.format_dates(ax)


def draw_payoff(model: DashboardModel) -> Figure:
    """The platform's cumulative payoff and its parts; in compare mode, a third panel
    with the paired difference (open - closed) of each."""
    if model.compare and model.steps > 0:
        return _draw_compare(model)

    def draw(run: Run, axes) -> None:
        _draw_parts(axes[0], payoff_parts(model, run), "cumulative payoff")
        axes[0].set_title("Platform's payoff and its parts")
        axes[0].legend(loc="upper left")
        _events(model, run, axes[0], labels=2)

    return _each(model, "Platform's payoff and its parts", draw)


def _draw_compare(model: DashboardModel) -> Figure:
    with plt.rc_context(plots.STYLE):
        fig = Figure(figsize=(PANEL[0] * 3, PANEL[1]), dpi=DPI)
        axes = fig.subplots(1, 3, sharey=True)
        fig.subplots_adjust(left=0.03, right=0.99, bottom=0.1, top=0.9)
        parts = {run.key: payoff_parts(model, run) for run in model.runs}
        for ax, run in zip(axes, model.runs, strict=False):
            ax.set_title(f"Platform's payoff: {run.label}")
            _draw_parts(ax, parts[run.key], "cumulative payoff")
            _events(model, run, ax, labels=2)
        difference = parts["open"] - parts["closed"]
        _draw_parts(axes[2], difference, "payoff difference")
        axes[2].set_title(f"Paired difference: {model.platform} open - closed")
        axes[2].legend(loc="upper left")
    return fig


#: The charts in the order the page shows them.
CHARTS: dict[str, Callable[[DashboardModel], Figure]] = {
    "prices": draw_prices,
    "shares": draw_shares,
    "frontier": draw_frontier,
    "funding": draw_funding,
    "payoff": draw_payoff,
}


#: The page's image format: SVG with text left to the browser (``svg.fonttype = none``)
#: renders in about two thirds of the time of a PNG at screen resolution.
FORMAT = "svg"
MIME = "svg+xml"


def render(figure: Figure) -> bytes:
    """The figure as SVG bytes, as the page sends it."""
    buffer = io.BytesIO()
    with plt.rc_context({"svg.fonttype": "none"}):
        figure.savefig(buffer, format=FORMAT)
    return buffer.getvalue()
