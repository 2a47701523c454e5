"""Model vendors: they do R&D, decide what to release, price their API and, when their
business is a platform, choose the AI their complement business runs on."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aimarket.agents.base import MarketAgent
from aimarket.simulation.mechanics import complement
from aimarket.simulation.policies import POLICIES

if TYPE_CHECKING:
    from aimarket.simulation.model import MarketModel
    from aimarket.simulation.parameters import InnovationParams, Mechanisms, VendorParams


class Vendor(MarketAgent):
    """A foundation-model vendor.

    Business model ``api`` earns from selling tokens of its closed model; ``platform``
    earns from a complement business (ads) that its AI improves. Its release policy (a
    lever; :mod:`aimarket.simulation.policies`) decides which products it offers and
    when its weights go out; the policy's options come from the vendor's table.

    State: capability (frontier-years), talent (R&D multiplier), cash ($M, kept in the
    model's ledger), price ($/Mtok), and this month's flows. What it needs of the
    scenario (its own parameters, the innovation parameters and the mechanism switches)
    is passed in when it is created.
    """

    def __init__(
        self,
        model: MarketModel,
        name: str,
        params: VendorParams,
        index: int,
        innovation: InnovationParams,
        mechanisms: Mechanisms,
    ):
        super().__init__(model)
        self.name = name
        self.params = params
        self.index = index  # position in model.vendor_list, used by the product table
        self.innovation = innovation
        self.mechanisms = mechanisms
        self.account = f"vendor:{name}"
        self.business_model = params.business_model
        self.capability = params.capability
        self.talent = 1.0
        self.switched = False
        self.closed_product: int | None = None
        self.open_product: int | None = None
        self.frozen_capability = 0.0  # open weights' capability when released for good
        self.history = [params.capability]  # capability by step
        self.alive = True
        self.payoff = 0.0  # cumulative profit, $M
        self.last_gross_profit = 0.0
        self.token_share = 0.0  # of all tokens bought last month
        self.developer_share = 0.0  # of developers using a model last month
        self.price = 0.0  # $/Mtok of its newest model last month
        self.adopt_policy(params.policy)
        self.release.prepare(self)
        self.reset_flows()

    def adopt_policy(self, name: str) -> None:
        """Take release policy ``name`` with its options from the vendor's table."""
        self.release = POLICIES[name]
        self.policy = self.release.name
        self.options = self.release.options(self.params.options)

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
        return self.release.frontier_open(self)

    # -- phase 3: innovation and release -----------------------------------------------
    def plan_rd(self) -> None:
        """R&D budget this month: plan plus reinvested profit, capped by cash."""
        p = self.params
        planned = p.rd_budget + p.rd_profit_share * max(0.0, self.last_gross_profit)
        self.rd_spend = min(planned, p.max_burn * max(0.0, self.cash))

    def innovate(self, open_frontier: float) -> None:
        """Move capability: own R&D (scaled by talent), spillover from open weights, and
        community improvements when its frontier is open."""
        inn, mech = self.innovation, self.mechanisms
        if mech.talent:
            target = 1.0 + (inn.talent_bonus if self.release.attracts_talent(self) else 0.0)
            self.talent += inn.talent_speed * (target - self.talent)
        gain = 0.0
        if mech.rd and self.rd_spend > 0:
            # The spend that buys one step of frontier progress grows every year.
            reference = inn.rd_reference * inn.frontier_cost_growth ** (self.model.steps / 12.0)
            effort = (self.rd_spend / reference) ** inn.rd_elasticity
            gain += inn.rd_productivity * self.talent * effort
        if mech.spillover:
            gain += inn.spillover * max(0.0, open_frontier - self.capability)
        if self.frontier_is_open and self.open_product is not None:
            gain += self.model.products.community_gain[self.open_product]
        self.capability += gain
        self.history.append(self.capability)

    def decide_release(self) -> None:
        """Let the policy act (a switch), then refresh its products' capabilities."""
        self.release.before_release(self)
        products = self.model.products
        if self.closed_product is not None:
            products.capability[self.closed_product] = self.capability
        j = self.open_product
        if j is not None:
            if self.frontier_is_open:
                released = self.capability
            else:  # weights out before a switch or a leak stay out, frozen
                released = self.release.released_capability(self, products.community[j])
            # a regulatory cap on open release applies to new releases only
            products.capability[j] = min(released, max(self.model.open_cap, products.capability[j]))

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

    def close_weights(self, trust_penalty: float) -> None:
        """Stop releasing weights: the weights already out stay out (frozen), new models
        are closed, and developers hold ``trust_penalty`` against its models."""
        m = self.model
        self.switched = True
        self.freeze_weights()
        if self.params.offers_api and self.closed_product is None:
            self.closed_product = m.add_product(self, is_open=False)
        self.penalize(trust_penalty)
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

        A policy that sells no API (it opens the frontier) releases the frontier as open
        weights and withdraws the API model (its users re-choose); one that sells an API
        freezes weights already out, and adds open weights if it releases any. Either way
        developers hold ``trust_penalty`` against its models.
        """
        m = self.model
        if policy == self.policy:
            return
        was_open = self.frontier_is_open
        self.adopt_policy(policy)
        self.switched = False
        if not self.release.sells_api:
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
            if self.release.releases_weights and self.open_product is None:
                self.open_product = m.add_product(self, is_open=True)
        self.penalize(trust_penalty)
        m.events.append((m.steps, self.name, f"pivoted to {policy}"))
        self.decide_release()

    # -- phase 4: pricing --------------------------------------------------------------
    def set_price(self, cost: float, target: float, adjustment: float) -> None:
        """Move the API price a share ``adjustment`` of the way to ``target`` (its best
        response, or its cost under the 'cost' pricing rule); ``cost`` is what it pays
        its cloud per Mtok."""
        j = self.closed_product
        if j is None:
            return
        products = self.model.products
        old = products.price[j]
        products.price[j] = old + adjustment * (target - old)
        products.cost[j] = cost

    # -- phase 6: the platform's own AI --------------------------------------------------
    def choose_ai(self, options: list[tuple[float, float, int | None]]) -> tuple:
        """The option that maximizes complement revenue minus AI cost, among ``options``
        (capability, unit price, seller product or None for self-served); returns
        (complement revenue gain, AI cost, seller, tokens used). See
        :mod:`aimarket.simulation.mechanics.complement`."""
        par = self.params
        best = None
        for cap, unit, seller in options:
            a, gain, cost = complement.deployment(
                par.complement_revenue, par.complement_strength, cap, par.internal_tokens, unit
            )
            if best is None or gain - cost > best[0] - best[1]:
                best = (gain, cost, seller, a * par.internal_tokens)
        return best
