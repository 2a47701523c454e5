"""A policy search's figures and exported tables: each objective against each lever
(every candidate's mean over the common seeds with its 95% seed band, the best one
marked), and for two or more objectives the Pareto front of the first two, with seed
bands in both directions."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import matplotlib.pyplot as plt

from aimarket.experiments.engine.outcomes import OUTCOMES
from aimarket.simulation.errors import ScenarioError
from aimarket.simulation.plots import STYLE

if TYPE_CHECKING:
    from aimarket.experiments.strategy.optimize import SearchResult

FORMATS = ("csv", "parquet")
BEST, OTHER = "#d62728", "#1f77b4"


def _label(name: str) -> str:
    if name in OUTCOMES:
        o = OUTCOMES[name]
        return f"{o.label or name} ({o.unit})" if o.unit else (o.label or name)
    return name


def _errors(frame, name):
    return [frame[name] - frame[f"{name}_lo"], frame[f"{name}_hi"] - frame[name]]


def plot_levers(result: SearchResult):
    """Each objective (rows) against each numeric lever (columns), seed bands as bars."""
    problem, ev = result.problem, result.evaluations
    ev = ev[ev["state"] == "ok"]
    levers = [lv for lv in problem.levers if not lv.values] or problem.levers
    flag = "best" if len(problem.objectives) == 1 else "pareto"
    with plt.rc_context(STYLE):
        fig, axes = plt.subplots(
            len(problem.names), len(levers), squeeze=False,
            figsize=(4.6 * len(levers), 3.4 * len(problem.names)),
        )  # fmt: skip
        for i, name in enumerate(problem.names):
            for j, lever in enumerate(levers):
                ax = axes[i][j]
                for chosen, color in ((False, OTHER), (True, BEST)):
                    part = ev[ev[flag] == chosen]
                    ax.errorbar(
                        part[lever.name].astype(str) if lever.values else part[lever.name],
                        part[name], yerr=_errors(part, name), fmt="o", ms=4, color=color,
                        alpha=0.9 if chosen else 0.5, elinewidth=1, capsize=2,
                        label=flag if chosen else "candidates",
                    )  # fmt: skip
                ax.set_xlabel(lever.name)
                ax.set_ylabel(_label(name))
        axes[0][0].legend()
        fig.suptitle(f"{problem.spec.name}: objective vs lever (mean over "
                     f"{problem.spec.seeds} common seeds, 95% seed bands)")  # fmt: skip
    return fig


def plot_pareto(result: SearchResult):
    """The first two objectives of every candidate, the Pareto set joined in red."""
    problem, ev = result.problem, result.evaluations
    ev = ev[ev["state"] == "ok"]
    x, y = problem.names[:2]
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots()
        for chosen, color in ((False, OTHER), (True, BEST)):
            part = ev[ev["pareto"] == chosen].sort_values(x)
            ax.errorbar(
                part[x], part[y], xerr=_errors(part, x), yerr=_errors(part, y),
                fmt="o-" if chosen else "o", ms=4, color=color, elinewidth=1, capsize=2,
                alpha=0.9 if chosen else 0.4, label="Pareto set" if chosen else "candidates",
            )  # fmt: skip
        ax.set_xlabel(_label(x))
        ax.set_ylabel(_label(y))
        ax.legend()
        ax.set_title(f"{problem.spec.name}: Pareto front (95% seed bands)")
    return fig


def write_outputs(result: SearchResult, out: str | Path, fmt: str = "csv") -> list[Path]:
    """The tidy tables (``evaluations``, ``runs``) and the figures, into ``out``."""
    if fmt not in FORMATS:
        raise ScenarioError(f"--format {fmt!r} is unknown; choose one of: {', '.join(FORMATS)}")
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name in ("evaluations", "runs"):
        frame = getattr(result, name)
        path = out / f"{name}.{fmt}"
        if fmt == "csv":
            frame.to_csv(path, index=False)
        else:
            frame.to_parquet(path, index=False)
        written.append(path)
    if (result.evaluations.get("state") == "ok").any():
        figures = {"levers": plot_levers}
        if len(result.problem.objectives) > 1:
            figures["pareto"] = plot_pareto
        for name, plot in figures.items():
            fig = plot(result)
            fig.savefig(out / f"{name}.png")
            plt.close(fig)
            written.append(out / f"{name}.png")
    return written
