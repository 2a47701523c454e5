"""Model vendors: they do R&D, decide what to release, price their API and, when their
business is a platform, choose the AI their complement business runs on."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from aimarket.agents.accounts import VendorAccounts
from aimarket.agents.base import MarketAgent
from aimarket.simulation.mechanics import capability as production
from aimarket.simulation.mechanics import complement, rd
from aimarket.simulation.policies import POLICIES

if TYPE_CHECKING:
    from aimarket.simulation.model import MarketModel
    from aimarket.simulation.parameters import InnovationParams, Mechanisms, VendorParams


class Vendor(VendorAccounts, MarketAgent):
    """A foundation-model vendor.

    Business model ``api`` earns from selling tokens of its closed model; ``platform``
    earns from a complement business (ads) that its AI improves. Its release policy (a
    lever; :mod:`aimarket.simulation.policies`) decides which products it offers and
    when its weights go out; the policy's options come from the vendor's table.

    State: capability (frontier-years), talent (R&D multiplier), cash ($M, kept in the
    model's ledger), price ($/Mtok), and this month's flows. What it needs of the
    scenario (its own parameters, the innovation parameters and the mechanism switches)
    is passed in when it is created. It books its own money flows in settlement
    (:class:`~aimarket.agents.accounts.VendorAccounts`).
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
        self.last_rd_spend = 0.0
        self.wanted_rd = 0.0  # what its R&D rule asks for this month, before cash ($M)
        self.frontier_value = 0.0  # V: what a frontier-year is worth to it ($M)
        self.discounted = 0.0  # its cash flows discounted to its first month ($M)
        # its last 12 months' operating profit: profit before R&D ($M)
        self.recent_operating: list[float] = []
        self.exit_value: float | None = None  # what it was bought for, if it exited ($M)
        # ln of its cumulative effective training compute ($M of January 2023 compute):
        # its own, and what it absorbed by imitating open weights; its capability follows
        # their sum
        self.log_stock = production.log_stock_for(
            params.capability, innovation.compute_scale, innovation.frontier_stock
        )
        self.log_absorbed = -math.inf
        self.training = 0.0  # effective training compute it added this month
        self.born = model.steps  # the month it arrived (0: at the start)
        self.investors: dict[str, float] = {}  # investor account -> stake (share of equity)
        self.last_valuation = 0.0  # post-money value of its last round, $M
        self.last_round = -(10**6)  # the month of its last round
        self.revenue_history: list[float] = []  # API revenue by month, $M
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
        """Take release policy ``name`` with its options from the vendor's table. The
        policy starts afresh: its own state empty, and no re-closing anticipated."""
        self.release = POLICIES[name]
        self.policy = self.release.name
        self.options = self.release.options(self.params.options)
        self.policy_state: dict[str, int | None] = {}  # the policy's own memory
        for j in (self.closed_product, self.open_product):
            if j is not None:
                self.model.products.anticipated[j] = 0.0

    # -- accounting -----------------------------------------------------------------
    @property
    def stock(self) -> float:
        """Its own cumulative effective training compute, $M (inf past a float's range)."""
        return math.exp(self.log_stock) if self.log_stock < 709.0 else math.inf

    @property
    def absorbed(self) -> float:
        """The effective compute it absorbed by imitation, $M (inf past a float's range)."""
        return math.exp(self.log_absorbed) if self.log_absorbed < 709.0 else math.inf

    @property
    def cash(self) -> float:
        return self.model.ledger.balances[self.account]

    def reset_flows(self) -> None:
        """Zero this month's money flows ($M)."""
        self.rd_spend = 0.0
        self.api_revenue = 0.0
        self.complement_revenue = 0.0
        self.ai_cost = 0.0
        self.markup_cost = 0.0  # paid to rival APIs above their cost (platforms)
        self.holdup_cost = 0.0  # paid to rival APIs above their API price (platforms)
        self.core_cash = 0.0  # its parent's other businesses' cash flow (public)
        self.serving_cost = 0.0
        self.community_cost = 0.0  # ecosystem support behind community gains
        self.funding = 0.0
        self.revenue = 0.0
        self.profit = 0.0

    @property
    def burn(self) -> float:
        """What it spends a month ($M): last month's R&D and fixed costs."""
        return self.last_rd_spend + self.params.opex

    def planned_burn(self, months: float) -> float:
        """What it would spend over the next ``months`` ($M) at what its R&D rule asks
        for this month, with fixed costs."""
        return months * (max(self.wanted_rd, self.last_rd_spend) + self.params.opex)

    @property
    def revenue_rate(self) -> float:
        """Its API revenue a month, averaged over the last quarter ($M)."""
        recent = self.revenue_history[-3:]
        return sum(recent) / len(recent) if recent else 0.0

    @property
    def revenue_growth(self) -> float:
        """Annualized growth of its API revenue, quarter on quarter (0 without a year of
        revenue; at most 10, i.e. 11x a year)."""
        history = self.revenue_history
        if len(history) < 6 or sum(history[-6:-3]) <= 0:
            return 0.0
        return min(10.0, (sum(history[-3:]) / sum(history[-6:-3])) ** 4 - 1.0)

    def take_investment(self, investor: str, amount: float, value: float) -> None:
        """``investor`` buys ``amount`` of new equity at pre-money ``value``: earlier
        stakes are diluted."""
        post = value + amount
        if post <= 0:
            return
        for name in self.investors:
            self.investors[name] *= value / post
        self.investors[investor] = self.investors.get(investor, 0.0) + amount / post
        self.last_valuation = post
        self.last_round = self.model.steps
        self.funding += amount

    @property
    def discount_factor(self) -> float:
        """(1 + r_m)^-age: a dollar this month in dollars of its first month (r_m its
        monthly discount rate)."""
        return (1.0 + rd.monthly_rate(self.params.discount_rate)) ** -self.age

    @property
    def firm_value(self) -> float:
        """Its value at its first month ($M): its profits so far, discounted at its
        discount rate, plus a terminal value discounted from this month: a no-growth
        perpetuity of its mean operating profit (before R&D) over the last 12 months, or,
        if it exited, the price it was bought for
        (:func:`aimarket.simulation.mechanics.rd.terminal_value`)."""
        rate = self.params.discount_rate
        if self.exit_value is not None:
            terminal = self.exit_value
        else:
            terminal = rd.terminal_value(self.recent_operating, rate)
        # discount_factor, inline (read once a month per vendor)
        return (
            self.discounted
            + (1.0 + rd.monthly_rate(rate)) ** (self.born - self.model.steps) * terminal
        )

    @property
    def age(self) -> int:
        """Months since it arrived."""
        return self.model.steps - self.born

    @property
    def frontier_is_open(self) -> bool:
        """Its newest model is released as open weights."""
        return self.release.frontier_open(self)

    # -- phase 3: innovation and release -----------------------------------------------
    def plan_rd(
        self, prospect: float, quality_weight: float, lead: tuple[float, float] = (0.0, 0.0)
    ) -> None:
        """R&D (training compute) this month, by the rule of
        :mod:`aimarket.simulation.mechanics.rd`: kappa x V less the stock it holds (own
        and absorbed) in dollars of this month's training, V what a frontier-year is
        worth to it (from its API gross profit, or the ``prospect`` of a model of its
        capability if higher, at developers' ``quality_weight``; behind the leader, the
        chord to drawing level with ``lead`` = (its capability, its prospect) if that is
        larger; and for a platform from its complement business), spent from cash it has
        (a private lab paces its cash to last until it may raise again,
        ``entry.round_interval`` months)."""
        p, inn = self.params, self.innovation
        if not self.mechanisms.rd:
            self.frontier_value = self.wanted_rd = self.rd_spend = 0.0
            return
        marginal = 0.0
        if self.release.sells_api and p.offers_api:
            gross = max(self.last_gross_profit, prospect)
            slope = rd.api_marginal(gross, quality_weight, self.token_share)
            lead_capability, lead_gross = lead
            chord = rd.catch_up_marginal(gross, lead_gross, lead_capability - self.capability)
            marginal += max(slope, chord)
        if self.business_model == "platform" and self.mechanisms.complement:
            unit = self.model.state.serving_cost * p.efficiency * p.internal_tokens
            marginal += complement.marginal_value(
                p.complement_revenue, p.complement_strength, self.capability,
                p.complement_half, unit,
            )  # fmt: skip
        self.frontier_value = rd.frontier_year_value(marginal, p.rd_horizon, p.discount_rate)
        per_dollar = (
            p.frontier_share
            * production.efficiency_index(self.model.steps, inn.efficiency_growth)
            * self.talent
        )
        held = rd.held_in_dollars(production.total(self.log_stock, self.log_absorbed), per_dollar)
        self.wanted_rd = rd.static_optimum(self.frontier_value, inn.compute_scale, held)
        cash = max(0.0, self.cash)
        pace = max(1, self.model.scenario.entry.round_interval)  # until it can raise again
        affordable = cash / pace if p.private else cash
        self.rd_spend = min(self.wanted_rd, affordable)

    def innovate(self, open_frontier: float) -> None:
        """Move capability: this month's training adds effective compute to its stock
        (spend x frontier share x compute a dollar buys x talent); imitating the best
        open weights adds to what it absorbed; capability is the common production
        function of the two (:mod:`aimarket.simulation.mechanics.capability`)."""
        inn, mech = self.innovation, self.mechanisms
        if mech.talent:
            target = 1.0 + (inn.talent_bonus if self.release.attracts_talent(self) else 0.0)
            self.talent += inn.talent_speed * (target - self.talent)
        training = 0.0
        log_stock = self.log_stock
        if mech.rd:
            dollars = self.rd_spend * self.params.frontier_share
            per_dollar = production.efficiency_index(self.model.steps, inn.efficiency_growth)
            training = dollars * per_dollar * self.talent
            self.log_stock = log_stock = production.add(log_stock, training)
        self.training = training
        absorbed = self.log_absorbed
        held = production.total(log_stock, absorbed)
        if mech.imitation and open_frontier > -math.inf:
            target = production.log_stock_for(open_frontier, inn.compute_scale, inn.frontier_stock)
            rate = production.imitation_rate(training, inn.imitation_speed, inn.imitation_capacity)
            self.log_absorbed = absorbed = production.absorb(absorbed, held, target, rate)
            held = production.total(log_stock, absorbed)
        level = production.capability_of(held, inn.compute_scale, inn.frontier_stock)
        if level > self.capability:  # max(capability, level), keeping capability on ties
            self.capability = level
        self.history.append(self.capability)

    def decide_release(self) -> None:
        """Let the policy act (a switch), then refresh its products' capabilities: the
        closed model at its capability; its open weights at the released capability
        (its frontier, or what it released before) plus what the community added."""
        self.release.before_release(self)
        products = self.model.products
        if self.closed_product is not None:
            products.capability[self.closed_product] = self.capability
        j = self.open_product
        if j is not None:
            if self.frontier_is_open:
                released = self.capability
            else:  # weights out before a switch or a leak stay out, frozen
                released = self.release.released_capability(self)
            released += products.community[j]
            # a regulatory cap on open release applies to new releases only
            cap = self.model.state.open_cap
            products.capability[j] = min(released, max(cap, products.capability[j]))

    def freeze_weights(self) -> None:
        """The weights already out stop following its frontier: frozen at today's
        capability (the community's gains stay with them)."""
        self.frozen_capability = self.capability

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
