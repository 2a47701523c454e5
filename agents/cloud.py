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
        self.strategic_credits = 0.0  # compute credits its parent may still invest, $M

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


def host_markup_prices(
    cost: np.ndarray, hosts: np.ndarray, scale: float, iterations: int = 30
) -> tuple[np.ndarray, np.ndarray]:
    """Hosting prices and shares, (clouds, products), where two or more clouds host the
    same open weights and developers split among them by a logit in price (``scale``:
    the price change, $/Mtok, that moves utility by one). Each host's price is its best
    response, cost + scale / (1 - its share): a Nash equilibrium of differentiated
    hosts, found by iteration. Where a cloud does not host, price and share are NaN and 0."""
    price = np.where(hosts, cost + scale, np.nan)
    share = np.zeros_like(cost)
    for _ in range(iterations):
        u = np.where(hosts, -np.nan_to_num(price, nan=0.0) / scale, -np.inf)
        top = np.max(u, axis=0, keepdims=True)
        e = np.where(hosts, np.exp(u - np.where(np.isfinite(top), top, 0.0)), 0.0)
        share = e / np.maximum(e.sum(axis=0, keepdims=True), 1e-300)
        price = np.where(hosts, cost + scale / np.maximum(1.0 - share, 1e-9), np.nan)
    return price, share
