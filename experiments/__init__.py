"""Experiments: seeded, resumable parameter sweeps of the market model.

>>> from aimarket.experiments import Sweep, run_sweep, load
>>> sweep = Sweep(
...     name="meta_policy",
...     policies={"closed": {"vendors.meta.policy": "closed"},
...               "open": {"vendors.meta.policy": "open"}},
...     uncertainties={"innovation.community_quality": (0.0, 0.05)},
...     design="lhs", n=16, replicates=3, steps=60, seed=1,
... )
>>> summary = run_sweep(sweep, "results/meta_policy", workers=2)
>>> results = load("results/meta_policy")       # runs, market, vendors, failures
>>> results.runs.groupby("policy")["platform_payoff"].mean()

Vocabulary (EMA-Workbench): policies = levers, uncertainties = market conditions varied
by a design, outcomes = what each run reports. See ``experiments/open_vs_closed.py``.
"""

from typing import TYPE_CHECKING

from aimarket import lazy

if TYPE_CHECKING:  # what type checkers and editors see
    from aimarket.experiments.analysis.console import compare, format_comparison, paired
    from aimarket.experiments.engine.outcomes import OUTCOMES, RunView
    from aimarket.experiments.engine.plan import Plan
    from aimarket.experiments.engine.results import Results, load
    from aimarket.experiments.engine.runner import SweepSummary, run_sweep
    from aimarket.experiments.engine.spec import Sweep, load_spec
    from aimarket.experiments.engine.uncertainty import Uncertainty

_CONSOLE, _ENGINE = "aimarket.experiments.analysis.console", "aimarket.experiments.engine"
#: Imported on first use (:mod:`aimarket.lazy`): ``aimarket sweep --help`` stays fast.
_EXPORTS = {
    "OUTCOMES": f"{_ENGINE}.outcomes",
    "Plan": f"{_ENGINE}.plan",
    "Results": f"{_ENGINE}.results",
    "RunView": f"{_ENGINE}.outcomes",
    "Sweep": f"{_ENGINE}.spec",
    "SweepSummary": f"{_ENGINE}.runner",
    "Uncertainty": f"{_ENGINE}.uncertainty",
    "compare": _CONSOLE,
    "format_comparison": _CONSOLE,
    "load": f"{_ENGINE}.results",
    "load_spec": f"{_ENGINE}.spec",
    "paired": _CONSOLE,
    "run_sweep": f"{_ENGINE}.runner",
}

__all__ = [
    "OUTCOMES",
    "Plan",
    "Results",
    "RunView",
    "Sweep",
    "SweepSummary",
    "Uncertainty",
    "compare",
    "format_comparison",
    "load",
    "load_spec",
    "paired",
    "run_sweep",
]

__getattr__, __dir__ = lazy.exports(__name__, _EXPORTS)
