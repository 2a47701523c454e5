"""Figures of a sensitivity analysis and of scenario discovery.

* :func:`plot_sobol`: S1 and ST per input as bars with their intervals, largest ST on top;
* :func:`plot_morris`: mu* against sigma, one labelled dot per input;
* :func:`plot_trajectory`: PRIM's peeling trajectory, coverage against density, the
  chosen box circled;
* :func:`plot_box`: the chosen box's limits over each input's range.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from aimarket.experiments.analysis.stats import LEVEL
from aimarket.simulation.plots import STYLE


def _errors(frame: pd.DataFrame) -> np.ndarray:
    """Asymmetric error bars from value/lo/hi (0 where there is no interval)."""
    lower = (frame["value"] - frame["lo"]).clip(lower=0).fillna(0)
    upper = (frame["hi"] - frame["value"]).clip(lower=0).fillna(0)
    return np.vstack([lower.to_numpy(), upper.to_numpy()])


def plot_sobol(table: pd.DataFrame, title: str):
    """Horizontal bars of S1 and ST per input with their intervals."""
    order = table[table["index"] == "ST"].sort_values("value")["input"].tolist()
    y = np.arange(len(order))
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots(figsize=(7, 0.45 * len(order) + 1.6))
        for offset, index, color in ((0.2, "ST", "#1f77b4"), (-0.2, "S1", "#ff7f0e")):
            part = table[table["index"] == index].set_index("input").loc[order].reset_index()
            ax.barh(y + offset, part["value"], height=0.38, color=color, label=index,
                    xerr=_errors(part), capsize=2)  # fmt: skip
        ax.set_yticks(y, order)
        ax.axvline(0, color="black", linewidth=0.6)
        ax.set_xlabel(f"Sobol index (bars: {LEVEL:.0%} bootstrap interval)")
        ax.set_title(title, fontsize=10)
        ax.legend(loc="lower right", title="S1 first order, ST total", fontsize=8)
        fig.tight_layout()
    return fig


def plot_morris(table: pd.DataFrame, title: str):
    """mu* (with its interval) against sigma per input."""
    wide = table.pivot(index="input", columns="index", values="value")
    star = table[table["index"] == "mu_star"].set_index("input").loc[wide.index]
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots(figsize=(6.5, 4.5))
        ax.errorbar(wide["mu_star"], wide["sigma"], xerr=_errors(star.reset_index()),
                    fmt="o", color="#1f77b4", ecolor="#9ecae1", capsize=2)  # fmt: skip
        for name, row in wide.iterrows():
            ax.annotate(name, (row["mu_star"], row["sigma"]), fontsize=7,
                        xytext=(3, 3), textcoords="offset points")  # fmt: skip
        ax.set_xlabel("mu*: mean absolute elementary effect")
        ax.set_ylabel("sigma: sd of the effects (interactions, non-linearity)")
        ax.set_title(title, fontsize=10)
        fig.tight_layout()
    return fig


def plot_trajectory(trajectory: pd.DataFrame, chosen: int, title: str):
    """Coverage against density of every box PRIM peeled, coloured by how many inputs
    each restricts; the chosen box circled."""
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots(figsize=(6.5, 4.5))
        dots = ax.scatter(trajectory["coverage"], trajectory["density"],
                          c=trajectory["restricted"], cmap="viridis", s=18)  # fmt: skip
        pick = trajectory[trajectory["box"] == chosen]
        ax.scatter(pick["coverage"], pick["density"], s=140, facecolors="none",
                   edgecolors="red", linewidths=1.5, label=f"chosen box {chosen}")  # fmt: skip
        fig.colorbar(dots, ax=ax, label="inputs restricted")
        ax.set_xlabel("coverage: share of all cases inside the box")
        ax.set_ylabel("density: share of the box's points that are cases")
        ax.set_title(title, fontsize=10)
        ax.legend(loc="lower left", fontsize=8)
        fig.tight_layout()
    return fig


def plot_box(box: pd.DataFrame, title: str):
    """The chosen box's limits on each input, as a share of the input's range."""
    width = (box["range_hi"] - box["range_lo"]).replace(0, np.nan)
    lo = ((box["lo"] - box["range_lo"]) / width).fillna(0)
    hi = ((box["hi"] - box["range_lo"]) / width).fillna(1)
    y = np.arange(len(box))
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots(figsize=(7, 0.45 * len(box) + 1.6))
        ax.barh(y, np.ones(len(box)), color="#eeeeee", height=0.6)
        colors = np.where(box["restricted"], "#d62728", "#bbbbbb")
        ax.barh(y, hi - lo, left=lo, color=colors, height=0.6)
        for k, row in enumerate(box.itertuples()):
            if row.restricted:
                ax.text(1.01, k, f"{row.lo:.3g} to {row.hi:.3g}", va="center", fontsize=7)
        ax.set_yticks(y, box["input"])
        ax.set_xlim(0, 1.3)
        ax.set_xlabel("share of the input's range (red: restricted by the box)")
        ax.set_title(title, fontsize=10)
        fig.tight_layout()
    return fig
