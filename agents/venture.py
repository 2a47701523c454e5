"""Venture capitalists: they fund rounds of private vendors and new entrants."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from agents.base import MarketAgent

if TYPE_CHECKING:
    from simulation.model import MarketModel
    from simulation.scenario import VCParams


class VentureCapitalist(MarketAgent):
    """A VC with capital ($M), a hurdle rate (annual) and a round size ($M).

    The model values a vendor at ``(expected monthly gross profit - burn) x 12 x exit
    multiple``, where the gross profit is what a closed model of its capability would earn
    at its best-response price against today's market (its logit share; see
    ``MarketModel.expected_gross_profit``). Each VC perturbs that value with its own
    log-normal noise and funds a round of size I when the implied annual return
    ``(value / I) ** (1 / horizon) - 1`` clears its hurdle rate and it has the money.
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

    def annual_return(self, value: float, noise: float) -> float:
        """Expected annual return of a round, given a valuation and a standard normal."""
        entry = self.model.scenario.entry
        sigma = entry.signal_noise
        noisy = value * math.exp(sigma * noise - 0.5 * sigma**2)
        if noisy <= 0:
            return -1.0
        return (noisy / self.params.round_size) ** (1.0 / entry.horizon) - 1.0

    def can_fund(self) -> bool:
        return self.cash >= self.params.round_size

    def raise_money(self) -> None:
        """Limited partners commit new money each month."""
        self.model.ledger.pay("limited_partners", self.account, self.params.inflow, "vc_inflow")
