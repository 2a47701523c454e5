"""The charts as SVG for the page: a few milliseconds a month, where matplotlib takes
hundreds (it lays out and rasterises every tick label and legend again).

Each panel is an ``<svg>`` of :data:`SIZE` pixels: the plotted area (``rect.plot``),
round ticks on its own y axis (:func:`y_scale`), calendar ticks on the x axis, and its
legend below in HTML, outside the plotted area. Every chart carries the month it shows
(``data-month``), so a browser can tell when a month's charts are in.
"""

from __future__ import annotations

import html
import math

import numpy as np

from aimarket.dashboard.charts import EMPTY, Chart, Panel, Series

#: Width and height of a panel, and its margins (left, right, top, bottom), in pixels.
SIZE = (470, 240)
MARGIN = (60, 16, 10, 26)
#: Tick steps tried on a linear axis (times a power of ten), and at most this many ticks.
NICE = (1, 2, 2.5, 5, 10)
TICKS = 6
#: Months between calendar ticks, the first that leaves at most ``TICKS + 1`` ticks.
MONTH_STEPS = (1, 3, 6, 12, 24, 60)


def _nice_step(span: float) -> float:
    raw = span / TICKS if span > 0 else 1.0
    power = 10 ** math.floor(math.log10(raw))
    return next(n * power for n in NICE if n * power >= raw)


def y_scale(panel: Panel) -> tuple[float, float, list[float]]:
    """The y axis of ``panel``: (bottom, top, ticks), from its own data alone."""
    if panel.limits:
        lo, hi = panel.limits
        step = _nice_step(hi - lo)
        return lo, hi, list(np.arange(lo, hi + step / 2, step))
    lo, hi = panel.data_range()
    if panel.log:
        bottom, top = math.floor(math.log10(lo)), math.ceil(math.log10(hi))
        top = max(top, bottom + 1)
        return 10.0**bottom, 10.0**top, [10.0**k for k in range(bottom, top + 1)]
    if hi - lo < 1e-12:
        lo, hi = lo - 1, hi + 1
    step = _nice_step(hi - lo)
    bottom, top = math.floor(lo / step) * step, math.ceil(hi / step) * step
    return bottom, top, list(np.arange(bottom, top + step / 2, step))


def _label(value: float) -> str:
    return f"{round(value, 9):g}"


class _Frame:
    """Pixel positions of a panel's months and values."""

    def __init__(self, panel: Panel):
        self.panel = panel
        self.width = SIZE[0] - MARGIN[0] - MARGIN[1]
        self.height = SIZE[1] - MARGIN[2] - MARGIN[3]
        self.bottom, self.top, self.ticks = y_scale(panel)
        self.months = max(len(panel.dates) - 1, 1)

    def x(self, index) -> np.ndarray:
        return MARGIN[0] + np.asarray(index, dtype=float) * self.width / self.months

    def y(self, values) -> np.ndarray:
        v = np.asarray(values, dtype=float)
        lo, hi = self.bottom, self.top
        if self.panel.log:
            v, lo, hi = np.log10(np.clip(v, lo, None)), math.log10(lo), math.log10(hi)
        share = (np.nan_to_num(v, nan=lo) - lo) / (hi - lo)
        return MARGIN[2] + self.height * (1 - np.clip(share, -0.02, 1.02))


def _points(xs: np.ndarray, ys: np.ndarray) -> str:
    return " ".join(f"{a:.1f},{b:.1f}" for a, b in zip(xs, ys, strict=True))


def _axes(frame: _Frame) -> list[str]:
    out = [f'<rect class="plot" x="{MARGIN[0]}" y="{MARGIN[2]}" width="{frame.width}" '
           f'height="{frame.height}" fill="none" stroke="#999"/>']  # fmt: skip
    for tick in frame.ticks:
        y = float(frame.y([tick])[0])
        out.append(f'<line x1="{MARGIN[0]}" x2="{MARGIN[0] + frame.width}" y1="{y:.1f}" '
                   f'y2="{y:.1f}" stroke="#e4e4e4"/><text x="{MARGIN[0] - 4}" y="{y + 4:.1f}" '
                   f'text-anchor="end">{_label(tick)}</text>')  # fmt: skip
    dates = frame.panel.dates
    step = next(s for s in MONTH_STEPS if len(dates) / s <= TICKS + 1)
    base = SIZE[1] - MARGIN[3] + 16
    for k, when in enumerate(dates):
        if (when.year * 12 + when.month - 1) % step == 0:
            text = str(when.year) if step >= 12 else f"{when.year}-{when.month:02d}"
            x = float(frame.x([k])[0])
            anchor = "end" if x > SIZE[0] - 30 else "middle"
            out.append(f'<text x="{x:.1f}" y="{base}" text-anchor="{anchor}">{text}</text>')
    middle = MARGIN[2] + frame.height / 2
    out.append(f'<text transform="translate(12 {middle:.0f}) rotate(-90)" text-anchor="middle">'
               f"{html.escape(frame.panel.ylabel)}</text>")  # fmt: skip
    return out


def _series(frame: _Frame) -> list[str]:
    series = frame.panel.series
    xs = frame.x(np.arange(len(frame.panel.dates)))
    out, base = [], np.zeros(len(xs))
    for s in (s for s in series if s.kind == "area"):
        top = base + np.nan_to_num(s.values)
        outline = _points(np.r_[xs, xs[::-1]], np.r_[frame.y(top), frame.y(base)[::-1]])
        out.append(f'<polygon points="{outline}" fill="{s.color}" fill-opacity="0.85"/>')
        base = top
    bars = [s for s in series if s.kind == "bars"]
    width = 0.8 * frame.width / (frame.months + 1) / max(len(bars), 1)
    zero = float(frame.y([0.0])[0])
    for k, s in enumerate(bars):
        for x, y in zip(xs + (k - (len(bars) - 1) / 2) * width, frame.y(s.values), strict=True):
            if abs(zero - y) > 0.05:
                out.append(f'<rect x="{x - width / 2:.1f}" y="{min(y, zero):.1f}" '
                           f'width="{width:.1f}" height="{abs(zero - y):.1f}" '
                           f'fill="{s.color}"/>')  # fmt: skip
    if frame.panel.zero:
        out.append(f'<line x1="{MARGIN[0]}" x2="{MARGIN[0] + frame.width}" y1="{zero:.1f}" '
                   f'y2="{zero:.1f}" stroke="#000" stroke-width="0.8"/>')  # fmt: skip
    for s in (s for s in series if s.kind in ("line", "dashed")):
        dash = ' stroke-dasharray="5 3"' if s.kind == "dashed" else ""
        ys = frame.y(s.values)
        for part in _finite_runs(np.asarray(s.values, dtype=float)):
            out.append(f'<polyline points="{_points(xs[part], ys[part])}" fill="none" '
                       f'stroke="{s.color}" stroke-width="{s.width}"{dash}/>')  # fmt: skip
    return out


def _finite_runs(values: np.ndarray) -> list[slice]:
    """The stretches of finite values: a line has a gap where a value is missing."""
    finite = np.r_[False, np.isfinite(values), False]
    edges = np.flatnonzero(np.diff(finite.astype(np.int8)))
    return [slice(a, b) for a, b in zip(edges[::2], edges[1::2], strict=True)]


def _events(frame: _Frame) -> list[str]:
    dates = list(frame.panel.dates)
    out = []
    for k, (when, label) in enumerate(frame.panel.events):
        if when not in dates:
            continue
        x = float(frame.x([dates.index(when)])[0])
        y = MARGIN[2] + 11 + 11 * (k % 3)
        out.append(f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{MARGIN[2]}" '
                   f'y2="{SIZE[1] - MARGIN[3]}" stroke="#444" stroke-dasharray="4 3"/>'
                   f'<text class="event" x="{x + 3:.1f}" y="{y}">'
                   f"{html.escape(label)}</text>")  # fmt: skip
    return out


def _legend(series: tuple[Series, ...]) -> str:
    items = "".join(
        f'<li><span class="swatch" style="background:{s.color}"></span>{html.escape(s.label)}</li>'
        for s in series
    )
    return f'<ul class="aimarket-legend">{items}</ul>'


def panel_html(panel: Panel) -> str:
    """One panel: its title, the SVG of its axes and series, its legend below."""
    frame = _Frame(panel)
    body = "".join(_axes(frame) + _series(frame) + _events(frame))
    return (f'<figure class="aimarket-panel"><figcaption>{html.escape(panel.title)}</figcaption>'
            f'<svg width="{SIZE[0]}" height="{SIZE[1]}" viewBox="0 0 {SIZE[0]} {SIZE[1]}" '
            f'font-size="11" font-family="sans-serif">{body}</svg>'
            f"{_legend(panel.series)}</figure>")  # fmt: skip


def chart_html(chart: Chart) -> str:
    """The chart: its panels side by side (wrapping), or what to press before month 1."""
    inner = "".join(map(panel_html, chart.panels)) or f'<p class="aimarket-empty">{EMPTY}</p>'
    return (f'<section class="aimarket-chart" id="aimarket-chart-{chart.name}" '
            f'data-month="{chart.month}"><h3>{html.escape(chart.title)}</h3>'
            f'<div class="aimarket-panels">{inner}</div></section>')  # fmt: skip
