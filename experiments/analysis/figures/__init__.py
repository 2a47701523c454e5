"""Figures of a sweep: time series with interval bands, policy comparisons, paired
contrasts, phase diagrams over two swept parameters, market shares and the frontier.

Every function takes a :class:`~aimarket.experiments.engine.store.Results`
(``aimarket.experiments.load(DIR)``) and returns a matplotlib figure; each band and
error bar is an interval of :mod:`aimarket.experiments.analysis.stats` (through
:mod:`aimarket.experiments.analysis.aggregate`). Each release policy has one colour
everywhere (:data:`aimarket.simulation.plots.POLICY_COLORS`); closed is red and open is
blue, so the diverging colour scale of a phase diagram reads the same way (blue: open
does better). The figures live in :mod:`.series` (over time), :mod:`.outcomes` (final
outcomes and contrasts), :mod:`.phase` and :mod:`.shares`, their shared parts in
:mod:`.common`; all are importable from here.

>>> from aimarket.experiments import load
>>> from aimarket.experiments.analysis import figures
>>> results = load("results/open_vs_closed")
>>> figures.plot_series(results, "closed_price", log=True)
>>> figures.plot_phase(results, "platform_payoff", "complement_strength",
...                    "community_improvement", policy="open", reference="closed")
"""

from aimarket.experiments.analysis.figures.common import (
    VENDOR_COLORS,
    axis_label,
    label,
    money_scale,
    parameter_label,
    policy_colors,
    save,
    title_label,
    vendor_colors,
)
from aimarket.experiments.analysis.figures.outcomes import (
    plot_contrasts,
    plot_outcomes,
    plot_response,
)
from aimarket.experiments.analysis.figures.phase import plot_phase
from aimarket.experiments.analysis.figures.series import (
    plot_contrast_series,
    plot_frontier,
    plot_series,
    plot_series_panel,
)
from aimarket.experiments.analysis.figures.shares import plot_shares
from aimarket.simulation.plots import STYLE

__all__ = [
    "STYLE",
    "VENDOR_COLORS",
    "axis_label",
    "label",
    "money_scale",
    "parameter_label",
    "plot_contrast_series",
    "plot_contrasts",
    "plot_frontier",
    "plot_outcomes",
    "plot_phase",
    "plot_response",
    "plot_series",
    "plot_series_panel",
    "plot_shares",
    "policy_colors",
    "save",
    "title_label",
    "vendor_colors",
]
