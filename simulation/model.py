"""The market model: vendors, clouds, developers and VCs, one month per step."""

from __future__ import annotations

from collections.abc import Iterable

import mesa
import numpy as np
import pandas as pd
from aimarket.agents.cloud import Cloud
from aimarket.agents.developers import DeveloperPopulation
from aimarket.agents.vendor import Vendor
from aimarket.agents.venture import VentureCapitalist
from aimarket.simulation import metrics, shocks
from aimarket.simulation.mechanics import choice, complement, pricing
from aimarket.simulation.mechanics.ledger import Ledger
from aimarket.simulation.mechanics.streams import Streams, root_sequence
from aimarket.simulation.products import ProductTable
from aimarket.simulation.scenario import CloudParams, Scenario, VendorParams

#: A funded startup's fixed costs a month, as a share of its first round.
ENTRANT_OPEX = 0.01
#: Rows of valuation noise drawn each month for follow-on rounds (vendor slots).
FOLLOW_ON_SLOTS = 256


class MarketModel(mesa.Model):
    """The AI foundation-model market.

    >>> from simulation import MarketModel, load_scenario
    >>> model = MarketModel(load_scenario("baseline"), rng=42)
    >>> model.run(12)
    >>> model.market_frame()        # one row per month
    >>> model.vendor_frame()        # one row per month per vendor

    ``rng`` seeds the run: an int, a ``numpy.random.SeedSequence`` or ``None`` (fresh
    entropy, recorded in ``model.seed_entropy``). One child stream is derived per
    mechanism (:mod:`aimarket.simulation.mechanics.streams`), so the same seed gives the
    same bytes out and
    changing one vendor's policy leaves the other mechanisms' draws unchanged.
    """

    def __init__(self, scenario: Scenario | None = None, *, rng=None):
        scenario = scenario if scenario is not None else Scenario()
        root = root_sequence(rng)
        streams = Streams(root)
        super().__init__(rng=streams.activation)
        self.scenario = scenario
        self.streams = streams
        self.seed_entropy = root.entropy
        self.ledger = Ledger()
        self.products = ProductTable()
        self.events: list[tuple[int, str, str]] = []  # (step, who, what happened)
        self.fired_shocks: set[str] = set()
        self.open_cap = np.inf  # regulatory cap on open-weight capability (frontier-years)
        self.open_tax = 0.0  # regulatory tax on open-weight tokens, share of hosting price
        self.regulated = False
        self.incidents = 0  # misuse incidents this month

        self.cost_index = 1.0  # compute cost relative to step 0
        self.demand_index = 1.0  # token demand relative to step 0
        self.serving_cost = scenario.market.serving_cost

        n_clouds, n_vcs = len(scenario.clouds), len(scenario.vcs)
        self.clouds = list(
            Cloud.create_agents(
                self,
                n_clouds,
                list(scenario.clouds),
                list(scenario.clouds.values()),
                list(range(n_clouds)),
            )
        )
        for c in self.clouds:
            self.ledger.open(c.account, 0.0)
        self.vcs = list(
            VentureCapitalist.create_agents(
                self, n_vcs, list(scenario.vcs), list(scenario.vcs.values()), list(range(n_vcs))
            )
        )
        for vc in self.vcs:
            self.ledger.open(vc.account, vc.params.capital)
        self.developers = DeveloperPopulation(self)
        # per (cloud, product): hosting price of open weights, $/Mtok (NaN: not hosted)
        self.hosting = np.full((len(self.clouds), len(self.products.vendor)), np.nan)
        self.vendor_list: list[Vendor] = []
        for name, p in scenario.vendors.items():
            self.add_vendor(name, p, cash=p.cash)

        self._entrants = 0
        self.entries = self.exits = 0
        self.vc_funding = 0.0
        metrics.reset(self)
        self.datacollector = mesa.DataCollector(
            model_reporters={name: name for name in metrics.MARKET},
            agenttype_reporters={Vendor: {name: name for name in metrics.VENDOR}},
            tables={"segments": list(metrics.SEGMENT)},
        )

    # -- agents and products -------------------------------------------------------------
    def partner_cloud(self, params: VendorParams) -> Cloud:
        if params.cloud:
            return next(c for c in self.clouds if c.name == params.cloud)
        return next(c for c in self.clouds if c.params.serves_closed)

    def add_cloud(self, name: str, params: CloudParams) -> Cloud:
        """A cloud arriving mid-run (a shock): a new account and a new hosting row."""
        cloud = Cloud(self, name, params, index=len(self.clouds))
        self.clouds.append(cloud)
        self.ledger.open(cloud.account, 0.0)
        self.hosting = np.vstack([self.hosting, np.full(self.hosting.shape[1], np.nan)])
        return cloud

    def add_vendor(self, name: str, params: VendorParams, cash: float) -> Vendor:
        """Create a vendor and its products; ``cash`` is opened as new money (step 0)."""
        vendor = Vendor(self, name, params, index=len(self.vendor_list))
        vendor.cloud = self.partner_cloud(params)
        self.vendor_list.append(vendor)
        self.ledger.open(vendor.account, cash)
        has_closed = params.policy in ("closed", "open_lagged") and params.offers_api
        has_open = params.policy in ("open", "open_lagged", "open_then_closed")
        if has_closed:
            vendor.closed_product = self.add_product(vendor, is_open=False)
        if has_open:
            vendor.open_product = self.add_product(vendor, is_open=True)
        vendor.decide_release()
        return vendor

    def add_product(self, vendor: Vendor, *, is_open: bool) -> int:
        kind = "open" if is_open else "closed"
        cost = self.closed_unit_cost(vendor)
        j = self.products.add(
            f"{vendor.name}:{kind}",
            vendor.index,
            is_open,
            vendor.capability,
            vendor.params.efficiency,
            price=2.0 * cost,
        )
        capacity = len(self.products.vendor)
        if self.hosting.shape[1] < capacity:  # the product table grew
            grown = np.full((len(self.clouds), capacity), np.nan)
            grown[:, : self.hosting.shape[1]] = self.hosting
            self.hosting = grown
        return j

    def closed_unit_cost(self, vendor: Vendor) -> float:
        """What a closed vendor pays its partner cloud per Mtok served (cost + markup)."""
        cloud = vendor.cloud
        return cloud.unit_cost(vendor.params.efficiency, False) * (1 + cloud.params.partner_markup)

    @property
    def vendor_agents(self) -> mesa.agent.AgentSet:
        """Vendors scheduled this month (an exiting vendor stays until the next month);
        empty, not missing, in a market without vendors."""
        return self.agents_by_type.get(Vendor) or mesa.agent.AgentSet([], random=self.random)

    @property
    def vendors(self) -> list[Vendor]:
        """Vendors still in the market, in order of arrival."""
        return [v for v in self.vendor_list if v.alive]

    # -- the month -------------------------------------------------------------------------
    def step(self) -> None:
        """One month, in this order (docs/ODD.md, section 2.4):

        1. progress: the compute cost index falls, token demand grows, shocks fire;
        2. funding: VCs raise money, fund rounds and entrants; entrants become vendors;
        3. innovation: vendors spend on R&D; capabilities move (own R&D x talent,
           spillover from open weights, community improvements); release decisions;
        4. pricing: closed vendors set API prices (logit best response); clouds set
           hosting prices for open weights (Bertrand undercutting);
        5. adoption: developers enter (Bass), reconsider and choose (logit);
        6. settlement: every payment from payer to payee; platforms book complement
           revenue; vendors out of cash exit;
        7. collection: metrics are measured and recorded.
        """
        self.open_books()
        self.progress()
        self.funding()
        self.innovation()
        self.pricing()
        self.adoption()
        self.settlement()
        self.collect()

    def run(self, steps: int | None = None, *, progress: bool = False) -> MarketModel:
        """Advance ``steps`` months (default: the scenario's ``steps``)."""
        steps = self.scenario.steps if steps is None else steps
        months: Iterable[int] = range(steps)
        if progress:
            from tqdm.auto import tqdm

            months = tqdm(months, desc=self.scenario.name, unit="month", leave=False)
        for _ in months:
            self.step()
        return self

    def open_books(self) -> None:
        """Zero this month's flows (cash balances carry over)."""
        self.ledger.new_month()
        for v in list(self.vendor_agents):
            if not v.alive:  # exited last month
                v.remove()
        for v in self.vendors:
            v.reset_flows()
        for c in self.clouds:
            c.revenue = 0.0
            c.costs = 0.0

    # 1 ----------------------------------------------------------------------------------
    def progress(self) -> None:
        market = self.scenario.market
        mech = self.scenario.mechanisms
        years = self.steps / 12.0
        if mech.cost_decline:
            self.cost_index = (1.0 - market.compute_cost_decline) ** years
        if mech.demand_growth:
            self.demand_index = (1.0 + market.demand_growth) ** years
        self.serving_cost = market.serving_cost * self.cost_index
        self.incidents = 0
        shocks.fire(self)

    # 2 ----------------------------------------------------------------------------------
    def funding(self) -> None:
        """VCs fund follow-on rounds of vendors short of cash, then new entrants."""
        self.entries = 0
        self.vc_funding = 0.0
        entry = self.scenario.entry
        # Fixed-size draws every month: pitches and their attributes, and valuation noise.
        n_pitches = min(int(self.streams.entry.poisson(entry.rate)), entry.max_pitches)
        pitch_open = self.streams.entry.random(entry.max_pitches) < entry.open_share
        for vc in self.vcs:
            vc.funded, vc.deals = 0.0, 0
        if not self.scenario.mechanisms.venture:
            return
        for vc in self.vcs:
            vc.raise_money()
        ranked = sorted(self.vcs, key=lambda vc: -vc.cash)
        private = [v for v in self.vendors if v.params.private]
        # A fixed-size block every month keeps the stream aligned across paired runs:
        # rows for pitches, then one row per vendor slot (by arrival order).
        noise = self.streams.funding.standard_normal(
            (entry.max_pitches + FOLLOW_ON_SLOTS, len(self.vcs))
        )
        short = [v for v in private if v.cash < entry.runway * (v.params.rd_budget + v.params.opex)]
        caps = np.array([self.entrant_capability()] + [v.capability for v in short])
        outlook, *prospects = self.expected_gross_profit(caps)
        for vendor, prospect in zip(short, prospects, strict=True):
            burn = vendor.params.rd_budget + vendor.params.opex
            value = self.valuation(max(vendor.last_gross_profit, prospect), burn)
            slot = entry.max_pitches + vendor.index % FOLLOW_ON_SLOTS
            self._fund(ranked, value, noise[slot], vendor=vendor)
        for k in range(n_pitches):
            for vc in ranked:  # the pitch goes to VCs in order; each values it at its size
                burn = self.entrant_burn(vc.params.round_size)
                value = self.valuation(outlook, burn)
                if self._fund([vc], value, noise[k], open_pitch=bool(pitch_open[k])):
                    break

    def valuation(self, gross_profit: float, burn: float) -> float:
        """Exit value ($M) of a vendor expected to earn ``gross_profit`` and to spend
        ``burn`` a month: annual net profit times the exit multiple."""
        entry = self.scenario.entry
        return max(0.0, gross_profit - burn) * 12 * entry.exit_multiple

    def entrant_burn(self, round_size: float) -> float:
        """Monthly R&D plus fixed costs of a startup funded with ``round_size``."""
        return (self.scenario.entry.burn + ENTRANT_OPEX) * round_size

    def entrant_capability(self) -> float:
        """A startup builds on the best open weights, or starts a given distance behind
        the closed frontier, whichever is higher (frontier-years)."""
        gap = self.scenario.entry.capability_gap
        return max(self.frontier(is_open=True), self.frontier(is_open=False) - gap)

    def expected_gross_profit(self, capability: np.ndarray) -> np.ndarray:
        """Monthly gross profit ($M) a VC expects a closed model of each ``capability``
        to earn if it were the only addition to the market today: its logit share of
        each segment's demand at its own best-response price, against the models on offer
        now. It falls as rivals multiply and as open weights come close to it."""
        dev = self.developers
        slope = dev.alpha / self.serving_cost_reference
        weights = self._demand_weights()
        cloud = self.partner_cloud(VendorParams())
        cost = cloud.unit_cost(1.0, False) * (1 + cloud.params.partner_markup)
        others = choice.log_sum(self.mean_utilities(), dev.outside_utilities())[:, None]
        markup = np.full(len(capability), weights.sum() / max((weights * slope).sum(), 1e-300))
        for _ in range(8):  # the newcomer's own best-response fixed point (small share)
            own = np.outer(dev.beta, capability) - slope[:, None] * (cost + markup)
            shares = 1.0 / (1.0 + np.exp(np.minimum(others - own, 700.0)))
            markup = pricing.logit_markup(shares, weights, slope)
        return (weights[:, None] * shares).sum(axis=0) * markup

    def _fund(self, ranked, value, noise, vendor=None, open_pitch=False) -> bool:
        """The first VC in ``ranked`` that makes an offer funds the round."""
        for vc in ranked:
            amount = vc.offer(value, noise[vc.index])
            if amount <= 0:
                continue
            if vendor is None:
                vendor = self.spawn_entrant(amount, open_pitch)
            self.ledger.pay(vc.account, vendor.account, amount, "vc_funding")
            vendor.funding += amount
            vc.funded += amount
            vc.deals += 1
            self.vc_funding += amount
            return True
        return False

    def spawn_entrant(self, round_size: float, open_pitch: bool) -> Vendor:
        """A funded startup becomes a vendor, built on the best open weights or a given
        distance behind the closed frontier, whichever is higher."""
        entry = self.scenario.entry
        self._entrants += 1
        self.entries += 1
        capability = self.entrant_capability()
        params = VendorParams(
            policy="open_lagged" if open_pitch else "closed",
            capability=capability,
            cash=0.0,
            rd_budget=entry.burn * round_size,
            opex=ENTRANT_OPEX * round_size,
        )
        name = f"entrant{self._entrants}"
        vendor = self.add_vendor(name, params, cash=0.0)
        self.events.append((self.steps, name, "entered"))
        return vendor

    # 3 ----------------------------------------------------------------------------------
    def innovation(self) -> None:
        inn = self.scenario.innovation
        products = self.products
        n = products.n
        share = products.ecosystem[:n]
        open_now = products.is_open[:n] & products.available[:n]
        gain = products.community_gain[:n]
        gain[:] = 0.0
        if self.scenario.mechanisms.community:
            gain[:] = np.where(open_now, inn.community_quality * share, 0.0)
            eff = products.efficiency[:n]
            cut = np.where(open_now, 1.0 - inn.community_efficiency * share, 1.0)
            # never below the floor, nor raised to it if a model starts below it
            floor = np.minimum(eff, inn.min_efficiency)
            eff[:] = np.where(open_now, np.maximum(floor, eff * cut), eff)
            products.community[:n] += gain
        open_frontier = self.frontier(is_open=True)
        for v in self.vendor_list:  # weights of vendors that left keep improving
            if not v.alive and v.open_product is not None:
                products.capability[v.open_product] += gain[v.open_product]
        vendors = self.vendor_agents
        vendors.do("plan_rd")
        vendors.shuffle_do("innovate", open_frontier)
        vendors.do("decide_release")

    # 4 ----------------------------------------------------------------------------------
    def mean_utilities(self) -> np.ndarray:
        dev = self.developers
        mech = self.scenario.mechanisms
        p = self.products
        n = p.n
        eta = dev.eta if mech.network_effects else 0.0 * dev.eta
        return choice.mean_utilities(
            dev.beta,
            dev.gamma,
            eta,
            dev.alpha,
            p.capability[:n],
            p.is_open[:n],
            p.ecosystem[:n],
            p.price[:n],
            p.penalty[:n],
            p.available[:n],
            self.serving_cost_reference,
        )

    @property
    def serving_cost_reference(self) -> float:
        """P in utility: developers judge prices relative to the serving-cost index."""
        return self.scenario.market.serving_cost * self.cost_index

    def _demand_weights(self) -> np.ndarray:
        """Token demand by segment that sellers face (Ttok/month): developers in the
        market, or everyone's if nobody is in yet."""
        dev = self.developers
        weights = dev.segment_weights()
        return weights if weights.sum() > 0 else dev.base_tokens * self.demand_index

    def pricing(self) -> None:
        """Closed vendors move to their best response against last month's prices;
        clouds undercut each other on open weights (a lone host best-responds too)."""
        dev = self.developers
        p = self.products
        n = p.n
        open_now = p.is_open[:n] & p.available[:n]
        hosts = np.array([c.hosts_open for c in self.clouds])[:, None] & open_now[None, :]
        host_cost = np.stack([c.unit_cost(p.efficiency[:n], True) for c in self.clouds])
        cost = p.cost[:n]
        for vendor in self.vendors:
            if vendor.closed_product is not None:
                cost[vendor.closed_product] = self.closed_unit_cost(vendor)
        cost[:] = np.where(open_now, np.where(hosts, host_cost, np.inf).min(axis=0), cost)
        cost[~np.isfinite(cost)] = 0.0
        best = pricing.best_response(
            self.mean_utilities(),
            p.price[:n],
            dev.outside_utilities(),
            dev.alpha / self.serving_cost_reference,
            self._demand_weights(),
            cost,
        )
        for vendor in self.vendors:
            j = vendor.closed_product
            if j is not None and p.available[j]:
                vendor.set_price(cost[j], float(best[j]))
        # Hosting of open weights.
        undercut = np.array([c.params.undercut for c in self.clouds])
        # ``best`` is an effective price to developers; under an open-weight tax the host
        # keeps only its share of it.
        lone_host_markup = np.maximum(best / (1.0 + self.open_tax) - cost, 0.0)
        self.hosting[:, :n] = pricing.hosting_prices(
            self.hosting[:, :n], host_cost, hosts, undercut, lone_host_markup
        )
        has_host = hosts.any(axis=0)
        offered = np.where(hosts, self.hosting[:, :n], np.inf)
        k = np.argmin(offered, axis=0)
        cols = np.arange(n)
        taxed = offered[k, cols] * (1.0 + self.open_tax)
        p.price[:n] = np.where(open_now & has_host, taxed, p.price[:n])
        p.cost[:n] = np.where(open_now & has_host, host_cost[k, cols], p.cost[:n])
        # Open weights nobody hosts cannot be used.
        p.available[:n] &= ~(p.is_open[:n] & ~has_host)
        self._host_cost = host_cost

    # 5 ----------------------------------------------------------------------------------
    def adoption(self) -> None:
        self.developers.choose(self.mean_utilities())
        p = self.products
        n = p.n
        p.ecosystem[:n] = p.developers[:n] / max(self.developers.adopters, 1)

    # 6 ----------------------------------------------------------------------------------
    def settlement(self) -> None:
        """Book every payment; then platforms' complement revenue; then exits."""
        ledger = self.ledger
        p = self.products
        n = p.n
        vendors = self.vendors
        # Closed models: developers pay the vendor; the vendor pays its cloud to serve.
        for v in vendors:
            j = v.closed_product
            if j is not None and p.tokens[j] > 0:
                self._sell_closed(v, j, p.tokens[j], payer="developers", kind="api_sales")
        # Open weights: developers pay the cheapest host(s), who pay their suppliers.
        for j in np.flatnonzero(p.is_open[:n] & (p.tokens[:n] > 0)):
            prices = self.hosting[:, j]
            winners = np.flatnonzero(prices <= np.nanmin(prices) * (1 + 1e-12))  # ties split
            for k in winners:
                cloud = self.clouds[k]
                q = p.tokens[j] / len(winners)
                ledger.pay("developers", cloud.account, prices[k] * q, "hosting_sales")
                ledger.pay("developers", "government", self.open_tax * prices[k] * q, "open_tax")
                cloud.revenue += prices[k] * q
                self._cloud_cost(cloud, self._host_cost[k, j] * q)
        # Platforms deploy AI in their complement business.
        if self.scenario.mechanisms.complement:
            for v in vendors:
                if v.business_model == "platform":
                    self._deploy_ai(v)
        # R&D compute bought from the partner cloud; fixed costs to suppliers.
        for v in vendors:
            cloud = v.cloud
            ledger.pay(v.account, cloud.account, v.rd_spend, "training_compute")
            cloud.revenue += v.rd_spend
            self._cloud_cost(cloud, v.rd_spend / (1 + cloud.params.training_markup))
            ledger.pay(v.account, "suppliers", v.params.opex, "opex")
        # Flows into vendor metrics; exits.
        total_tokens = p.tokens[:n].sum()
        adopters = max(self.developers.adopters, 1)
        self.exits = 0
        for v in vendors:
            mine = [j for j in (v.closed_product, v.open_product) if j is not None]
            gross = v.api_revenue - v.serving_cost
            v.last_gross_profit = gross
            v.revenue = v.api_revenue + v.complement_revenue
            v.profit = v.revenue - v.serving_cost - v.ai_cost - v.rd_spend - v.params.opex
            v.payoff += v.profit
            v.token_share = float(p.tokens[mine].sum() / total_tokens) if total_tokens > 0 else 0.0
            v.developer_share = float(p.developers[mine].sum() / adopters)
            v.price = float(p.price[mine[0]]) if mine else 0.0
            if self.scenario.mechanisms.exit and v.params.private and v.cash < 0:
                self.exit_vendor(v)

    def _cloud_cost(self, cloud: Cloud, amount: float) -> None:
        self.ledger.pay(cloud.account, "suppliers", amount, "cloud_costs")
        cloud.costs += amount

    def _sell_closed(self, v: Vendor, j: int, tokens: float, payer: str, kind: str) -> float:
        """Sell ``tokens`` of closed model j: buyer pays the vendor, vendor pays its cloud."""
        price = self.products.price[j]
        unit = self.closed_unit_cost(v)
        self.ledger.pay(payer, v.account, price * tokens, kind)
        v.api_revenue += price * tokens
        self.ledger.pay(v.account, v.cloud.account, unit * tokens, "serving_fees")
        v.serving_cost += unit * tokens
        v.cloud.revenue += unit * tokens
        raw = v.cloud.unit_cost(v.params.efficiency, False) * tokens
        self._cloud_cost(v.cloud, raw)
        return price * tokens

    def _deploy_ai(self, platform: Vendor) -> None:
        """The platform picks the model that maximizes complement revenue minus AI cost:
        its own (served on its own hardware at cost), any open weights (self-hosted at
        cost) or a rival's closed API (at its price). See
        :mod:`aimarket.simulation.mechanics.complement`."""
        par = platform.params
        p = self.products
        n = p.n
        tokens = par.internal_tokens
        options = [(platform.capability, self.serving_cost * par.efficiency, None)]
        for j in range(n):
            if not p.available[j]:
                continue
            if p.is_open[j]:
                options.append((p.capability[j], self.serving_cost * p.efficiency[j], None))
            elif p.vendor[j] != platform.index:
                options.append((p.capability[j], p.price[j], j))
        best = None
        for cap, unit, seller in options:
            a, gain, cost = complement.deployment(
                par.complement_revenue, par.complement_strength, cap, tokens, unit
            )
            if best is None or gain - cost > best[1] - best[2]:
                best = (a, gain, cost, seller, a * tokens)
        _, gain, cost, seller, used = best
        self.ledger.pay("advertisers", platform.account, gain, "complement_revenue")
        platform.complement_revenue += gain
        if seller is None:
            self.ledger.pay(platform.account, "suppliers", cost, "internal_ai")
        else:
            self._sell_closed(
                self.vendor_list[p.vendor[seller]],
                seller,
                used,
                payer=platform.account,
                kind="api_sales",
            )
        platform.ai_cost += cost

    def exit_vendor(self, vendor: Vendor) -> None:
        """A vendor out of cash leaves: its API closes, its open weights stay out."""
        vendor.alive = False
        self.exits += 1
        if vendor.closed_product is not None:
            self.products.available[vendor.closed_product] = False
        self.events.append((self.steps, vendor.name, "exited"))
        # It leaves the schedule after this month's collection, so its last month is
        # recorded (see open_books).

    # 7 ----------------------------------------------------------------------------------
    def frontier(self, *, is_open: bool) -> float:
        """Best capability (frontier-years) among available open or closed models."""
        p = self.products
        mask = p.available[: p.n] & (p.is_open[: p.n] == is_open)
        return float(p.capability[: p.n][mask].max()) if mask.any() else 0.0

    def collect(self) -> None:
        metrics.measure(self)
        self.datacollector.collect(self)

    # -- results ---------------------------------------------------------------------------
    def market_frame(self) -> pd.DataFrame:
        """Market metrics, one row per month (tidy; see :mod:`aimarket.simulation.metrics`)."""
        return metrics.market_frame(self)

    def segment_frame(self) -> pd.DataFrame:
        """Developer-segment metrics, one row per month per segment."""
        return metrics.segment_frame(self)

    def vendor_frame(self) -> pd.DataFrame:
        """Vendor metrics, one row per month per vendor in the market that month."""
        return metrics.vendor_frame(self)
