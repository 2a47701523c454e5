"""The market model: vendors, clouds, developers and VCs, one month per step."""

from __future__ import annotations

from collections.abc import Iterable

import mesa
import numpy as np
import pandas as pd
from tqdm.auto import tqdm

from aimarket.agents import venture
from aimarket.agents.cloud import Cloud
from aimarket.agents.developers import DeveloperPopulation
from aimarket.agents.vendor import Vendor
from aimarket.agents.venture import VentureCapitalist
from aimarket.simulation import funding, metrics, prices, settlement, shocks
from aimarket.simulation.mechanics import calendar, choice, demand
from aimarket.simulation.mechanics.ledger import Ledger
from aimarket.simulation.mechanics.streams import Streams, root_sequence
from aimarket.simulation.parameters import CloudParams, VendorParams
from aimarket.simulation.products import ProductTable
from aimarket.simulation.scenario import Scenario
from aimarket.simulation.scenarios import load_scenario
from aimarket.simulation.schedule import PHASES, Phase
from aimarket.simulation.state import MarketState


class MarketModel(mesa.Model):
    """The AI foundation-model market.

    >>> from aimarket import MarketModel, load_scenario
    >>> model = MarketModel(load_scenario("baseline"), rng=42)
    >>> model.run(12)
    >>> model.market_frame()        # one row per month
    >>> model.vendor_frame()        # one row per month per vendor

    ``rng`` seeds the run: an int, a ``numpy.random.SeedSequence`` or ``None`` (fresh
    entropy, recorded in ``model.seed_entropy``). One child stream is derived per
    mechanism (:mod:`aimarket.simulation.mechanics.streams`), so the same seed gives the
    same bytes out and changing one vendor's policy leaves the other mechanisms' draws
    unchanged. ``seed`` is Mesa's other name for it: ``seed=k`` gives the same bytes as
    ``rng=k`` (pass one of them). Without a scenario the model runs the built-in
    ``baseline``.

    A month (:meth:`step`) runs the phases of :attr:`PHASES` in order; the market's state
    besides its agents and products (indices, regulation, this month's counters) is one
    record, ``model.state`` (:class:`~aimarket.simulation.state.MarketState`).

    The scenario's ``steps`` is the horizon, as Mesa's idioms expect: ``running`` turns
    False once ``steps`` months have run, so ``model.run_model()`` returns there and
    ``mesa.batch_run(MarketModel, ...)`` needs no ``max_steps``; ``run(n)`` advances ``n``
    months whatever the horizon.
    """

    #: The month's phases, in order (:mod:`aimarket.simulation.schedule`).
    PHASES: tuple[Phase, ...] = PHASES

    def __init__(self, scenario: Scenario | None = None, *, rng=None, seed=None):
        if seed is not None and rng is not None:
            raise ValueError("MarketModel: pass either seed or rng (the same thing), not both")
        rng = seed if seed is not None else rng
        scenario = scenario if scenario is not None else load_scenario("baseline")
        root = root_sequence(rng)
        streams = Streams(root)
        super().__init__(rng=streams.activation)
        self.scenario = scenario
        self.streams = streams
        self.seed_entropy = root.entropy
        self.ledger = Ledger()
        self.products = ProductTable()
        self.events: list[tuple[int, str, str]] = []  # (step, who, what happened)
        self.state = MarketState(serving_cost=scenario.market.serving_cost)
        self._create_agents(scenario)
        self.measured: dict[str, float] = {}  # this month's market metrics
        self._bonus_key: tuple | None = None  # what _native_bonus last saw, and its result
        self._bonus: np.ndarray | None = None
        self.datacollector = metrics.collector(self, self.measured)

    def _create_agents(self, scenario: Scenario) -> None:
        names, params = list(scenario.clouds), list(scenario.clouds.values())
        self.clouds = list(
            Cloud.create_agents(self, len(names), names, params, list(range(len(names))))
        )
        for c in self.clouds:
            self.ledger.open(c.account, 0.0)
        names, params = list(scenario.vcs), list(scenario.vcs.values())
        self.vcs = list(
            VentureCapitalist.create_agents(
                self, len(names), names, params, list(range(len(names))), scenario.entry
            )
        )
        for vc in self.vcs:
            self.ledger.open(vc.account, vc.params.capital)
        self.developers = DeveloperPopulation(self, scenario.developers, scenario.mechanisms)
        # per (cloud, product): hosting price of open weights, $/Mtok (NaN: not hosted)
        self.hosting = np.full((len(self.clouds), len(self.products.vendor)), np.nan)
        self.host_cost = np.zeros((len(self.clouds), 0))
        self.host_share = np.zeros((len(self.clouds), 0))  # developers' split among hosts
        self.vendor_list: list[Vendor] = []
        for name, p in scenario.vendors.items():
            self.add_vendor(name, p, cash=p.cash)

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
        inn, mech = self.scenario.innovation, self.scenario.mechanisms
        vendor = Vendor(self, name, params, len(self.vendor_list), inn, mech)
        vendor.cloud = self.partner_cloud(params)
        self.vendor_list.append(vendor)
        self.ledger.open(vendor.account, cash)
        if vendor.release.sells_api and params.offers_api:
            vendor.closed_product = self.add_product(vendor, is_open=False)
        if vendor.release.releases_weights:
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
        return vendor.cloud.partner_price(vendor.params.efficiency)

    @property
    def vendor_agents(self) -> mesa.agent.AgentSet:
        """Vendors scheduled this month (an exiting vendor stays until the next month);
        empty, not missing, in a market without vendors."""
        return self.agents_by_type.get(Vendor) or mesa.agent.AgentSet([], random=self.random)

    @property
    def vendors(self) -> list[Vendor]:
        """Vendors still in the market, in order of arrival."""
        return [v for v in self.vendor_list if v.alive]

    def vendor_named(self, name: str) -> Vendor | None:
        """The vendor called ``name`` still in the market, if any."""
        return next((v for v in self.vendors if v.name == name), None)

    # -- the month -------------------------------------------------------------------------
    def step(self) -> None:
        """One month: each phase of :attr:`PHASES` in order, one method call each
        (``open_books``, then progress, funding, innovation, pricing, adoption,
        settlement and collection; ODD section 2.4)."""
        for phase in self.PHASES:
            getattr(self, phase.method)()

    @property
    def running(self) -> bool:
        """Mesa's flag: False once the scenario's horizon (``steps`` months) is reached,
        or once someone sets it False."""
        return self._running and self.steps < self.scenario.steps

    @running.setter
    def running(self, value: bool) -> None:
        self._running = bool(value)

    def run(self, steps: int | None = None, *, progress: bool = False) -> MarketModel:
        """Advance ``steps`` months (default: the scenario's ``steps``), past the horizon
        if asked (``running`` does not stop it); at most ``MAX_STEPS``."""
        steps = self.scenario.steps if steps is None else calendar.check_steps(steps)
        months: Iterable[int] = range(steps)
        if progress:
            months = tqdm(months, desc=self.scenario.name, unit="month", leave=False)
        for _ in months:
            self.step()
        return self

    # 0 ----------------------------------------------------------------------------------
    def open_books(self) -> None:
        """Zero this month's flows (cash balances carry over); vendors that exited last
        month leave the schedule."""
        self.ledger.new_month()
        for v in list(self.vendor_agents):
            if not v.alive:
                v.remove()
        for v in self.vendors:
            v.reset_flows()
        for c in self.clouds:
            c.reset_flows()

    # 1 ----------------------------------------------------------------------------------
    def progress(self) -> None:
        """The compute cost index falls and token demand grows (with time since step 0);
        this month's shocks fire."""
        market = self.scenario.market
        mech = self.scenario.mechanisms
        state = self.state
        years = self.steps / 12.0
        if mech.cost_decline:
            state.cost_index = (1.0 - market.compute_cost_decline) ** years
        if mech.demand_growth:
            state.demand_index = demand.volume_index(
                years, market.volume_growth, market.volume_growth_long,
                market.volume_growth_halflife,
            )  # fmt: skip
        state.serving_cost = market.serving_cost * state.cost_index
        state.incidents = 0
        shocks.fire(self)

    # 2 ----------------------------------------------------------------------------------
    def funding(self) -> None:
        """Clouds' parents back their partners, VCs fund follow-on rounds of vendors short
        of cash, then new entrants (:mod:`aimarket.simulation.funding`)."""
        funding.fund_month(self)

    # 3 ----------------------------------------------------------------------------------
    def innovation(self) -> None:
        """The community improves open weights in use; vendors plan R&D, innovate (in
        random order) and decide what to release."""
        gain = self.products.community_month(self.scenario.innovation, self.scenario.mechanisms)
        open_frontier = self.frontier(is_open=True, none=-np.inf)  # nothing to imitate
        for v in self.vendor_list:  # weights of vendors that left keep improving
            if not v.alive and v.open_product is not None:
                self.products.capability[v.open_product] += gain[v.open_product]
        vendors = self.vendor_agents
        self.plan_rd()
        vendors.shuffle_do("innovate", open_frontier)
        vendors.do("decide_release")

    def plan_rd(self) -> None:
        """Every vendor plans its R&D (in list order), given what a model of its capability
        would earn if it were new (:func:`funding.expected_gross_profit`, as valued in
        this month's funding phase; now for a vendor it did not value), developers'
        demand-weighted quality weight and the most capable vendor's capability and
        prospect (the level a vendor behind would draw to)."""
        vendors = self.vendors
        if not vendors:
            return
        # valued in this month's funding phase, or now for those it did not value
        known = self.state.prospects
        missing = [v for v in vendors if v.index not in known]
        if missing:
            values = funding.expected_gross_profit(self, np.array([v.capability for v in missing]))
            known.update(zip([v.index for v in missing], values, strict=True))
        prospects = [known[v.index] for v in vendors]
        weights = self.demand_weights()
        beta = float(weights @ self.developers.beta / weights.sum()) if weights.sum() > 0 else 0.0
        best = max(range(len(vendors)), key=lambda i: vendors[i].capability)
        lead = (vendors[best].capability, float(prospects[best]))
        for v, prospect in zip(vendors, prospects, strict=True):
            v.plan_rd(float(prospect), beta, lead)

    # 4 ----------------------------------------------------------------------------------
    def mean_utilities(self) -> np.ndarray:
        """Mean utility of each product to each developer group (groups, products)."""
        dev = self.developers
        p = self.products
        n = p.n
        eta = dev.eta if self.scenario.mechanisms.network_effects else 0.0 * dev.eta
        return choice.market_utilities(
            dev.need,
            self._native_bonus(),
            dev.beta,
            dev.gamma,
            eta,
            self.price_weights(),
            p.capability[:n],
            p.is_open[:n],
            p.ecosystem[:n],
            p.price[:n],
            p.penalty[:n] + p.anticipated[:n],
            p.available[:n],
        )

    def _native_bonus(self) -> np.ndarray | None:
        """Each group's bonus for the products offered on its home cloud: a closed model
        on its vendor's partner cloud, open weights on every cloud hosting them. Kept
        while what it depends on (hosting, closed models' clouds) stays the same."""
        dev = self.developers
        n = self.products.n
        native = np.isfinite(self.hosting[:, :n])
        sold = tuple(
            (v.cloud.index, v.closed_product)
            for v in self.vendor_list
            if v.alive and v.closed_product is not None
        )
        key = (native.tobytes(), native.shape, sold, dev.bonus.tobytes(), dev.group_home.tobytes())
        if key != self._bonus_key:
            self._bonus_key, self._bonus = key, None
            homes = dev.group_home >= 0
            if homes.any() and dev.bonus.any():
                if sold:
                    native[tuple(np.array(sold).T)] = True
                rows = np.zeros((dev.n_groups, n), dtype=bool)
                rows[homes] = native[dev.group_home[homes]]
                self._bonus = dev.bonus[:, None] * rows
        return self._bonus

    def price_weights(self) -> np.ndarray:
        """Each group's utility per $/Mtok this month: its price weight times the tokens
        a developer plans to use (the volume index, at the reference price): utility
        falls with the monthly bill, so the weight of $1/Mtok grows with volume."""
        return self.developers.alpha * self.state.demand_index

    def demand_weights(self) -> np.ndarray:
        """Token demand by segment that sellers face (Ttok/month): developers in the
        market, or everyone's if nobody is in yet."""
        dev = self.developers
        weights = dev.segment_weights()
        return weights if weights.sum() > 0 else dev.base_tokens * self.state.demand_index

    def pricing(self) -> None:
        """Closed vendors move to their best response against last month's prices;
        clouds undercut each other on open weights (:mod:`aimarket.simulation.prices`)."""
        prices.set_prices(self)

    # 5 ----------------------------------------------------------------------------------
    def adoption(self) -> None:
        """Developers enter, reconsider and choose; products' ecosystem shares follow."""
        self.developers.choose(self.mean_utilities())
        p = self.products
        n = p.n
        p.ecosystem[:n] = p.developers[:n] / max(self.developers.adopters, 1)

    # 6 ----------------------------------------------------------------------------------
    def settlement(self) -> None:
        """Book every payment, then platforms' complement revenue, then exits
        (:mod:`aimarket.simulation.settlement`)."""
        settlement.settle(self)

    def exit_vendor(self, vendor: Vendor) -> None:
        """A vendor out of cash leaves, bought out (its investors get part of their money
        back): its API closes, its open weights stay out."""
        vendor.alive = False
        self.state.exits += 1
        vendor.exit_value = 0.0
        if self.scenario.mechanisms.venture:
            vendor.exit_value = venture.buy_out(vendor, self.scenario.entry)
        if vendor.closed_product is not None:
            self.products.available[vendor.closed_product] = False
        self.events.append((self.steps, vendor.name, "exited"))
        # It leaves the schedule after this month's collection, so its last month is
        # recorded (see open_books).

    # 7 ----------------------------------------------------------------------------------
    def frontier(self, *, is_open: bool, none: float = 0.0) -> float:
        """Best capability (frontier-years) among available open or closed models;
        ``none`` when there is none."""
        p = self.products
        mask = p.available[: p.n] & (p.is_open[: p.n] == is_open)
        return float(p.capability[: p.n][mask].max()) if mask.any() else none

    def collect(self) -> None:
        """Measure the registered metrics (:mod:`aimarket.simulation.metrics`) and record
        them."""
        metrics.measure(self, self.measured)
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
