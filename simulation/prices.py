"""Pricing (phase 4 of a month): closed vendors' API prices and clouds' hosting prices.

Closed vendors move to their logit best response against last month's prices (or to
cost under the ``cost`` rule), a share ``price_adjustment`` of the way; clouds set
hosting prices for open weights (Bertrand undercutting; a lone host best-responds too),
and each open model's price is its cheapest host's, taxed under regulation.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from aimarket.agents import cloud as clouds
from aimarket.simulation.mechanics import hosting, pricing

if TYPE_CHECKING:
    from aimarket.simulation.model import MarketModel


def set_prices(model: MarketModel) -> None:
    """Closed vendors move to their best response against last month's prices;
    clouds undercut each other on open weights (a lone host best-responds too)."""
    p = model.products
    n = p.n
    open_now = p.is_open[:n] & p.available[:n]
    hosts = np.array([c.hosts_open for c in model.clouds])[:, None] & open_now[None, :]
    host_cost = np.stack([c.unit_cost(p.efficiency[:n], True) for c in model.clouds])
    cost = p.cost[:n]
    closed = [(v, v.closed_product) for v in model.vendors if v.closed_product is not None]
    for vendor, j in closed:
        cost[j] = model.closed_unit_cost(vendor)
    cost[:] = np.where(open_now, np.where(hosts, host_cost, np.inf).min(axis=0), cost)
    cost[~np.isfinite(cost)] = 0.0
    market = model.scenario.market
    best, unsolved = pricing.best_response(
        model.mean_utilities(),
        p.price[:n],
        model.developers.outside_utilities(),
        model.price_weights(),
        model.demand_weights(),
        cost,
        market.token_elasticity,
    )
    model.state.unconverged += unsolved
    target = best if market.pricing == "nash" else cost
    for vendor, j in closed:
        if p.available[j]:
            vendor.set_price(cost[j], float(target[j]), market.price_adjustment)
    _host(model, best, cost, hosts, host_cost)


def _host(model: MarketModel, best, cost, hosts, host_cost) -> None:
    """Clouds' hosting prices; each open model's price is what its developers pay their
    hosts (taxed under regulation); open weights nobody hosts cannot be used."""
    p = model.products
    n = p.n
    # ``best`` is an effective price to developers; under an open-weight tax the host
    # keeps only its share of it.
    lone_host_markup = np.maximum(best / (1.0 + model.state.open_tax) - cost, 0.0)
    several = hosts.sum(axis=0) >= 2
    if model.scenario.mechanisms.host_markups and several.any():
        # lone hosts are monopolists; two or more are in their logit equilibrium
        with np.errstate(invalid="ignore"):  # last month's markups (a start for the solver)
            before = model.hosting[:, :n] - host_cost
        on = hosts & several[None, :]
        scale = _host_scale(model)
        price, share, converged = hosting.host_markup_prices(host_cost, on, scale, start=before)
        model.state.unconverged += not converged
        table, shares, paid, paid_cost = hosting.host_payments(
            host_cost, hosts, lone_host_markup, price, share
        )
    else:
        table = clouds.set_hosting_prices(
            model.clouds, model.hosting[:, :n], host_cost, hosts, lone_host_markup
        )
        paid, paid_cost, shares = hosting.cheapest_host(host_cost, hosts, table)
    model.hosting[:, :n] = table
    has_host = hosts.any(axis=0)  # hosted open weights on offer
    p.price[:n] = np.where(has_host, paid * (1.0 + model.state.open_tax), p.price[:n])
    p.cost[:n] = np.where(has_host, paid_cost, p.cost[:n])
    p.available[:n] &= ~(p.is_open[:n] & ~has_host)
    model.host_cost = host_cost
    model.host_share = shares


def _host_scale(model: MarketModel) -> float:
    """The price difference between two hosts of the same weights ($/Mtok) that moves
    developers' utility by one: developers weigh host prices in dollars as they weigh
    models' prices, ``host_sensitivity`` times as strongly (their demand-weighted price
    weight)."""
    weights = model.demand_weights()
    slope = float((weights * model.price_weights()).sum() / max(weights.sum(), 1e-300))
    return 1.0 / max(model.scenario.market.host_sensitivity * slope, 1e-300)
