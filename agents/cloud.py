"""Cloud providers: they sell training compute, serve partners' closed models and host
open weights at their own price."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from aimarket.agents.base import MarketAgent
from aimarket.simulation.mechanics import pricing

if TYPE_CHECKING:
    from aimarket.simulation.model import MarketModel
    from aimarket.simulation.parameters import CloudParams


class Cloud(MarketAgent):
    """A cloud provider.

    Its serving cost for a model is the market's serving-cost index times the model's
    efficiency times ``cost_multiplier`` (times ``open_cost_multiplier`` for open weights:
    below 1 for specialized inference hardware). Closed-model partners pay it cost plus
    ``partner_markup`` for serving and cost plus ``training_markup`` for training compute.
    For open weights it competes on price with the other hosts (see
    :func:`aimarket.simulation.mechanics.pricing.hosting_prices`).
    """

    def __init__(self, model: MarketModel, name: str, params: CloudParams, index: int):
        super().__init__(model)
        self.name = name
        self.params = params
        self.index = index
        self.account = f"cloud:{name}"
        self.revenue = 0.0  # this month, $M
        self.costs = 0.0  # this month, $M: serving and training compute bought

    @property
    def profit(self) -> float:
        """This month's profit, $M."""
        return self.revenue - self.costs

    @property
    def active(self) -> bool:
        return self.model.steps >= self.params.entry_step

    @property
    def hosts_open(self) -> bool:
        return self.active and self.params.hosts_open_weights

    @property
    def cash(self) -> float:
        return self.model.ledger.balance(self.account)

    def unit_cost(self, efficiency, is_open):
        """Serving cost, $/Mtok, of models with the given efficiency (scalar or array)."""
        p = self.params
        mult = p.cost_multiplier * (p.open_cost_multiplier if is_open else 1.0)
        return self.model.serving_cost * efficiency * mult


def set_hosting_prices(
    clouds: Sequence[Cloud],
    previous: np.ndarray,
    host_cost: np.ndarray,
    hosts: np.ndarray,
    lone_host_markup: np.ndarray,
) -> np.ndarray:
    """The clouds' hosting prices of open weights this month, (clouds, products): where two
    or more host the same weights each undercuts the cheapest rival by a share of its own
    margin (``undercut``); a lone host prices like a logit monopolist (cost plus
    ``lone_host_markup``). See :func:`aimarket.simulation.mechanics.pricing.hosting_prices`."""
    undercut = np.array([c.params.undercut for c in clouds])
    return pricing.hosting_prices(previous, host_cost, hosts, undercut, lone_host_markup)
