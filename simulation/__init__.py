"""aimarket's simulation engine: the market model, its scenarios and its mechanics.

>>> from simulation import MarketModel, load_scenario
>>> model = MarketModel(load_scenario("baseline"), rng=1).run(24)
>>> model.market_frame().tail()
"""

from simulation.errors import ScenarioError
from simulation.model import MarketModel
from simulation.scenario import POLICIES, Scenario
from simulation.scenarios import builtin_names, load_scenario

__all__ = [
    "POLICIES",
    "MarketModel",
    "Scenario",
    "ScenarioError",
    "builtin_names",
    "load_scenario",
]
