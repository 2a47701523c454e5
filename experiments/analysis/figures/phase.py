"""Phase diagrams: an outcome, or a paired difference of it, over two swept parameters."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.colors import TwoSlopeNorm
from matplotlib.patches import Rectangle

from aimarket.experiments.analysis import aggregate as agg
from aimarket.experiments.analysis.figures.common import (
    label,
    money_scale,
    own_axes,
    parameter_label,
    title_label,
)
from aimarket.experiments.engine.store import Results
from aimarket.simulation.plots import STYLE
from aimarket.simulation.report import format_number


def _colour_scale(values: np.ndarray, diverging: bool):
    """(norm, colour map): centred at 0 and symmetric for differences, plain otherwise."""
    if not diverging:
        return None, "viridis"
    finite = values[np.isfinite(values)]
    vmax = float(np.abs(finite).max()) if len(finite) else 1.0
    vmax = vmax or 1.0
    return TwoSlopeNorm(0.0, -vmax, vmax), "RdBu"


def _annotate(ax, values: np.ndarray, count: pd.DataFrame, norm) -> None:
    """Each cell's value and its number of design points; empty cells hatched."""
    for (i, j), v in np.ndenumerate(values):
        if np.isfinite(v):
            dark = norm is not None and abs(norm(v) - 0.5) > 0.3
            k = int(count.iloc[i, j])
            ax.text(
                j, i, f"{format_number(v, missing='')}\n({k} point{'s' if k != 1 else ''})",
                ha="center", va="center", fontsize=8, color="white" if dark else "#222222",
            )  # fmt: skip
        else:
            ax.add_patch(
                Rectangle((j - 0.5, i - 0.5), 1, 1, fill=False, hatch="///", lw=0,
                          edgecolor="#c8c8c8")
            )  # fmt: skip
            ax.text(j, i, "no runs", ha="center", va="center", fontsize=8, color="#666666")


def _ticks(ax, cells: pd.DataFrame, results: Results, x: str, y: str) -> None:
    ax.set_xticks(range(cells.shape[1]))
    ax.set_xticklabels([format_number(v, missing="") for v in cells.columns])
    ax.set_yticks(range(cells.shape[0]))
    ax.set_yticklabels([format_number(v, missing="") for v in cells.index])
    ax.set_xlabel(parameter_label(results, x))
    ax.set_ylabel(parameter_label(results, y))


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
    cells = table.pivot(index=y, columns=x, values="value")
    count = table.pivot(index=y, columns=x, values="n_points")
    scale, unit = money_scale(agg.unit(outcome), table["value"])
    values = cells.to_numpy(dtype=float) / scale
    with plt.rc_context(STYLE):
        fig, ax = own_axes(ax, figsize=(7.2, 5.4))
        norm, cmap = _colour_scale(values, diverging=reference is not None)
        image = ax.imshow(
            np.ma.masked_invalid(values), origin="lower", aspect="auto", cmap=cmap, norm=norm
        )
        ax.grid(False)
        _annotate(ax, values, count, norm)
        _ticks(ax, cells, results, x, y)
        what = f"{policy} minus {reference}" if reference else (policy or "all policies")
        bar = fig.colorbar(image, ax=ax, shrink=0.9)
        bar.set_label(f"{label(outcome)}, {what} ({unit})")
        ax.set_title(
            title or f"Where does '{policy}' pay? {title_label(outcome)}, {what}"
            if reference
            else title or f"{title_label(outcome)} under {what}"
        )
    return fig
