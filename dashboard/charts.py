"""The dashboard's charts: what each shows, read from the runs' metric frames.

A chart is a :class:`Chart` of :class:`Panel` s, each a time axis with its series, its
own y axis and its legend (one panel per run, so compare mode shows the platform open
and closed side by side). The page draws them as SVG in the browser
(:mod:`aimarket.dashboard.svg`: a month redraws in a few milliseconds);
:func:`figure` draws one with matplotlib, to keep or to put in a report. Shocks are
marked on the time axis in the month they fire. :data:`CHARTS` lists them in the order
of :data:`TABS`.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass, field

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib import ticker
from matplotlib.figure import Figure

from aimarket.dashboard.runs import DashboardModel, Run
from aimarket.simulation import plots

EMPTY = "press Step or Play to run a month"
#: The parts of the platform's cumulative payoff, $B, in the payoff chart.
PARTS = {
    "complement revenue": "#2ca02c",
    "R&D cost": "#d62728",
    "API revenue less serving, AI, community and fixed costs": "#9467bd",
}
#: Vendors named in the share chart; the rest are pooled as "others".
TOP_VENDORS = 6
#: Width and height of one panel of a matplotlib figure (inches), its pixels per inch.
PANEL = (6.4, 3.6)
DPI = 80


@dataclass(frozen=True)
class Series:
    """One line of a panel: ``kind`` is ``line``, ``dashed``, ``area`` (stacked on the
    areas before it) or ``bars`` (side by side with the other bars)."""

    label: str
    color: str
    values: np.ndarray
    kind: str = "line"
    width: float = 2.0


@dataclass(frozen=True)
class Panel:
    """A time axis (``dates``, one a month) with its series and its own y axis:
    ``log`` scale, fixed ``limits``, a line at ``zero``; ``events`` are
    (date, label) marks."""

    title: str
    ylabel: str
    dates: pd.DatetimeIndex
    series: tuple[Series, ...]
    events: tuple[tuple[pd.Timestamp, str], ...] = ()
    log: bool = False
    limits: tuple[float, float] | None = None
    zero: bool = False

    def data_range(self) -> tuple[float, float]:
        """The smallest and largest value drawn (areas stacked, bars from 0)."""
        lines = [s.values for s in self.series if s.kind in ("line", "dashed")]
        areas = [s.values for s in self.series if s.kind == "area"]
        if areas:
            lines.append(np.cumsum(areas, axis=0).ravel())
        if areas or any(s.kind == "bars" for s in self.series) or self.zero:
            lines.append(np.zeros(1))
        lines += [s.values for s in self.series if s.kind == "bars"]
        values = np.concatenate([np.asarray(v, dtype=float).ravel() for v in lines])
        values = values[np.isfinite(values) & ((values > 0) | (not self.log))]
        return (float(values.min()), float(values.max())) if len(values) else (0.0, 1.0)


@dataclass(frozen=True)
class Chart:
    """A chart's panels at this month (none before the first month)."""

    name: str
    title: str
    month: int
    panels: tuple[Panel, ...] = field(default_factory=tuple)

    def _repr_png_(self) -> bytes:
        """A notebook shows a chart as its matplotlib figure."""
        buffer = io.BytesIO()
        figure(self).savefig(buffer, format="png")
        return buffer.getvalue()


def _events(model: DashboardModel, run: Run, labels: int = 4) -> tuple:
    """The first ``labels`` notable events: (the month's first day, "who: what"); step 1
    is the scenario's start month, as in :func:`aimarket.simulation.plots.events_frame`."""
    start = pd.Period(model.scenario.market.start, "M")
    shown = plots.notable(run.model.events)[:labels]
    return tuple(((start + s - 1).to_timestamp(), f"{who}: {what}") for s, who, what in shown)


def _title(model: DashboardModel, run: Run, title: str) -> str:
    return f"{title}: {run.label}" if model.compare else title


def _chart(model: DashboardModel, name: str, title: str, panels: Callable) -> Chart:
    """A chart of ``panels(run)`` for each run (no panel before the first month)."""
    if model.steps == 0:
        return Chart(name, title, 0)
    return Chart(name, title, model.steps, tuple(p for run in model.runs for p in panels(run)))


def _column(frame: pd.DataFrame, name: str) -> np.ndarray:
    return frame[name].to_numpy(dtype=float)


def prices(model: DashboardModel) -> Chart:
    """Closed API and open hosting prices, and the cheapest model at the reference
    capability ($/Mtok, log scale)."""

    def panels(run: Run) -> list[Panel]:
        market = model.frames(run).market
        series = (
            Series("closed API (mean)", plots.CLOSED_COLOR, _column(market, "closed_price")),
            Series("open weights hosted (mean)", plots.OPEN_COLOR, _column(market, "open_price")),
            Series("cheapest model at reference capability", plots.REFERENCE_COLOR,
                   _column(market, "fixed_capability_price"), "dashed", 1.5),
        )  # fmt: skip
        dates = pd.DatetimeIndex(market["date"])
        title = _title(model, run, "Token prices")
        return [Panel(title, "$ per million tokens (log)", dates, series, _events(model, run),
                      log=True)]  # fmt: skip

    return _chart(model, "prices", "Token prices", panels)


def _wide(
    frame: pd.DataFrame, column: str, values: str
) -> tuple[pd.DatetimeIndex, list, np.ndarray]:
    """``values`` by date (rows) and ``column`` (columns), summed (a pivot table without
    pandas' overhead: this runs every month)."""
    rows, dates = pd.factorize(frame["date"], sort=True)
    cols, names = pd.factorize(frame[column], sort=True)
    wide = np.zeros((len(dates), len(names)))
    np.add.at(wide, (rows, cols), frame[values].to_numpy(dtype=float))
    return pd.DatetimeIndex(dates), list(names), wide


def _vendor_shares(vendors: pd.DataFrame) -> tuple[pd.DatetimeIndex, dict[str, np.ndarray]]:
    dates, names, wide = _wide(vendors, "vendor", "token_share")
    order = np.argsort(-wide.mean(axis=0), kind="stable")
    shown = {str(names[k]): wide[:, k] for k in order[:TOP_VENDORS]}
    if len(order) > TOP_VENDORS:
        shown["others"] = wide[:, order[TOP_VENDORS:]].sum(axis=1)
    return dates, shown


def shares(model: DashboardModel) -> Chart:
    """Token share by vendor (stacked) and the open share of each segment's tokens."""
    colors = plt.get_cmap("tab10").colors

    def panels(run: Run) -> list[Panel]:
        frames = model.frames(run)
        dates, shown = _vendor_shares(frames.vendors)
        stack = tuple(Series(name, _hex(colors[k % 10]), values, "area")
                      for k, (name, values) in enumerate(shown.items()))  # fmt: skip
        days, names, wide = _wide(frames.segments, "segment", "open_token_share")
        segments = tuple(Series(str(s), _hex(colors[k % 10]), wide[:, k])
                         for k, s in enumerate(names))  # fmt: skip
        return [
            Panel(_title(model, run, "Token share by vendor"), "share of tokens", dates, stack,
                  limits=(0.0, 1.0)),
            Panel(_title(model, run, "Open share of tokens, by segment"), "open share of tokens",
                  days, segments, _events(model, run), limits=(0.0, 1.0)),
        ]  # fmt: skip

    return _chart(model, "shares", "Market shares", panels)


def _hex(rgb) -> str:
    return "#" + "".join(f"{round(255 * c):02x}" for c in rgb[:3])


def frontier(model: DashboardModel) -> Chart:
    """Best open and closed capability, and the lag of open behind closed."""

    def panels(run: Run) -> list[Panel]:
        market = model.frames(run).market
        series = (
            Series("closed frontier", plots.CLOSED_COLOR, _column(market, "closed_frontier")),
            Series("open frontier", plots.OPEN_COLOR, _column(market, "open_frontier")),
            Series("lag: closed - open", "#555555", _column(market, "capability_gap"),
                   "dashed", 1.5),
        )  # fmt: skip
        return [Panel(_title(model, run, "Capability frontier"), "capability (frontier-years)",
                      pd.DatetimeIndex(market["date"]), series, _events(model, run))]  # fmt: skip

    return _chart(model, "frontier", "Capability frontier", panels)


def funding(model: DashboardModel) -> Chart:
    """VC funding ($B a month) and entries and exits (vendors a month)."""

    def panels(run: Run) -> list[Panel]:
        market = model.frames(run).market
        dates = pd.DatetimeIndex(market["date"])
        vc = (Series("VC funding", "#ff7f0e", _column(market, "vc_funding") / 1000),)
        counts = (Series("entries", "#1f77b4", _column(market, "entries"), "bars"),
                  Series("exits", "#7f7f7f", _column(market, "exits"), "bars"))  # fmt: skip
        return [
            Panel(_title(model, run, "Venture funding"), "$ billion per month", dates, vc,
                  _events(model, run), zero=True),
            Panel(_title(model, run, "Entries and exits"), "vendors per month", dates, counts),
        ]  # fmt: skip

    return _chart(model, "funding", "Venture funding, entries and exits", panels)


def payoff_parts(model: DashboardModel, run: Run) -> pd.DataFrame:
    """The platform's cumulative payoff and its parts by date ($M): complement revenue,
    R&D cost (negative) and the rest (API revenue less serving, AI, community and fixed costs),
    summed over platform vendors from the vendor frame."""
    frames = model.frames(run)
    dates = pd.DatetimeIndex(frames.market["date"])
    payoff = frames.market["platform_payoff"].to_numpy(dtype=float)
    vendors = frames.vendors
    rows = dates.get_indexer(vendors["date"].to_numpy())
    platform = (vendors["business_model"] == "platform").to_numpy() & (rows >= 0)
    rows = rows[platform]
    parts = pd.DataFrame({"payoff": payoff}, index=pd.Index(dates, name="date"))
    for name, column, sign in (("complement revenue", "complement_revenue", 1.0),
                               ("R&D cost", "rd_spend", -1.0)):  # fmt: skip
        flow = np.zeros(len(dates))
        np.add.at(flow, rows, vendors[column].to_numpy(dtype=float)[platform])
        parts[name] = sign * np.cumsum(flow)
    rest = parts["payoff"] - parts["complement revenue"] - parts["R&D cost"]
    parts["API revenue less serving, AI, community and fixed costs"] = rest
    return parts


def _parts_panel(title: str, parts: pd.DataFrame, total: str, events=()) -> Panel:
    series = [Series(name, color, parts[name].to_numpy() / 1000, width=1.5)
              for name, color in PARTS.items()]  # fmt: skip
    series.append(Series(total, "#000000", parts["payoff"].to_numpy() / 1000, width=2.5))
    return Panel(title, "$ billion, cumulative", pd.DatetimeIndex(parts.index), tuple(series),
                 events, zero=True)  # fmt: skip


def payoff(model: DashboardModel) -> Chart:
    """The platform's cumulative payoff and its parts; in compare mode, first a panel of
    the paired difference (open - closed) of each, on its own y axis."""
    title = "Platform's payoff and its parts"
    both = {run.key: payoff_parts(model, run) for run in model.runs} if model.steps else {}
    chart = _chart(model, "payoff", title, lambda run: [
        _parts_panel(_title(model, run, "Platform's payoff"), both[run.key],
                     "cumulative payoff", _events(model, run, labels=2))])  # fmt: skip
    if not model.compare or not chart.panels:
        return chart
    difference = _parts_panel(f"Paired difference: {model.platform} open - closed",
                              both["open"] - both["closed"], "payoff difference")  # fmt: skip
    return Chart(chart.name, chart.title, chart.month, (difference, *chart.panels))


#: Every chart by name.
CHARTS: dict[str, Callable[[DashboardModel], Chart]] = {
    "payoff": payoff,
    "shares": shares,
    "prices": prices,
    "frontier": frontier,
    "funding": funding,
}
#: The page's tabs, each named after its charts.
TABS: dict[str, tuple[str, ...]] = {
    "Payoff and market shares": ("payoff", "shares"),
    "Prices and capability frontier": ("prices", "frontier"),
    "Venture funding, entries and exits": ("funding",),
}


def _draw_panel(ax, panel: Panel) -> None:
    x = panel.dates
    areas = [s for s in panel.series if s.kind == "area"]
    if areas:
        ax.stackplot(x, [s.values for s in areas], labels=[s.label for s in areas],
                     colors=[s.color for s in areas], alpha=0.85)  # fmt: skip
    bars = [s for s in panel.series if s.kind == "bars"]
    width = pd.Timedelta(days=24 / max(len(bars), 1))
    for k, s in enumerate(bars):
        offset = (k - (len(bars) - 1) / 2) * width
        ax.bar(x + offset, s.values, width=width, color=s.color, alpha=0.7, label=s.label)
    for s in panel.series:
        if s.kind in ("line", "dashed"):
            style = "--" if s.kind == "dashed" else "-"
            ax.plot(x, s.values, color=s.color, lw=s.width, ls=style, label=s.label)
    if panel.log:
        ax.set_yscale("log")
        ax.yaxis.set_major_formatter(ticker.FuncFormatter(lambda v, _: f"{v:g}"))
    if panel.limits:
        ax.set_ylim(*panel.limits)
    if panel.zero:
        ax.axhline(0, color="black", lw=0.8)
    for when, label in panel.events:
        ax.axvline(when, color="#444444", lw=0.9, ls="--", alpha=0.7)
        ax.annotate(label, xy=(when, 1.0), xycoords=("data", "axes fraction"), fontsize=7,
                    xytext=(3, -4), textcoords="offset points", va="top")  # fmt: skip
    ax.set_title(panel.title, fontsize=11)
    ax.set_ylabel(panel.ylabel)
    plots.format_dates(ax)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=2, fontsize=8)


def figure(chart: Chart, columns: int = 2) -> Figure:
    """The chart as a matplotlib figure: its panels in rows of ``columns``, each with
    its own y axis and its legend below the plotted area."""
    count = max(len(chart.panels), 1)
    cols = min(columns, count)
    rows = -(-count // cols)
    with plt.rc_context(plots.STYLE):
        fig = Figure(figsize=(PANEL[0] * cols, PANEL[1] * rows), dpi=DPI, layout="constrained")
        axes = fig.subplots(rows, cols, squeeze=False).ravel()
        for ax, panel in zip(axes, chart.panels, strict=False):
            _draw_panel(ax, panel)
        for ax in axes[len(chart.panels) :]:
            ax.set_axis_off()
        if not chart.panels:
            axes[0].text(0.5, 0.5, EMPTY, ha="center", va="center", color="#777777")
            axes[0].set_title(chart.title)
    return fig
