"""Funding (phase 2 of a month): who pays for the market's R&D.

A private vendor short of cash raises a round (at most every ``round_interval`` months)
sized to what its runway needs: its cloud's parent leads with compute credits up to the
vendor's value at the parent's hurdle, VCs fill the rest (syndicated) up to its value at
theirs; then come pitches from new startups, which become vendors. The valuations,
offers and stakes are the venture agents' (:mod:`aimarket.agents.venture`); what an
investor expects a newcomer to earn and how the market's volume is expected to grow are
the market's, computed here.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

import numpy as np

from aimarket.agents import venture
from aimarket.simulation.mechanics import choice, demand, pricing
from aimarket.simulation.mechanics import venture as finance
from aimarket.simulation.parameters import VendorParams

if TYPE_CHECKING:
    from aimarket.agents.vendor import Vendor
    from aimarket.simulation.model import MarketModel


def fund_month(model: MarketModel) -> None:
    """VCs fund follow-on rounds of vendors short of cash, then new entrants
    (:func:`aimarket.agents.venture.fund`)."""
    state = model.state
    state.entries = 0
    state.vc_funding = 0.0
    entry = model.scenario.entry
    s = model.streams
    draws = venture.FundingDraws.draw(s.entry, s.funding, entry, len(model.vcs))
    for vc in model.vcs:
        vc.reset_flows()
    state.strategic_funding = 0.0
    state.prospects = {}
    if not model.scenario.mechanisms.venture:
        return
    for cloud in model.clouds:
        cloud.receive_credits()
    short = venture.short_of_cash(model.vendors, entry)
    present = model.vendors
    caps = np.array([entrant_capability(model)] + [v.capability for v in present])
    outlook, *values = expected_gross_profit(model, caps)
    state.prospects = {v.index: float(g) for v, g in zip(present, values, strict=True)}
    prospects = [state.prospects[v.index] for v in short]
    growth = volume_path(model)
    values = venture.Valuations.compute(model.vcs, short, prospects, outlook, growth, entry)
    # a strategic investor leads the round; VCs fill what is left
    state.strategic_funding = venture.strategic_rounds(short, values, entry)
    spawn = functools.partial(spawn_entrant, model)
    state.vc_funding = venture.fund(model.vcs, short, values, draws, spawn)


def volume_path(model: MarketModel) -> np.ndarray:
    """The market's token volume in each of the next ``entry.horizon`` years' months over
    today's (:func:`aimarket.simulation.mechanics.demand.volume_index`; flat without
    demand growth): what investors expect gross profit to grow with."""
    months = max(1, round(12 * model.scenario.entry.horizon))
    if not model.scenario.mechanisms.demand_growth:
        return np.ones(months)
    m = model.scenario.market
    curve = (m.volume_growth, m.volume_growth_long, m.volume_growth_halflife)

    def index(years: np.ndarray) -> list[float]:
        return _volumes_at(years.tolist(), curve)

    return finance.growth_path(index, model.steps / 12.0, months)


#: Volume indices computed so far, by demand curve, then by years since step 0.
_LEVELS: dict[tuple[float, float, float], dict[float, float]] = {}


def _volumes_at(points: list[float], curve: tuple[float, float, float]) -> list[float]:
    """:func:`aimarket.simulation.mechanics.demand.volume_index` at each of ``points``,
    remembered: next month's path asks again for most of this month's points (the same
    floats), so a month looks up a dict instead of computing them again."""
    known = _LEVELS.get(curve)
    if known is None or len(known) > 8192:  # a sweep over curves: keep memory bounded
        if len(_LEVELS) > 64:
            _LEVELS.clear()
        known = _LEVELS[curve] = {}
    levels = list(map(known.get, points))
    if None in levels:
        for i, level in enumerate(levels):
            if level is None:
                levels[i] = known[points[i]] = demand.volume_index(points[i], *curve)
    return levels


def entrant_capability(model: MarketModel) -> float:
    """A startup builds on the best open weights, or starts a given distance behind
    the closed frontier, whichever is higher (frontier-years)."""
    gap = model.scenario.entry.capability_gap
    return max(model.frontier(is_open=True), model.frontier(is_open=False) - gap)


def expected_gross_profit(model: MarketModel, capability: np.ndarray) -> np.ndarray:
    """Monthly gross profit ($M) a VC expects a closed model of each ``capability``
    to earn if it were the only addition to the market today (see
    :func:`aimarket.simulation.mechanics.pricing.newcomer_gross_profit`); none when
    closed APIs are priced at cost (``market.pricing = "cost"``).

    Developers whose work needs a model within ``frontier_need`` of the best one
    (ODD 6.5) choose among those models only, as in their own choice
    (:func:`aimarket.simulation.mechanics.choice.restrict_and_reward`): a newcomer that
    far behind the best cannot sell to them, and one that becomes the best puts the
    models that far behind it out of their reach."""
    if model.scenario.market.pricing == "cost":
        return np.zeros(len(capability))
    dev = model.developers
    cloud = model.partner_cloud(VendorParams())
    cost = cloud.partner_price(1.0)
    others, reachable = _within_need(model, model.mean_utilities(), np.asarray(capability))
    market = model.scenario.market
    return pricing.newcomer_gross_profit(
        dev.beta, model.price_weights(), model.demand_weights(), others, capability, cost,
        market.token_elasticity, market.reference_price, reachable,
    )  # fmt: skip


def _within_need(
    model: MarketModel, utilities: np.ndarray, capability: np.ndarray
) -> tuple[np.ndarray, np.ndarray | None]:
    """For newcomers of each ``capability``: the log-sum of the rest of the market per
    group, (groups, 1) or (groups, newcomers), and which groups could use each newcomer
    (None: all). With a newcomer the best model is max(best, its capability), and a
    group with a ``need`` keeps only the models within it of that best."""
    dev, p = model.developers, model.products
    outside = dev.outside_utilities()
    need = dev.need
    if not np.isfinite(need).any():
        return choice.log_sum(utilities, outside)[:, None], None
    n = p.n
    available = p.available[:n]
    best = p.capability[:n][available].max() if available.any() else -np.inf
    floor = np.maximum(best, capability)[None, :] - need[:, None]  # (groups, newcomers)
    reachable = capability[None, :] >= floor
    out = np.where(p.capability[:n][None, None, :] < floor[:, :, None], -np.inf,
                   utilities[:, None, :])  # fmt: skip
    groups, k = floor.shape
    others = choice.log_sum(out.reshape(groups * k, n), np.repeat(outside, k))
    return others.reshape(groups, k), reachable


def spawn_entrant(model: MarketModel, round_size: float, open_pitch: bool) -> Vendor:
    """A funded startup becomes a vendor, built on the best open weights or a given
    distance behind the closed frontier, whichever is higher."""
    model.state.entrants += 1
    model.state.entries += 1
    params = VendorParams(
        policy="open_lagged" if open_pitch else "closed",
        capability=entrant_capability(model),
        cash=0.0,
        opex=venture.ENTRANT_OPEX * round_size,
    )
    name = f"entrant{model.state.entrants}"
    vendor = model.add_vendor(name, params, cash=0.0)
    model.events.append((model.steps, name, "entered"))
    return vendor
