"""What every sweep figure shares: policy and vendor colours, labels and units, the
panel grid, date axes, the band legend and saving."""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path

import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from aimarket.experiments.analysis.aggregate import EXITED, identical_policies, policy_order
from aimarket.experiments.analysis.stats import LEVEL
from aimarket.experiments.engine.outcomes import OUTCOMES
from aimarket.experiments.engine.store import Results
from aimarket.simulation import metrics
from aimarket.simulation.plots import POLICY_COLORS, STYLE

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
    EXITED: "#d0d0d0",
}
_VENDOR_EXTRA = ("#393b79", "#8c6d31", "#843c39", "#7b4173", "#5254a3", "#637939")


# -- helpers -----------------------------------------------------------------------------
def policy_colors(policies: Sequence[str]) -> dict[str, str]:
    """A colour per policy: the fixed POLICY_COLORS, then extra colours for other names."""
    extra = iter(_EXTRA_COLORS * 4)
    return {p: POLICY_COLORS.get(p) or next(extra) for p in policies}


#: Line dashes and markers by a policy's place: a line that coincides with another
#: (identical policies) is drawn over it in its own colour, dashes and markers.
DASHES = ("-", "--", ":", "-.")
MARKERS = ("o", "s", "^", "D", "v", "P")


def policy_lines(policies: Sequence[str], source=None) -> dict[str, dict]:
    """Line properties per policy: colour, dashes, markers (every tenth point, offset per
    policy) and the legend label, which names a policy identical in every pair to an
    earlier one (``source``: the Results, to find them)."""
    colors = policy_colors(policies)
    twins = {b: a for a, b in identical_policies(source)} if source is not None else {}
    return {
        p: {
            "color": colors[p],
            "ls": DASHES[k % len(DASHES)],
            "marker": MARKERS[k % len(MARKERS)],
            "markevery": (0.02 * k, 0.1),
            "ms": 4,
            "label": f"{p} (= {twins[p]} in every pair)" if p in twins else p,
        }
        for k, p in enumerate(policies)
    }


def label(name: str) -> str:
    """An outcome's or metric's label, else the name with spaces."""
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
    """The label with its unit in brackets."""
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


def policies_of(results: Results, frame: pd.DataFrame) -> list[str]:
    """The policies of ``frame`` in the sweep's declared order."""
    return policy_order(results, frame["policy"].unique())


def legend_below(fig, handles, labels, ncol: int | None = None) -> None:
    """One legend for the whole figure, below the panels, never over the data."""
    fig.legend(handles, labels, loc="outside lower center", ncol=ncol or len(labels))


def grid(n: int, ncols: int, width: float = 4.3, height: float = 3.2):
    """A figure with ``n`` panels in rows of ``ncols``; the spare panels hidden."""
    ncols = min(ncols, n)
    nrows = math.ceil(n / ncols)
    fig, axes = plt.subplots(
        nrows, ncols, figsize=(width * ncols, height * nrows), squeeze=False, layout="constrained"
    )
    flat = axes.ravel()
    for ax in flat[n:]:
        ax.set_visible(False)
    return fig, flat[:n]


def date_axis(ax) -> None:
    """Concise date ticks, four to eight of them."""
    locator = mdates.AutoDateLocator(minticks=4, maxticks=8)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))


def x_values(frame: pd.DataFrame):
    """The dates of a series frame if it has them, else its steps."""
    return frame["date"] if "date" in frame.columns else frame["step"]


def band_note(band: str, level: float = LEVEL) -> str:
    """What a band shows ("ci": the interval of the mean; "spread": of single runs)."""
    if band == "ci":
        return f"bands: {level:.0%} CI of the mean"
    if band == "spread":
        return f"bands: {(1 - level) / 2:.1%}-{(1 + level) / 2:.1%} percentiles of runs"
    return ""


def vendor_colors(groups: Sequence[str]) -> dict[str, str]:
    """A colour per vendor group: the fixed VENDOR_COLORS, then extra colours."""
    extra = iter(_VENDOR_EXTRA * 4)
    return {g: VENDOR_COLORS.get(g) or next(extra) for g in groups}


def save(fig, path: Path) -> Path:
    """Save a figure as PNG (tight, at the STYLE resolution) and close it."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=STYLE["savefig.dpi"], bbox_inches="tight")
    plt.close(fig)
    return path


def own_axes(ax=None, **subplots):
    """(figure, axes): the axes given and their figure, else a new figure's only axes."""
    if ax is None:
        _, ax = plt.subplots(layout="constrained", **subplots)
    return ax.figure, ax
