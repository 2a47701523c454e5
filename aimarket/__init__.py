"""aimarket: an agent-based simulation of the AI foundation-model market, on Mesa.

The package installs one import name, ``aimarket``; its parts live in the repository's
top-level folders:

* :mod:`aimarket.simulation` (``simulation/``): the market model, its parameters and
  scenarios, and the pure market mechanics (``aimarket.simulation.mechanics``);
* :mod:`aimarket.agents` (``agents/``): vendors, clouds, the developer crowd, VCs;
* :mod:`aimarket.experiments` (``experiments/``): sweeps (``engine``), their analysis
  and reports (``analysis``), and the experiment scripts users run.

>>> from aimarket import MarketModel, load_scenario
>>> model = MarketModel(load_scenario("baseline"), rng=1).run(24)
>>> model.market_frame().tail()

The exports below are imported on first use (:mod:`aimarket.lazy`), so that the command
line starts fast.
"""

from typing import TYPE_CHECKING

from aimarket import lazy

if TYPE_CHECKING:  # what type checkers and editors see
    from aimarket.experiments.strategy.optimize import optimize
    from aimarket.experiments.strategy.search_spec import OptimizeSpec
    from aimarket.experiments.strategy.spec import Game
    from aimarket.simulation.errors import ScenarioError
    from aimarket.simulation.model import MarketModel
    from aimarket.simulation.scenario import POLICIES, Scenario
    from aimarket.simulation.scenarios import builtin_names, load_scenario

_EXPORTS = {
    "Game": "aimarket.experiments.strategy.spec",
    "POLICIES": "aimarket.simulation.scenario",
    "MarketModel": "aimarket.simulation.model",
    "OptimizeSpec": "aimarket.experiments.strategy.search_spec",
    "Scenario": "aimarket.simulation.scenario",
    "ScenarioError": "aimarket.simulation.errors",
    "builtin_names": "aimarket.simulation.scenarios",
    "load_scenario": "aimarket.simulation.scenarios",
    "optimize": "aimarket.experiments.strategy.optimize",
}

__all__ = [
    "POLICIES",
    "Game",
    "MarketModel",
    "OptimizeSpec",
    "Scenario",
    "ScenarioError",
    "builtin_names",
    "load_scenario",
    "optimize",
]

__getattr__, __dir__ = lazy.exports(__name__, _EXPORTS)
