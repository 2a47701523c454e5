"""A vendor's money flows in the month's settlement (phase 6): its API sales, the
training compute and fixed costs it pays, its complement business (platforms) and the
close of its monthly accounts. Every payment goes through the model's ledger.

:class:`VendorAccounts` is a part of :class:`~aimarket.agents.vendor.Vendor` (a mixin):
it uses the vendor's model, account, partner cloud, parameters and monthly flows.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from aimarket.simulation.mechanics import complement, rd

if TYPE_CHECKING:
    from aimarket.agents.vendor import Vendor


class VendorAccounts:
    """The vendor's side of settlement (see ODD section 6.7)."""

    def sell_tokens(
        self: Vendor, j: int, tokens: float, payer: str = "developers", price: float | None = None
    ) -> float:
        """Sell ``tokens`` (Ttok) of its closed model ``j`` to ``payer`` at the model's API
        price (or ``price``, $/Mtok); its partner cloud serves them (:meth:`Cloud.serve`).
        Returns the sales ($M)."""
        model = self.model
        price = model.products.price[j] if price is None else price
        sales = price * tokens
        model.ledger.pay(payer, self.account, sales, "api_sales")
        self.api_revenue += sales
        self.serving_cost += self.cloud.serve(self, tokens)
        return sales

    def buy_training(self: Vendor) -> None:
        """Buy this month's R&D spend as training compute from its partner cloud."""
        self.cloud.sell_training(self, self.rd_spend)

    def receive_core_cash(self: Vendor) -> None:
        """A public incumbent books this month's operating cash flow of its other
        businesses (ads, search, cloud), from which it funds its AI."""
        amount = self.params.core_cash_flow
        if amount > 0:
            self.model.ledger.pay("owners", self.account, amount, "core_cash_flow")
            self.core_cash += amount

    def pay_opex(self: Vendor) -> None:
        """Pay its fixed costs to suppliers."""
        self.model.ledger.pay(self.account, "suppliers", self.params.opex, "opex")

    def support_community(self: Vendor, cost: float) -> None:
        """Pay ``cost`` ($M) to suppliers for the ecosystem behind this month's community
        gains to its open weights."""
        self.model.ledger.pay(self.account, "suppliers", cost, "community_support")
        self.community_cost += cost

    def run_complement(self: Vendor) -> None:
        """A platform runs its complement business on the AI that earns it most
        (:mod:`aimarket.simulation.mechanics.complement`): its own model (served at cost),
        any open weights (self-hosted at cost), a rival's closed API, or none. A rival
        charges its API price or, under Nash pricing, what holds the platform up to its
        best other option (at most the complements game's monopoly price). Advertisers
        pay the revenue AI adds; regulation binds its own use too: open weights (its own,
        when its frontier is open) pay the tax on open-weight tokens, and its own open
        model is held to the cap on open release."""
        p, state, par = self.model.products, self.model.state, self.params
        r0, volume = par.complement_revenue, par.internal_tokens
        if r0 <= 0:  # no complement business to run
            return
        tax = 1.0 + state.open_tax
        own_open = self.frontier_is_open
        own_cap = min(self.capability, state.open_cap) if own_open else self.capability
        own_unit = state.serving_cost * self.params.efficiency * (tax if own_open else 1.0)
        n = p.n
        # options: none, its own model, open weights (self-hosted), rivals' closed APIs
        weights = np.flatnonzero(p.available[:n] & p.is_open[:n])
        rivals = np.flatnonzero(p.available[:n] & ~p.is_open[:n])
        rivals = rivals[p.vendor[rivals] != self.index]
        lift = np.concatenate(([0.0, self._lift(own_cap)], self._lifts(p.capability[weights])))
        price = np.concatenate(
            ([0.0, own_unit * volume], state.serving_cost * p.efficiency[weights] * tax * volume)
        )
        profits = complement.profits(r0, lift, price).tolist()
        alternative = max(profits)
        rival_lift = self._lifts(p.capability[rivals])
        charge = p.price[rivals] * volume
        if self.model.scenario.market.pricing == "nash":  # a hair below indifference
            charge = complement.rival_charges(r0, rival_lift, charge, alternative)
        profits += complement.profits(r0, rival_lift, charge).tolist()
        best = profits.index(max(profits))  # the first best, as numpy's argmax
        sellers = [None, None, *([None] * len(weights)), *rivals.tolist()]
        if best < len(lift):
            chosen, paid = float(lift[best]), float(price[best])
        else:
            chosen, paid = float(rival_lift[best - len(lift)]), float(charge[best - len(lift)])
        taxed = own_open if best == 1 else 1 < best < len(lift)
        revenue, cost, output = complement.outcome(r0, chosen, paid)
        # revenue - R0 >= the AI's cost whenever AI is run; max() drops rounding below 0
        self.book_complement(max(0.0, revenue - r0), cost, output * volume, sellers[best], taxed)

    def _lifts(self: Vendor, capability: np.ndarray) -> np.ndarray:
        par = self.params
        return complement.uplifts(par.complement_strength, capability, par.complement_half)

    def _lift(self: Vendor, capability: float) -> float:
        par = self.params
        return complement.uplift(par.complement_strength, float(capability), par.complement_half)

    def book_complement(
        self: Vendor, gain: float, cost: float, tokens: float, seller: int | None, taxed: bool
    ) -> None:
        """Book the complement revenue AI adds (``gain``) and the AI's ``cost`` for
        ``tokens``: to suppliers (and the tax) for its own model or open weights, or to
        the rival ``seller`` (its API price, the cost behind it, and any hold-up above)."""
        model, p = self.model, self.model.products
        model.ledger.pay("advertisers", self.account, gain, "complement_revenue")
        self.complement_revenue += gain
        self.ai_cost += cost
        if seller is None:
            base = cost / (1.0 + model.state.open_tax) if taxed else cost
            model.ledger.pay(self.account, "suppliers", base, "internal_ai")
            model.ledger.pay(self.account, "government", cost - base, "open_tax")
            return
        unit = cost / tokens if tokens > 0 else math.inf
        if not math.isfinite(unit):  # no tokens, or too few to price (subnormal volumes)
            return
        model.vendor_list[p.vendor[seller]].sell_tokens(seller, tokens, self.account, unit)
        self.markup_cost += max(0.0, float(p.price[seller] - p.cost[seller])) * tokens
        self.holdup_cost += max(0.0, unit - float(p.price[seller])) * tokens

    def close_month(self: Vendor, total_tokens: float, adopters: int) -> None:
        """Close this month's accounts: gross profit, revenue, profit and payoff; its
        shares of the developer market's ``total_tokens`` and ``adopters`` (at least 1);
        the price of its first product."""
        p = self.model.products
        first, second = self.closed_product, self.open_product
        if first is None or second is None:  # one product (or none): no sum to add
            first = second if first is None else first
            if first is None:
                tokens, developers = p.tokens.dtype.type(0), p.developers.dtype.type(0)
            else:
                tokens, developers = p.tokens[first], p.developers[first]
        else:
            tokens, developers = (
                _summed(p.tokens, [first, second]),
                _summed(p.developers, [first, second]),
            )
        api, serving, rd_spend = self.api_revenue, self.serving_cost, self.rd_spend
        self.last_gross_profit = api - serving
        self.revenue_history.append(api)
        self.last_rd_spend = rd_spend
        self.revenue = revenue = api + self.complement_revenue
        costs = serving + self.ai_cost + rd_spend + self.community_cost
        params = self.params
        self.profit = profit = revenue - costs - params.opex
        self.payoff += profit
        # discount_factor, inline
        factor = (1.0 + rd.monthly_rate(params.discount_rate)) ** -(self.model.steps - self.born)
        self.discounted += profit * factor
        recent = self.recent_operating  # its last 12 months, before R&D
        recent.append(profit + rd_spend)
        if len(recent) > 12:
            del recent[0]
        self.token_share = float(tokens / total_tokens) if total_tokens > 0 else 0.0
        self.developer_share = float(developers / adopters)
        self.price = float(p.price[first]) if first is not None else 0.0

    @property
    def out_of_cash(self: Vendor) -> bool:
        """A private vendor whose cash is negative (it exits, if exits are on)."""
        return self.params.private and self.cash < 0


def _summed(values: np.ndarray, rows: list[int]):
    """``values[rows].sum()`` for a row or two, added in numpy's order (the same bits)
    without building an array."""
    if not rows:
        return values.dtype.type(0)
    total = values[rows[0]]
    for j in rows[1:]:
        total = total + values[j]
    return total
