"""Venture capitalists: they fund rounds of private vendors and new entrants."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from aimarket.agents.base import MarketAgent

if TYPE_CHECKING:
    from aimarket.simulation.model import MarketModel
    from aimarket.simulation.scenario import VCParams


class VentureCapitalist(MarketAgent):
    """A VC with capital ($M), a hurdle rate (annual) and a round size ($M).

    The model values a vendor at ``(expected monthly gross profit - burn) x 12 x exit
    multiple``, where the gross profit is what a closed model of its capability would earn
    at its best-response price against today's market (its logit share; see
    ``MarketModel.expected_gross_profit``). Each VC perturbs that value with its own
    log-normal noise and invests the most that still earns its hurdle rate over the
    holding period, ``value / (1 + hurdle) ** horizon``, capped by its round size and its
    cash; below its minimum ticket it passes. Rounds therefore grow and shrink with the
    market's prospects instead of being all or nothing.
    """

    def __init__(self, model: MarketModel, name: str, params: VCParams, index: int):
        super().__init__(model)
        self.name = name
        self.index = index
        self.params = params
        self.account = f"vc:{name}"
        self.funded = 0.0  # this month, $M
        self.deals = 0  # this month

    @property
    def cash(self) -> float:
        return self.model.ledger.balance(self.account)

    def offer(self, value: float, noise: float) -> float:
        """What it invests ($M) in a venture worth ``value`` at exit, given its standard
        normal valuation noise: 0 if that is below its minimum ticket."""
        entry = self.model.scenario.entry
        sigma = entry.signal_noise
        noisy = value * math.exp(sigma * noise - 0.5 * sigma**2)
        justified = noisy / (1.0 + self.params.hurdle_rate) ** entry.horizon
        amount = min(self.params.round_size, self.cash, justified)
        return amount if amount >= entry.min_ticket * self.params.round_size else 0.0

    def raise_money(self) -> None:
        """Limited partners commit new money each month."""
        self.model.ledger.pay("limited_partners", self.account, self.params.inflow, "vc_inflow")
