"""Model vendors: they do R&D, decide what to release, and price their API."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aimarket.agents.base import MarketAgent

if TYPE_CHECKING:
    from aimarket.simulation.model import MarketModel
    from aimarket.simulation.scenario import VendorParams


class Vendor(MarketAgent):
    """A foundation-model vendor.

    Business model ``api`` earns from selling tokens of its closed model; ``platform``
    earns from a complement business (ads) that its AI improves. The release policy (a
    lever) decides which products it offers:

    * ``closed``: one closed model, sold through its API at a price it sets;
    * ``open``: its frontier model as open weights, hosted by clouds at their prices;
    * ``open_lagged``: a closed frontier model plus open weights ``open_lag`` months old;
    * ``open_then_closed``: open until ``switch_step`` or until its developer share
      reaches ``switch_share``; then new models are closed, the released weights stay
      open (frozen, still improved by the community) and developers hold a trust
      penalty against its models.

    State: capability (frontier-years), talent (R&D multiplier), cash ($M, kept in the
    model's ledger), price ($/Mtok), and this month's flows.
    """

    def __init__(self, model: MarketModel, name: str, params: VendorParams, index: int):
        super().__init__(model)
        self.name = name
        self.params = params
        self.index = index  # position in model.vendor_list, used by the product table
        self.account = f"vendor:{name}"
        self.business_model = params.business_model
        self.policy = params.policy
        self.capability = params.capability
        self.talent = 1.0
        self.switched = False
        self.closed_product: int | None = None
        self.open_product: int | None = None
        self.frozen_capability = 0.0  # open weights' capability when released for good
        # capability by step, to serve open_lagged releases; before step 0 we assume the
        # vendor advanced at the reference R&D pace
        pace = model.scenario.innovation.rd_productivity
        self.history = [
            max(0.0, params.capability - pace * k) for k in range(params.open_lag, 0, -1)
        ]
        self.history.append(params.capability)
        self.alive = True
        self.payoff = 0.0  # cumulative profit, $M
        self.last_gross_profit = 0.0
        self.token_share = 0.0  # of all tokens bought last month
        self.developer_share = 0.0  # of developers using a model last month
        self.price = 0.0  # $/Mtok of its newest model last month
        self.reset_flows()

    # -- accounting -----------------------------------------------------------------
    @property
    def cash(self) -> float:
        return self.model.ledger.balance(self.account)

    def reset_flows(self) -> None:
        """Zero this month's money flows ($M)."""
        self.rd_spend = 0.0
        self.api_revenue = 0.0
        self.complement_revenue = 0.0
        self.ai_cost = 0.0
        self.serving_cost = 0.0
        self.funding = 0.0
        self.revenue = 0.0
        self.profit = 0.0

    @property
    def frontier_is_open(self) -> bool:
        """Its newest model is released as open weights."""
        return self.policy == "open" or (self.policy == "open_then_closed" and not self.switched)

    # -- phase 3: innovation and release -----------------------------------------------
    def plan_rd(self) -> None:
        """R&D budget this month: plan plus reinvested profit, capped by cash."""
        p = self.params
        planned = p.rd_budget + p.rd_profit_share * max(0.0, self.last_gross_profit)
        self.rd_spend = min(planned, p.max_burn * max(0.0, self.cash))

    def innovate(self, open_frontier: float) -> None:
        """Move capability: own R&D (scaled by talent), spillover from open weights, and
        community improvements when its frontier is open."""
        m = self.model
        inn = m.scenario.innovation
        mech = m.scenario.mechanisms
        if mech.talent:
            releasing = self.frontier_is_open or self.policy == "open_lagged"
            target = 1.0 + (inn.talent_bonus if releasing else 0.0)
            self.talent += inn.talent_speed * (target - self.talent)
        gain = 0.0
        if mech.rd and self.rd_spend > 0:
            # The spend that buys one step of frontier progress grows every year.
            reference = inn.rd_reference * inn.frontier_cost_growth ** (m.steps / 12.0)
            effort = (self.rd_spend / reference) ** inn.rd_elasticity
            gain += inn.rd_productivity * self.talent * effort
        if mech.spillover:
            gain += inn.spillover * max(0.0, open_frontier - self.capability)
        if self.frontier_is_open and self.open_product is not None:
            gain += m.products.community_gain[self.open_product]
        self.capability += gain
        self.history.append(self.capability)

    def decide_release(self) -> None:
        """Take the open_then_closed switch if its trigger is met; refresh products."""
        m = self.model
        p = self.params
        if self.policy == "open_then_closed" and not self.switched:
            due = 0 <= p.switch_step <= m.steps
            dominant = self.developer_share >= p.switch_share and self.leads()
            if due or dominant:
                self.close_weights()
        products = m.products
        if self.closed_product is not None:
            products.capability[self.closed_product] = self.capability
        j = self.open_product
        if j is not None:
            if self.frontier_is_open:
                released = self.capability
            else:  # weights out before a switch or a leak stay out, frozen
                released = self.frozen_capability + products.community[j]
                if self.policy == "open_lagged":
                    lagged = self.history[max(0, len(self.history) - 1 - p.open_lag)]
                    released = max(released, lagged + products.community[j])
            # a regulatory cap on open release applies to new releases only
            products.capability[j] = min(released, max(m.open_cap, products.capability[j]))

    def leads(self) -> bool:
        """Its model is at least as capable as every rival model on the market: it has
        caught up (the open_then_closed vendor closes once it leads, not while catching
        up)."""
        p = self.model.products
        n = p.n
        rivals = p.available[:n] & (p.vendor[:n] != self.index)
        best = float(p.capability[:n][rivals].max()) if rivals.any() else 0.0
        return self.capability >= best

    def freeze_weights(self) -> None:
        """The weights already out stop following its frontier: frozen at today's
        capability, with community gains counted afresh from now on (the earlier ones
        are already part of its capability)."""
        self.frozen_capability = self.capability
        if self.open_product is not None:
            self.model.products.community[self.open_product] = 0.0

    def close_weights(self, trust_penalty: float | None = None) -> None:
        """Stop releasing weights: the weights already out stay out (frozen), new models
        are closed, and developers hold ``trust_penalty`` against its models."""
        m = self.model
        self.switched = True
        self.freeze_weights()
        if self.params.offers_api and self.closed_product is None:
            self.closed_product = m.add_product(self, is_open=False)
        penalty = self.params.trust_penalty if trust_penalty is None else trust_penalty
        self.penalize(penalty)
        m.events.append((m.steps, self.name, "closed its weights"))

    def penalize(self, trust_penalty: float) -> None:
        """Developers' utility of its models falls by ``trust_penalty`` for good."""
        for j in (self.closed_product, self.open_product):
            if j is not None:
                self.model.products.penalty[j] += trust_penalty

    def leak(self) -> None:
        """Its newest weights escape: they become open weights anyone can host, frozen
        at today's capability, while its own policy and API stay as they were."""
        m = self.model
        self.frozen_capability = max(self.frozen_capability, self.capability)
        if self.open_product is None:
            self.open_product = m.add_product(self, is_open=True)
            m.products.community[self.open_product] = 0.0
        m.events.append((m.steps, self.name, "weights leaked"))

    def pivot(self, policy: str, trust_penalty: float) -> None:
        """Switch release policy now (a policy-pivot shock).

        Closing freezes the weights already out; opening releases the frontier as open
        weights and withdraws the API model (its users re-choose). Either way developers
        hold ``trust_penalty`` against its models.
        """
        m = self.model
        if policy == self.policy:
            return
        was_open = self.frontier_is_open
        self.policy = policy
        self.switched = False
        if policy in ("open", "open_then_closed"):
            if self.open_product is None:
                self.open_product = m.add_product(self, is_open=True)
            if self.closed_product is not None:
                m.products.available[self.closed_product] = False
                self.closed_product = None
        else:
            if was_open:
                self.freeze_weights()
            if self.params.offers_api and self.closed_product is None:
                self.closed_product = m.add_product(self, is_open=False)
            if policy == "open_lagged" and self.open_product is None:
                self.open_product = m.add_product(self, is_open=True)
        self.penalize(trust_penalty)
        m.events.append((m.steps, self.name, f"pivoted to {policy}"))
        self.decide_release()

    # -- phase 4: pricing --------------------------------------------------------------
    def set_price(self, cost: float, best_response: float) -> None:
        """Move the API price toward its best response (or to cost under the 'cost'
        pricing rule); ``cost`` is what it pays its cloud per Mtok."""
        j = self.closed_product
        if j is None:
            return
        market = self.model.scenario.market
        target = best_response if market.pricing == "nash" else cost
        products = self.model.products
        old = products.price[j]
        products.price[j] = old + market.price_adjustment * (target - old)
        products.cost[j] = cost
