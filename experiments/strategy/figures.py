"""The figure of an empirical game: its payoff table as a heat map, with the pure
equilibria marked and each player's best responses drawn as arrows.

The first player's strategies are the rows, the second's the columns; a game of more
players has one panel per profile of the others (at most :data:`MAX_PANELS`). A cell shows
each player's mean payoff; its colour is the profile's regret (the most any player
gains by deviating alone: white is an equilibrium); a black frame marks an equilibrium,
with the probability that it is one under seed noise. Arrows point from a profile to a
player's best response to the others (blue: the row player, red: the column player).
Cells a deviation-reduced design did not run are grey.
"""

from __future__ import annotations

import itertools
import math

import matplotlib.pyplot as plt
import numpy as np

from aimarket.experiments.strategy.equilibria import Analysis, Table
from aimarket.simulation.plots import STYLE

MAX_PANELS = 16
ROW_COLOR, COL_COLOR = "#1f77b4", "#d62728"


def _short(x: float) -> str:
    """A payoff in at most four significant characters and a suffix: -24.1k, 3.2M."""
    for scale, suffix in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
        if abs(x) >= scale:
            return f"{x / scale:.3g}{suffix}"
    return f"{x:.3g}"


def payoff_heatmap(table: Table, analysis: Analysis):
    """The heat map figure (see the module docstring)."""
    others = [range(len(s)) for s in table.strategies[2:]]
    panels = list(itertools.product(*others))[:MAX_PANELS]
    index = {prof: p for p, prof in enumerate(table.profiles)}
    means = table.samples.mean(axis=2)
    regret = analysis.profiles["regret"].to_numpy()
    prob = analysis.profiles["probability"].to_numpy()
    eq = analysis.profiles["equilibrium"].to_numpy()
    top = float(np.nanmax(regret)) if regret.size and np.nanmax(regret) > 0 else 1.0
    k0, k1 = len(table.strategies[0]), len(table.strategies[1])
    cols = min(len(panels), 4)
    rows = math.ceil(len(panels) / cols)
    with plt.rc_context(STYLE):
        fig, axes = plt.subplots(
            rows, cols, squeeze=False, layout="constrained",
            figsize=(max(4.0, 2.0 * k1 + 1.5) * cols, max(3.0, 1.1 * k0 + 1.2) * rows),
        )  # fmt: skip
        for ax, rest in zip(axes.flat, panels, strict=False):
            grid = np.full((k0, k1), np.nan)
            for r, c in itertools.product(range(k0), range(k1)):
                p = index.get((r, c, *rest))
                if p is not None:
                    grid[r, c] = regret[p] / top
            ax.imshow(np.ma.masked_invalid(grid), cmap="Reds", vmin=0, vmax=1.4, aspect="auto")
            ax.set_facecolor("#d0d0d0")
            ax.grid(False)
            for r, c in itertools.product(range(k0), range(k1)):
                p = index.get((r, c, *rest))
                if p is None:
                    continue
                text = " / ".join(_short(v) for v in means[p][:2])
                if len(table.players) > 2:
                    text += "\n" + " / ".join(_short(v) for v in means[p][2:])
                if eq[p]:
                    ax.add_patch(
                        plt.Rectangle((c - 0.48, r - 0.48), 0.96, 0.96, fill=False, lw=2.5)
                    )
                    text += f"\nequilibrium p={prob[p]:.2f}"
                ax.text(c + 0.05, r + 0.2, text, ha="center", va="center", fontsize=7)
                _arrows(ax, table, means, index, (r, c, *rest), k0, k1)
            ax.set_xticks(range(k1), table.strategies[1], rotation=20)
            ax.set_yticks(range(k0), table.strategies[0])
            ax.set_xlabel(table.players[1])
            ax.set_ylabel(table.players[0])
            title = ", ".join(
                f"{pl}={table.strategies[j + 2][k]}"
                for j, (pl, k) in enumerate(zip(table.players[2:], rest, strict=True))
            )
            ax.set_title(title or "payoffs: " + " / ".join(table.players), fontsize=9)
        for ax in list(axes.flat)[len(panels) :]:
            ax.set_visible(False)
    return fig


def _arrows(ax, table, means, index, prof, k0, k1) -> None:
    """Arrows from ``prof`` to the row and column players' best responses."""
    for i, (k, color) in enumerate(((k0, ROW_COLOR), (k1, COL_COLOR))):
        options = {}
        for s in range(k):
            alt = (*prof[:i], s, *prof[i + 1 :])
            if alt in index:
                options[s] = means[index[alt], i]
        if not options:
            continue
        best = max(options, key=options.get)
        if options[best] <= means[index[prof], i] or best == prof[i]:
            continue
        r, c = prof[0], prof[1]
        # rows' arrows run down the cell's left, columns' arrows across its top
        x, y = (c - 0.3, r - 0.1) if i == 0 else (c - 0.1, r - 0.3)
        dx, dy = (0, 0.7 * (best - r)) if i == 0 else (0.7 * (best - c), 0)
        ax.annotate(
            "", xy=(x + dx, y + dy), xytext=(x, y),
            arrowprops={"arrowstyle": "->", "color": color, "lw": 1.4},
        )  # fmt: skip
