"""Cloud providers: they sell training compute, serve partners' closed models and host
open weights at their own price."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from aimarket.agents.base import MarketAgent
from aimarket.agents.venture import OWNERS
from aimarket.simulation.mechanics import pricing

if TYPE_CHECKING:
    from aimarket.agents.vendor import Vendor
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

    It books its own sales (:meth:`serve`, :meth:`sell_training`, :meth:`host`) and pays
    its suppliers (:meth:`pay_suppliers`) in the model's ledger; its parent backs
    partners with compute credits (:meth:`receive_credits`, :meth:`back`).
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
        return self.model.state.serving_cost * efficiency * mult

    def partner_price(self, efficiency: float) -> float:
        """What a closed partner pays it per Mtok served, $/Mtok: cost plus
        ``partner_markup``."""
        return self.unit_cost(efficiency, False) * (1 + self.params.partner_markup)

    # -- money flows (settlement, phase 6) -----------------------------------------------
    def reset_flows(self) -> None:
        """Zero this month's revenue and costs."""
        self.revenue = 0.0
        self.costs = 0.0

    def pay_suppliers(self, amount: float) -> None:
        """Pay its suppliers (hardware, energy) ``amount`` ($M) for compute it sold."""
        self.model.ledger.pay(self.account, "suppliers", amount, "cloud_costs")
        self.costs += amount

    def serve(self, vendor: Vendor, tokens: float) -> float:
        """Serve ``tokens`` (Ttok) of a partner's closed model: the vendor pays the partner
        price (serving fees), the cloud pays its suppliers the raw cost. Returns the fees
        ($M)."""
        p = self.params
        unit = self.model.state.serving_cost * vendor.params.efficiency * p.cost_multiplier
        fees = unit * (1 + p.partner_markup) * tokens  # partner_price(efficiency) * tokens
        pay = self.model.ledger.pay
        pay(vendor.account, self.account, fees, "serving_fees")
        self.revenue += fees
        cost = unit * tokens
        pay(self.account, "suppliers", cost, "cloud_costs")
        self.costs += cost
        return fees

    def sell_training(self, vendor: Vendor, amount: float) -> None:
        """Sell ``amount`` ($M) of training compute to a partner, bought from suppliers at
        cost (the price less ``training_markup``)."""
        pay = self.model.ledger.pay
        pay(vendor.account, self.account, amount, "training_compute")
        self.revenue += amount
        cost = amount / (1 + self.params.training_markup)
        pay(self.account, "suppliers", cost, "cloud_costs")
        self.costs += cost

    def host(self, j: int, tokens: float) -> None:
        """Developers buy ``tokens`` (Ttok) of open model ``j`` from it at its hosting price
        (plus the tax on open-weight tokens, paid to the government); it pays its
        suppliers its hosting cost."""
        model = self.model
        k = self.index
        self.host_sales(
            float(model.hosting[k, j]), float(model.host_cost[k, j]), tokens, model.state.open_tax
        )

    def host_sales(self, price: float, unit_cost: float, tokens: float, open_tax: float) -> None:
        """Book :meth:`host`'s sale of ``tokens`` at ``price`` ($/Mtok) and hosting cost
        ``unit_cost`` under the tax rate ``open_tax``."""
        pay = self.model.ledger.pay
        account = self.account
        sales = price * tokens
        pay("developers", account, sales, "hosting_sales")
        tax = open_tax * price * tokens
        if tax != 0.0:  # pay() books nothing for 0 (and raises below 0, books a NaN)
            pay("developers", "government", tax, "open_tax")
        self.revenue += sales
        cost = unit_cost * tokens
        pay(account, "suppliers", cost, "cloud_costs")
        self.costs += cost

    # -- strategic investment (funding, phase 2) -------------------------------------------
    def receive_credits(self) -> None:
        """Credits not invested lapse back to its parent at ``1 / credit_life`` a month;
        its parent adds this month's compute credits for strategic investments (from its
        entry month on). The balance stays below ``strategic_budget x credit_life``."""
        self.strategic_credits -= self.strategic_credits / self.params.credit_life
        if self.active:
            self.strategic_credits += self.params.strategic_budget

    def back(self, vendor: Vendor, amount: float, value: float) -> None:
        """Its parent (the external account ``owners``) invests ``amount`` ($M) of its
        credits in ``vendor`` at pre-money ``value``."""
        self.strategic_credits -= amount
        self.model.ledger.pay(OWNERS, vendor.account, amount, "strategic_funding")
        vendor.take_investment(OWNERS, amount, value)


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
