"""A vendor's money flows in the month's settlement (phase 6): its API sales, the
training compute and fixed costs it pays, its complement business (platforms) and the
close of its monthly accounts. Every payment goes through the model's ledger.

:class:`VendorAccounts` is a part of :class:`~aimarket.agents.vendor.Vendor` (a mixin):
it uses the vendor's model, account, partner cloud, parameters and monthly flows.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from aimarket.simulation.mechanics import complement

if TYPE_CHECKING:
    from aimarket.agents.vendor import Vendor


class VendorAccounts:
    """The vendor's side of settlement (see ODD section 6.7)."""

    def sell_tokens(self: Vendor, j: int, tokens: float, payer: str = "developers") -> float:
        """Sell ``tokens`` (Ttok) of its closed model ``j`` to ``payer`` at the model's API
        price; its partner cloud serves them (:meth:`Cloud.serve`). Returns the sales
        ($M)."""
        price = self.model.products.price[j]
        self.model.ledger.pay(payer, self.account, price * tokens, "api_sales")
        self.api_revenue += price * tokens
        self.serving_cost += self.cloud.serve(self, tokens)
        return price * tokens

    def buy_training(self: Vendor) -> None:
        """Buy this month's R&D spend as training compute from its partner cloud."""
        self.cloud.sell_training(self, self.rd_spend)

    def pay_opex(self: Vendor) -> None:
        """Pay its fixed costs to suppliers."""
        self.model.ledger.pay(self.account, "suppliers", self.params.opex, "opex")

    def support_community(self: Vendor, cost: float) -> None:
        """Pay ``cost`` ($M) to suppliers for the ecosystem behind this month's community
        gains to its open weights."""
        self.model.ledger.pay(self.account, "suppliers", cost, "community_support")
        self.community_cost += cost

    def run_complement(self: Vendor) -> None:
        """A platform runs its complement business on the AI it chooses: its own model
        (served at cost), any open weights (self-hosted at cost) or a rival's closed API
        (at its price); advertisers pay the revenue it adds. Regulation binds its own use
        too: open weights (its own, when its frontier is open) pay the tax on open-weight
        tokens, and its own open model is held to the cap on open release."""
        model, p, state = self.model, self.model.products, self.model.state
        tax = 1.0 + state.open_tax
        own_open = self.frontier_is_open
        own_cap = min(self.capability, state.open_cap) if own_open else self.capability
        own_unit = state.serving_cost * self.params.efficiency * (tax if own_open else 1.0)
        options, sellers, taxed = [(own_cap, own_unit)], [None], [own_open]
        for j in range(p.n):
            if not p.available[j]:
                continue
            if p.is_open[j]:
                options.append((p.capability[j], state.serving_cost * p.efficiency[j] * tax))
                sellers.append(None)
                taxed.append(True)
            elif p.vendor[j] != self.index:
                options.append((p.capability[j], p.price[j]))
                sellers.append(j)
                taxed.append(False)
        gain, cost, k, used = self.choose_ai(options)
        model.ledger.pay("advertisers", self.account, gain, "complement_revenue")
        self.complement_revenue += gain
        if sellers[k] is None:
            base = cost / tax if taxed[k] else cost
            model.ledger.pay(self.account, "suppliers", base, "internal_ai")
            model.ledger.pay(self.account, "government", cost - base, "open_tax")
        else:
            seller = sellers[k]
            model.vendor_list[p.vendor[seller]].sell_tokens(seller, used, payer=self.account)
        self.ai_cost += cost

    def choose_ai(
        self: Vendor, options: list[tuple[float, float]]
    ) -> tuple[float, float, int, float]:
        """The option that maximizes complement revenue minus AI cost among ``options``
        (capability, unit price $/Mtok); returns (complement revenue gain, AI cost, the
        option's index, tokens used). See :mod:`aimarket.simulation.mechanics.complement`."""
        par = self.params
        best = None
        for k, (cap, unit) in enumerate(options):
            a, gain, cost = complement.deployment(
                par.complement_revenue,
                par.complement_strength,
                cap,
                par.internal_tokens,
                unit,
                par.complement_half,
            )
            if best is None or gain - cost > best[0] - best[1]:
                best = (gain, cost, k, a * par.internal_tokens)
        return best

    def close_month(self: Vendor, total_tokens: float, adopters: int) -> None:
        """Close this month's accounts: gross profit, revenue, profit and payoff; its
        shares of the developer market's ``total_tokens`` and ``adopters`` (at least 1);
        the price of its first product."""
        p = self.model.products
        mine = [j for j in (self.closed_product, self.open_product) if j is not None]
        self.last_gross_profit = self.api_revenue - self.serving_cost
        self.revenue_history.append(self.api_revenue)
        self.last_rd_spend = self.rd_spend
        self.revenue = self.api_revenue + self.complement_revenue
        costs = self.serving_cost + self.ai_cost + self.rd_spend + self.community_cost
        self.profit = self.revenue - costs - self.params.opex
        self.payoff += self.profit
        share = float(p.tokens[mine].sum() / total_tokens) if total_tokens > 0 else 0.0
        self.token_share = share
        self.developer_share = float(p.developers[mine].sum() / adopters)
        self.price = float(p.price[mine[0]]) if mine else 0.0

    @property
    def out_of_cash(self: Vendor) -> bool:
        """A private vendor whose cash is negative (it exits, if exits are on)."""
        return self.params.private and self.cash < 0
